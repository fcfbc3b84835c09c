/**
 * Checkpoints of resumable uploads: where `files.upload(source, spaceId, { resume: true })` left
 * off, so that running the same upload again PUTs only the parts the server does not hold yet.
 *
 * A checkpoint holds the upload's session (upload and file ids, part size, expiry, each part's
 * presigned URL and headers), the `ETag` of every part stored so far, and a fingerprint of the
 * source. It never holds the API key: part URLs are presigned for the storage origin and carry
 * their own signature.
 *
 * Two stores: `layerMemory` (for one process, and tests) and `layerFileSystem(directory)`, one
 * JSON file per checkpoint written atomically (a temporary file renamed over it), files mode
 * 0600 in directories mode 0700; a file that cannot be read back is ignored with a warning.
 * `NodeFluidCloud.layerCheckpoints` puts the latter in the user's state directory.
 *
 * The store is a namespaced record store: `uploads` holds the checkpoints, and
 * `namespace(name, schema)` gives other features (the hash cache of `sync`) their own records.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Checkpoints, type Domain, FluidCloud } from "@fluidcloud/core"
 *
 * // Interrupted or failed, the upload stays on the server with its checkpoint; run it again
 * // and only the missing parts are sent.
 * const upload = (spaceId: Domain.SpaceId) =>
 *   Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.files.upload("./big.iso", spaceId, { resume: true })).pipe(
 *     Effect.provide(Checkpoints.layerMemory)
 *   )
 * ```
 * @since 0.2.0
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import * as Domain from "./Domain.js"
import * as FileStore from "./internal/checkpoints/fileSystem.js"
import * as MemoryStore from "./internal/checkpoints/memory.js"
import * as Records_ from "./internal/checkpoints/records.js"

const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())

/**
 * A file-system path source: its real path, size and modification time (milliseconds since the
 * epoch; `null` where the platform has none, and then the size alone tells a change).
 *
 * @since 0.2.0
 * @category models
 */
export const PathFingerprint = Schema.TaggedStruct("Path", {
  path: Schema.String,
  size: NonNegativeInt,
  mtime: Schema.NullOr(Schema.Number)
})

/**
 * An in-memory source (`Uint8Array`, `ArrayBuffer`, `Blob`): its size and sha256 (lowercase hex),
 * which the upload computes before initiate anyway.
 *
 * @since 0.2.0
 * @category models
 */
export const BytesFingerprint = Schema.TaggedStruct("Bytes", {
  size: NonNegativeInt,
  sha256: Schema.String
})

/**
 * What a checkpoint knows of its source: a different fingerprint on the next run means the
 * source changed, and the upload starts afresh.
 *
 * @since 0.2.0
 * @category models
 */
export const Fingerprint = Schema.Union(PathFingerprint, BytesFingerprint)

/**
 * @since 0.2.0
 * @category models
 */
export type Fingerprint = typeof Fingerprint.Type

/**
 * One part of a checkpointed upload: where to PUT it, with which headers, and its `ETag` once
 * the storage holds it.
 *
 * @since 0.2.0
 * @category models
 */
export class CheckpointPart extends Schema.Class<CheckpointPart>("@fluidcloud/CheckpointPart")({
  partNumber: Schema.Int.pipe(Schema.positive()),
  url: Schema.String,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  etag: Schema.optional(Schema.String)
}) {}

/**
 * Where a resumable upload left off. `key` says which upload it is: the API origin, the Space,
 * the folder, the stored name, the client key and the source (its real path, or `bytes` for an
 * in-memory source), so running the same upload again finds it, and a changed source (same key,
 * another `source` fingerprint) replaces it.
 *
 * @since 0.2.0
 * @category models
 */
export class UploadCheckpoint extends Schema.Class<UploadCheckpoint>("@fluidcloud/UploadCheckpoint")({
  key: Schema.String,
  uploadId: Domain.UploadId,
  fileId: Domain.FileId,
  spaceId: Domain.SpaceId,
  folderId: Schema.NullOr(Domain.FolderId),
  name: Schema.String,
  clientKey: Schema.NullOr(Schema.String),
  size: NonNegativeInt,
  partSize: Schema.Int.pipe(Schema.positive()),
  /** When the server discards the upload (24 hours after initiate). */
  expiresAt: Schema.DateTimeUtc,
  createdAt: Schema.DateTimeUtc,
  parts: Schema.Array(CheckpointPart),
  source: Fingerprint
}) {
  /** How many parts the storage holds. */
  get partsDone(): number {
    return this.parts.filter((part) => part.etag !== undefined).length
  }
}

/**
 * Records of one kind, by key: an `Option` when absent, the platform's error when the store
 * cannot be read or written (the in-memory store never fails).
 *
 * @since 0.2.0
 * @category models
 */
export interface Records<A> {
  readonly get: (key: string) => Effect.Effect<Option.Option<A>, PlatformError.PlatformError>
  /** Writes the record (atomically, in the file-system store). */
  readonly set: (key: string, value: A) => Effect.Effect<void, PlatformError.PlatformError>
  /** Removes the record; an absent one is not an error. */
  readonly remove: (key: string) => Effect.Effect<void, PlatformError.PlatformError>
  /** Every record, with its key; records that cannot be read back are left out (a warning). */
  readonly list: Effect.Effect<ReadonlyArray<readonly [key: string, value: A]>, PlatformError.PlatformError>
}

/**
 * The checkpoint store.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** The checkpoints of resumable uploads, by `UploadCheckpoint.key`. */
  readonly uploads: Records<UploadCheckpoint>
  /**
   * The records of another feature, kept apart from the checkpoints and from each other:
   * `name` is lowercase letters, digits and `-` (a directory of the file-system store; any other
   * name is a defect), and `schema` encodes each record to JSON. The same name and schema give
   * the same records in every call.
   */
  readonly namespace: <A, I>(name: string, schema: Schema.Schema<A, I>) => Records<A>
}

/**
 * The checkpoint store of resumable uploads. `files.upload(..., { resume: true })` reads it from
 * the context of the call, else from the context the client was built in
 * (`NodeFluidCloud.layer` provides the file-system store there); without one, `resume: true` is
 * a `ValidationError` and nothing is sent.
 *
 * @since 0.2.0
 * @category tags
 */
export class UploadCheckpoints extends Context.Tag("@fluidcloud/core/UploadCheckpoints")<
  UploadCheckpoints,
  Service
>() {}

/**
 * A store held in memory: checkpoints live as long as the layer (one process). Each use of the
 * layer builds its own.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<UploadCheckpoints> = Layer.sync(UploadCheckpoints, () =>
  Records_.makeService(MemoryStore.make(), UploadCheckpoint)
)

/**
 * A store in `directory`: `uploads/<sha256 of the key>.json` for each checkpoint (and
 * `<namespace>/...` for other records), created on the first write with mode 0700, each file
 * written to a temporary file (mode 0600) renamed over the old one, so a crash never leaves half
 * a record. A file that cannot be read back (truncated, edited, another version) is ignored with
 * a warning. The temporary file of a write that never finished (a killed process) is removed when
 * its namespace is listed, once it is an hour old.
 *
 * The part URLs a checkpoint holds are presigned: until they expire (the session's `expiresAt`,
 * 24 hours on the service) they let whoever reads the file PUT parts of that upload, which is why
 * the files are 0600 in a 0700 directory.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFileSystem = (
  directory: string
): Layer.Layer<UploadCheckpoints, never, FileSystem.FileSystem | Path.Path> =>
  Layer.effect(
    UploadCheckpoints,
    Effect.map(FileStore.make(directory), (backend) => Records_.makeService(backend, UploadCheckpoint))
  )
