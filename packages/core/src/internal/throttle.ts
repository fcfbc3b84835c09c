/**
 * The throttle of progress events, shared by downloads and uploads: a gate that opens at most
 * once every `PROGRESS_INTERVAL_MILLIS`, measured with Effect's `Clock` (so `TestClock` moves it).
 *
 * @internal
 */
import { Clock, Effect } from "effect"

/** Progress events are at most this far apart. @internal */
export const PROGRESS_INTERVAL_MILLIS = 100

/** @internal */
export interface Throttle {
  /** Whether an event may go now; if so, the next one waits a whole interval from now. */
  readonly due: Effect.Effect<boolean>
  /** Starts the interval afresh from now (an event that is always sent, such as `Started`). */
  readonly restart: Effect.Effect<void>
}

/** A throttle whose first event may go at once. @internal */
export const make = (intervalMillis: number = PROGRESS_INTERVAL_MILLIS): Throttle => {
  let last: number | undefined
  return {
    due: Effect.map(Clock.currentTimeMillis, (now) => {
      if (last !== undefined && now - last < intervalMillis) return false
      last = now
      return true
    }),
    restart: Effect.map(Clock.currentTimeMillis, (now) => {
      last = now
    })
  }
}
