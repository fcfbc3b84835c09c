import { FluidCloud } from "@fluidcloud/core"
import { Effect, Option } from "effect"

// The X-Request-Id and X-RateLimit-* of a successful call, without wrapping the HttpClient.
export const quotaWithHeadroom = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const [quota, metadata] = yield* FluidCloud.withResponseMetadata(fc.quota.usage())
  const requestId = Option.flatMap(metadata, (m) => m.requestId)
  const remaining = Option.map(
    Option.flatMap(metadata, (m) => m.rateLimit),
    (rateLimit) => `${rateLimit.remaining}/${rateLimit.limit} requests left`
  )
  yield* Effect.log(
    `quota read (request ${Option.getOrElse(requestId, () => "?")}; ${Option.getOrElse(remaining, () => "no rate-limit headers")})`
  )
  return quota
})
