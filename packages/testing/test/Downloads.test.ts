import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, describe, expect, it, layer } from "@effect/vitest"
import { Emulator, EmulatorServer, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Either, FastCheck, Layer, Schema, Stream } from "effect"
import { bytesOf, call, downloadUrl, fetchBytes, obj, putPart, Session, setupSpace, upload } from "./support/Api.js"

const KiB = 1024
const MiB = 1024 * KiB

/** Upload `content` in parts, with the scan settled at once (`scanDelay: 0`); returns its id and download URL. */
const stored = (content: Uint8Array, partSize: number) =>
  Effect.gen(function* () {
    const spaceId = yield* setupSpace
    const { done } = yield* upload(spaceId, content, { part_size: partSize })
    const fileId = String(obj(done.body).id)
    return { fileId, url: yield* downloadUrl(fileId) }
  })

/** The bytes of a body until it ends or fails, and how it ended. */
const readAll = (url: string, headers: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const res = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers)))
    // a slow reader: whatever the server sends meanwhile must wait for it, not be lost
    yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    const chunks: Array<Uint8Array> = []
    const ended = yield* Stream.runForEach(res.stream, (chunk) => Effect.sync(() => void chunks.push(chunk))).pipe(
      Effect.either
    )
    return {
      status: res.status,
      headers: res.headers,
      bytes: Buffer.concat(chunks),
      chunks,
      failed: Either.isLeft(ended)
    }
  })

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("storage GET: byte ranges", () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-dl-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  // each storage mode, in-process: parts in memory, and parts as files of a data directory
  for (const [mode, emulator] of [
    ["memory", FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 1000 })],
    ["directory", FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 1000, dataDir: dir })]
  ] as const) {
    it.effect(`every range of a file stored in parts (${mode})`, () =>
      Effect.gen(function* () {
        const content = bytesOf(3500, 5)
        const { url } = yield* stored(content, 1000)
        const edges = [0, 1, 999, 1000, 1001, 1999, 2000, 2999, 3000, 3001, 3498, 3499]
        for (const start of edges) {
          for (const last of edges.filter((e) => e >= start)) {
            const r = yield* fetchBytes(url, { range: `bytes=${start}-${last}` })
            expect([r.status, r.headers["content-range"]], `${start}-${last}`).toEqual([
              206,
              `bytes ${start}-${last}/3500`
            ])
            expect(Buffer.from(r.bytes).equals(content.subarray(start, last + 1)), `${start}-${last}`).toBe(true)
          }
        }
        const whole = yield* fetchBytes(url)
        expect(whole.headers.etag).toBe(`"${sha256(content)}"`)
        expect(Buffer.from(whole.bytes).equals(content)).toBe(true)
      }).pipe(Effect.provide(emulator))
    )
  }

  it.effect.prop(
    "any satisfiable range of a file in parts: 206 with exactly those bytes",
    [
      FastCheck.integer({ min: 0, max: 3499 }),
      FastCheck.integer({ min: 0, max: 5000 }),
      FastCheck.constantFrom("a-b", "a-", "-b")
    ],
    ([a, b, shape]) =>
      Effect.gen(function* () {
        const content = bytesOf(3500, 9)
        const { url } = yield* stored(content, 700)
        const [first, last] = [Math.min(a, b), Math.max(a, b)]
        const [range, start, end] =
          shape === "a-b"
            ? [`bytes=${first}-${last}`, first, Math.min(last, 3499) + 1]
            : shape === "a-"
              ? [`bytes=${a}-`, a, 3500]
              : [`bytes=-${b + 1}`, Math.max(0, 3500 - (b + 1)), 3500]
        const r = yield* fetchBytes(url, { range })
        expect([r.status, r.headers["content-range"]], range).toEqual([206, `bytes ${start}-${end - 1}/3500`])
        expect(Buffer.from(r.bytes).equals(content.subarray(start, end)), range).toBe(true)
      }).pipe(Effect.provide(FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 700 }))),
    { fastCheck: { numRuns: 60 } }
  )

  it.effect("a range is streamed in chunks of at most 1 MiB, never read whole (directory mode)", () => {
    const dir = mkdtempSync(join(tmpdir(), "fc-dl-stream-"))
    return Effect.gen(function* () {
      const content = bytesOf(5 * MiB + 3, 2)
      const { url } = yield* stored(content, 2 * MiB)
      const r = yield* readAll(url, { range: `bytes=${MiB / 2}-` })
      expect(r.status).toBe(206)
      expect(r.bytes.equals(content.subarray(MiB / 2))).toBe(true)
      expect(Math.max(...r.chunks.map((c) => c.byteLength))).toBeLessThanOrEqual(MiB)
      expect(r.chunks.length).toBeGreaterThanOrEqual(5)
    }).pipe(
      Effect.provide(FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 2 * MiB, dataDir: dir })),
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    )
  })
})

describe("in-process bodies", () => {
  it.effect("the caller owns the bytes it gets: changing them does not change the stored file", () =>
    Effect.gen(function* () {
      const content = bytesOf(3000, 3)
      const { url } = yield* stored(content, 1000)
      const first = yield* readAll(url)
      for (const chunk of first.chunks) chunk.fill(0)
      const again = yield* readAll(url)
      expect(again.bytes.equals(content)).toBe(true)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 1000 })))
  )
})

describe("storage GET faults (in-process)", () => {
  const layerOf = () => FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 1000 })

  it.effect("status: 5xx or 403 (as an expired URL) on the chosen attempt, counted from when the fault is added", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { fileId, url } = yield* stored(bytesOf(2500), 1000)
      const { url: other } = yield* stored(bytesOf(10), 1000)
      expect((yield* fetchBytes(url)).status).toBe(200)
      yield* emulator.failStorageGet({ fileId, status: 503 })
      yield* emulator.failStorageGet({ fileId, attempt: 3, status: 403 })
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((yield* fetchBytes(url)).status)
      expect(statuses).toEqual([503, 200, 403, 200])
      // another file is not hit
      yield* emulator.failStorageGet({ fileId, attempt: "every", status: 500 })
      expect((yield* fetchBytes(other)).status).toBe(200)
      expect([(yield* fetchBytes(url)).status, (yield* fetchBytes(url)).status]).toEqual([500, 500])
      yield* emulator.clearFaults
      expect((yield* fetchBytes(url)).status).toBe(200)
      // without fileId: any file
      yield* emulator.failStorageGet({ status: 502 })
      expect((yield* fetchBytes(other)).status).toBe(502)
      expect((yield* fetchBytes(url)).status).toBe(200)
    }).pipe(Effect.provide(layerOf()))
  )

  it.effect("resetAfterBytes: the headers, exactly that many bytes, then the body fails; ranges too", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(2500, 4)
      const { fileId, url } = yield* stored(content, 1000)
      for (const n of [0, 1, 999, 1000, 1001, 2499]) {
        yield* emulator.failStorageGet({ fileId, resetAfterBytes: n })
        const cut = yield* readAll(url)
        expect([cut.status, cut.failed, cut.bytes.byteLength], `after ${n}`).toEqual([200, true, n])
        expect(cut.bytes.equals(content.subarray(0, n))).toBe(true)
        expect(cut.headers["content-length"]).toBe("2500")
      }
      // a resumed range is cut relative to its own first byte
      yield* emulator.failStorageGet({ fileId, resetAfterBytes: 100 })
      const ranged = yield* readAll(url, { range: "bytes=1200-" })
      expect([ranged.status, ranged.failed, ranged.bytes.byteLength]).toEqual([206, true, 100])
      expect(ranged.bytes.equals(content.subarray(1200, 1300))).toBe(true)
      // no more bytes than the body has: no reset
      yield* emulator.failStorageGet({ fileId, resetAfterBytes: 2500 })
      const whole = yield* readAll(url)
      expect([whole.failed, whole.bytes.equals(content)]).toEqual([false, true])
      const gets = yield* emulator.storageGets({ fileId })
      expect(gets.map((g) => g.reset)).toEqual([true, true, true, true, true, true, true, false])
      expect(gets.at(-2)).toMatchObject({ range: "bytes=1200-", status: 206, contentRange: "bytes 1200-2499/2500" })
    }).pipe(Effect.provide(layerOf()))
  )

  it.effect("corruptByteAt: one byte flipped on the way out, the ETag unchanged; outside the range, intact", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(2500, 6)
      const { fileId, url } = yield* stored(content, 1000)
      yield* emulator.failStorageGet({ fileId, corruptByteAt: 1500 })
      const bad = yield* fetchBytes(url)
      expect(bad.headers.etag).toBe(`"${sha256(content)}"`)
      expect(sha256(bad.bytes)).not.toBe(sha256(content))
      const diff = [...bad.bytes].flatMap((b, i) => (b === content[i] ? [] : [i]))
      expect(diff).toEqual([1500])
      expect(bad.bytes[1500]).toBe((content[1500] ?? 0) ^ 0xff)
      // the stored file is untouched
      expect(Buffer.from((yield* fetchBytes(url)).bytes).equals(content)).toBe(true)
      yield* emulator.failStorageGet({ fileId, attempt: "every", corruptByteAt: 1500 })
      const ranged = yield* fetchBytes(url, { range: "bytes=1400-1599" })
      expect(ranged.bytes[100]).toBe((content[1500] ?? 0) ^ 0xff)
      const outside = yield* fetchBytes(url, { range: "bytes=0-999" })
      expect(Buffer.from(outside.bytes).equals(content.subarray(0, 1000))).toBe(true)
    }).pipe(Effect.provide(layerOf()))
  )
})

describe("state readers", () => {
  it.effect("partPuts counts the part PUTs of each upload, retries and resets included", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
      yield* emulator.failPartPut({ partNumber: 3, attempt: 1, reset: true })
      const init = yield* call("POST", "/uploads/initiate", {
        space_id: spaceId,
        name: "a",
        size: 3000,
        part_size: 1000
      })
      const session = yield* Schema.decodeUnknown(Session)(init.body)
      const tries = []
      for (const n of [1, 2, 3, 2, 3]) {
        const put = yield* putPart(session.parts[n - 1]?.url ?? "", bytesOf(1000)).pipe(Effect.either)
        tries.push(Either.isRight(put) ? put.right.status : "reset")
      }
      expect(tries).toEqual([200, 503, "reset", 200, 200])
      const other = yield* upload(spaceId, bytesOf(1000), { part_size: 1000 })
      const puts = yield* emulator.partPuts({ uploadId: session.upload_id })
      expect(puts.map((p) => [p.partNumber, p.status, p.reset])).toEqual([
        [1, 200, false],
        [2, 503, false],
        [3, 0, true],
        [2, 200, false],
        [3, 200, false]
      ])
      expect((yield* emulator.partPuts({ uploadId: other.session.upload_id })).length).toBe(1)
      expect((yield* emulator.partPuts()).length).toBe(6)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: 1000 })))
  )

  it.effect("the log keeps request headers (Range, If-Range, Content-Length) but never the API key's value", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { fileId, url } = yield* stored(bytesOf(100), 1000)
      yield* fetchBytes(url, { range: "bytes=10-", "if-range": '"nope"' })
      const log = yield* emulator.requestLog
      expect(JSON.stringify(log)).not.toContain(emulator.apiKey)
      const api = log.filter((e) => e.origin === "api")
      expect(api.every((e) => e.hadApiKey && e.requestHeaders["x-api-key"] === undefined)).toBe(true)
      const put = log.find((e) => e.operationId === "putUploadPart")
      expect(put?.requestHeaders["content-length"]).toBe("100")
      expect(put?.responseHeaders.etag).toMatch(/^"[0-9a-f]{32}"$/)
      expect(yield* emulator.storageGets({ fileId })).toMatchObject([
        { fileId, range: "bytes=10-", ifRange: '"nope"', status: 200, contentRange: null, reset: false }
      ])
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ scanDelay: 0, minPartSize: 1000 })))
  )
})

layer(EmulatorServer.layer({ scanDelay: 0, forcePartSize: 1000 }), { excludeTestServices: true })(
  "storage GET faults over HTTP",
  (it) => {
    /** fetch a URL and read its body until it ends or the connection drops. */
    const fetchAll = (url: string, headers: Record<string, string> = {}) =>
      Effect.promise(async () => {
        const res = await fetch(url, { headers })
        const chunks: Array<Uint8Array> = []
        let failed = false
        const reader = res.body?.getReader()
        try {
          for (;;) {
            const next = await reader?.read()
            if (next === undefined || next.done) break
            chunks.push(next.value)
          }
        } catch {
          failed = true
        }
        return { status: res.status, bytes: Buffer.concat(chunks), failed }
      })

    it.effect("resetAfterBytes drops the connection after exactly that many bytes; the next GET resumes", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(300 * KiB, 8)
        const { fileId, url } = yield* stored(content, 100 * KiB).pipe(
          Effect.provideService(HttpClient.HttpClient, FluidCloudTest.makeClient(emulator))
        )
        yield* emulator.failStorageGet({ fileId, resetAfterBytes: 150 * KiB + 7 })
        const cut = yield* fetchAll(url)
        expect([cut.status, cut.failed, cut.bytes.byteLength]).toEqual([200, true, 150 * KiB + 7])
        const etag = `"${sha256(content)}"`
        const rest = yield* fetchAll(url, { range: `bytes=${cut.bytes.byteLength}-`, "if-range": etag })
        expect([rest.status, rest.failed]).toEqual([206, false])
        expect(Buffer.concat([cut.bytes, rest.bytes]).equals(content)).toBe(true)
        // a 5xx and a 403 over HTTP
        yield* emulator.failStorageGet({ fileId, status: 503 })
        yield* emulator.failStorageGet({ fileId, attempt: 2, status: 403 })
        expect([(yield* fetchAll(url)).status, (yield* fetchAll(url)).status]).toEqual([503, 403])
      })
    )
  }
)

describe("the same answers in process and over HTTP", () => {
  for (const [transport, layerOf] of [
    ["in process", () => FluidCloudTest.layerClient({ scanDelay: 0, forcePartSize: 1000 })],
    [
      "over HTTP",
      () =>
        Layer.provideMerge(
          Layer.effect(HttpClient.HttpClient, HttpClient.HttpClient),
          Layer.merge(EmulatorServer.layer({ port: 0, scanDelay: 0, forcePartSize: 1000 }), NodeHttpClient.layerUndici)
        )
    ]
  ] as const) {
    it.scoped(`a part PUT with a raw body of bytes or text: its length declared as a client does (${transport})`, () =>
      Effect.gen(function* () {
        const spaceId = yield* setupSpace
        const initiated = yield* call("POST", "/uploads/initiate", { space_id: spaceId, name: "raw.bin", size: 10 })
        const part = Schema.decodeUnknownSync(Session)(initiated.body).parts[0]
        if (part === undefined) return yield* Effect.dieMessage("no part")
        const client = yield* HttpClient.HttpClient
        for (const body of [HttpBody.raw(bytesOf(10)), HttpBody.raw("0123456789")]) {
          const res = yield* client.execute(HttpClientRequest.put(part.url).pipe(HttpClientRequest.setBody(body)))
          expect(res.status).toBe(200)
          expect(res.headers.etag).toMatch(/^"[0-9a-f]{32}"$/)
        }
      }).pipe(Effect.provide(layerOf()))
    )

    it.scoped(`a HEAD does not use up a download fault: the GET after it meets it (${transport})`, () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { fileId, url } = yield* stored(bytesOf(10), 1000)
        yield* emulator.failStorageGet({ fileId, status: 503 })
        const client = yield* HttpClient.HttpClient
        const head = yield* client.execute(HttpClientRequest.head(url))
        expect(head.status).toBe(200)
        expect((yield* fetchBytes(url)).status).toBe(503)
        expect((yield* emulator.storageGets()).map((get) => [get.status, get.reset])).toEqual([
          [200, false],
          [503, false]
        ])
      }).pipe(Effect.provide(layerOf()))
    )
  }
})
