/**
 * The hash cache of `sync.push` / `sync.pull` (declared in `Sync.ts`): its tag, the in-memory
 * store made per client when none is provided (a map from a file's path to its size,
 * modification time and sha256), and the one kept in the checkpoint store (`hashes` records,
 * one per path), which the client uses when it has an `UploadCheckpoints` and no `HashCache`:
 * on Node, the user's state directory, so an unchanged tree is not hashed again by the next run.
 *
 * @internal
 */
import { Context, Effect, Option, Schema } from "effect"
import type * as Checkpoints from "../../Checkpoints.js"
import type { HashCacheService, HashKey } from "../../Sync.js"

/** @internal */
export class HashCache extends Context.Tag("@fluidcloud/core/Sync/HashCache")<HashCache, HashCacheService>() {}

interface Entry {
  readonly size: number
  readonly mtimeMs: number
  readonly sha256: string
}

/** @internal */
export const makeMemory: Effect.Effect<HashCacheService> = Effect.sync(() => {
  const entries = new Map<string, Entry>()
  return {
    get: (key: HashKey) =>
      Effect.sync(() => {
        const entry = entries.get(key.path)
        return entry !== undefined && entry.size === key.size && entry.mtimeMs === key.mtimeMs
          ? Option.some(entry.sha256)
          : Option.none()
      }),
    set: (key: HashKey, sha256: string) =>
      Effect.sync(() => {
        entries.set(key.path, { size: key.size, mtimeMs: key.mtimeMs, sha256 })
      })
  }
})

const HashEntry = Schema.Struct({
  size: Schema.NonNegativeInt,
  mtimeMs: Schema.Number,
  sha256: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))
})

/** The cache as `hashes` records of the checkpoint store, keyed by absolute path. @internal */
export const fromCheckpoints = (store: Checkpoints.Service): HashCacheService => {
  const records = store.namespace("hashes", HashEntry)
  return {
    get: (key) =>
      records.get(key.path).pipe(
        Effect.map(
          Option.flatMap((entry) =>
            entry.size === key.size && entry.mtimeMs === key.mtimeMs ? Option.some(entry.sha256) : Option.none()
          )
        ),
        // a store that cannot be read is a miss
        Effect.orElseSucceed(() => Option.none<string>())
      ),
    set: (key, sha256) =>
      records
        .set(key.path, { size: key.size, mtimeMs: key.mtimeMs, sha256 })
        .pipe(
          Effect.catchAll((error) =>
            Effect.logDebug("FluidCloud: the sync hash cache could not be written; files will be hashed again", error)
          )
        )
  }
}
