/**
 * What an API response said besides its body: its `X-Request-Id` (for support) and the
 * `X-RateLimit-*` headers. Read it with `FluidCloud.withResponseMetadata`; every method's span
 * also carries it (`fluidcloud.request_id`, `fluidcloud.rate_limit.*`).
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const program = Effect.gen(function* () {
 *   const fc = yield* FluidCloud.FluidCloud
 *   const [spaces, metadata] = yield* fc.spaces.list().pipe(FluidCloud.withResponseMetadata)
 *   const remaining = Option.map(
 *     Option.flatMap(metadata, (m) => m.rateLimit),
 *     (rateLimit) => rateLimit.remaining
 *   )
 *   return { spaces, remaining }
 * })
 * ```
 * @since 0.2.0
 */
import { Schema } from "effect"

/**
 * The rate-limit window of the key, from `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (seconds until the window resets).
 *
 * @since 0.2.0
 * @category models
 */
export class RateLimit extends Schema.Class<RateLimit>("@fluidcloud/RateLimit")({
  /** Requests allowed in the current window. */
  limit: Schema.NonNegativeInt,
  /** Requests left in the current window. */
  remaining: Schema.NonNegativeInt,
  /** Time until the current window resets. */
  reset: Schema.DurationFromSelf
}) {}

/**
 * The metadata of one successful API response.
 *
 * @since 0.2.0
 * @category models
 */
export class ResponseMetadata extends Schema.Class<ResponseMetadata>("@fluidcloud/ResponseMetadata")({
  /**
   * The response's `X-Request-Id`, for support: server text, so at most 200 characters, without
   * control characters or escape sequences, the API key (or anything shaped like one) redacted.
   */
  requestId: Schema.OptionFromSelf(Schema.String),
  /** The HTTP status (200, 201 or 204). */
  status: Schema.Int,
  /** The `X-RateLimit-*` headers, when the response carried all three as non-negative integers. */
  rateLimit: Schema.OptionFromSelf(RateLimit)
}) {}
