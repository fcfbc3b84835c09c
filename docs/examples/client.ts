import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Duration, Effect, Redacted, Schedule } from "effect"

// From the environment: FLUIDCLOUD_API_KEY (required), FLUIDCLOUD_BASE_URL, FLUIDCLOUD_TIMEOUT.
export const FromEnv = NodeFluidCloud.layerConfig()

// Or explicitly, with every option.
export const Explicit = NodeFluidCloud.layer({
  apiKey: Redacted.make("fck_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
  baseUrl: "https://api-cloud.fluidvip.com", // the default; /api/v1 is appended
  timeout: Duration.seconds(60), // per request; default 300 s
  retry: Schedule.exponential("1 second").pipe(Schedule.intersect(Schedule.recurs(5)))
})

export const program = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const spaces = yield* fc.spaces.list()
  yield* Effect.log(`${spaces.length} spaces`)
})

// program.pipe(Effect.provide(FromEnv), NodeRuntime.runMain)
