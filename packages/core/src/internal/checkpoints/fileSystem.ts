/**
 * The file-system backend of the checkpoint store, on `@effect/platform`'s `FileSystem` and
 * `Path`: `<directory>/<namespace>/<sha256 of the key>.json`, each holding
 * `{"version": 1, "key": ..., "value": ...}`.
 *
 * - Directories are created on the first write, mode 0700; files are mode 0600.
 * - A write goes to a temporary file in the same directory, renamed over the record: a reader
 *   (or a crash) sees the old record or the new one, never half of one.
 * - A file that cannot be read back as a record (not JSON, another version, another key) is
 *   ignored with a warning, as if absent; the next write replaces it.
 * - A temporary file a killed process left behind (it never got renamed) is removed when its
 *   namespace is listed, once it is an hour old (a younger one may be another process's write).
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Clock, Effect, Option, Random, Schema } from "effect"
import * as Hash from "../hash.js"
import type * as Records from "./records.js"

/** The version of the record files. @internal */
export const VERSION = 1

const Envelope = Schema.parseJson(
  Schema.Struct({ version: Schema.Literal(VERSION), key: Schema.String, value: Schema.Unknown })
)
const decodeEnvelope = Schema.decodeUnknownOption(Envelope)
const encodeEnvelope = Schema.encodeSync(Envelope)

const SUFFIX = ".json"
const TEMPORARY = ".tmp"
/** A temporary file older than this is a write that never finished. */
const STALE_TEMPORARY_MILLIS = 60 * 60 * 1000

const isNotFound = (error: PlatformError.PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "NotFound"

const encoder = new TextEncoder()

/** The backend in `directory`. @internal */
export const make = (directory: string): Effect.Effect<Records.Backend, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const sha256 = yield* Hash.Sha256

    const folder = (namespace: string) => path.join(directory, namespace)
    const fileOf = (namespace: string, key: string) =>
      path.join(folder(namespace), `${Hash.digestHex(sha256, encoder.encode(key))}${SUFFIX}`)

    /** The record in `file`, if it holds one (for `key`, when given); a warning otherwise. */
    const read = (file: string, key: string | undefined) =>
      fs.readFileString(file).pipe(
        Effect.map(Option.some),
        Effect.catchAll((error) =>
          isNotFound(error)
            ? Effect.succeed(Option.none<string>())
            : // not a file, or not ours to read (a record written by another user): left out, as a bad record is
              Effect.as(
                Effect.logWarning(`FluidCloud: ignoring ${file}: it cannot be read (${error.message})`),
                Option.none<string>()
              )
        ),
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.succeed(Option.none<{ readonly key: string; readonly value: unknown }>()),
            onSome: (text) => {
              const envelope = decodeEnvelope(text).pipe(
                Option.filter((record) => key === undefined || record.key === key)
              )
              return Option.isSome(envelope)
                ? Effect.succeed(envelope)
                : Effect.as(Effect.logWarning(`FluidCloud: ignoring ${file}: it is not a readable record`), envelope)
            }
          })
        )
      )

    /** Removes the stale temporary files among `names` (best effort: a failure is ignored). */
    const sweep = (namespace: string, names: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        for (const name of names) {
          if (!name.endsWith(TEMPORARY)) continue
          const file = path.join(folder(namespace), name)
          const info = yield* Effect.option(fs.stat(file))
          const modified = Option.flatMap(info, (stat) => stat.mtime)
          if (Option.isSome(modified) && now - modified.value.getTime() > STALE_TEMPORARY_MILLIS) {
            yield* Effect.ignore(fs.remove(file))
          }
        }
      })

    /** The namespaces whose directory this backend has made (or found and made) private. */
    const private_ = new Set<string>()

    const backend: Records.Backend = {
      get: (namespace, key) =>
        Effect.map(
          read(fileOf(namespace, key), key),
          Option.map((record) => record.value)
        ),
      set: (namespace, key, value) =>
        Effect.gen(function* () {
          const file = fileOf(namespace, key)
          yield* fs.makeDirectory(folder(namespace), { recursive: true, mode: 0o700 })
          if (!private_.has(namespace)) {
            // `mode` applies only to a directory it creates: one that was there is made private too
            yield* fs.chmod(folder(namespace), 0o700)
            private_.add(namespace)
          }
          const stamp = `${(yield* Clock.currentTimeMillis).toString(36)}${(yield* Random.nextInt).toString(36)}`
          const temporary = `${file}.${stamp}${TEMPORARY}`
          yield* fs.writeFileString(temporary, encodeEnvelope({ version: VERSION, key, value }), {
            flag: "wx",
            mode: 0o600
          })
          yield* fs.rename(temporary, file).pipe(Effect.tapError(() => Effect.ignore(fs.remove(temporary))))
        }),
      remove: (namespace, key) => fs.remove(fileOf(namespace, key)).pipe(Effect.catchIf(isNotFound, () => Effect.void)),
      list: (namespace) =>
        fs.readDirectory(folder(namespace)).pipe(
          Effect.catchIf(isNotFound, () => Effect.succeed([])),
          Effect.tap((names) => sweep(namespace, names)),
          Effect.flatMap((names) =>
            Effect.forEach(names.filter((name) => name.endsWith(SUFFIX)).sort(), (name) =>
              read(path.join(folder(namespace), name), undefined)
            )
          ),
          Effect.map((records) => records.flatMap(Option.toArray).map((record) => [record.key, record.value] as const))
        )
    }
    return backend
  })
