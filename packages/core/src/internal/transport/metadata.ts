/**
 * Response metadata: the transport puts each successful API response's request id and rate limits
 * on the current span and, once its body has decoded and while `withResponseMetadata` runs,
 * records its status and headers in the cell `withResponseMetadata` made for its effect
 * (found through a `FiberRef` that is set once per `withResponseMetadata`, not once per request);
 * `withResponseMetadata` reads the last one recorded. Parsing waits until someone asks.
 *
 * The cell is shared by every fiber its effect starts, so a response recorded inside a forked
 * fiber (the transport's per-attempt timeout runs each attempt in one) reaches it without the
 * fiber's `FiberRef`s being merged back; outside `withResponseMetadata` nothing is kept.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import { Duration, Effect, FiberRef, Option } from "effect"
import { globalValue } from "effect/GlobalValue"
import { RateLimit, ResponseMetadata } from "../../ResponseMetadata.js"

/** A successful API response, as recorded. @internal */
export interface Recorded {
  readonly status: number
  readonly headers: Headers.Headers
  /** The `X-Request-Id`, already made safe (`ServerText`): it is server text. */
  readonly requestId: string | undefined
}

/** Where `withResponseMetadata` collects the last response its effect recorded. @internal */
export interface Recorder {
  last: Recorded | undefined
}

/** The recorder of the innermost `withResponseMetadata` running, if any. @internal */
export const currentRecorder: FiberRef.FiberRef<Recorder | undefined> = globalValue(
  Symbol.for("@fluidcloud/core/internal/currentRecorder"),
  () => FiberRef.unsafeMake<Recorder | undefined>(undefined)
)

const count = (headers: Headers.Headers, name: string): number | undefined => {
  const value = headers[name]
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined
}

/** The rate-limit headers of a response, each when it is a plain count. */
const rateLimitOf = (headers: Headers.Headers) => ({
  limit: count(headers, "x-ratelimit-limit"),
  remaining: count(headers, "x-ratelimit-remaining"),
  reset: count(headers, "x-ratelimit-reset")
})

/** The span attributes of a response: its request id and rate-limit headers, when present. */
const attributesOf = (headers: Headers.Headers, requestId: string | undefined): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (requestId !== undefined) attributes["fluidcloud.request_id"] = requestId
  const { limit, remaining, reset } = rateLimitOf(headers)
  if (limit !== undefined) attributes["fluidcloud.rate_limit.limit"] = limit
  if (remaining !== undefined) attributes["fluidcloud.rate_limit.remaining"] = remaining
  if (reset !== undefined) attributes["fluidcloud.rate_limit.reset_seconds"] = reset
  return attributes
}

/**
 * Puts a successful API response's request id and rate limits on the current span. `requestId`
 * is its `X-Request-Id` made safe by the caller.
 * @internal
 */
export const annotate = (headers: Headers.Headers, requestId: string | undefined): Effect.Effect<void> =>
  Effect.annotateCurrentSpan(attributesOf(headers, requestId))

/**
 * Records a successful API response whose body decoded, for the `withResponseMetadata` running,
 * if any (nothing otherwise).
 * @internal
 */
export const remember = (
  status: number,
  headers: Headers.Headers,
  requestId: string | undefined
): Effect.Effect<void> =>
  Effect.map(FiberRef.get(currentRecorder), (recorder) => {
    if (recorder !== undefined) recorder.last = { status, headers, requestId }
  })

/** The metadata of a recorded response. @internal */
export const toMetadata = ({ headers, requestId, status }: Recorded): ResponseMetadata => {
  const { limit, remaining, reset } = rateLimitOf(headers)
  return new ResponseMetadata({
    requestId: Option.fromNullable(requestId),
    status,
    rateLimit:
      limit === undefined || remaining === undefined || reset === undefined
        ? Option.none()
        : Option.some(new RateLimit({ limit, remaining, reset: Duration.seconds(reset) }))
  })
}

/** Runs `self`, returning its value with the metadata of the last API response it received. @internal */
export const withResponseMetadata = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<[A, Option.Option<ResponseMetadata>], E, R> =>
  Effect.suspend(() => {
    const recorder: Recorder = { last: undefined }
    return Effect.locally(
      Effect.map(self, (a): [A, Option.Option<ResponseMetadata>] => [
        a,
        recorder.last === undefined ? Option.none() : Option.some(toMetadata(recorder.last))
      ]),
      currentRecorder,
      recorder
    )
  })
