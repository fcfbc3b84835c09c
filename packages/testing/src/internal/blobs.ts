import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Effect, Stream } from "effect"

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
  readonly read: (key: string) => Stream.Stream<Uint8Array>
  readonly remove: (key: string) => Effect.Effect<void>
}

/** @internal */
export const memory = (): BlobStore => {
  const blobs = new Map<string, Uint8Array>()
  return {
    write: (key, body) =>
      Effect.suspend(() => {
        const md5 = createHash("md5")
        const chunks: Array<Uint8Array> = []
        return Stream.runForEach(body, (chunk) =>
          Effect.sync(() => {
            md5.update(chunk)
            chunks.push(chunk)
          })
        ).pipe(
          Effect.map(() => {
            const bytes = Buffer.concat(chunks)
            blobs.set(key, bytes)
            return { key, size: bytes.byteLength, md5: md5.digest("hex") }
          })
        )
      }),
    read: (key) => {
      const bytes = blobs.get(key)
      return bytes === undefined || bytes.byteLength === 0 ? Stream.empty : Stream.make(bytes)
    },
    remove: (key) => Effect.sync(() => void blobs.delete(key))
  }
}

/** @internal */
export const directory = (dir: string): BlobStore => {
  const pathOf = (key: string) => Path.join(dir, key.replace(/[^0-9A-Za-z_-]/g, "_"))
  let tmpCounter = 0
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
          return Stream.runForEach(body, (chunk) =>
            Effect.tryPromise({
              try: async () => {
                md5.update(chunk)
                size += chunk.byteLength
                let offset = 0
                while (offset < chunk.byteLength) {
                  const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset)
                  offset += bytesWritten
                }
              },
              catch: (cause) => new BlobWriteError(cause)
            })
          ).pipe(
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
    read: (key) =>
      Stream.fromAsyncIterable(
        createReadStream(pathOf(key), { highWaterMark: 256 * 1024 }),
        (cause) => new BlobWriteError(cause)
      ).pipe(
        Stream.map((chunk: unknown) => (chunk instanceof Uint8Array ? chunk : new Uint8Array(0))),
        Stream.orDie
      ),
    remove: (key) => Effect.promise(() => Fs.rm(pathOf(key), { force: true }))
  }
}
