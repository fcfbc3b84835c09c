/**
 * Retries and timeouts under `TestClock`: the call is forked, the clock moved, then joined.
 */
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Option, Schedule, TestClock } from "effect"
import { Errors } from "../src/index.js"
import { FILE_ID, fileWire, linkWire, quotaWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import * as Operations from "./support/Operations.js"

/** Lets the forked call run until it waits on the clock (or ends), without moving the clock. */
const settle = TestClock.adjust(Duration.zero)

/** The exit of a fiber that must already be done. */
const doneExit = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.flatMap(Fiber.poll(fiber), (exit) =>
    Option.isSome(exit) ? Effect.succeed(exit.value) : Effect.dieMessage("the call is still running")
  )

/** The fields of a TransportError worth comparing (its cause holds the request and span graph). */
const transportFields = (error: unknown) =>
  error instanceof Errors.TransportError
    ? { _tag: error._tag, reason: error.reason, method: error.method }
    : { _tag: "not a TransportError", error: String(error) }

/** A 200 whose body stream fails while it is read (a connection reset mid-response). */
const brokenBody: MockHttp.Handler = (request) =>
  Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(new ReadableStream({ start: (controller) => controller.error(new Error("ECONNRESET")) }), {
        status: 200
      })
    )
  )

const rateLimited = (retryAfter: string) =>
  MockHttp.error(429, "rate_limited", { headers: { "retry-after": retryAfter } })

describe("retries", () => {
  it.effect("429 with Retry-After: 7 waits 7 s before the second request", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(rateLimited("7"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* settle
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("6999 millis")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      expect(mock.requests).toHaveLength(2)
      const quota = yield* Fiber.join(fiber)
      expect(quota.bytesUsed).toBe(1000)
    })
  )

  it.effect("Retry-After is honoured with a custom schedule too (recurs without delay still waits 5 s)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(rateLimited("5"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage(), { retry: Schedule.recurs(1) }))
      yield* TestClock.adjust("4999 millis")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("Retry-After as an HTTP date is waited for until that date", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-06-01T12:00:00Z"))
      const mock = MockHttp.make(rateLimited("Sun, 01 Jun 2025 12:00:10 GMT"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("9 seconds")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("429 on a POST is retried too (the request was not processed)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(rateLimited("2"), MockHttp.json(201, linkWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID)))
      yield* TestClock.adjust("2 seconds")
      const link = yield* Fiber.join(fiber)
      expect(link.url).toBe("https://files.fluidadmin.com/s/tok_abc")
      expect(mock.requests.map((request) => request.method)).toStrictEqual(["POST", "POST"])
    })
  )

  it.effect("503 on a GET is retried, then succeeds", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.error(503, "internal_error"),
        MockHttp.error(503, "internal_error"),
        MockHttp.json(200, quotaWire())
      )
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* settle
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("30 seconds")
      const quota = yield* Fiber.join(fiber)
      expect(quota.linksUsed).toBe(3)
      expect(mock.requests).toHaveLength(3)
    })
  )

  it.effect("the default schedule backs off: no retry before 375 ms (500 ms with at most 25% jitter)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("374 millis")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("126 millis")
      expect(mock.requests).toHaveLength(2)
      yield* Fiber.join(fiber)
    })
  )

  it.effect("503 on POST /shares (publicUrl) is not retried", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"), MockHttp.json(201, linkWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 503, detail: "internal_error" })
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("429s until the default schedule is exhausted → RateLimitError with retryAfter (4 requests)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(rateLimited("1"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.spaces.list()))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.RateLimitError)
      expect(error).toMatchObject({ status: 429, detail: "rate_limited", requestId: "req-429" })
      const retryAfter = error instanceof Errors.RateLimitError ? error.retryAfter : undefined
      expect(retryAfter === undefined ? -1 : Duration.toSeconds(retryAfter)).toBe(1)
      expect(mock.requests).toHaveLength(4)
    })
  )

  it.effect("503s until the default schedule is exhausted → ApiError 503 (4 requests)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.ApiError)
      expect(error).toMatchObject({ status: 503, detail: "internal_error", requestId: "req-503" })
      expect(mock.requests).toHaveLength(4)
    })
  )

  it.effect("a custom retry schedule replaces the default: Schedule.recurs(1) → exactly 2 requests", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage(), { retry: Schedule.recurs(1) }))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 503 })
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("a custom schedule's own delays are used (spaced 10 s)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(
        MockHttp.run(mock, (fc) => fc.quota.usage(), { retry: Schedule.spaced("10 seconds") })
      )
      yield* TestClock.adjust("9 seconds")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("Schedule.stop disables retries", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(503, "internal_error"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage(), { retry: Schedule.stop }))
      yield* settle
      const exit = yield* doneExit(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("a Retry-After above 60 s is not waited for: RateLimitError at once", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(rateLimited("120"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* settle
      const exit = yield* doneExit(fiber)
      expect(mock.requests).toHaveLength(1)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.RateLimitError)
      const retryAfter = error instanceof Errors.RateLimitError ? error.retryAfter : undefined
      expect(retryAfter === undefined ? -1 : Duration.toSeconds(retryAfter)).toBe(120)
    })
  )

  it.effect("a transport failure on a GET is retried", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.transportFailure, MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("10 seconds")
      const quota = yield* Fiber.join(fiber)
      expect(quota.bytesLimit).toBe(5000)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("a transport failure on a GET, every time → TransportError after the schedule", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.transportFailure)
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.TransportError)
      expect(transportFields(error)).toStrictEqual({ _tag: "TransportError", reason: "Transport", method: "GET" })
      expect(mock.requests).toHaveLength(4)
    })
  )

  it.effect("a connection lost while reading the body → TransportError, retried on a GET", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(brokenBody, MockHttp.json(200, quotaWire()), brokenBody)
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("10 seconds")
      const quota = yield* Fiber.join(fiber)
      expect(quota.bytesUsed).toBe(1000)
      expect(mock.requests).toHaveLength(2)
      const error = yield* MockHttp.run(mock, (fc) => fc.spaces.create("x")).pipe(Effect.flip)
      expect(transportFields(error)).toStrictEqual({ _tag: "TransportError", reason: "Transport", method: "POST" })
      expect(mock.requests).toHaveLength(3)
    })
  )

  it.effect("a transport failure on a POST is not retried → TransportError", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.transportFailure, MockHttp.json(201, linkWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.TransportError)
      expect(transportFields(error)).toStrictEqual({ _tag: "TransportError", reason: "Transport", method: "POST" })
      // the low-level failure stays visible for diagnosis
      const cause = error instanceof Errors.TransportError ? error.cause : undefined
      expect(cause instanceof Error ? cause.message : String(cause)).toContain("ECONNREFUSED")
      expect(mock.requests).toHaveLength(1)
    })
  )
})

describe("which statuses are retried on a GET", () => {
  for (const status of [400, 401, 403, 404, 409, 413, 422]) {
    it.effect(`${status} is not retried`, () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(status, "nope"), MockHttp.json(200, fileWire()))
        const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.downloadUrl(FILE_ID)))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error).toMatchObject({ status, detail: "nope" })
        expect(mock.requests).toHaveLength(1)
      })
    )
  }
  for (const status of [408, 500, 502, 503, 504]) {
    it.effect(`${status} is retried`, () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(status, "transient"), MockHttp.json(200, quotaWire()))
        const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
        yield* TestClock.adjust("1 minute")
        const quota = yield* Fiber.join(fiber)
        expect(quota.bytesUsed).toBe(1000)
        expect(mock.requests).toHaveLength(2)
      })
    )
  }
})

describe("which methods retry a 503 (GET and DELETE) and which do not (POST and PATCH)", () => {
  for (const operation of Operations.all) {
    const retried = operation.method === "GET" || operation.method === "DELETE"
    it.effect(`${operation.span} (${operation.method}) ${retried ? "retries" : "does not retry"}`, () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(MockHttp.error(503, "internal_error"), Operations.router)
        const fiber = yield* Effect.fork(MockHttp.run(mock, operation.call).pipe(Effect.exit))
        yield* TestClock.adjust("10 seconds")
        const exit = yield* Fiber.join(fiber)
        expect(mock.requests.every((request) => request.method === operation.method)).toBe(true)
        if (retried) {
          expect(Exit.isSuccess(exit)).toBe(true)
          expect(mock.requests).toHaveLength(2)
        } else {
          expect(Exit.isFailure(exit)).toBe(true)
          expect(mock.requests).toHaveLength(1)
        }
      })
    )
  }
})

describe("timeout", () => {
  it.effect("no response within the timeout → TransportError with reason Timeout", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never)
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID), { timeout: "1 second" }))
      yield* TestClock.adjust("999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.TransportError)
      expect(transportFields(error)).toStrictEqual({ _tag: "TransportError", reason: "Timeout", method: "POST" })
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("a timeout on a GET is retried like a transport failure", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never, MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(
        MockHttp.run(mock, (fc) => fc.quota.usage(), { timeout: "1 second", retry: Schedule.recurs(1) })
      )
      yield* TestClock.adjust("1 second")
      const quota = yield* Fiber.join(fiber)
      expect(quota.bytesUsed).toBe(1000)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("the default timeout is 300 s", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never)
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.spaces.create("x")))
      yield* TestClock.adjust("299 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(transportFields(error)).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    })
  )

  it.effect("a TransportError names the full URL of the request, without its query", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.transportFailure, MockHttp.never)
      const transport = yield* MockHttp.run(mock, (fc) => fc.files.resolve("k"), { retry: Schedule.stop }).pipe(
        Effect.flip
      )
      const fiber = yield* Effect.fork(
        MockHttp.run(mock, (fc) => fc.files.resolve("k"), { retry: Schedule.stop, timeout: "1 second" })
      )
      yield* TestClock.adjust("1 second")
      const timeout = yield* Fiber.join(fiber).pipe(Effect.flip)
      const url = `${MockHttp.API}/files/resolve`
      for (const error of [transport, timeout]) {
        expect(error instanceof Errors.TransportError ? error.url : error._tag).toBe(url)
        expect(error.message).toContain(`GET ${url}`)
        expect(error.message).not.toContain("client_key")
      }
    })
  )
})
