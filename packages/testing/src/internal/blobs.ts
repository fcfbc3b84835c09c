/**
 * Where part bodies are kept: in memory, or as files in a data directory (streamed both ways,
 * never buffered whole). A blob is written once from a body (its MD5 computed on the way, for the
 * part's `ETag`), read back whole or by byte range, and passed over whole once (the file's sha256
 * and scan at complete). In memory, a blob is the chunks it was received in (the body hands over
 * chunks the emulator may keep: no copy, no concatenation); on disk, the pass reads into one
 * buffer it reuses, so a large file allocates nothing per chunk.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Chunk, Effect, Option, Stream } from "effect"
import type { Body, BodyReadError } from "./body.js"

/** @internal */
export interface StoredBlob {
  readonly key: string
  readonly size: number
  readonly md5: string
}

/** @internal */
export class BlobWriteError {
  readonly _tag = "BlobWriteError"
  constructor(readonly cause: unknown) {}
}

/** @internal */
export interface BlobStore {
  readonly write: (key: string, body: Body) => Effect.Effect<StoredBlob, BodyReadError | BlobWriteError>
  /**
   * The bytes `start` (inclusive) to `end` (exclusive) of a blob, in chunks of at most 1 MiB that
   * the reader must not change (in memory they are views of the stored bytes). A blob removed
   * meanwhile makes the stream die.
   */
  readonly read: (key: string, start: number, end: number) => Stream.Stream<Uint8Array>
  /**
   * Every byte of a blob, in order, handed to `f` chunk by chunk without a stream stage per chunk.
   * A chunk is only valid during the call (on disk, the next read reuses its buffer): `f` copies
   * what it keeps. A blob removed meanwhile makes the effect die.
   */
  readonly forEach: (key: string, f: (bytes: Uint8Array) => void) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
}

/** Chunks of reads: fewer, larger chunks cost less per byte in every stream stage. */
const READ_CHUNK = 1024 * 1024

/** Bytes gathered before one `writev` to disk. */
const WRITE_BATCH = 1024 * 1024

/** Bytes a whole-blob pass handles in memory before it yields to other fibers. */
const PASS_SLICE = 16 * 1024 * 1024

/** @internal */
export const memory = (): BlobStore => {
  const blobs = new Map<string, ReadonlyArray<Uint8Array>>()
  return {
    write: (key, body) =>
      Effect.suspend(() => {
        const md5 = createHash("md5")
        const chunks: Array<Uint8Array> = []
        let size = 0
        return Effect.map(
          body((bytes) => {
            md5.update(bytes)
            chunks.push(bytes)
            size += bytes.byteLength
            return undefined
          }),
          () => {
            blobs.set(key, chunks)
            return { key, size, md5: md5.digest("hex") }
          }
        )
      }),
    read: (key, start, end) =>
      Stream.suspend(() => {
        const chunks = blobs.get(key)
        if (chunks === undefined) return Stream.dieMessage(`blob ${key} is gone`)
        /** Views of the stored chunks from `start` to `end`, about `READ_CHUNK` bytes per stream chunk. */
        let index = 0
        let offset = 0
        let position = start
        return Stream.unfoldChunk(undefined, () => {
          const pieces: Array<Uint8Array> = []
          let gathered = 0
          while (position < end && index < chunks.length && gathered < READ_CHUNK) {
            const bytes = chunks[index] ?? new Uint8Array(0)
            const chunkEnd = offset + bytes.byteLength
            if (position >= chunkEnd) {
              index++
              offset = chunkEnd
              continue
            }
            const to = Math.min(end, chunkEnd, position + READ_CHUNK - gathered)
            pieces.push(bytes.subarray(position - offset, to - offset))
            gathered += to - position
            position = to
          }
          return pieces.length === 0 ? Option.none() : Option.some([Chunk.unsafeFromArray(pieces), undefined] as const)
        })
      }),
    forEach: (key, f) =>
      Effect.suspend(() => {
        const chunks = blobs.get(key)
        if (chunks === undefined) return Effect.dieMessage(`blob ${key} is gone`)
        /** Chunks from `index` on, about `PASS_SLICE` bytes at a time, yielding in between. */
        const from = (index: number): Effect.Effect<void> => {
          let i = index
          let done = 0
          while (i < chunks.length && done < PASS_SLICE) {
            const bytes = chunks[i++] ?? new Uint8Array(0)
            f(bytes)
            done += bytes.byteLength
          }
          return i >= chunks.length ? Effect.void : Effect.flatMap(Effect.yieldNow(), () => from(i))
        }
        return from(0)
      }),
    remove: (key) => Effect.sync(() => void blobs.delete(key))
  }
}

/** Write every byte of `buffers` at the handle's position (`writev` may write fewer). */
const writeAll = async (handle: Fs.FileHandle, buffers: ReadonlyArray<Uint8Array>) => {
  let pending = buffers
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev([...pending])
    let skip = bytesWritten
    const rest: Array<Uint8Array> = []
    for (const b of pending) {
      if (skip >= b.byteLength) {
        skip -= b.byteLength
        continue
      }
      rest.push(skip === 0 ? b : b.subarray(skip))
      skip = 0
    }
    pending = rest
  }
}

/** @internal */
export const directory = (dir: string): BlobStore => {
  const pathOf = (key: string) => Path.join(dir, key.replace(/[^0-9A-Za-z_-]/g, "_"))
  let tmpCounter = 0
  const fileStream = (key: string, start: number, end: number) =>
    end <= start
      ? Stream.empty
      : Stream.fromAsyncIterable(
          createReadStream(pathOf(key), { start, end: end - 1, highWaterMark: READ_CHUNK }),
          (cause) => new BlobWriteError(cause)
        ).pipe(
          Stream.map((chunk: unknown) => (chunk instanceof Uint8Array ? chunk : new Uint8Array(0))),
          Stream.orDie
        )
  return {
    write: (key, body) =>
      Effect.acquireUseRelease(
        Effect.tryPromise({
          try: async () => {
            await Fs.mkdir(dir, { recursive: true })
            tmpCounter += 1
            const tmp = `${pathOf(key)}.tmp${tmpCounter}`
            return { tmp, handle: await Fs.open(tmp, "w") }
          },
          catch: (cause) => new BlobWriteError(cause)
        }),
        ({ handle, tmp }) => {
          const md5 = createHash("md5")
          let size = 0
          let batch: Array<Uint8Array> = []
          let batched = 0
          /** The write in flight; the next one waits for it (writes land in order). */
          let writing: Promise<void> = Promise.resolve()
          const flush = (): Promise<void> => {
            const buffers = batch
            batch = []
            batched = 0
            writing = writing.then(() => writeAll(handle, buffers))
            return writing
          }
          const sink = (bytes: Uint8Array): Promise<void> | undefined => {
            md5.update(bytes)
            size += bytes.byteLength
            batch.push(bytes)
            batched += bytes.byteLength
            return batched >= WRITE_BATCH ? flush() : undefined
          }
          return body(sink).pipe(
            Effect.zipRight(
              Effect.tryPromise({
                try: async () => {
                  if (batch.length > 0) await flush()
                  await writing
                  await handle.close()
                  await Fs.rename(tmp, pathOf(key))
                },
                catch: (cause) => new BlobWriteError(cause)
              })
            ),
            Effect.map((): StoredBlob => ({ key, size, md5: md5.digest("hex") })),
            Effect.tapError(() => Effect.promise(() => Fs.rm(tmp, { force: true })))
          )
        },
        ({ handle }) => Effect.promise(() => handle.close().catch(() => undefined))
      ),
    read: fileStream,
    forEach: (key, f) =>
      Effect.promise(async () => {
        const handle = await Fs.open(pathOf(key), "r")
        try {
          const buffer = Buffer.allocUnsafe(READ_CHUNK)
          for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, null)
            if (bytesRead === 0) return
            f(bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead))
          }
        } finally {
          await handle.close()
        }
      }),
    remove: (key) => Effect.promise(() => Fs.rm(pathOf(key), { force: true }))
  }
}
