/**
 * The record store behind `Checkpoints.UploadCheckpoints`: a backend of raw JSON values by
 * namespace and key (`memory.ts`, `fileSystem.ts`), and the typed records over it, encoded and
 * decoded with each namespace's schema. A value that no longer decodes (a file edited by hand, a
 * checkpoint of another version) is ignored with a warning, as if absent.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import { Effect, Option, Schema } from "effect"
import type { Records, Service, UploadCheckpoint } from "../../Checkpoints.js"

/** Raw JSON values by namespace and key. @internal */
export interface Backend {
  readonly get: (namespace: string, key: string) => Effect.Effect<Option.Option<unknown>, PlatformError.PlatformError>
  readonly set: (namespace: string, key: string, value: unknown) => Effect.Effect<void, PlatformError.PlatformError>
  readonly remove: (namespace: string, key: string) => Effect.Effect<void, PlatformError.PlatformError>
  readonly list: (
    namespace: string
  ) => Effect.Effect<ReadonlyArray<readonly [key: string, value: unknown]>, PlatformError.PlatformError>
}

/** A namespace: lowercase letters, digits and `-`, starting with a letter. @internal */
export const isNamespace = (name: string): boolean => /^[a-z][a-z0-9-]{0,63}$/.test(name)

/** The namespace of upload checkpoints. @internal */
export const UPLOADS = "uploads"

const badNamespace = <A>(name: string): Records<A> => {
  const die = Effect.dieMessage(
    `FluidCloud: checkpoint namespace ${JSON.stringify(name)} is not lowercase letters, digits and -`
  )
  return { get: () => die, set: () => die, remove: () => die, list: die }
}

/** Typed records of `namespace` over `backend`. @internal */
export const records = <A, I>(backend: Backend, namespace: string, schema: Schema.Schema<A, I>): Records<A> => {
  if (!isNamespace(namespace)) return badNamespace(namespace)
  const decode = Schema.decodeUnknown(schema)
  const encode = Schema.encode(schema)
  const decoded = (key: string, raw: unknown): Effect.Effect<Option.Option<A>> =>
    decode(raw).pipe(
      Effect.map(Option.some),
      Effect.catchAll((error) =>
        Effect.as(
          Effect.logWarning(
            `FluidCloud: ignoring the ${namespace} record ${JSON.stringify(key)}: it does not decode`,
            error
          ),
          Option.none()
        )
      )
    )
  return {
    get: (key) =>
      Effect.flatMap(
        backend.get(namespace, key),
        Option.match({ onNone: () => Effect.succeed(Option.none()), onSome: (raw) => decoded(key, raw) })
      ),
    set: (key, value) => Effect.flatMap(Effect.orDie(encode(value)), (encoded) => backend.set(namespace, key, encoded)),
    remove: (key) => backend.remove(namespace, key),
    list: Effect.flatMap(backend.list(namespace), (entries) =>
      Effect.map(
        Effect.forEach(entries, ([key, raw]) =>
          Effect.map(
            decoded(key, raw),
            Option.map((value) => [key, value] as const)
          )
        ),
        (values) => values.flatMap(Option.toArray)
      )
    )
  }
}

/** The store's service over `backend`, its checkpoints decoded with `uploads`. @internal */
export const makeService = <I>(backend: Backend, uploads: Schema.Schema<UploadCheckpoint, I>): Service => ({
  uploads: records(backend, UPLOADS, uploads),
  namespace: (name, schema) => records(backend, name, schema)
})
