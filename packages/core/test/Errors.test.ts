/**
 * Status → tagged error: every documented status, its fields, 422's list-shaped detail, and a
 * status the operation does not document becoming an `ApiError`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import { ApiError, DecodeError, Errors } from "../src/index.js"
import { FILE_ID, FOLDER_ID, fileWire, SPACE_ID } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

/** No retries, so each status maps on its first response. */
const noRetry = { retry: Schedule.stop }

describe("status → tagged error", () => {
  it.effect("401 → AuthError with status, detail and requestId", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(401, "invalid_api_key"))
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.list(), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.AuthError)
      expect(error._tag).toBe("AuthError")
      expect(error).toMatchObject({ status: 401, detail: "invalid_api_key", requestId: "req-401" })
      expect(error.message).toContain("invalid_api_key")
      expect(error.message).toContain("req-401")
    })
  )

  it.effect("402 → QuotaExceededError with resource", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(402, "quota_exceeded", { extra: { resource: "links" } }))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID), noRetry).pipe(Effect.flip)
      expect(error._tag).toBe("QuotaExceededError")
      expect(error).toBeInstanceOf(Errors.QuotaExceededError)
      expect(error).toMatchObject({ status: 402, detail: "quota_exceeded", requestId: "req-402", resource: "links" })
    })
  )

  it.effect("403 insufficient_scope → PermissionError with requiredScope", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(403, "insufficient_scope", { extra: { required_scope: "files:read" } }))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.PermissionError)
      expect(error).toMatchObject({
        _tag: "PermissionError",
        status: 403,
        detail: "insufficient_scope",
        requestId: "req-403",
        requiredScope: "files:read"
      })
    })
  )

  it.effect("403 feature_not_in_plan → PermissionError without requiredScope", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(403, "feature_not_in_plan"))
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.PermissionError)
      expect(error).toMatchObject({ status: 403, detail: "feature_not_in_plan" })
      expect(error instanceof Errors.PermissionError ? error.requiredScope : "other").toBeUndefined()
    })
  )

  it.effect("404 → NotFoundError", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(404, "not_found"))
      const error = yield* MockHttp.run(mock, (fc) => fc.folders.list(SPACE_ID), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.NotFoundError)
      expect(error).toMatchObject({ _tag: "NotFoundError", status: 404, detail: "not_found", requestId: "req-404" })
    })
  )

  it.effect("409 → ConflictError (downloadUrl of a file not scanned clean)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(409, "file_not_ready"))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.downloadUrl(FILE_ID), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ConflictError)
      expect(error).toMatchObject({
        _tag: "ConflictError",
        status: 409,
        detail: "file_not_ready",
        requestId: "req-409"
      })
    })
  )

  it.effect("429 → RateLimitError with retryAfter as a Duration (once retries are exhausted)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(429, "rate_limited", { headers: { "retry-after": "7" } }))
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.list(), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.RateLimitError)
      expect(error).toMatchObject({ _tag: "RateLimitError", status: 429, detail: "rate_limited", requestId: "req-429" })
      const retryAfter = error instanceof Errors.RateLimitError ? error.retryAfter : undefined
      expect(retryAfter !== undefined && Duration.isDuration(retryAfter)).toBe(true)
      expect(retryAfter === undefined ? -1 : Duration.toMillis(retryAfter)).toBe(7000)
    })
  )

  it.effect("400 → ApiError with the detail", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(400, "folder_cycle"))
      const error = yield* MockHttp.run(mock, (fc) => fc.folders.move(FOLDER_ID, FOLDER_ID), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ _tag: "ApiError", status: 400, detail: "folder_cycle", requestId: "req-400" })
    })
  )

  it.effect("422 with a list detail → ApiError with issues and a readable detail", () =>
    Effect.gen(function* () {
      const issues = [
        { loc: ["body", "name"], msg: "field required", type: "missing" },
        { loc: ["query", "space_id", 0], msg: "not a valid uuid", type: "uuid_parsing" }
      ]
      const mock = MockHttp.make(MockHttp.error(422, issues))
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x"), noRetry).pipe(Effect.flip)
      expect(error).toBeInstanceOf(ApiError)
      if (!(error instanceof ApiError)) return
      expect(error.status).toBe(422)
      expect(error.requestId).toBe("req-422")
      expect(error.issues?.map((issue) => ({ loc: issue.loc, msg: issue.msg, type: issue.type }))).toStrictEqual(issues)
      expect(typeof error.detail).toBe("string")
      expect(error.detail).toContain("body.name: field required")
      expect(error.detail).toContain("not a valid uuid")
      expect(error.message).toContain("field required")
    })
  )

  it.effect("500 on a POST → ApiError at once", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(500, "internal_error"))
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x")).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 500, detail: "internal_error", requestId: "req-500" })
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("a non-JSON error body becomes the detail; an empty one http_<status>", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.text(502, "Bad Gateway"), MockHttp.text(400, ""))
      const first = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x")).pipe(Effect.flip)
      const second = yield* MockHttp.run(mock, (fc) => fc.spaces.create("y")).pipe(Effect.flip)
      expect(first).toMatchObject({ _tag: "ApiError", status: 502, detail: "Bad Gateway" })
      expect(second).toMatchObject({ _tag: "ApiError", status: 400, detail: "http_400" })
      expect(second instanceof ApiError ? second.requestId : "not an ApiError").toBeUndefined()
    })
  )

  describe("a status the operation does not document becomes ApiError", () => {
    it.effect("409 on files.get", () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(409, "file_not_ready"))
        const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
        expect(error).toBeInstanceOf(ApiError)
        expect(error).toMatchObject({ _tag: "ApiError", status: 409, detail: "file_not_ready", requestId: "req-409" })
      })
    )

    it.effect("404 on quota.usage and spaces.list", () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(404, "not_found"))
        const quota = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), noRetry).pipe(Effect.flip)
        const spaces = yield* MockHttp.run(mock, (fc) => fc.spaces.list(), noRetry).pipe(Effect.flip)
        expect(quota).toMatchObject({ _tag: "ApiError", status: 404, detail: "not_found", requestId: "req-404" })
        expect(spaces).toMatchObject({ _tag: "ApiError", status: 404, detail: "not_found" })
      })
    )

    it.effect("402 on spaces.create", () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(402, "quota_exceeded", { extra: { resource: "storage" } }))
        const error = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x"), noRetry).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "ApiError", status: 402, detail: "quota_exceeded", requestId: "req-402" })
      })
    )

    it.effect("409 on shares.list", () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(409, "file_infected"))
        const error = yield* MockHttp.run(mock, (fc) => fc.shares.list(), noRetry).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "ApiError", status: 409, detail: "file_infected" })
      })
    )
  })

  it.effect("a success body that does not match its schema → DecodeError with the requestId", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, fileWire({ id: "not-a-uuid" }), { "x-request-id": "req-bad" }),
        MockHttp.text(200, "<html>", { "x-request-id": "req-html" })
      )
      const schema = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
      const notJson = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID), noRetry).pipe(Effect.flip)
      expect(schema).toBeInstanceOf(DecodeError)
      expect(schema).toMatchObject({ _tag: "DecodeError", method: "GET", requestId: "req-bad" })
      expect(schema instanceof DecodeError ? schema.url : "").toBe(`${MockHttp.API}/files/${FILE_ID}`)
      expect(notJson).toMatchObject({ _tag: "DecodeError", requestId: "req-html" })
    })
  )
})
