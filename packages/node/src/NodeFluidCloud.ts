/**
 * Node.js layers of the FluidCloud client: the undici `HttpClient` of `@effect/platform-node`,
 * the Node `FileSystem`, so `files.upload` takes file paths, and the checkpoint store of
 * resumable uploads in the user's state directory.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { homedir } from "node:os"
import { isAbsolute, join } from "node:path"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodePath from "@effect/platform-node/NodePath"
import { Checkpoints, FluidCloud, Upload } from "@fluidcloud/core"
import { Config, type ConfigError, Effect, Layer, Option } from "effect"

/**
 * `node:crypto`'s native sha256, for the upload engine's integrity check.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sha256: Upload.Sha256Factory = {
  create: () => {
    const hash = createHash("sha256")
    return {
      update: (bytes) => {
        hash.update(bytes)
      },
      digestHex: () => hash.digest("hex")
    }
  }
}

/**
 * The Node platform services the client uses: undici's HTTP client, the file system and paths
 * (uploads from paths, downloads to files, sync), and `node:crypto`'s sha256 for uploads.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPlatform: Layer.Layer<HttpClient.HttpClient | FileSystem.FileSystem | Path.Path | Upload.Sha256> =
  Layer.mergeAll(NodeHttpClient.layerUndici, NodeFileSystem.layer, NodePath.layer, Layer.succeed(Upload.Sha256, sha256))

/** A variable that is set and not empty. */
const nonEmpty = (name: string) =>
  Config.string(name).pipe(Config.option, Config.map(Option.filter((value) => value.length > 0)))

/**
 * The directory of the SDK's local state (upload checkpoints): `$FLUIDCLOUD_STATE_DIR`, else
 * `$XDG_STATE_HOME/fluidcloud` (an absolute `XDG_STATE_HOME` only, as the XDG spec asks), else
 * `~/.local/state/fluidcloud`. Read from the `ConfigProvider` (the environment by default).
 *
 * @since 0.2.0
 * @category configuration
 */
export const stateDirectory: Config.Config<string> = Config.all([
  nonEmpty("FLUIDCLOUD_STATE_DIR"),
  nonEmpty("XDG_STATE_HOME"),
  nonEmpty("HOME")
]).pipe(
  Config.map(([explicit, xdg, home]) =>
    Option.getOrElse(explicit, () =>
      Option.match(Option.filter(xdg, isAbsolute), {
        onSome: (state) => join(state, "fluidcloud"),
        onNone: () => join(Option.getOrElse(home, homedir), ".local", "state", "fluidcloud")
      })
    )
  )
)

/**
 * The checkpoint store of resumable uploads in `stateDirectory` (`uploads/` in it): files mode
 * 0600 in directories mode 0700, created on the first checkpoint. `layer` and `layerConfig`
 * give it to the client, so `files.upload(..., { resume: true })` works as is; provide this one
 * to read the checkpoints yourself (`uploads ls` of the CLI does).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Checkpoints } from "@fluidcloud/core"
 * import { NodeFluidCloud } from "@fluidcloud/node"
 *
 * const pending = Effect.flatMap(Checkpoints.UploadCheckpoints, (store) => store.uploads.list).pipe(
 *   Effect.provide(NodeFluidCloud.layerCheckpoints)
 * )
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerCheckpoints: Layer.Layer<Checkpoints.UploadCheckpoints, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(stateDirectory, Checkpoints.layerFileSystem)
).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))

/**
 * The client's checkpoint store: `layerCheckpoints`, or none when its directory cannot be told
 * (a `ConfigProvider` that fails): then `resume: true` asks for a store of your own. (Typed as
 * providing nothing, since it may not: the client reads it with `Effect.serviceOption`.)
 */
const layerClientCheckpoints = layerCheckpoints.pipe(Layer.catchAll(() => Layer.empty))

/**
 * The client on Node, given options.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 * import { NodeFluidCloud } from "@fluidcloud/node"
 *
 * const FluidCloudLive = NodeFluidCloud.layer({ apiKey: Redacted.make("fck_live_...") })
 * const program = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage())
 * program.pipe(Effect.provide(FluidCloudLive))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FluidCloud.Options): Layer.Layer<FluidCloud.FluidCloud> =>
  FluidCloud.layer(options).pipe(Layer.provide(Layer.merge(layerPlatform, layerClientCheckpoints)))

/**
 * The client on Node, from `FLUIDCLOUD_API_KEY`, `FLUIDCLOUD_BASE_URL` and `FLUIDCLOUD_TIMEOUT`
 * (see `FluidCloud.layerConfig`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: Parameters<typeof FluidCloud.layerConfig>[0]
): Layer.Layer<FluidCloud.FluidCloud, ConfigError.ConfigError> =>
  FluidCloud.layerConfig(options).pipe(Layer.provide(Layer.merge(layerPlatform, layerClientCheckpoints)))
