/**
 * Where part bodies are kept: in memory, or as files in a data directory (streamed both ways,
 * never buffered whole). A blob is written once from a stream (its MD5 computed on the way, for
 * the part's `ETag`) and read back whole or by byte range.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Chunk, Effect, Option, Stream } from "effect"

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
  readonly write: <E>(key: string, body: Stream.Stream<Uint8Array, E>) => Effect.Effect<StoredBlob, E | BlobWriteError>
  /**
   * The bytes `start` (inclusive) to `end` (exclusive) of a blob, in chunks of at most 1 MiB that
   * the reader must not change (in memory they are views of the stored bytes). A blob removed
   * meanwhile makes the stream die.
   */
  readonly read: (key: string, start: number, end: number) => Stream.Stream<Uint8Array>
  readonly remove: (key: string) => Effect.Effect<void>
}

/** Chunks of reads: fewer, larger chunks cost less per byte in every stream stage. */
const READ_CHUNK = 1024 * 1024

/** Bytes gathered before one `writev` to disk. */
const WRITE_BATCH = 1024 * 1024

/** @internal */
export const memory = (): BlobStore => {
  const blobs = new Map<string, Uint8Array>()
  return {
    write: (key, body) =>
      Effect.suspend(() => {
        const md5 = createHash("md5")
        const chunks: Array<Uint8Array> = []
        return Stream.runForEachChunk(body, (chunk) =>
          Effect.sync(() => {
            for (const bytes of Chunk.toReadonlyArray(chunk)) {
              md5.update(bytes)
              chunks.push(bytes)
            }
          })
        ).pipe(
          Effect.map(() => {
            // one copy: the emulator owns its bytes, whatever the sender does with its buffers afterwards
            const bytes = Buffer.concat(chunks)
            blobs.set(key, bytes)
            return { key, size: bytes.byteLength, md5: md5.digest("hex") }
          })
        )
      }),
    read: (key, start, end) =>
      Stream.suspend(() => {
        const bytes = blobs.get(key)
        if (bytes === undefined) return Stream.dieMessage(`blob ${key} is gone`)
        const last = Math.min(end, bytes.byteLength)
        return Stream.unfold(start, (offset) => {
          if (offset >= last) return Option.none()
          const next = Math.min(last, offset + READ_CHUNK)
          return Option.some([bytes.subarray(offset, next), next] as const)
        })
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
          const flush = Effect.tryPromise({
            try: () => {
              const buffers = batch
              batch = []
              batched = 0
              return writeAll(handle, buffers)
            },
            catch: (cause) => new BlobWriteError(cause)
          })
          return Stream.runForEachChunk(body, (chunk) =>
            Effect.suspend(() => {
              for (const bytes of Chunk.toReadonlyArray(chunk)) {
                md5.update(bytes)
                size += bytes.byteLength
                batch.push(bytes)
                batched += bytes.byteLength
              }
              return batched >= WRITE_BATCH ? flush : Effect.void
            })
          ).pipe(
            Effect.zipRight(Effect.suspend(() => (batch.length > 0 ? flush : Effect.void))),
            Effect.zipRight(
              Effect.tryPromise({
                try: async () => {
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
    remove: (key) => Effect.promise(() => Fs.rm(pathOf(key), { force: true }))
  }
}
