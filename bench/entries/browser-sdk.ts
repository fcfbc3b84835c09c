/** The browser bundle: the SDK's client over `FetchHttpClient`, one call. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { FluidCloud } from "@fluidcloud/core"
import { Effect, Layer, Redacted } from "effect"

export const program = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(
  Effect.provide(FluidCloud.layer({ apiKey: Redacted.make("fck_live_...") }).pipe(Layer.provide(FetchHttpClient.layer)))
)
