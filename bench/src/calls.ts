/**
 * The `get` loop of the two Effect clients (the SDK, `@effect/platform` alone): one call after
 * another inside one Effect, the last `n` of `warmup + n` timed. Kept apart from measure.ts so the
 * raw client's bundle does not take in `effect`.
 */
import { Clock, Effect } from "effect"
import { cpu, type LatencyResult, latencies } from "./measure.js"

/** Times `call`, failing (a defect) as soon as `ok` refuses its result, which is checked untimed. */
export const timeCalls = <A, E, R>(
  call: Effect.Effect<A, E, R>,
  ok: (a: A) => boolean,
  warmup: number,
  n: number
): Effect.Effect<LatencyResult, E, R> =>
  Effect.gen(function* () {
    const times: Array<number> = []
    let cpu0 = 0
    for (let i = 0; i < warmup + n; i++) {
      if (i === warmup) cpu0 = cpu()
      const t0 = yield* Clock.currentTimeNanos
      const result = yield* call
      const t1 = yield* Clock.currentTimeNanos
      if (!ok(result)) return yield* Effect.dieMessage("the call did not return what was asked for")
      if (i >= warmup) times.push(Number(t1 - t0) / 1e6)
    }
    return latencies(times, cpu() - cpu0)
  })
