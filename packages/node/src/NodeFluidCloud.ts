/**
 * Node.js layers of the FluidCloud client: the undici `HttpClient` of `@effect/platform-node`,
 * and the Node `FileSystem`, so `files.upload` takes file paths.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodePath from "@effect/platform-node/NodePath"
import { FluidCloud, Upload } from "@fluidcloud/core"
import { type ConfigError, Layer } from "effect"

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
export const layerPlatform = Layer.mergeAll(
  NodeHttpClient.layerUndici,
  NodeFileSystem.layer,
  NodePath.layer,
  Layer.succeed(Upload.Sha256, sha256)
)

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
  FluidCloud.layer(options).pipe(Layer.provide(layerPlatform))

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
  FluidCloud.layerConfig(options).pipe(Layer.provide(layerPlatform))
