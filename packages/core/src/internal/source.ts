/**
 * Upload sources → a known size and a stream of part buffers, at most one part read ahead.
 *
 * Every source kind ends up as `parts(partSize, pool)`: a stream emitting one `Part` per part, in
 * order, each exactly its part's length (`partSize`, the last one the rest; one empty part for 0
 * bytes). Path and stream sources read into buffers taken from a `BufferPool` of
 * `concurrency + 1` buffers that the engine gives back once a part is stored: memory stays at
 * `concurrency + 1` parts whatever the file size, and no part buffer is left to the GC.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { Chunk, Effect, Option, Predicate, Queue, type Scope, Stream } from "effect"
import * as Errors from "../Errors.js"
import type { UploadSource } from "../Upload.js"

/** One part's bytes, and how to give its buffer back once the part is stored. @internal */
export interface Part {
  readonly bytes: Uint8Array
  readonly release: Effect.Effect<void>
}

/**
 * At most `count` buffers of `size` bytes, allocated on demand and recycled: `take` waits while
 * all of them are out.
 * @internal
 */
export interface BufferPool {
  readonly take: (length: number) => Effect.Effect<Part>
  /** How many buffers were allocated so far. */
  readonly allocated: () => number
}

/** @internal */
export const makeBufferPool = (count: number, size: number): Effect.Effect<BufferPool> =>
  Effect.map(Queue.unbounded<Uint8Array>(), (free) => {
    let allocated = 0
    const acquire: Effect.Effect<Uint8Array> = Effect.flatMap(
      Queue.poll(free),
      Option.match({
        onSome: Effect.succeed,
        onNone: () =>
          allocated < count
            ? Effect.sync(() => {
                allocated++
                return new Uint8Array(size)
              })
            : Queue.take(free)
      })
    )
    return {
      take: (length) =>
        Effect.map(acquire, (buffer) => ({
          bytes: buffer.subarray(0, length),
          release: Effect.asVoid(Queue.offer(free, buffer))
        })),
      allocated: () => allocated
    }
  })

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
  /** The parts, in order; a stream source yielding more or fewer bytes than `size` fails with `SourceError`. */
  readonly parts: (partSize: number, pool: BufferPool) => Stream.Stream<Part, Errors.SourceError>
}

const sourceError = (description: string, cause?: unknown): Errors.SourceError =>
  new Errors.SourceError(cause === undefined ? { description } : { description, cause })

const validationError = (field: string, description: string) => new Errors.ValidationError({ field, description })

/** The number of parts of `size` bytes cut at `partSize` (one empty part for 0 bytes). @internal */
export const partCountOf = (size: number, partSize: number): number => (size === 0 ? 1 : Math.ceil(size / partSize))

/** The length of the 0-based part `index`. @internal */
export const partLengthOf = (size: number, partSize: number, index: number): number =>
  Math.max(0, Math.min(partSize, size - index * partSize))

/** The last segment of a `/` or `\` separated path. @internal */
export const basename = (path: string): string => {
  const segments = path.split(/[\\/]+/).filter((segment) => segment.length > 0)
  return segments[segments.length - 1] ?? ""
}

/**
 * Parts read one at a time by `read(offset, length)`, sequentially.
 * @internal
 */
export const rangeParts = <R>(
  size: number,
  partSize: number,
  read: (offset: number, length: number) => Effect.Effect<Part, Errors.SourceError, R>
): Stream.Stream<Part, Errors.SourceError, R> =>
  Stream.suspend(() => {
    const count = partCountOf(size, partSize)
    let index = 0
    return Stream.repeatEffectOption(
      Effect.suspend(() => {
        if (index >= count) return Effect.fail(Option.none())
        const current = index++
        return Effect.mapError(read(current * partSize, partLengthOf(size, partSize, current)), Option.some)
      })
    )
  })

/**
 * Cuts a stream of arbitrary chunks into part buffers: each part is allocated once at its exact
 * length and every incoming byte is copied into it once. Fails when the stream yields more or
 * fewer bytes than `size` (checked before the last part is emitted).
 * @internal
 */
export const rechunk = (
  source: Stream.Stream<Uint8Array, unknown>,
  size: number,
  partSize: number,
  pool: BufferPool
): Stream.Stream<Part, Errors.SourceError> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const pull = yield* Stream.toPull(source)
      const count = partCountOf(size, partSize)
      let queue: ReadonlyArray<Uint8Array> = []
      let queueIndex = 0
      let ended = false
      let leftover: Uint8Array | undefined
      let index = 0
      let consumed = 0

      const pullChunk: Effect.Effect<boolean, Errors.SourceError> = pull.pipe(
        Effect.map((chunk) => {
          queue = Chunk.toReadonlyArray(chunk)
          queueIndex = 0
          return true
        }),
        Effect.catchAll(
          Option.match({
            onNone: () => {
              ended = true
              return Effect.succeed(false)
            },
            onSome: (cause) => Effect.fail(sourceError("the source stream failed", cause))
          })
        )
      )

      /** The next non-empty piece of input, or `undefined` at the end of the stream. */
      const nextPiece: Effect.Effect<Uint8Array | undefined, Errors.SourceError> = Effect.suspend(() => {
        if (leftover !== undefined) {
          const piece = leftover
          leftover = undefined
          return Effect.succeed(piece)
        }
        while (queueIndex < queue.length) {
          const piece = queue[queueIndex++]
          if (!(piece instanceof Uint8Array)) {
            return Effect.fail(sourceError("the source stream yielded something other than a Uint8Array"))
          }
          if (piece.byteLength > 0) return Effect.succeed(piece)
        }
        if (ended) return Effect.succeed(undefined)
        return Effect.flatMap(pullChunk, () => nextPiece)
      })

      const tooMany = () => sourceError(`the source stream yielded more bytes than the size given (${size})`)

      /** Fills `part` from the input; checks the input is exhausted after the last part. */
      const fill = (part: Part, length: number): Effect.Effect<Part, Errors.SourceError> =>
        Effect.gen(function* () {
          const buffer = part.bytes
          let filled = 0
          while (filled < length) {
            const piece = yield* nextPiece
            if (piece === undefined) {
              return yield* Effect.fail(
                sourceError(
                  `the source stream ended after ${consumed + filled} bytes, fewer than the size given (${size})`
                )
              )
            }
            const take = Math.min(piece.byteLength, length - filled)
            buffer.set(take === piece.byteLength ? piece : piece.subarray(0, take), filled)
            filled += take
            if (take < piece.byteLength) leftover = piece.subarray(take)
          }
          index++
          consumed += length
          if (index === count && (yield* nextPiece) !== undefined) return yield* Effect.fail(tooMany())
          return part
        }).pipe(Effect.onError(() => part.release))

      const nextPart: Effect.Effect<Part, Option.Option<Errors.SourceError>> = Effect.suspend(() => {
        if (index >= count) return Effect.fail(Option.none())
        const length = partLengthOf(size, partSize, index)
        return pool.take(length).pipe(
          Effect.flatMap((part) => fill(part, length)),
          Effect.mapError(Option.some)
        )
      })

      return Stream.repeatEffectOption(nextPart)
    })
  )

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
    rangeParts(bytes.byteLength, partSize, (offset, length) =>
      Effect.succeed(unpooled(bytes.subarray(offset, offset + length)))
    )
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
      rangeParts(blob.size, partSize, (offset, length) => Effect.map(blobSlice(blob, offset, length), unpooled))
  }
}

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
    const parts = (partSize: number, pool: BufferPool): Stream.Stream<Part, Errors.SourceError> =>
      Stream.unwrapScoped(
        Effect.map(
          fs.open(path, { flag: "r" }).pipe(Effect.mapError((cause) => sourceError(`cannot open ${path}`, cause))),
          (file) =>
            rangeParts(size, partSize, (offset, length) =>
              Effect.flatMap(pool.take(length), (part) =>
                Effect.gen(function* () {
                  const buffer = part.bytes
                  yield* file.seek(offset, "start")
                  let filled = 0
                  while (filled < length) {
                    const read = Number(yield* file.read(filled === 0 ? buffer : buffer.subarray(filled)))
                    if (read === 0) {
                      return yield* Effect.fail(
                        sourceError(`${path} ended at ${offset + filled} bytes; it had ${size} when the upload started`)
                      )
                    }
                    filled += read
                  }
                  return part
                }).pipe(
                  Effect.catchTag("SystemError", "BadArgument", (cause) =>
                    Effect.fail(sourceError(`cannot read ${path}`, cause))
                  ),
                  Effect.onError(() => part.release)
                )
              )
            )
        )
      )
    return { size, name: basename(path), contentType: undefined, prehash: undefined, parts }
  })

const streamSource = (stream: Stream.Stream<Uint8Array, unknown>, size: number): ResolvedSource => ({
  size,
  name: undefined,
  contentType: undefined,
  prehash: undefined,
  parts: (partSize, pool) => rechunk(stream, size, partSize, pool)
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
