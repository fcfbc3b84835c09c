/**
 * Response metadata: the transport records the status and headers of each successful API response
 * in a `FiberRef` and on the current span; `withResponseMetadata` reads the last one recorded while
 * its effect ran. Parsing waits until someone asks.
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

/** The last successful API response of the fiber. @internal */
export const lastResponse: FiberRef.FiberRef<Option.Option<Recorded>> = globalValue(
  Symbol.for("@fluidcloud/core/internal/lastResponse"),
  () => FiberRef.unsafeMake<Option.Option<Recorded>>(Option.none())
)

const count = (headers: Headers.Headers, name: string): number | undefined => {
  const value = headers[name]
  return value !== undefined && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : undefined
}

/** The span attributes of a response: its request id and rate-limit headers, when present. */
const attributesOf = (headers: Headers.Headers, requestId: string | undefined): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (requestId !== undefined) attributes["fluidcloud.request_id"] = requestId
  const limit = count(headers, "x-ratelimit-limit")
  if (limit !== undefined) attributes["fluidcloud.rate_limit.limit"] = limit
  const remaining = count(headers, "x-ratelimit-remaining")
  if (remaining !== undefined) attributes["fluidcloud.rate_limit.remaining"] = remaining
  const reset = count(headers, "x-ratelimit-reset")
  if (reset !== undefined) attributes["fluidcloud.rate_limit.reset_seconds"] = reset
  return attributes
}

/**
 * Records a successful API response: in the fiber, and on the current span. `requestId` is its
 * `X-Request-Id` made safe by the caller.
 * @internal
 */
export const record = (status: number, headers: Headers.Headers, requestId: string | undefined): Effect.Effect<void> =>
  Effect.zipRight(
    FiberRef.set(lastResponse, Option.some({ status, headers, requestId })),
    Effect.annotateCurrentSpan(attributesOf(headers, requestId))
  )

/** The metadata of a recorded response. @internal */
export const toMetadata = ({ headers, requestId, status }: Recorded): ResponseMetadata => {
  const limit = count(headers, "x-ratelimit-limit")
  const remaining = count(headers, "x-ratelimit-remaining")
  const reset = count(headers, "x-ratelimit-reset")
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
  Effect.locally(
    Effect.flatMap(self, (a) =>
      Effect.map(FiberRef.get(lastResponse), (last): [A, Option.Option<ResponseMetadata>] => [
        a,
        Option.map(last, toMetadata)
      ])
    ),
    lastResponse,
    Option.none()
  )
