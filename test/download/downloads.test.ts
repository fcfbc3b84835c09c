/**
 * Downloads through `NodeFluidCloud`'s file system, over real HTTP against `EmulatorServer` (where
 * a reset is a socket closed short of its `Content-Length`) and in-process: `files.downloadTo`
 * writes `path.part` and renames it once verified, removes it on an `IntegrityError`, keeps it on
 * other failures and interruptions, and continues it with `resume: true`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Domain, Download, Errors, FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Chunk, Deferred, Effect, Fiber, Schedule, Stream } from "effect"
import { bytesOf, KiB, setup, sha256, tempDir, transports } from "../upload/support.js"

const MiB = 1024 * KiB
const PART = 256 * KiB

/** Stores `content` (scanned clean at once); returns the file. */
const stored = (content: Uint8Array) =>
  Effect.flatMap(setup, ({ fc, spaceId }) => fc.files.upload(content, spaceId, { name: "data.bin" }))

const storageGets = (fileId: string) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    Effect.map(emulator.storageGets({ fileId }), (log) => log.map((g) => [g.status, g.range, g.ifRange]))
  )

for (const [transport, layer] of transports) {
  describe(`files.downloadTo (${transport})`, () => {
    it.scoped("writes the file, verified, and leaves no .part", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const content = bytesOf(3 * MiB + 5, 1)
        const file = yield* stored(content)
        const path = join(yield* tempDir, "out.bin")

        const result = yield* fc.files.downloadTo(file.id, path)

        expect(result).toEqual({ path, size: content.byteLength, sha256: sha256(content) })
        expect(readFileSync(path).equals(content)).toBe(true)
        expect(existsSync(`${path}.part`)).toBe(false)
        expect(yield* storageGets(file.id)).toEqual([[200, null, null]])
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("an empty file", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const file = yield* stored(new Uint8Array(0))
        const path = join(yield* tempDir, "empty.bin")
        const result = yield* fc.files.downloadTo(file.id, path)
        expect(result.size).toBe(0)
        expect(statSync(path).size).toBe(0)
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("a reset mid-body is resumed: the file is whole and verified", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(2 * MiB, 2)
        const file = yield* stored(content)
        yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 700 * KiB })
        yield* emulator.failStorageGet({ fileId: file.id, attempt: 2, resetAfterBytes: 1 })
        const path = join(yield* tempDir, "out.bin")

        yield* fc.files.downloadTo(file.id, path)

        expect(readFileSync(path).equals(content)).toBe(true)
        const etag = `"${sha256(content)}"`
        expect(yield* storageGets(file.id)).toEqual([
          [200, null, null],
          [206, `bytes=${700 * KiB}-`, etag],
          [206, `bytes=${700 * KiB + 1}-`, etag]
        ])
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("a corrupted byte: IntegrityError, and neither the file nor its .part is left", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(MiB, 3)
        const file = yield* stored(content)
        yield* emulator.failStorageGet({ fileId: file.id, corruptByteAt: 12345 })
        const path = join(yield* tempDir, "out.bin")

        const error = yield* Effect.flip(fc.files.downloadTo(file.id, path))

        expect(error).toBeInstanceOf(Errors.IntegrityError)
        expect(existsSync(path)).toBe(false)
        expect(existsSync(`${path}.part`)).toBe(false)
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("resume: an existing .part continues from its length, with If-Range", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const content = bytesOf(MiB + 17, 4)
        const file = yield* stored(content)
        const path = join(yield* tempDir, "out.bin")
        writeFileSync(`${path}.part`, content.subarray(0, 300_000))
        const events: Array<Download.DownloadEvent> = []

        const result = yield* fc.files.downloadTo(file.id, path, {
          resume: true,
          onProgress: (event) => Effect.sync(() => void events.push(event))
        })

        expect(result.sha256).toBe(sha256(content))
        expect(readFileSync(path).equals(content)).toBe(true)
        expect(yield* storageGets(file.id)).toEqual([[206, "bytes=300000-", `"${sha256(content)}"`]])
        expect(events[0]).toEqual(
          Download.DownloadEvent.Started({ fileId: file.id, totalBytes: content.byteLength, receivedBytes: 300_000 })
        )
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("resume: a complete .part needs no storage GET; a .part of other bytes is removed", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const content = bytesOf(100 * KiB, 5)
        const file = yield* stored(content)
        const dir = yield* tempDir
        const complete = join(dir, "complete.bin")
        writeFileSync(`${complete}.part`, content)
        yield* fc.files.downloadTo(file.id, complete, { resume: true })
        expect(readFileSync(complete).equals(content)).toBe(true)
        expect(yield* storageGets(file.id)).toEqual([])

        const wrong = join(dir, "wrong.bin")
        writeFileSync(`${wrong}.part`, bytesOf(50 * KiB, 99))
        const error = yield* Effect.flip(fc.files.downloadTo(file.id, wrong, { resume: true }))
        expect(error).toBeInstanceOf(Errors.IntegrityError)
        expect(existsSync(wrong)).toBe(false)
        expect(existsSync(`${wrong}.part`)).toBe(false)

        // without resume, a .part is started afresh
        const fresh = join(dir, "fresh.bin")
        writeFileSync(`${fresh}.part`, bytesOf(50 * KiB, 98))
        yield* fc.files.downloadTo(file.id, fresh)
        expect(readFileSync(fresh).equals(content)).toBe(true)
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("a failure after the retries keeps the .part, and a resumed run finishes it", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(MiB, 6)
        const file = yield* stored(content)
        yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 400 * KiB })
        const path = join(yield* tempDir, "out.bin")

        const error = yield* Effect.flip(fc.files.downloadTo(file.id, path, { retry: Schedule.stop }))
        expect(error._tag).toBe("TransportError")
        expect(statSync(`${path}.part`).size).toBe(400 * KiB)

        yield* fc.files.downloadTo(file.id, path, { resume: true })
        expect(readFileSync(path).equals(content)).toBe(true)
        expect((yield* storageGets(file.id)).at(-1)).toEqual([206, `bytes=${400 * KiB}-`, `"${sha256(content)}"`])
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("an interruption keeps the .part with every byte received", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(MiB, 7)
        const file = yield* stored(content)
        yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 300 * KiB })
        const path = join(yield* tempDir, "out.bin")
        const resuming = yield* Deferred.make<void>()

        // stop while the download waits to resume after the reset
        const fiber = yield* Effect.fork(
          fc.files.downloadTo(file.id, path, {
            onProgress: (event) =>
              event._tag === "Resuming"
                ? Effect.zipRight(Deferred.succeed(resuming, undefined), Effect.never)
                : Effect.void
          })
        )
        yield* Deferred.await(resuming)
        yield* Fiber.interrupt(fiber)

        expect(existsSync(path)).toBe(false)
        expect(readFileSync(`${path}.part`).equals(content.subarray(0, 300 * KiB))).toBe(true)
      }).pipe(Effect.provide(layer(PART)))
    )

    it.scoped("a directory that does not exist: TargetError, after no storage GET", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const file = yield* stored(bytesOf(10, 8))
        const error = yield* Effect.flip(fc.files.downloadTo(file.id, join(yield* tempDir, "no", "such", "out.bin")))
        expect(error).toBeInstanceOf(Errors.TargetError)
        expect(error.message).toMatch(/^TargetError: could not open .*out\.bin\.part/)
        expect(yield* storageGets(file.id)).toEqual([])
      }).pipe(Effect.provide(layer(PART)))
    )
  })

  describe(`files.download (${transport})`, () => {
    it.scoped("many MiB with resets: the same bytes, in order, once", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(24 * MiB + 3, 9)
        const file = yield* stored(content)
        for (const [attempt, cut] of [
          [1, 5 * MiB + 1],
          [2, 7 * MiB],
          [3, 1]
        ] as const) {
          yield* emulator.failStorageGet({ fileId: file.id, attempt, resetAfterBytes: cut })
        }
        const chunks = yield* Stream.runCollect(fc.files.download(file.id))
        expect(Buffer.concat(Chunk.toReadonlyArray(chunks)).equals(content)).toBe(true)
        expect((yield* storageGets(file.id)).map(([, range]) => range)).toEqual([
          null,
          `bytes=${5 * MiB + 1}-`,
          `bytes=${12 * MiB + 1}-`,
          `bytes=${12 * MiB + 2}-`
        ])
        expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
      }).pipe(Effect.provide(layer(4 * MiB)))
    )
  })
}

describe("files.downloadTo without a FileSystem", () => {
  it.effect("fails with TargetError before any request", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const error = yield* Effect.flip(
        fc.files.downloadTo(Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"), "out.bin")
      )
      expect(error).toBeInstanceOf(Errors.TargetError)
      expect(error.message).toContain("needs a FileSystem")
      expect(yield* emulator.requestLog).toEqual([])
    }).pipe(Effect.provide(FluidCloudTest.layer()))
  )
})
