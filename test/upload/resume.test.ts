/**
 * Resumable uploads of files on disk, with the file-system checkpoint store (Node FileSystem and
 * Path), over real HTTP and in process: the checkpoint file (mode 0600 in a 0700 directory, never
 * the API key), a resumed run sending only the missing parts, a source changed on disk starting
 * afresh, and `NodeFluidCloud.layer` keeping its checkpoints under `FLUIDCLOUD_STATE_DIR`.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { describe, expect, it } from "@effect/vitest"
import { Checkpoints, Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Clock, ConfigProvider, Effect, Layer, Logger, LogLevel, Option, Redacted, Schedule, Schema } from "effect"
import { bytesOf, PART, setup, sha256, tempDir, tempFile, transports } from "./support.js"

const SIZE = PART * 5 + 321

/** Every file under `dir`, with its path relative to it. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((entry) => statSync(join(dir, entry)).isFile())

const modeOf = (path: string) => statSync(path).mode & 0o777

const fileStore = (dir: string) =>
  Checkpoints.layerFileSystem(dir).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))

const checkpointsIn = (dir: string) =>
  Effect.flatMap(Checkpoints.UploadCheckpoints, (store) => store.uploads.list).pipe(
    Effect.map((entries) => entries.map(([, checkpoint]) => checkpoint)),
    Effect.provide(fileStore(dir)),
    Effect.orDie
  )

for (const [transport, layer] of transports) {
  describe(`resumable path uploads (${transport})`, () => {
    it.scoped("the checkpoint file: 0600 in a 0700 directory, no key; the second run sends parts 4 to 6 only", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const bytes = bytesOf(SIZE, 11)
        const path = yield* tempFile("video.mp4", bytes)
        const state = join(yield* tempDir, "state")
        const store = fileStore(state)
        yield* emulator.failPartPut({ partNumber: 4, attempt: "every", status: 500 })

        yield* fc.files.upload(path, spaceId, { resume: true, concurrency: 1 }).pipe(Effect.provide(store), Effect.flip)
        const [open] = yield* emulator.openUploads
        const files = filesUnder(state)
        expect(files).toHaveLength(1)
        const file = join(state, files[0] ?? "")
        expect(files[0]).toMatch(/^uploads[/\\][0-9a-f]{64}\.json$/)
        expect(modeOf(state)).toBe(0o700)
        expect(modeOf(join(state, "uploads"))).toBe(0o700)
        expect(modeOf(file)).toBe(0o600)
        const text = readFileSync(file, "utf8")
        expect(text).toContain(open?.uploadId)
        expect(text).not.toContain(emulator.apiKey)
        expect(readFileSync(file).includes(Buffer.from(emulator.apiKey))).toBe(false)
        const [checkpoint] = yield* checkpointsIn(state)
        expect(checkpoint?.partsDone).toBe(3)
        expect(checkpoint?.source).toMatchObject({ _tag: "Path", path, size: SIZE })

        yield* emulator.clearFaults
        yield* emulator.clearRequestLog
        const stored = yield* fc.files
          .upload(path, spaceId, { resume: true, concurrency: 1 })
          .pipe(Effect.provide(store))
        const puts = yield* emulator.partPuts({ uploadId: open?.uploadId ?? "" })
        expect(puts.map((put) => put.partNumber)).toEqual([4, 5, 6])
        expect(stored.sha256).toEqual(Option.some(sha256(bytes)))
        expect(filesUnder(state)).toEqual([])
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a file changed on disk (same size, newer mtime) never resumes: the stale upload is aborted", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const path = yield* tempFile("data.bin", bytesOf(SIZE, 12))
        const store = fileStore(join(yield* tempDir, "state"))
        yield* emulator.failPartPut({ partNumber: 4, attempt: "every", status: 500 })
        yield* fc.files.upload(path, spaceId, { resume: true, concurrency: 1 }).pipe(Effect.provide(store), Effect.flip)
        const [stale] = yield* emulator.openUploads
        yield* emulator.clearFaults

        const changed = bytesOf(SIZE, 13)
        writeFileSync(path, changed)
        const later = new Date(Date.now() + 60_000)
        utimesSync(path, later, later)
        const file = yield* fc.files.upload(path, spaceId, { resume: true }).pipe(Effect.provide(store))
        expect(file.id).not.toBe(stale?.fileId)
        expect(file.sha256).toEqual(Option.some(sha256(changed)))
        expect(yield* emulator.openUploads).toEqual([])
        expect(yield* emulator.partPuts({ uploadId: stale?.uploadId ?? "" })).toHaveLength(3 + 4)
      }).pipe(Effect.provide(layer()))
    )

    it.scoped("a file rewritten behind its fingerprint (same size and mtime): IntegrityError, nothing kept", () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const path = yield* tempFile("data.bin", bytesOf(SIZE, 15))
        const state = join(yield* tempDir, "state")
        const store = fileStore(state)
        yield* emulator.failPartPut({ partNumber: 4, attempt: "every", status: 500 })
        yield* fc.files.upload(path, spaceId, { resume: true, concurrency: 1 }).pipe(Effect.provide(store), Effect.flip)
        yield* emulator.clearFaults
        const { atime, mtime } = statSync(path)
        writeFileSync(path, bytesOf(SIZE, 16))
        utimesSync(path, atime, mtime)

        // parts 1 to 3 on the server are the old bytes: the stored sha256 is not the file's
        const error = yield* fc.files.upload(path, spaceId, { resume: true }).pipe(Effect.provide(store), Effect.flip)
        expect(error._tag).toBe("IntegrityError")
        if (error._tag !== "IntegrityError") return
        expect(error.expected).toBe(sha256(readFileSync(path)))
        const stored = yield* fc.files.get(Domain.FileId.make(error.fileId))
        expect(stored.isDeleted).toBe(true)
        expect(yield* emulator.openUploads).toEqual([])
        expect(filesUnder(state)).toEqual([])
      }).pipe(Effect.provide(layer()))
    )
  })
}

describe("the file-system store", () => {
  const Entry = Schema.Struct({ size: Schema.Number, sha256: Schema.String })
  const withStore = <A, E>(dir: string, f: (store: Checkpoints.Service) => Effect.Effect<A, E>) =>
    Effect.flatMap(Checkpoints.UploadCheckpoints, f).pipe(Effect.provide(fileStore(dir)))

  it.scoped("records of a namespace: set, get, list, remove; written atomically (no temporary file left)", () =>
    Effect.gen(function* () {
      const dir = join(yield* tempDir, "nested", "state")
      yield* withStore(dir, (store) =>
        Effect.gen(function* () {
          const hashes = store.namespace("hashes", Entry)
          expect(yield* hashes.list).toEqual([])
          yield* hashes.set("/a/b.txt", { size: 1, sha256: "aa" })
          yield* hashes.set("/a/c.txt", { size: 2, sha256: "bb" })
          yield* hashes.set("/a/b.txt", { size: 3, sha256: "cc" })
          expect(yield* hashes.get("/a/b.txt")).toEqual(Option.some({ size: 3, sha256: "cc" }))
          expect([...(yield* hashes.list)].sort()).toEqual([
            ["/a/b.txt", { size: 3, sha256: "cc" }],
            ["/a/c.txt", { size: 2, sha256: "bb" }]
          ])
          expect(yield* store.uploads.list).toEqual([])
          yield* hashes.remove("/a/c.txt")
          yield* hashes.remove("/a/c.txt")
          expect(yield* hashes.get("/a/c.txt")).toEqual(Option.none())
        })
      )
      expect(filesUnder(dir)).toHaveLength(1)
      expect(filesUnder(dir)[0]).toMatch(/^hashes[/\\][0-9a-f]{64}\.json$/)
      for (const folder of [join(dir, ".."), dir, join(dir, "hashes")]) expect(modeOf(folder)).toBe(0o700)
    })
  )

  it.scoped("a corrupt file is ignored with a warning, and the next write replaces it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel === LogLevel.Warning) warnings.push(String(message))
      })
      const hashes = (store: Checkpoints.Service) => store.namespace("hashes", Entry)
      yield* withStore(dir, (store) => hashes(store).set("k", { size: 1, sha256: "aa" }))
      const [name] = filesUnder(dir)
      writeFileSync(join(dir, name ?? ""), '{"version":1,"key":"k","value":{"si')
      const [got, listed] = yield* withStore(dir, (store) =>
        Effect.all([hashes(store).get("k"), hashes(store).list])
      ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(got).toEqual(Option.none())
      expect(listed).toEqual([])
      expect(warnings.length).toBeGreaterThanOrEqual(2)
      expect(warnings[0]).toContain(join(dir, name ?? ""))
      yield* withStore(dir, (store) => hashes(store).set("k", { size: 2, sha256: "bb" }))
      expect(yield* withStore(dir, (store) => hashes(store).get("k"))).toEqual(Option.some({ size: 2, sha256: "bb" }))
    })
  )

  it.scoped("an entry that cannot be read (a directory named like a record) is left out; the others list", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const hashes = (store: Checkpoints.Service) => store.namespace("hashes", Entry)
      yield* withStore(dir, (store) => hashes(store).set("k", { size: 1, sha256: "aa" }))
      mkdirSync(join(dir, "hashes", `${"0".repeat(64)}.json`))
      const listed = yield* withStore(dir, (store) => hashes(store).list).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none))
      )
      expect(listed).toEqual([["k", { size: 1, sha256: "aa" }]])
    })
  )

  it.scoped("a namespace directory that was there with a looser mode is made private (0700) on the first write", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      mkdirSync(join(dir, "hashes"), { mode: 0o755 })
      chmodSync(join(dir, "hashes"), 0o755)
      yield* withStore(dir, (store) => store.namespace("hashes", Entry).set("k", { size: 1, sha256: "aa" }))
      expect(modeOf(join(dir, "hashes"))).toBe(0o700)
    })
  )

  it.scoped("a record that does not decode with its schema is ignored too", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withStore(dir, (store) =>
        store.namespace("hashes", Schema.Struct({ size: Schema.String })).set("k", { size: "x" })
      )
      const got = yield* withStore(dir, (store) => store.namespace("hashes", Entry).get("k")).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.none))
      )
      expect(got).toEqual(Option.none())
    })
  )

  it.scoped("listing removes the temporary files of writes that never finished, once an hour old", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const hashes = (store: Checkpoints.Service) => store.namespace("hashes", Entry)
      yield* withStore(dir, (store) => hashes(store).set("k", { size: 1, sha256: "aa" }))
      // what a process killed between the write and the rename leaves: one old, one recent
      const [record] = filesUnder(dir)
      const stale = join(dir, `${record ?? ""}.lrx1a2b.tmp`)
      const recent = join(dir, `${record ?? ""}.lrx1a2c.tmp`)
      writeFileSync(stale, '{"version":1,"key":"k","val')
      writeFileSync(recent, '{"version":1,"key":"k","val')
      const twoHoursAgo = (Date.now() - 2 * 60 * 60 * 1000) / 1000
      utimesSync(stale, twoHoursAgo, twoHoursAgo)
      const listed = yield* withStore(dir, (store) => hashes(store).list)
      expect(listed).toEqual([["k", { size: 1, sha256: "aa" }]])
      expect(filesUnder(dir).sort()).toEqual([record, `${record ?? ""}.lrx1a2c.tmp`].sort())
    }).pipe(Effect.withClock(Clock.make()))
  )

  it.scoped("a namespace that is not a directory name is a defect", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const exit = yield* withStore(dir, (store) =>
        store.namespace("../escape", Entry).set("k", { size: 1, sha256: "a" })
      ).pipe(Effect.exit)
      expect(exit._tag).toBe("Failure")
      expect(filesUnder(dir)).toEqual([])
    })
  )
})

describe("NodeFluidCloud.layer keeps checkpoints in the state directory", () => {
  it.scoped("FLUIDCLOUD_STATE_DIR: a failed resumable upload leaves its checkpoint there, without the key", () =>
    Effect.gen(function* () {
      const state = join(yield* tempDir, "fluidcloud-state")
      const emulator = yield* Emulator.Emulator
      const client = NodeFluidCloud.layer({
        apiKey: Redacted.make(emulator.apiKey),
        baseUrl: emulator.baseUrl,
        retry: Schedule.recurs(1)
      }).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["FLUIDCLOUD_STATE_DIR", state]]))))
      )
      const path = yield* tempFile("report.pdf", bytesOf(SIZE, 14))
      yield* emulator.failPartPut({ partNumber: 2, attempt: "every", status: 500 })
      const error = yield* Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const space = yield* fc.spaces.create("state dir")
        return yield* fc.files.upload(path, space.id, { resume: true, concurrency: 1 }).pipe(Effect.flip)
      }).pipe(Effect.provide(client))
      expect(error._tag).toBe("ApiError")
      const files = filesUnder(state)
      expect(files).toHaveLength(1)
      expect(modeOf(join(state, files[0] ?? ""))).toBe(0o600)
      expect(readFileSync(join(state, files[0] ?? "")).includes(Buffer.from(emulator.apiKey))).toBe(false)
      const [checkpoint] = yield* checkpointsIn(state)
      expect(checkpoint?.partsDone).toBe(1)
    }).pipe(Effect.provide(EmulatorServer.layer({ port: 0, minPartSize: 1024, forcePartSize: PART, scanDelay: 0 })))
  )
})
