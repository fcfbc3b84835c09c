/**
 * Upload sources → a known size and their parts, at most one part read ahead.
 *
 * Every source kind ends up as `parts(partSize, pool)`: a pull giving one `Part` per part, in
 * order, each exactly its part's length (`partSize`, the last one the rest; one empty part for 0
 * bytes). Path and stream sources read into buffers taken from a `BufferPool` of
 * `concurrency + 1` buffers that the engine gives back once a part is stored: memory stays at
 * `concurrency + 1` parts whatever the file size, and no part buffer is left to the GC. Parts too
 * big for one buffer come from `streamed(partSize)` instead (see `parts.ts`).
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option, Predicate, type Scope, Stream } from "effect"
import * as Errors from "../Errors.js"
import type { UploadSource } from "../Upload.js"
import {
  type BufferPool,
  exactly,
  type Part,
  type Pull,
  passThrough,
  rangePull,
  rangeStreamed,
  rechunkPull,
  type StreamedPart,
  sourceError
} from "./parts.js"

const unpooled = (bytes: Uint8Array): Part => ({ bytes, release: Effect.void })

/** @internal */
export interface ResolvedSource {
  /** The size in bytes, known before initiate. */
  readonly size: number
  /** A name the source suggests: a path's basename or a `File`'s name. */
  readonly name: string | undefined
  /** A content type the source carries (a `Blob`'s non-empty `type`). */
  readonly contentType: string | undefined
  /** For in-memory sources (bytes, `Blob`): feeds every byte to `update`, in order, before initiate. */
  readonly prehash: ((update: (bytes: Uint8Array) => void) => Effect.Effect<void, Errors.SourceError>) | undefined
  /**
   * The parts, in order, one at a time while the scope is open; a stream source yielding more or
   * fewer bytes than `size` fails with `SourceError`.
   */
  readonly parts: (
    partSize: number,
    pool: BufferPool
  ) => Effect.Effect<Pull<Part, Errors.SourceError>, Errors.SourceError, Scope.Scope>
  /**
   * The parts as streams, for parts too big for one buffer; `undefined` for in-memory bytes, whose
   * parts are views that cost no memory.
   */
  readonly streamed: ((partSize: number) => Stream.Stream<StreamedPart, Errors.SourceError>) | undefined
  /**
   * How a checkpoint recognises the source (`resume`): a file by its real path and modification
   * time, in-memory bytes by their sha256 (`prehash`); `undefined` for a stream, which cannot be
   * read again.
   */
  readonly identity: Identity | undefined
}

/** A source that can be read again, as a checkpoint recognises it. @internal */
export type Identity =
  | {
      readonly _tag: "Path"
      /** The canonical absolute path (symbolic links resolved). */
      readonly realPath: Effect.Effect<string, Errors.SourceError>
      /** Milliseconds since the epoch; `null` where the platform has none. */
      readonly mtime: number | null
    }
  | { readonly _tag: "Bytes" }

const bytesIdentity: Identity = { _tag: "Bytes" }

const validationError = (field: string, description: string) => new Errors.ValidationError({ field, description })

/** The last segment of a `/` or `\` separated path. @internal */
export const basename = (path: string): string => {
  const segments = path.split(/[\\/]+/).filter((segment) => segment.length > 0)
  return segments[segments.length - 1] ?? ""
}

const isEffectStream = (u: unknown): u is Stream.Stream<Uint8Array, unknown> =>
  Predicate.hasProperty(u, Stream.StreamTypeId)

/** A Node `fs.ReadStream` over a whole file: read it by path instead, its size is known. */
const readStreamPath = (u: unknown): string | undefined => {
  if (!Predicate.hasProperty(u, "path") || typeof u.path !== "string") return undefined
  const start = Predicate.hasProperty(u, "start") ? u.start : undefined
  const end = Predicate.hasProperty(u, "end") ? u.end : undefined
  const whole = (start === undefined || start === 0) && (end === undefined || end === Number.POSITIVE_INFINITY)
  return whole ? u.path : undefined
}

/** Closes a stream object we were handed but read another way (a path-backed `fs.ReadStream`). */
const destroyQuietly = (u: unknown): Effect.Effect<void> =>
  Effect.sync(() => {
    if (Predicate.hasProperty(u, "destroy") && typeof u.destroy === "function") u.destroy()
  })

const bytesSource = (bytes: Uint8Array, name: string | undefined, contentType: string | undefined): ResolvedSource => ({
  size: bytes.byteLength,
  name,
  contentType,
  prehash: (update) => Effect.sync(() => update(bytes)),
  parts: (partSize) =>
    Effect.sync(() =>
      rangePull(bytes.byteLength, partSize, (offset, length) =>
        Effect.succeed(unpooled(bytes.subarray(offset, offset + length)))
      )
    ),
  streamed: undefined,
  identity: bytesIdentity
})

const blobSlice = (blob: Blob, offset: number, length: number): Effect.Effect<Uint8Array, Errors.SourceError> =>
  Effect.tryPromise({
    try: () =>
      blob
        .slice(offset, offset + length)
        .arrayBuffer()
        .then((buffer) => new Uint8Array(buffer)),
    catch: (cause) => sourceError("the Blob could not be read", cause)
  }).pipe(
    Effect.filterOrFail(
      (bytes) => bytes.byteLength === length,
      () => sourceError(`the Blob yielded fewer bytes than its size at offset ${offset}`)
    )
  )

/** How much of a `Blob` is read at once to hash it before initiate. */
const BLOB_HASH_SLICE = 8 * 1024 * 1024

const blobSource = (blob: Blob): ResolvedSource => {
  const fileName =
    Predicate.hasProperty(blob, "name") && typeof blob.name === "string" && blob.name.length > 0 ? blob.name : undefined
  return {
    size: blob.size,
    name: fileName,
    contentType: blob.type.length > 0 ? blob.type : undefined,
    prehash: (update) =>
      Effect.gen(function* () {
        for (let offset = 0; offset < blob.size; offset += BLOB_HASH_SLICE) {
          update(yield* blobSlice(blob, offset, Math.min(BLOB_HASH_SLICE, blob.size - offset)))
        }
      }),
    parts: (partSize) =>
      Effect.sync(() =>
        rangePull(blob.size, partSize, (offset, length) => Effect.map(blobSlice(blob, offset, length), unpooled))
      ),
    streamed: (partSize) =>
      rangeStreamed(blob.size, partSize, (offset, length) =>
        exactly(
          Stream.fromReadableStream({
            evaluate: () => blob.slice(offset, offset + length).stream(),
            onError: (cause) => sourceError("the Blob could not be read", cause)
          }),
          length,
          `the Blob's slice at offset ${offset}`
        )
      ),
    identity: bytesIdentity
  }
}

/** The chunk a streamed part of a file is read in. */
const STREAM_CHUNK = 256 * 1024

const fileSource = (
  fs: FileSystem.FileSystem,
  path: string,
  declaredSize: number | undefined
): Effect.Effect<ResolvedSource, Errors.SourceError | Errors.ValidationError> =>
  Effect.gen(function* () {
    const info = yield* fs.stat(path).pipe(Effect.mapError((cause) => sourceError(`cannot read ${path}`, cause)))
    if (info.type !== "File") return yield* Effect.fail(sourceError(`${path} is not a regular file`))
    const size = Number(info.size)
    if (declaredSize !== undefined && declaredSize !== size) {
      return yield* Effect.fail(validationError("size", `is ${declaredSize} but ${path} has ${size} bytes`))
    }
    const parts = (
      partSize: number,
      pool: BufferPool
    ): Effect.Effect<Pull<Part, Errors.SourceError>, Errors.SourceError, Scope.Scope> =>
      Effect.map(
        fs.open(path, { flag: "r" }).pipe(Effect.mapError((cause) => sourceError(`cannot open ${path}`, cause))),
        (file) => {
          const failed = (cause: unknown) => sourceError(`cannot read ${path}`, cause)
          /** Reads `bytes` whole from the file's position: a read may return fewer bytes. */
          const fill = (bytes: Uint8Array, offset: number, filled: number): Effect.Effect<void, Errors.SourceError> =>
            Effect.flatMap(Effect.mapError(file.read(bytes.subarray(filled)), failed), (read) => {
              const total = filled + Number(read)
              if (total === bytes.byteLength) return Effect.void
              if (Number(read) === 0) {
                return Effect.fail(
                  sourceError(`${path} ended at ${offset + total} bytes; it had ${size} when the upload started`)
                )
              }
              return fill(bytes, offset, total)
            })
          // parts are read in order, one after another, so each read starts where the last one
          // ended: the file's own position, no seek
          return rangePull(size, partSize, (offset, length) =>
            Effect.flatMap(pool.take(length), (part) =>
              length === 0
                ? Effect.succeed(part)
                : Effect.as(
                    Effect.onError(fill(part.bytes, offset, 0), () => part.release),
                    part
                  )
            )
          )
        }
      )
    const streamed = (partSize: number): Stream.Stream<StreamedPart, Errors.SourceError> =>
      rangeStreamed(size, partSize, (offset, length) =>
        exactly(
          fs
            .stream(path, { offset, bytesToRead: length, chunkSize: STREAM_CHUNK })
            .pipe(Stream.mapError((cause) => sourceError(`cannot read ${path}`, cause))),
          length,
          `${path} (it had ${size} bytes when the upload started) at offset ${offset}`
        )
      )
    const identity: Identity = {
      _tag: "Path",
      realPath: fs.realPath(path).pipe(Effect.mapError((cause) => sourceError(`cannot resolve ${path}`, cause))),
      mtime: Option.match(info.mtime, { onNone: () => null, onSome: (date) => date.getTime() })
    }
    return { size, name: basename(path), contentType: undefined, prehash: undefined, parts, streamed, identity }
  })

const streamSource = (stream: Stream.Stream<Uint8Array, unknown>, size: number): ResolvedSource => ({
  size,
  name: undefined,
  contentType: undefined,
  prehash: undefined,
  parts: (partSize, pool) => rechunkPull(stream, size, partSize, pool),
  streamed: (partSize) => passThrough(stream, size, partSize),
  identity: undefined
})

/**
 * Resolves a source: its size (checked against `declaredSize`), name, content type and parts.
 * @internal
 */
export const resolve = (
  source: UploadSource,
  declaredSize: number | undefined,
  fileSystem: Option.Option<FileSystem.FileSystem>
): Effect.Effect<ResolvedSource, Errors.SourceError | Errors.ValidationError, Scope.Scope> => {
  const fromPath = (path: string) =>
    Option.match(fileSystem, {
      onNone: () =>
        Effect.fail(
          sourceError(
            "a path source needs a FileSystem: provide NodeFluidCloud.layer (or @effect/platform's FileSystem) to the client"
          )
        ),
      onSome: (fs) => fileSource(fs, path, declaredSize)
    })
  const checkSize = (resolved: ResolvedSource) =>
    declaredSize !== undefined && declaredSize !== resolved.size
      ? Effect.fail(validationError("size", `is ${declaredSize} but the source has ${resolved.size} bytes`))
      : Effect.succeed(resolved)
  const needSize = (make: (size: number) => ResolvedSource) =>
    declaredSize === undefined
      ? Effect.fail(validationError("size", "is required for a stream source"))
      : Effect.succeed(make(declaredSize))

  if (typeof source === "string") return fromPath(source)
  if (source instanceof Uint8Array) return checkSize(bytesSource(source, undefined, undefined))
  if (source instanceof ArrayBuffer) return checkSize(bytesSource(new Uint8Array(source), undefined, undefined))
  if (source instanceof Blob) return checkSize(blobSource(source))
  if (source instanceof ReadableStream) {
    return needSize((size) =>
      streamSource(
        Stream.fromReadableStream({
          evaluate: () => source,
          onError: (cause) => sourceError("the ReadableStream failed", cause)
        }),
        size
      )
    )
  }
  if (isEffectStream(source)) return needSize((size) => streamSource(source, size))
  const path = readStreamPath(source)
  if (path !== undefined) {
    return Effect.zipRight(
      Effect.addFinalizer(() => destroyQuietly(source)),
      fromPath(path)
    )
  }
  return needSize((size) =>
    streamSource(
      Stream.fromAsyncIterable(source, (cause) => sourceError("the source stream failed", cause)),
      size
    )
  )
}
