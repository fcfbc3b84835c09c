/**
 * The hash cache of `sync.push` / `sync.pull` (declared in `Sync.ts`): its tag, and the in-memory
 * store made per client when none is provided (a map from a file's path to its size,
 * modification time and sha256).
 *
 * @internal
 */
import { Context, Effect, Option } from "effect"
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
