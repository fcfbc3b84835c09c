/**
 * The one retry policy, for API calls and storage requests alike: the schedule (the client's, or
 * an upload's own) runs while the error is retryable, and every wait is at least the server's
 * `Retry-After` (on a 429 or a 503), up to `MAX_RETRY_AFTER`; a longer one ends the retries.
 *
 * @internal
 */
import { Duration, Effect, Schedule } from "effect"
import * as Errors from "../../Errors.js"

/** The longest `Retry-After` the SDK waits for; a longer one ends the retries. @internal */
export const MAX_RETRY_AFTER: Duration.Duration = Duration.seconds(60)

/**
 * The default retry schedule: up to 3 retries, exponential from 500 ms, capped at 8 s, each delay
 * scaled by a random factor in [0.75, 1].
 * @internal
 */
export const defaultRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("500 millis", 2).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(8))),
  Schedule.jitteredWith({ min: 0.75, max: 1 }),
  Schedule.intersect(Schedule.recurs(3))
)

/** Parses `Retry-After`: seconds or an HTTP date. @internal */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

/**
 * One failed attempt: its error, and the `Retry-After` the server sent with it (429 and 503).
 * Only the retry loop sees it; callers get `error`.
 * @internal
 */
export class Failed<E> {
  constructor(
    readonly error: E,
    readonly retryAfter: Duration.Duration | undefined = undefined
  ) {}
}

/** Whether an error may be retried: a 429 always, a 408, 5xx or transport error on idempotent requests. @internal */
export const isRetryable = (error: unknown, idempotent: boolean): boolean => {
  if (error instanceof Errors.RateLimitError) return true
  if (error instanceof Errors.TransportError) return idempotent
  if (error instanceof Errors.ApiError) return idempotent && (error.status >= 500 || error.status === 408)
  return false
}

const waitAtLeastRetryAfter = (input: unknown, delay: Duration.Duration): Duration.Duration =>
  input instanceof Failed && input.retryAfter !== undefined ? Duration.max(delay, input.retryAfter) : delay

/**
 * The policy as a schedule of failed attempts (`Failed`): `schedule` goes on while `retryable`
 * holds for the attempt's error and its `Retry-After` is at most `MAX_RETRY_AFTER`, and each wait
 * is at least that `Retry-After`. `retry` runs an effect with it; a resumable download drives it
 * by hand (`Schedule.driver`), one failed attempt at a time.
 * @internal
 */
export const policy = (
  schedule: Schedule.Schedule<unknown, unknown>,
  retryable: (error: unknown) => boolean
): Schedule.Schedule<unknown, unknown> =>
  schedule.pipe(
    Schedule.passthrough,
    Schedule.modifyDelay(waitAtLeastRetryAfter),
    Schedule.whileInput(
      (input: unknown) =>
        input instanceof Failed &&
        retryable(input.error) &&
        (input.retryAfter === undefined || Duration.lessThanOrEqualTo(input.retryAfter, MAX_RETRY_AFTER))
    )
  )

/**
 * Retries `attempt` with `schedule` while its failure is retryable, waiting at least the server's
 * `Retry-After`; fails with the last attempt's error. What `Effect.retry` with `policy` does, but
 * the schedule's driver is only made once an attempt has failed: most calls succeed at once, and
 * pay nothing for the retries they do not need.
 * @internal
 */
export const retry = <A, E, R>(
  attempt: Effect.Effect<A, Failed<E>, R>,
  schedule: Schedule.Schedule<unknown, unknown>,
  idempotent: boolean
): Effect.Effect<A, E, R> =>
  Effect.catchAll(attempt, (first) =>
    Effect.flatMap(Schedule.driver(policy(schedule, (error) => isRetryable(error, idempotent))), (driver) => {
      const next = (failed: Failed<E>): Effect.Effect<A, E, R> =>
        Effect.matchEffect(driver.next(failed), {
          onFailure: () => Effect.fail(failed.error),
          onSuccess: () => Effect.catchAll(attempt, next)
        })
      return next(first)
    })
  )
