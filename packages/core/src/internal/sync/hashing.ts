/**
 * Local sha256s for the comparison of a sync, through the hash cache: a file whose path, size
 * and modification time are those a hash was stored with is not read again. A hash is stored only
 * when the file did not change while it was read; a file just uploaded or downloaded is
 * remembered with the sha256 the service verified.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option, Stream } from "effect"
import type { HashCacheService, HashKey } from "../../Sync.js"
import type * as Hash from "../hash.js"
import type { LocalFile } from "./local.js"

/** @internal */
export interface Hashing {
  readonly fs: FileSystem.FileSystem
  readonly sha256: Hash.Sha256Factory
  readonly cache: HashCacheService
}

const keyOf = (absolute: string, size: number, mtimeMs: number | undefined): HashKey | undefined =>
  mtimeMs === undefined ? undefined : { path: absolute, size, mtimeMs }

/** The key of the file at `absolute` as it is now (`undefined` if it cannot be read or has no mtime). */
const currentKey = (deps: Hashing, absolute: string): Effect.Effect<HashKey | undefined> =>
  deps.fs.stat(absolute).pipe(
    Effect.map((info) =>
      keyOf(absolute, Number(info.size), Option.getOrUndefined(Option.map(info.mtime, (date) => date.getTime())))
    ),
    Effect.orElseSucceed(() => undefined)
  )

const sameKey = (a: HashKey | undefined, b: HashKey | undefined): boolean =>
  a !== undefined && b !== undefined && a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs

/**
 * The sha256 of a local file as the walk saw it: from the cache, else read (and stored when the
 * file did not change meanwhile).
 * @internal
 */
export const sha256Of = (deps: Hashing, file: LocalFile): Effect.Effect<string, PlatformError.PlatformError> =>
  Effect.gen(function* () {
    const key = keyOf(file.absolute, file.size, file.mtimeMs)
    if (key !== undefined) {
      const cached = yield* deps.cache.get(key)
      if (Option.isSome(cached)) return cached.value
    }
    const hash = deps.sha256.create()
    yield* Stream.runForEach(deps.fs.stream(file.absolute), (chunk) => Effect.sync(() => hash.update(chunk)))
    const digest = hash.digestHex()
    if (key !== undefined && sameKey(key, yield* currentKey(deps, file.absolute))) yield* deps.cache.set(key, digest)
    return digest
  })

/**
 * Remembers `sha256` for the file at `absolute`: a download just verified (`expected` absent), or
 * an upload of the file as the walk saw it (`expected`), stored only if it is still that file.
 * @internal
 */
export const remember = (
  deps: Hashing,
  absolute: string,
  sha256: string,
  expected?: LocalFile | undefined
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const now = yield* currentKey(deps, absolute)
    if (now === undefined) return
    if (expected !== undefined && !sameKey(now, keyOf(expected.absolute, expected.size, expected.mtimeMs))) return
    yield* deps.cache.set(now, sha256)
  })
