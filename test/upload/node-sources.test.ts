/**
 * Node upload sources (paths, `fs.ReadStream`, `Readable`) through `NodeFluidCloud`, over real
 * HTTP against `EmulatorServer` and in-process, plus the behaviour that only a real socket shows.
 */
import { createReadStream } from "node:fs"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import { Upload } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Deferred, Effect, Exit, Fiber, Option, Schedule } from "effect"
import { bytesOf, PART, partPuts, setup, sha256, tempFile, transports } from "./support.js"

const SIZE = PART * 5 + 321

for (const [transport, layer] of transports) {
  describe(`Node sources (${transport})`, () => {
    it.scoped("a path: read by byte ranges; name is the basename, content type guessed", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const bytes = bytesOf(SIZE, 5)
        const path = yield* tempFile("notes.txt", bytes)
        const file = yield* fc.files.upload(path, spaceId, { concurrency: 3 })
        expect(file.originalName).toBe("notes.txt")
        expect(file.mime).toEqual(Option.some("text/plain"))
        expect(file.size).toEqual(Option.some(SIZE))
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(yield* partPuts(emulator)).toHaveLength(6)
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("an empty file: one empty part", () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const path = yield* tempFile("empty.bin", new Uint8Array(0))
        const file = yield* fc.files.upload(path, spaceId)
        expect(file.size).toEqual(Option.some(0))
        expect(file.sha256).toEqual(Option.some(sha256(new Uint8Array(0))))
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("an fs.ReadStream of a whole file: read by path, no size needed, the stream is closed", () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const bytes = bytesOf(SIZE, 6)
        const path = yield* tempFile("clip.mp4", bytes)
        const stream = createReadStream(path)
        const file = yield* fc.files.upload(stream, spaceId)
        expect(file.originalName).toBe("clip.mp4")
        expect(file.mime).toEqual(Option.some("video/mp4"))
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(stream.destroyed).toBe(true)
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("an fs.ReadStream of a byte range is a stream source: it needs size", () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const bytes = bytesOf(SIZE, 7)
        const path = yield* tempFile("range.bin", bytes)
        const missing = yield* fc.files.upload(createReadStream(path, { start: 100 }), spaceId).pipe(Effect.flip)
        expect(missing._tag).toBe("ValidationError")
        const file = yield* fc.files.upload(createReadStream(path, { start: 100 }), spaceId, { size: SIZE - 100 })
        expect(file.sha256).toEqual(Option.some(sha256(bytes.subarray(100))))
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a Readable with size; without size → ValidationError", () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const bytes = bytesOf(SIZE, 8)
        const readable = () =>
          Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000, 9000), bytes.subarray(9000)])
        const file = yield* fc.files.upload(readable(), spaceId, { size: SIZE, name: "log.json" })
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(file.mime).toEqual(Option.some("application/json"))
        const error = yield* fc.files.upload(readable(), spaceId).pipe(Effect.flip)
        expect(error._tag).toBe("ValidationError")
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a Readable shorter than size → SourceError and the upload is aborted", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const error = yield* fc.files
          .upload(Readable.from([bytesOf(PART * 2)]), spaceId, { size: PART * 3 })
          .pipe(Effect.flip)
        expect(error._tag).toBe("SourceError")
        expect(yield* emulator.openUploads).toHaveLength(0)
        expect((yield* emulator.storedParts).count).toBe(0)
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a missing path → SourceError, no request", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        yield* emulator.clearRequestLog
        const error = yield* fc.files.upload("/definitely/not/here.bin", spaceId).pipe(Effect.flip)
        expect(error._tag).toBe("SourceError")
        expect(yield* emulator.requestLog).toHaveLength(0)
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a path whose size differs from the given size → ValidationError", () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const path = yield* tempFile("sized.bin", bytesOf(100))
        const error = yield* fc.files.upload(path, spaceId, { size: 99 }).pipe(Effect.flip)
        expect(error._tag).toBe("ValidationError")
      }).pipe(Effect.provide(layer()))
    )
  })
}

describe("over real HTTP", () => {
  const layer = transports[0][1]

  it.live("the part-PUT high-water mark equals concurrency; the key never reaches storage", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.setLatency("20 millis", { pathPrefix: "/storage/" })
      const bytes = bytesOf(PART * 10 + 3)
      const file = yield* fc.files.upload(bytes, spaceId, { concurrency: 4 })
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* emulator.maxConcurrentPartPuts).toBe(4)
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
      const log = yield* emulator.requestLog
      expect(log.filter((entry) => entry.origin === "storage").every((entry) => !entry.hadApiKey)).toBe(true)
    }).pipe(Effect.provide(layer()))
  )

  it.live("a connection reset and a 500 on chosen parts are retried", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failPartPut({ partNumber: 1, reset: true })
      yield* emulator.failPartPut({ partNumber: 3, status: 500 })
      const bytes = bytesOf(PART * 3 + 1)
      const file = yield* fc.files.upload(bytes, spaceId, { retry: Schedule.recurs(2) })
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(layer()))
  )

  it.live("interruption mid-upload aborts it: no open upload, no stored parts", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const firstPart = yield* Deferred.make<void>()
      const fiber = yield* fc.files
        .upload(bytesOf(PART * 8), spaceId, {
          concurrency: 2,
          onProgress: (event) =>
            event._tag === "PartUploaded"
              ? Effect.zipRight(
                  emulator.setLatency("10 seconds", { pathPrefix: "/storage/" }),
                  Deferred.succeed(firstPart, undefined)
                )
              : Effect.void
        })
        .pipe(Effect.fork)
      yield* Deferred.await(firstPart)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect(yield* emulator.storedParts).toEqual({ count: 0, bytes: 0 })
    }).pipe(Effect.provide(layer()))
  )

  it.effect("NodeFluidCloud provides node:crypto's sha256 to the upload engine", () =>
    Effect.gen(function* () {
      const factory = yield* Upload.Sha256
      expect(factory).toBe(NodeFluidCloud.sha256)
      const hash = factory.create()
      hash.update(new TextEncoder().encode("abc"))
      expect(hash.digestHex()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }).pipe(Effect.provide(NodeFluidCloud.layerPlatform))
  )
})
