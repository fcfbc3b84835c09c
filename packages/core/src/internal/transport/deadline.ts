/**
 * The per-attempt timeout of every request: `Effect.timeoutFail`'s behaviour at a fraction of its
 * cost. `Effect.timeoutFail` races two forked fibers (the effect and a sleep) and merges the
 * winner's `FiberRef`s back, which costs more than the rest of a small request; here the effect is
 * forked alone, the deadline is a timer, and the effect's result is taken without merging its
 * `FiberRef`s back (what the transport must hand out of an attempt, response metadata, goes
 * through `metadata.ts`'s recorder, a cell both fibers share):
 *
 * - With a clock made by `Clock.make()` (the default), whose `sleep` is a `setTimeout`, the
 *   deadline is that timer, set and cleared without a fiber of its own.
 * - With any other clock (`TestClock`, a clock of the application's), the deadline is that clock's
 *   `sleep`: `Effect.timeoutFail` itself, so tests move it with `TestClock.adjust`.
 *
 * Either way: when the deadline passes first, the effect is interrupted (a request in flight is
 * aborted) and the result fails with `onTimeout()`; when the effect ends first, its result is the
 * result (a `FiberRef` it set stays with it on the default clock; on any other clock
 * `Effect.timeoutFail` merges it back); when the caller is interrupted, so is the effect.
 *
 * @internal
 */
import { Clock, Duration, Effect, Fiber } from "effect"

/** Timers longer than this never fire in JavaScript: as `Clock.make()`'s sleep, no deadline. */
const MAX_TIMER_MILLIS = 2 ** 31 - 1

/** The prototype of the clocks `Clock.make()` makes (the default clock among them). */
const liveClock: object | null = Object.getPrototypeOf(Clock.make())

/**
 * Whether `fiber` ends before `millis` pass: `true` once it has ended, `false` at the deadline.
 * The wait runs in the caller's own fiber, not in a child: Effect forwards an interrupt to a
 * fiber's children at once, whatever the fiber's own interruptibility, so an interruptible child
 * here would cut an attempt made in an uninterruptible region (`initiate`, acquired by
 * `acquireRelease`), leaving a server-side upload nothing aborts (`upload-complete.test.ts`'s
 * "interrupted at any moment" catches it).
 */
const endsWithin = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, millis: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    if (fiber.unsafePoll() !== null) return resume(Effect.succeed(true))
    const ended = () => {
      if (timer !== undefined) clearTimeout(timer)
      resume(Effect.succeed(true))
    }
    const timer =
      millis > MAX_TIMER_MILLIS
        ? undefined
        : setTimeout(() => {
            fiber.removeObserver(ended)
            resume(Effect.succeed(false))
          }, millis)
    fiber.addObserver(ended)
    return Effect.sync(() => {
      if (timer !== undefined) clearTimeout(timer)
      fiber.removeObserver(ended)
    })
  })

/**
 * `self`, or `onTimeout()` if it has not ended within `duration` (it is then interrupted).
 * @internal
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (Object.getPrototypeOf(clock) !== liveClock) return Effect.timeoutFail(self, { duration, onTimeout })
    const millis = Duration.toMillis(duration)
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Effect.fork(restore(self)), (fiber) =>
        Effect.matchCauseEffect(restore(endsWithin(fiber, millis)), {
          // the caller was interrupted: so is the effect
          onFailure: (cause) => Effect.zipRight(Fiber.interrupt(fiber), Effect.failCause(cause)),
          onSuccess: (ended): Effect.Effect<A, E | E2> =>
            ended
              ? Effect.flatten(Fiber.await(fiber))
              : Effect.zipRight(Fiber.interrupt(fiber), Effect.fail(onTimeout()))
        })
      )
    )
  })
