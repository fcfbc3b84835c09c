/**
 * The per-attempt timeout (`internal/transport/deadline.ts`) on both of its paths: the default
 * clock's timer (live tests, with short timeouts), and any other clock's sleep (`TestClock`).
 * Outcomes only: nothing here measures how long anything took.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, FiberRef, Option, Schedule, TestClock } from "effect"
import { Domain, Errors, FluidCloud } from "../src/index.js"
import * as Deadline from "../src/internal/transport/deadline.js"
import { fileWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

class TimedOut {
  readonly _tag = "TimedOut"
}
const timedOut = () => new TimedOut()

/** An effect that never ends, under a deadline of `duration` that `advance` makes pass. */
const timesOut = (duration: Duration.Duration, advance: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const interrupted = yield* Deferred.make<void>()
    const fiber = yield* Deadline.timeoutFail(
      Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined)),
      duration,
      timedOut
    ).pipe(Effect.fork)
    yield* advance
    expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new TimedOut()))
    expect(yield* Deferred.isDone(interrupted)).toBe(true)
  })

describe("deadline, on the default clock's timer", () => {
  it.live("an effect that does not end in time is interrupted; the result is the timeout's error", () =>
    // the timer itself passes the deadline
    timesOut(Duration.millis(20), Effect.void)
  )

  it.scopedLive("an effect that ends in time gives its value or its error; the FiberRefs it set stay with it", () =>
    Effect.gen(function* () {
      const ref = yield* FiberRef.make("before")
      const value = yield* Deadline.timeoutFail(
        Effect.as(Effect.zipRight(Effect.sleep("1 millis"), FiberRef.set(ref, "set inside")), 42),
        Duration.seconds(30),
        timedOut
      )
      expect(value).toBe(42)
      // not merged back (that merge cost more than a small request): what an attempt hands out
      // goes through the response metadata's recorder, tested below
      expect(yield* FiberRef.get(ref)).toBe("before")
      const error = yield* Deadline.timeoutFail(Effect.fail("boom"), Duration.seconds(30), timedOut).pipe(Effect.flip)
      expect(error).toBe("boom")
    })
  )

  it.live("interrupting the caller interrupts the effect", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const fiber = yield* Deadline.timeoutFail(
        Effect.zipRight(
          Deferred.succeed(started, undefined),
          Effect.onInterrupt(Effect.never, () => Deferred.succeed(interrupted, undefined))
        ),
        Duration.seconds(30),
        timedOut
      ).pipe(Effect.fork)
      yield* Deferred.await(started)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* Deferred.isDone(interrupted)).toBe(true)
    })
  )

  it.live("a request without an answer within the client's timeout fails with TransportError (Timeout)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never)
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), {
        timeout: "20 millis",
        retry: Schedule.stop
      }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.TransportError)
      expect(error).toMatchObject({ reason: "Timeout", method: "GET" })
    })
  )

  it.live("the response metadata set within the attempt reaches the caller", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire(), { "x-request-id": "req-deadline" }))
      const [, metadata] = yield* MockHttp.run(mock, (fc) =>
        FluidCloud.withResponseMetadata(fc.files.get(Domain.FileId.make(fileWire().id)))
      )
      expect(Option.map(metadata, (m) => Option.getOrUndefined(m.requestId))).toStrictEqual(Option.some("req-deadline"))
    })
  )
})

describe("deadline, on another clock (TestClock)", () => {
  it.effect("an effect that ends in time gives its value or its error", () =>
    Effect.gen(function* () {
      const fiber = yield* Deadline.timeoutFail(
        Effect.as(Effect.sleep("1 second"), 42),
        Duration.seconds(30),
        timedOut
      ).pipe(Effect.fork)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe(42)
      const error = yield* Deadline.timeoutFail(Effect.fail("boom"), Duration.seconds(30), timedOut).pipe(Effect.flip)
      expect(error).toBe("boom")
    })
  )

  it.effect("called in an uninterruptible region (a request made while acquiring), it still ends with the effect", () =>
    Effect.gen(function* () {
      // a daemon polled a bounded number of times: a regression hangs uninterruptibly, and this
      // fails instead of hanging with it
      const fiber = yield* Effect.forkDaemon(
        Effect.uninterruptible(Deadline.timeoutFail(Effect.succeed(42), Duration.seconds(30), timedOut))
      )
      for (let i = 0; i < 1000 && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* Effect.yieldNow()
      expect(yield* Fiber.poll(fiber)).toStrictEqual(Option.some(Exit.succeed(42)))
    })
  )

  it.effect("at the deadline the effect is interrupted and the result is the timeout's error", () =>
    timesOut(Duration.seconds(10), TestClock.adjust("10 seconds"))
  )

  it.effect("the timeout waits for the clock to be moved", () =>
    Effect.gen(function* () {
      const fiber = yield* Deadline.timeoutFail(Effect.never, Duration.seconds(10), timedOut).pipe(Effect.fork)
      yield* TestClock.adjust("9999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.await(fiber)).toStrictEqual(Exit.fail(new TimedOut()))
    })
  )
})
