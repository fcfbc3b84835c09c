/**
 * `files.waitUntilClean` polls `GET /files/{id}` until the scan is clean.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { Errors } from "../src/index.js"
import { FILE_ID, fileWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import { API } from "./support/MockHttp.js"

/** The detail of a ConflictError, or the tag of any other error (so the expectation fails). */
const conflictDetail = (error: { readonly _tag: string }) =>
  error instanceof Errors.ConflictError ? error.detail : error._tag

const scanned = (scanStatus: string | null) => MockHttp.json(200, fileWire({ scan_status: scanStatus }))

describe("waitUntilClean", () => {
  it.effect("polls pending → pending → clean and returns the clean file", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("pending"), scanned("pending"), scanned("clean"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)))
      yield* TestClock.adjust("10 seconds")
      const file = yield* Fiber.join(fiber)
      expect(file.isClean).toBe(true)
      expect(file.id).toBe(FILE_ID)
      expect(mock.requests.map((request) => `${request.method} ${request.url}`)).toStrictEqual([
        `GET ${API}/files/${FILE_ID}`,
        `GET ${API}/files/${FILE_ID}`,
        `GET ${API}/files/${FILE_ID}`
      ])
    })
  )

  it.effect("waits between polls (no second poll before the first 250 ms delay)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("pending"), scanned("clean"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)))
      yield* TestClock.adjust("249 millis")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(mock.requests).toHaveLength(2)
      yield* Fiber.join(fiber)
    })
  )

  it.effect("an already clean file returns after one request", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("clean"))
      const file = yield* MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID))
      expect(file.scanStatus).toStrictEqual(Option.some("clean"))
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("an infected file fails with ConflictError at once, without more polling", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("pending"), scanned("infected"), scanned("clean"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ConflictError)
      expect(error).toMatchObject({ _tag: "ConflictError", status: 409 })
      expect(conflictDetail(error)).toBe("file_infected")
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("a failed scan (error) fails with ConflictError", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("error"))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ConflictError)
      expect(error).toMatchObject({ detail: "file_not_ready", scanStatus: "error" })
      expect(error.message).toContain("scan_status: error")
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("still pending when a short schedule ends → ConflictError file_not_ready", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("pending"))
      const fiber = yield* Effect.fork(
        MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID, { schedule: Schedule.recurs(2) }))
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ConflictError)
      expect(error).toMatchObject({ status: 409 })
      // the same detail as the API's 409, and the scan status it gave up on
      expect(conflictDetail(error)).toBe("file_not_ready")
      expect(error).toMatchObject({ scanStatus: "pending" })
      expect(mock.requests).toHaveLength(3)
    })
  )

  it.effect("the default schedule gives up after about two minutes", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned(null))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)))
      yield* TestClock.adjust("90 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("60 seconds")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ConflictError)
      expect(conflictDetail(error)).toContain("file_not_ready")
      expect(mock.requests.length).toBeGreaterThan(10)
      expect(mock.requests.length).toBeLessThan(60)
    })
  )

  it.effect("a 404 while polling fails with NotFoundError", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(scanned("pending"), MockHttp.error(404, "not_found"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.waitUntilClean(FILE_ID)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.NotFoundError)
      expect(error).toMatchObject({ status: 404, detail: "not_found", requestId: "req-404" })
      expect(mock.requests).toHaveLength(2)
    })
  )
})
