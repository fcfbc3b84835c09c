/**
 * A call's `X-Request-Id` and `X-RateLimit-*` values, without wrapping the `HttpClient`:
 * `FluidCloud.withResponseMetadata` and the method's span.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { FluidCloud, ResponseMetadata } from "../src/index.js"
import { FILE_ID, fileWire, quotaWire, SHARE_ID } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import * as RecordingTracer from "./support/RecordingTracer.js"

const rateLimited = {
  "x-request-id": "req-quota",
  "x-ratelimit-limit": "600",
  "x-ratelimit-remaining": "599",
  "x-ratelimit-reset": "42"
}

describe("FluidCloud.withResponseMetadata", () => {
  it.effect("returns the result with the response's request id, status and rate limit", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire(), rateLimited))
      const [quota, metadata] = yield* MockHttp.run(mock, (fc) => FluidCloud.withResponseMetadata(fc.quota.usage()))
      expect(quota.bytesUsed).toBe(1000)
      expect(Option.isSome(metadata)).toBe(true)
      if (Option.isNone(metadata)) return
      expect(metadata.value).toBeInstanceOf(ResponseMetadata.ResponseMetadata)
      expect(metadata.value.requestId).toEqual(Option.some("req-quota"))
      expect(metadata.value.status).toBe(200)
      const rateLimit = Option.getOrThrow(metadata.value.rateLimit)
      expect({ limit: rateLimit.limit, remaining: rateLimit.remaining }).toEqual({ limit: 600, remaining: 599 })
      expect(Duration.toSeconds(rateLimit.reset)).toBe(42)
    })
  )

  it.effect("works as a pipeable combinator; a 204 has its status and no body", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.text(204, null, { "x-request-id": "req-revoke" }))
      const [, metadata] = yield* MockHttp.run(mock, (fc) =>
        fc.shares.revoke(SHARE_ID).pipe(FluidCloud.withResponseMetadata)
      )
      expect(Option.map(metadata, (m) => [m.status, Option.getOrNull(m.requestId)])).toEqual(
        Option.some([204, "req-revoke"])
      )
    })
  )

  it.effect("without rate-limit headers (or with garbage in one of them), rateLimit is None", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, quotaWire(), { "x-request-id": "a" }),
        MockHttp.json(200, quotaWire(), { ...rateLimited, "x-ratelimit-remaining": "lots" })
      )
      const [first, second] = yield* MockHttp.run(mock, (fc) =>
        Effect.all([
          FluidCloud.withResponseMetadata(fc.quota.usage()),
          FluidCloud.withResponseMetadata(fc.quota.usage())
        ])
      )
      expect(Option.flatMap(first[1], (m) => m.rateLimit)).toEqual(Option.none())
      expect(Option.flatMap(second[1], (m) => m.rateLimit)).toEqual(Option.none())
      expect(Option.flatMap(second[1], (m) => m.requestId)).toEqual(Option.some("req-quota"))
    })
  )

  it.effect("an effect that made no API call gives None; the metadata of an outer call is not leaked in", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire(), rateLimited))
      const [inner, outer] = yield* MockHttp.run(mock, (fc) =>
        Effect.gen(function* () {
          yield* fc.quota.usage()
          return yield* FluidCloud.withResponseMetadata(Effect.succeed("no call"))
        }).pipe(FluidCloud.withResponseMetadata)
      )
      expect(inner).toEqual(["no call", Option.none()])
      // the outer scope still sees the call made before the inner one
      expect(Option.map(outer, (m) => m.status)).toEqual(Option.some(200))
    })
  )

  // live: on the default clock each attempt runs in a fiber of the timeout's, whose FiberRefs are
  // not merged back (with TestClock the timeout is Effect.timeoutFail, which merges them)
  it.live("calls run concurrently inside: the metadata is one of theirs; a nested call stays in its own scope", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, quotaWire(), { "x-request-id": "req-a" }),
        MockHttp.json(200, quotaWire(), { "x-request-id": "req-b" }),
        MockHttp.json(200, quotaWire(), { "x-request-id": "req-outer" }),
        MockHttp.json(200, quotaWire(), { "x-request-id": "req-inner" })
      )
      const requestId = (metadata: Option.Option<ResponseMetadata.ResponseMetadata>) =>
        Option.getOrUndefined(Option.flatMap(metadata, (m) => m.requestId))
      const [concurrent, [inner, outer]] = yield* MockHttp.run(mock, (fc) =>
        Effect.all([
          FluidCloud.withResponseMetadata(Effect.all([fc.quota.usage(), fc.quota.usage()], { concurrency: 2 })),
          Effect.gen(function* () {
            yield* fc.quota.usage()
            const [, inner] = yield* FluidCloud.withResponseMetadata(fc.quota.usage())
            return inner
          }).pipe(FluidCloud.withResponseMetadata)
        ])
      )
      expect(["req-a", "req-b"]).toContain(requestId(concurrent[1]))
      expect(requestId(inner)).toBe("req-inner")
      expect(requestId(outer)).toBe("req-outer")
    })
  )

  it.live("a 200 whose body does not decode, recovered inside, is not the metadata: the call before it is", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, quotaWire(), { "x-request-id": "req-good" }),
        MockHttp.json(200, { not: "a file" }, { "x-request-id": "req-bad" })
      )
      const [recovered, metadata] = yield* MockHttp.run(mock, (fc) =>
        FluidCloud.withResponseMetadata(Effect.zipRight(fc.quota.usage(), Effect.either(fc.files.get(FILE_ID))))
      )
      expect(recovered).toMatchObject({ _tag: "Left", left: { _tag: "DecodeError" } })
      expect(mock.requests).toHaveLength(2)
      expect(Option.flatMap(metadata, (m) => m.requestId)).toEqual(Option.some("req-good"))
    })
  )

  it.effect("after retries (a 503, then a timeout, then a 200), the metadata is the successful response's", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.error(503, "internal_error", { headers: { "x-request-id": "req-503" } }),
        MockHttp.never,
        MockHttp.json(200, quotaWire(), rateLimited)
      )
      const fiber = yield* Effect.fork(
        MockHttp.run(mock, (fc) => FluidCloud.withResponseMetadata(fc.quota.usage()), {
          timeout: "1 second",
          retry: Schedule.recurs(3)
        })
      )
      yield* TestClock.adjust("10 seconds")
      const [, metadata] = yield* Fiber.join(fiber)
      expect(mock.requests).toHaveLength(3)
      expect(Option.flatMap(metadata, (m) => m.requestId)).toEqual(Option.some("req-quota"))
    })
  )

  it.effect("a failed call fails as usual (its request id is on the error)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(404, "not_found"))
      const error = yield* MockHttp.run(mock, (fc) => FluidCloud.withResponseMetadata(fc.files.get(FILE_ID))).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "NotFoundError", requestId: "req-404" })
    })
  )

  it.effect("an upload: the metadata of its last API response (complete)", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("metadata")
      const [file, metadata] = yield* FluidCloud.withResponseMetadata(fc.files.upload(new Uint8Array(10), space.id))
      const log = yield* emulator.requestLog
      const complete = log.filter((entry) => entry.path.endsWith("/uploads/complete")).at(-1)
      expect(file.size).toEqual(Option.some(10))
      expect(Option.map(metadata, (m) => m.status)).toEqual(Option.some(200))
      expect(Option.flatMap(metadata, (m) => m.requestId)).toEqual(Option.fromNullable(complete?.requestId))
      expect(Option.isSome(Option.flatMap(metadata, (m) => m.rateLimit))).toBe(true)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )
})

describe("spans", () => {
  it.effect("the method's span carries the request id and the rate-limit values", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      const mock = MockHttp.make(MockHttp.json(200, fileWire(), rateLimited))
      yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID)).pipe(Effect.withTracer(tracer))
      const get = spans.find((span) => span.name === "FluidCloud.files.get")
      expect(Object.fromEntries([...(get?.attributes ?? [])].filter(([key]) => key.startsWith("fluidcloud.")))).toEqual(
        {
          "fluidcloud.file_id": FILE_ID,
          "fluidcloud.request_id": "req-quota",
          "fluidcloud.rate_limit.limit": 600,
          "fluidcloud.rate_limit.remaining": 599,
          "fluidcloud.rate_limit.reset_seconds": 42
        }
      )
    })
  )
})
