/**
 * Parts: the arithmetic of cutting `size` bytes at `partSize`, the buffer pool, and the two ways a
 * source is cut into parts.
 *
 * - Buffered (`Part`): each part's bytes in one buffer taken from a `BufferPool` of
 *   `concurrency + 1` buffers that the engine gives back once the part is stored, so memory stays
 *   at `concurrency + 1` parts whatever the file size.
 * - Streamed (`StreamedPart`): for a part too big for one buffer, its bytes as a stream read from
 *   the source while the part is PUT, in chunks: a file's byte range, a `Blob`'s slice, or, for a
 *   stream source, the next `length` bytes passed through (which can be read once only).
 *
 * @internal
 */
import { Chunk, Effect, Option, Queue, type Scope, Stream } from "effect"
import * as Errors from "../Errors.js"

/** One part's bytes, and how to give its buffer back once the part is stored. @internal */
export interface Part {
  readonly bytes: Uint8Array
  readonly release: Effect.Effect<void>
}

/**
 * A part too big for one buffer: `length` bytes from `offset`, as a stream read while the part is
 * sent. `body` reads them afresh for each attempt when `rereadable`; a pass-through part of a
 * stream source can be read once only (its part is not retried).
 * @internal
 */
export interface StreamedPart {
  readonly offset: number
  readonly length: number
  readonly rereadable: boolean
  readonly body: () => Stream.Stream<Uint8Array, Errors.SourceError>
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

/** @internal */
export const sourceError = (description: string, cause?: unknown): Errors.SourceError =>
  new Errors.SourceError(cause === undefined ? { description } : { description, cause })

/** The number of parts of `size` bytes cut at `partSize` (one empty part for 0 bytes). @internal */
export const partCountOf = (size: number, partSize: number): number => (size === 0 ? 1 : Math.ceil(size / partSize))

/** The length of the 0-based part `index`. @internal */
export const partLengthOf = (size: number, partSize: number, index: number): number =>
  Math.max(0, Math.min(partSize, size - index * partSize))

/**
 * The next element of a sequence read one at a time, or `None` at its end: what a stream's pull
 * is, without the stream's stages around each element (an upload reads its parts this way).
 * @internal
 */
export type Pull<A, E> = Effect.Effect<A, Option.Option<E>>

/**
 * Parts read one at a time by `read(offset, length)`, sequentially: a fresh pull at each call.
 * @internal
 */
export const rangePull = <A>(
  size: number,
  partSize: number,
  read: (offset: number, length: number) => Effect.Effect<A, Errors.SourceError>
): Pull<A, Errors.SourceError> => {
  const count = partCountOf(size, partSize)
  let index = 0
  return Effect.suspend(() => {
    if (index >= count) return Effect.fail(Option.none())
    const current = index++
    return Effect.mapError(read(current * partSize, partLengthOf(size, partSize, current)), Option.some)
  })
}

/**
 * Parts read one at a time by `read(offset, length)`, sequentially, as a stream.
 * @internal
 */
export const rangeParts = <A>(
  size: number,
  partSize: number,
  read: (offset: number, length: number) => Effect.Effect<A, Errors.SourceError>
): Stream.Stream<A, Errors.SourceError> =>
  Stream.suspend(() => Stream.repeatEffectOption(rangePull(size, partSize, read)))

/**
 * The elements of `stream` one at a time (its chunks taken apart).
 * @internal
 */
export const pullOne = <A, E>(stream: Stream.Stream<A, E>): Effect.Effect<Pull<A, E>, never, Scope.Scope> =>
  Effect.map(Stream.toPull(stream), (pull) => {
    let pending: Chunk.Chunk<A> = Chunk.empty()
    let at = 0
    const next: Pull<A, E> = Effect.suspend(() => {
      if (at < Chunk.size(pending)) return Effect.succeed(Chunk.unsafeGet(pending, at++))
      return Effect.flatMap(pull, (chunk) => {
        pending = chunk
        at = 0
        return next
      })
    })
    return next
  })

/**
 * Exactly `length` bytes of `stream`: fewer is a `SourceError` naming `what` (a file that shrank
 * while it was read, a `Blob` that yielded less).
 * @internal
 */
export const exactly = (
  stream: Stream.Stream<Uint8Array, Errors.SourceError>,
  length: number,
  what: string
): Stream.Stream<Uint8Array, Errors.SourceError> =>
  Stream.suspend(() => {
    let read = 0
    return stream.pipe(
      Stream.tap((bytes) =>
        Effect.sync(() => {
          read += bytes.byteLength
        })
      ),
      Stream.concat(
        Stream.suspend(() =>
          read === length ? Stream.empty : Stream.fail(sourceError(`${what} yielded ${read} bytes of ${length}`))
        )
      )
    )
  })

/**
 * Streamed parts of a source that can read any byte range again (`body(offset, length)`).
 * @internal
 */
export const rangeStreamed = (
  size: number,
  partSize: number,
  body: (offset: number, length: number) => Stream.Stream<Uint8Array, Errors.SourceError>
): Stream.Stream<StreamedPart, Errors.SourceError> =>
  rangeParts(size, partSize, (offset, length) =>
    Effect.succeed({ offset, length, rereadable: true, body: () => body(offset, length) })
  )

/**
 * Reads a stream of arbitrary chunks piece by piece: `next` gives the next non-empty piece (or
 * `undefined` at the end); `putBack` returns the unread rest of a piece.
 */
const reader = (
  source: Stream.Stream<Uint8Array, unknown>
): Effect.Effect<
  {
    readonly next: Effect.Effect<Uint8Array | undefined, Errors.SourceError>
    readonly putBack: (rest: Uint8Array) => void
  },
  never,
  Scope.Scope
> =>
  Effect.map(Stream.toPull(source), (pull) => {
    let queue: ReadonlyArray<Uint8Array> = []
    let queueIndex = 0
    let ended = false
    let leftover: Uint8Array | undefined

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

    const next: Effect.Effect<Uint8Array | undefined, Errors.SourceError> = Effect.suspend(() => {
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
      return Effect.flatMap(pullChunk, () => next)
    })

    return {
      next,
      putBack: (rest) => {
        leftover = rest
      }
    }
  })

const endedEarly = (consumed: number, size: number) =>
  sourceError(`the source stream ended after ${consumed} bytes, fewer than the size given (${size})`)

const tooMany = (size: number) => sourceError(`the source stream yielded more bytes than the size given (${size})`)

/**
 * Cuts a stream of arbitrary chunks into part buffers, handed over one at a time (see `Pull`) and
 * read from the source while the scope is open: each part is allocated once at its exact length
 * and every incoming byte is copied into it once. Fails when the stream yields more or fewer
 * bytes than `size` (checked before the last part is emitted).
 * @internal
 */
export const rechunkPull = (
  source: Stream.Stream<Uint8Array, unknown>,
  size: number,
  partSize: number,
  pool: BufferPool
): Effect.Effect<Pull<Part, Errors.SourceError>, never, Scope.Scope> =>
  Effect.map(reader(source), (input) => {
    const count = partCountOf(size, partSize)
    let index = 0
    let consumed = 0

    /** Fills `part` from the input; checks the input is exhausted after the last part. */
    const fill = (part: Part, length: number): Effect.Effect<Part, Errors.SourceError> =>
      Effect.gen(function* () {
        const buffer = part.bytes
        let filled = 0
        while (filled < length) {
          const piece = yield* input.next
          if (piece === undefined) return yield* Effect.fail(endedEarly(consumed + filled, size))
          const take = Math.min(piece.byteLength, length - filled)
          buffer.set(take === piece.byteLength ? piece : piece.subarray(0, take), filled)
          filled += take
          if (take < piece.byteLength) input.putBack(piece.subarray(take))
        }
        index++
        consumed += length
        if (index === count && (yield* input.next) !== undefined) return yield* Effect.fail(tooMany(size))
        return part
      }).pipe(Effect.onError(() => part.release))

    const nextPart: Pull<Part, Errors.SourceError> = Effect.suspend(() => {
      if (index >= count) return Effect.fail(Option.none())
      const length = partLengthOf(size, partSize, index)
      return pool.take(length).pipe(
        Effect.flatMap((part) => fill(part, length)),
        Effect.mapError(Option.some)
      )
    })

    return nextPart
  })

/**
 * Cuts a stream of arbitrary chunks into streamed parts, passing its chunks through without a
 * copy: each part's body yields the next `length` bytes. The bodies must be read in part order,
 * each once and to its end (the engine sends streamed parts one at a time, without retries); the
 * last one fails if the stream yields more than `size` bytes, any one if it yields fewer.
 * @internal
 */
export const passThrough = (
  source: Stream.Stream<Uint8Array, unknown>,
  size: number,
  partSize: number
): Stream.Stream<StreamedPart, Errors.SourceError> =>
  Stream.unwrapScoped(
    Effect.map(reader(source), (input) => {
      const count = partCountOf(size, partSize)
      let turn = 0
      let consumed = 0

      const body = (index: number, length: number) => {
        let started = false
        return (): Stream.Stream<Uint8Array, Errors.SourceError> =>
          Stream.suspend(() => {
            if (started) return Stream.fail(sourceError("a part of a stream source cannot be read twice (to retry it)"))
            started = true
            if (index !== turn) return Stream.fail(sourceError("the parts of a stream source must be read in order"))
            let remaining = length
            return Stream.repeatEffectOption(
              Effect.suspend((): Effect.Effect<Uint8Array, Option.Option<Errors.SourceError>> => {
                if (remaining === 0) {
                  turn++
                  if (index < count - 1) return Effect.fail(Option.none())
                  return Effect.flatMap(Effect.mapError(input.next, Option.some), (extra) =>
                    Effect.fail(extra === undefined ? Option.none() : Option.some(tooMany(size)))
                  )
                }
                return Effect.mapError(input.next, Option.some).pipe(
                  Effect.flatMap((piece) => {
                    if (piece === undefined) return Effect.fail(Option.some(endedEarly(consumed, size)))
                    const take = Math.min(piece.byteLength, remaining)
                    if (take < piece.byteLength) input.putBack(piece.subarray(take))
                    remaining -= take
                    consumed += take
                    return Effect.succeed(take === piece.byteLength ? piece : piece.subarray(0, take))
                  })
                )
              })
            )
          })
      }

      return Stream.range(0, count - 1).pipe(
        Stream.map(
          (index): StreamedPart => ({
            offset: index * partSize,
            length: partLengthOf(size, partSize, index),
            rereadable: false,
            body: body(index, partLengthOf(size, partSize, index))
          })
        )
      )
    })
  )
