/**
 * The checkpoint store of `files upload --resume`, `uploads ls` and `uploads abort`: the SDK's
 * file-system store in the user's state directory (`NodeFluidCloud.layerCheckpoints`:
 * `$FLUIDCLOUD_STATE_DIR`, else `$XDG_STATE_HOME/fluidcloud`, else `~/.local/state/fluidcloud`).
 *
 * @internal
 */
import { Checkpoints } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { type ConfigError, Context, Effect, Layer } from "effect"
import * as ExitCodes from "./exitCodes.js"

/**
 * How the store is built. A reference, so that a program running `Cli.run` in process (a test)
 * can keep its checkpoints elsewhere.
 *
 * @internal
 */
export class CheckpointsLayer extends Context.Reference<CheckpointsLayer>()("@fluidcloud/cli/CheckpointsLayer", {
  defaultValue: (): Layer.Layer<Checkpoints.UploadCheckpoints, ConfigError.ConfigError> =>
    NodeFluidCloud.layerCheckpoints
}) {}

/**
 * Runs `effect` with the store; a state directory that cannot be told is a `ConfigError`.
 *
 * @internal
 */
export const provide = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ExitCodes.ConfigError, Exclude<R, Checkpoints.UploadCheckpoints>> =>
  Effect.flatMap(CheckpointsLayer, (layer) =>
    Effect.provide(
      effect,
      Layer.mapError(
        layer,
        (error) => new ExitCodes.ConfigError({ description: `the state directory: ${error.message}` })
      )
    )
  )

/**
 * The checkpoints held locally, oldest first; a store that cannot be read is a `TargetError`.
 *
 * @internal
 */
export const list = Effect.flatMap(Checkpoints.UploadCheckpoints, (store) => store.uploads.list).pipe(
  Effect.map((entries) =>
    entries.map(([, checkpoint]) => checkpoint).sort((a, b) => a.createdAt.epochMillis - b.createdAt.epochMillis)
  )
)
