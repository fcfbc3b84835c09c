/**
 * Fault injection: what tests ask for (failed, reset, cut short or corrupted requests, 429
 * bursts, 5xx, latency) and which request each fault hits. The faults themselves are kept in
 * `State.faults`.
 *
 * @internal
 */
import { Duration, Effect } from "effect"
import type { Origin, PartFailureRate, PartFault, RateLimitBurst, RequestFault, StorageGetFault } from "../Emulator.js"
import { noFaults, type State } from "./state.js"

/** A small seeded PRNG (mulberry32), so that a failure rate picks the same parts on every run. */
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// --- adding and clearing ----------------------------------------------------------------------

/** @internal */
export const addPartFault = (state: State, fault: PartFault): void => {
  state.faults.parts.push({ ...fault, used: false })
}

/** @internal */
export const setPartFailureRate = (state: State, options: PartFailureRate | null): void => {
  state.faults.partRate =
    options === null
      ? undefined
      : { rate: options.rate, next: seeded(options.seed), status: options.status ?? 503, reset: options.reset === true }
}

/** @internal */
export const addStorageGetFault = (state: State, fault: StorageGetFault): void => {
  state.faults.storageGets.push({ ...fault, seen: 0, used: false })
}

/** @internal */
export const addBurst = (state: State, burst: RateLimitBurst): void => {
  state.faults.bursts.push({
    remaining: burst.count,
    retryAfter: Math.max(0, Math.round(burst.retryAfter)),
    pathPrefix: burst.pathPrefix
  })
}

/** @internal */
export const addRequestFault = (state: State, fault: RequestFault): void => {
  state.faults.requests.push({
    remaining: fault.count,
    status: fault.status,
    pathPrefix: fault.pathPrefix,
    method: fault.method
  })
}

/** @internal */
export const failNextComplete = (state: State, options?: { readonly status?: number; readonly commit?: boolean }) => {
  state.faults.complete = { status: options?.status ?? 503, commit: options?.commit ?? true }
}

/** @internal */
export const setLatency = (state: State, latency: Duration.DurationInput, pathPrefix: string | undefined): void => {
  const ms = Duration.toMillis(Duration.decode(latency))
  state.faults.latency = ms <= 0 ? undefined : { ms, pathPrefix }
}

/** @internal */
export const clear = (state: State): void => {
  state.faults = noFaults()
}

// --- which request a fault hits --------------------------------------------------------------------

/** The injected latency for a path (an `Effect.sleep` on the `Clock`). @internal */
export const latency = (state: State, path: string): Effect.Effect<void> =>
  Effect.suspend(() => {
    const l = state.faults.latency
    return l !== undefined && (l.pathPrefix === undefined || path.startsWith(l.pathPrefix))
      ? Effect.sleep(Duration.millis(l.ms))
      : Effect.void
  })

/** A fault answered before routing: a 429 burst or an injected status. @internal */
export type OriginFault =
  | { readonly _tag: "Burst"; readonly retryAfter: number }
  | { readonly _tag: "Status"; readonly status: number }

/**
 * The burst or request fault hitting this request, if any (counted down). Without a
 * `pathPrefix` they hit the API and files origins, not storage.
 *
 * @internal
 */
export const originFault = (state: State, origin: Origin, path: string, method: string): OriginFault | undefined => {
  const faults = state.faults
  const hits = (pathPrefix: string | undefined) =>
    pathPrefix === undefined ? origin !== "storage" : path.startsWith(pathPrefix)
  const burst = faults.bursts.find((b) => hits(b.pathPrefix))
  if (burst !== undefined) {
    burst.remaining -= 1
    if (burst.remaining <= 0) faults.bursts = faults.bursts.filter((b) => b !== burst)
    return { _tag: "Burst", retryAfter: burst.retryAfter }
  }
  const fault = faults.requests.find(
    (f) => hits(f.pathPrefix) && (f.method === undefined || f.method.toUpperCase() === method)
  )
  if (fault !== undefined) {
    fault.remaining -= 1
    if (fault.remaining <= 0) faults.requests = faults.requests.filter((f) => f !== fault)
    return { _tag: "Status", status: fault.status }
  }
  return undefined
}

/** How a part PUT fails, if it does: a status, or a reset. @internal */
export const partFault = (
  state: State,
  uploadId: string,
  partNumber: number,
  attempt: number
): { readonly status: number; readonly reset: boolean } | undefined => {
  const fault = state.faults.parts.find(
    (f) =>
      !f.used &&
      f.partNumber === partNumber &&
      (f.uploadId === undefined || f.uploadId === uploadId) &&
      (f.attempt === "every" || (f.attempt ?? 1) === attempt)
  )
  if (fault !== undefined) {
    if (fault.attempt !== "every") fault.used = true
    return { status: fault.status ?? 500, reset: fault.reset === true }
  }
  const rate = state.faults.partRate
  if (rate !== undefined && rate.next() < rate.rate) return { status: rate.status, reset: rate.reset }
  return undefined
}

/**
 * The fault hitting this storage GET of `fileId`, if any. Each fault counts the GETs it matches
 * from when it was added; the first fault whose `attempt` comes up fires.
 *
 * @internal
 */
export const storageGetFault = (state: State, fileId: string): StorageGetFault | undefined => {
  let fired: StorageGetFault | undefined
  for (const f of state.faults.storageGets) {
    if (f.used || (f.fileId !== undefined && f.fileId !== fileId)) continue
    f.seen += 1
    if (fired === undefined && (f.attempt === "every" || (f.attempt ?? 1) === f.seen)) {
      if (f.attempt !== "every") f.used = true
      fired = f
    }
  }
  return fired
}

/** The pending fault of the next complete, taken. @internal */
export const takeCompleteFault = (state: State) => {
  const fault = state.faults.complete
  state.faults.complete = undefined
  return fault
}
