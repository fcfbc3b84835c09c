// Bundler resolution, browser: the core client over the platform's fetch. Bundled for the
// browser by the consumer check, which fails if any Node built-in reaches the bundle.
import { FetchHttpClient } from "@effect/platform"
import { FluidCloud } from "@fluidcloud/core"
import { Effect, Layer, Redacted } from "effect"

export const Live = FluidCloud.layer({
  apiKey: Redacted.make("fck_live_000000000000000000000000"),
  baseUrl: "https://api-cloud.fluidvip.com"
}).pipe(Layer.provide(FetchHttpClient.layer))

export const listSpaces = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  return yield* fc.spaces.list()
}).pipe(Effect.provide(Live))
