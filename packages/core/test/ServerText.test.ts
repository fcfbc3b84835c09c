/**
 * Server text is never trusted: a `detail`, a request id, the issues of a 422 and the text of a
 * body that failed to decode are stripped of terminal escape sequences and control characters
 * (line breaks become spaces), have
 * the key and anything shaped like a FluidCloud key replaced by `[redacted]`, and are capped (1,000
 * characters for text, 200 for request ids) before they reach an error or the response metadata.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schedule, Stream } from "effect"
import { Errors, FluidCloud } from "../src/index.js"
import { FILE_ID, fileWire, quotaWire, SPACE_ID, UPLOAD_ID } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import { API_KEY } from "./support/MockHttp.js"

const noRetry = { retry: Schedule.stop }
const ESC = "\u001b"
const BEL = "\u0007"
const OTHER_KEY = "fck_live_SOMEONEELSESKEY0000000000000"

/** No C0/C1 control characters, no bidirectional overrides. */
const clean = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)

describe("server text in errors", () => {
  it.effect("a detail with terminal escapes, bidi overrides and another key: stripped and redacted", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(
          404,
          { detail: `not_found${ESC}]0;pwned${BEL}${ESC}[2J\r\n\u202eFAKE ${OTHER_KEY} ${API_KEY}` },
          { "x-request-id": `req${ESC}[31m_1\u0085` }
        )
      )
      const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.NotFoundError)
      if (error._tag !== "NotFoundError") return
      expect(error.detail).toBe("not_found FAKE [redacted] [redacted]")
      expect(error.requestId).toBe("req_1")
      expect(clean(error.message)).toBe(true)
    })
  )

  it.effect("a key split by line breaks or escape sequences is still scrubbed whole", () =>
    Effect.gen(function* () {
      const split = `${API_KEY.slice(0, 15)}\r\n${API_KEY.slice(15, 25)}${ESC}[2J${API_KEY.slice(25)}`
      const mock = MockHttp.make(MockHttp.json(401, { detail: `bad key ${split} here` }))
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), noRetry).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "AuthError", detail: "bad key [redacted] here" })
    })
  )

  it.effect("a detail over 1,000 characters and a request id over 200 are capped", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(500, { detail: "x".repeat(20_000) }, { "x-request-id": "r".repeat(10_000) })
      )
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), noRetry).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 500 })
      if (error._tag !== "ApiError") return
      expect(error.detail.length).toBeLessThanOrEqual(1_001)
      expect(error.detail.startsWith("x".repeat(1_000))).toBe(true)
      expect(error.requestId?.length).toBeLessThanOrEqual(201)
    })
  )

  it.effect("a 422's issues: each string stripped, redacted and capped; at most 20 issues", () =>
    Effect.gen(function* () {
      const issue = { loc: ["body", `na${ESC}[2Jme`], msg: "m".repeat(2_000), type: `t${API_KEY}` }
      const mock = MockHttp.make(
        MockHttp.error(
          422,
          Array.from({ length: 25 }, () => issue)
        )
      )
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x"), noRetry).pipe(Effect.flip)
      expect(error._tag).toBe("ApiError")
      if (error._tag !== "ApiError") return
      expect(error.issues).toHaveLength(20)
      expect(error.issues?.[0]?.loc).toEqual(["body", "name"])
      expect(error.issues?.[0]?.msg.length).toBeLessThanOrEqual(1_001)
      expect(error.issues?.[0]?.type).toBe("t[redacted]")
      expect(error.detail.length).toBeLessThanOrEqual(1_001)
    })
  )

  it.effect("a DecodeError quoting the server's values: its description and cause are redacted", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire({ name: 42, id: `${ESC}[2J${API_KEY}` })))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
      expect(error._tag).toBe("DecodeError")
      if (error._tag !== "DecodeError") return
      expect(error.description).toContain("[redacted]")
      expect(error.description).not.toContain(API_KEY)
      expect(clean(error.description)).toBe(true)
      expect(String(error.cause)).not.toContain(API_KEY)
    })
  )

  it.effect("a File whose sha256 is not a lowercase hex sha256 fails to decode (the contract's Sha256Hex)", () =>
    Effect.gen(function* () {
      for (const sha256 of [`${ESC}]0;owned${BEL}${ESC}[2J${API_KEY}`, "A".repeat(64), "a".repeat(63)]) {
        const mock = MockHttp.make(MockHttp.json(200, fileWire({ sha256 })))
        const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
        expect(error._tag).toBe("DecodeError")
        expect(JSON.stringify(error)).not.toContain(API_KEY)
        expect(clean(error.message)).toBe(true)
      }
    })
  )

  it.effect("an upload whose complete answers a sha256 holding escapes and the key: a DecodeError, made safe", () =>
    Effect.gen(function* () {
      const evil = `${ESC}]0;owned${BEL}${ESC}[2J${API_KEY}${"x".repeat(5000)}`
      const mock = MockHttp.make((request, url) => {
        if (url.pathname.endsWith("/uploads/initiate")) {
          return MockHttp.json(201, {
            upload_id: UPLOAD_ID,
            file_id: FILE_ID,
            expires_at: "2030-01-01T00:00:00Z",
            part_size: 5 * 1024 * 1024,
            parts: [{ part_number: 1, url: "https://storage.example.test/p1?sig=1", method: "PUT", headers: {} }]
          })(request, url)
        }
        if (url.host === "storage.example.test") {
          return MockHttp.text(200, null, { etag: '"0123456789abcdef0123456789abcdef"' })(request, url)
        }
        if (url.pathname.endsWith("/uploads/complete"))
          return MockHttp.json(200, fileWire({ sha256: evil }))(request, url)
        return MockHttp.text(204, null)(request, url)
      })
      const error = yield* MockHttp.run(mock, (fc) => fc.files.upload(new Uint8Array(10), SPACE_ID), noRetry).pipe(
        Effect.flip
      )
      expect(error._tag).toBe("DecodeError")
      const shown = `${error.message} ${JSON.stringify(error)}`
      expect(shown).not.toContain(API_KEY)
      expect(clean(shown)).toBe(true)
      expect(error.message.length).toBeLessThan(2_000)
    })
  )

  it.effect("a download's storage headers quoted in an error (Content-Range, ETag) are made safe", () =>
    Effect.gen(function* () {
      const storage = (headers: Record<string, string>) =>
        MockHttp.make((request, url) => {
          if (url.pathname.endsWith("/download")) {
            return MockHttp.json(200, {
              url: "https://storage.example.test/obj?sig=1",
              expires_at: "2030-01-01T00:00:00Z"
            })(request, url)
          }
          if (url.pathname.startsWith("/api/v1/files/")) return MockHttp.json(200, fileWire())(request, url)
          return MockHttp.text(206, "0123456789", headers)(request, url)
        })
      for (const headers of [
        { "content-range": `bytes ${ESC}[2J${API_KEY}`, etag: `"${"a".repeat(64)}"` },
        { "content-range": "bytes 0-9/10", etag: `"${ESC}]0;owned${BEL}${API_KEY}"` }
      ]) {
        const mock = storage(headers)
        const error = yield* MockHttp.run(
          mock,
          (fc) => Stream.runDrain(fc.files.download(FILE_ID, { range: { offset: 0, length: 10 } })),
          noRetry
        ).pipe(Effect.flip)
        const shown = `${error.message} ${JSON.stringify(error)}`
        expect(shown).not.toContain(API_KEY)
        expect(clean(shown)).toBe(true)
      }
    })
  )

  it.effect("a transport failure whose message quotes the key: the TransportError's cause is redacted", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new Error(`invalid header value ${ESC}[2J"${API_KEY}"`, { cause: new Error(`key ${API_KEY}`) })
          })
        )
      )
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), noRetry).pipe(Effect.flip)
      expect(error._tag).toBe("TransportError")
      const cause = error._tag === "TransportError" ? error.cause : undefined
      expect(cause instanceof Error ? cause.message : "").toContain("[redacted]")
      expect(`${String(cause)} ${String(cause instanceof Error ? cause.cause : "")}`).not.toContain(API_KEY)
      expect(clean(cause instanceof Error ? cause.message : "")).toBe(true)
    })
  )

  it.effect("the response metadata's request id is made safe too", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire(), { "x-request-id": `req${ESC}[2J-${API_KEY}` }))
      const [, metadata] = yield* MockHttp.run(mock, (fc) => FluidCloud.withResponseMetadata(fc.quota.usage()))
      expect(Option.flatMap(metadata, (m) => m.requestId)).toEqual(Option.some("req-[redacted]"))
    })
  )
})
