/**
 * `sync.pull` against the emulator over real HTTP: a pushed tree comes back byte for byte into a
 * new directory (empty files and directories included), through `.part` files; a second pull
 * downloads nothing; a changed local file is downloaded again and a file absent remotely removed
 * with `delete`; duplicate remote names (the newest), names that cannot be local names, local
 * symlinks left alone, a file still being scanned, and what stops the whole run.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { describe, expect, it, layer } from "@effect/vitest"
import { Contract, FluidCloud } from "@fluidcloud/core"
import { Emulator, EmulatorServer, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Exit, Layer, Redacted, Stream } from "effect"
import { folderWire, SPACE_ID } from "../../packages/core/test/support/Fixtures.js"
import * as MockHttp from "../../packages/core/test/support/MockHttp.js"
import {
  clearLog,
  clientLayer,
  emulatorLayer,
  KiB,
  pathsOf,
  pushed,
  read,
  run,
  space,
  summaryOf,
  tempDir,
  write,
  writes
} from "./support.js"

const Env = clientLayer().pipe(Layer.provideMerge(emulatorLayer))

const storageGets = Effect.flatMap(Emulator.Emulator, (emulator) => emulator.storageGets())

layer(Env, { timeout: 120_000, excludeTestServices: true })("sync.pull (HTTP)", (it) => {
  it.scoped("reproduces the tree byte for byte in a new directory; a second pull downloads nothing", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId, dir: source } = yield* pushed
      const target = join(yield* tempDir, "new", "copy")

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(read(target)).toEqual(read(source))
      expect(readdirSync(join(target, "docs", "deep", "er"))).toEqual(["nested.txt"]) // no .part left
      expect(summaryOf(events)).toMatchObject({ direction: "pull", downloaded: 6, folders: 6, skipped: 0, failed: 0 })

      yield* clearLog
      const again = yield* run(fc.sync.pull({ spaceId }, target))
      expect(summaryOf(again)).toMatchObject({ downloaded: 0, skipped: 6, folders: 0 })
      expect(yield* storageGets).toEqual([])
      expect(yield* writes).toEqual([])
      // only listings: what Contract.methods lists for it
      for (const entry of yield* Emulator.requestLog) {
        expect(Contract.methods["sync.pull"]).toContain(entry.operationId)
      }
    })
  )

  it.scoped("a changed local file is downloaded again; delete removes local files absent remotely", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId, dir: source } = yield* pushed
      const target = yield* tempDir
      yield* run(fc.sync.pull({ spaceId }, target))
      writeFileSync(join(target, "a.txt"), "alphA")
      write(target, { "extra.txt": "x", "docs/more/stale.txt": "y" })

      const kept = yield* run(fc.sync.pull({ spaceId }, target))
      expect(pathsOf(kept, "Downloaded")).toEqual(["a.txt"])
      expect(existsSync(join(target, "extra.txt"))).toBe(true)

      const events = yield* run(fc.sync.pull({ spaceId }, target, { delete: true }))
      expect(pathsOf(events, "Deleted")).toEqual(["docs/more/stale.txt", "extra.txt"])
      // directories are never removed
      expect(read(target)).toEqual({ ...read(source), "docs/more": null })
    })
  )

  it.scoped("a dry run writes nothing locally, and does not create the directory", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId } = yield* pushed
      const target = join(yield* tempDir, "never")

      yield* clearLog
      const events = yield* run(fc.sync.pull({ spaceId }, target, { dryRun: true }))

      expect(existsSync(target)).toBe(false)
      expect(yield* storageGets).toEqual([])
      expect(summaryOf(events)).toMatchObject({ dryRun: true, downloaded: 6, folders: 6 })
    })
  )

  it.scoped("include and exclude apply to the remote paths", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId } = yield* pushed
      const target = yield* tempDir

      yield* run(fc.sync.pull({ spaceId }, target, { include: ["**/*.txt", "*.bin"], exclude: ["docs/deep"] }))

      expect(Object.keys(read(target)).sort()).toEqual([
        "a.txt",
        "big.bin",
        "docs",
        "docs/empty",
        "docs/empty/inner",
        "docs/ünïcødé 文件.txt",
        "empty dir",
        "empty.bin"
      ])
    })
  )

  it.scoped("a folder path below the target: pulled from there; a missing one is a NotFoundError", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId } = yield* pushed
      const target = yield* tempDir

      yield* run(fc.sync.pull({ spaceId, path: "docs/deep" }, target))
      expect(read(target)).toEqual({ er: null, "er/nested.txt": Buffer.from("nested").toString("base64") })

      const exit = yield* Effect.exit(run(fc.sync.pull({ spaceId, path: "docs/nope" }, join(target, "x"))))
      expect(exit).toStrictEqual(
        Exit.fail(expect.objectContaining({ _tag: "NotFoundError", detail: "not_found: no folder at docs/nope" }))
      )
      expect(existsSync(join(target, "x"))).toBe(false)
    })
  )

  it.scoped("several live files of one name: the newest is pulled, with a warning", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      yield* fc.files.upload(Buffer.from("old"), spaceId, { name: "report.txt" })
      yield* Effect.sleep("20 millis")
      yield* fc.files.upload(Buffer.from("newest"), spaceId, { name: "report.txt" })
      const target = yield* tempDir

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(readFileSync(join(target, "report.txt"), "utf8")).toBe("newest")
      expect(events.filter((e) => e._tag === "Warning").map((e) => e._tag === "Warning" && e.reason)).toEqual([
        "duplicate"
      ])
    })
  )

  it.scoped("remote names that cannot be local names are not pulled (a warning); nothing is written outside", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      for (const name of ["..", "a\\b", "ok.txt"]) yield* fc.files.upload(Buffer.from(name), spaceId, { name })
      yield* fc.folders.create("..", spaceId)
      const parent = yield* tempDir
      const target = join(parent, "inside")

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(read(parent)).toEqual({ inside: null, "inside/ok.txt": Buffer.from("ok.txt").toString("base64") })
      expect(events.flatMap((e) => (e._tag === "Warning" ? [`${e.reason} ${e.path}`] : [])).sort()).toEqual([
        "unsafeName ..",
        "unsafeName ..",
        "unsafeName a\\b"
      ])
    })
  )

  it.scoped("a local symlink is left alone: not followed, not replaced, not deleted", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const { spaceId } = yield* pushed
      const target = yield* tempDir
      const elsewhere = yield* tempDir
      write(target, { "a.txt": { link: join(elsewhere, "x") }, docs: { link: elsewhere } })

      const events = yield* run(fc.sync.pull({ spaceId }, target, { delete: true }))

      expect(read(elsewhere)).toEqual({})
      expect(pathsOf(events, "Warning")).toEqual(["a.txt", "docs"])
      expect(pathsOf(events, "Downloaded")).toEqual(["big.bin", "empty.bin"])
    })
  )

  it.scoped("a local symlink named like a download's .part is never written through", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      yield* fc.files.upload(Buffer.from("REMOTE BYTES"), spaceId, { name: "notes" })
      const target = yield* tempDir
      const elsewhere = yield* tempDir
      write(elsewhere, { "precious.txt": "mine" })
      write(target, { "notes.part": { link: join(elsewhere, "precious.txt") } })

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(read(elsewhere)).toEqual({ "precious.txt": Buffer.from("mine").toString("base64") })
      expect(pathsOf(events, "Failed")).toEqual(["notes"])
      expect(pathsOf(events, "Downloaded")).toEqual([])
      expect(existsSync(join(target, "notes"))).toBe(false)
    })
  )

  it.scoped("a remote x beside a remote x.part: x.part is pulled intact, x is not (a warning), on every run", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      yield* fc.files.upload(Buffer.alloc(200_000, 7), spaceId, { name: "x" })
      yield* fc.files.upload(Buffer.from("the x.part file"), spaceId, { name: "x.part" })
      const target = yield* tempDir

      for (const options of [{}, {}, { resume: true }]) {
        const events = yield* run(fc.sync.pull({ spaceId }, target, options))
        expect(readFileSync(join(target, "x.part"), "utf8")).toBe("the x.part file")
        expect(existsSync(join(target, "x"))).toBe(false)
        expect(events.flatMap((e) => (e._tag === "Warning" ? [`${e.reason} ${e.path}`] : []))).toEqual(["conflict x"])
        expect(summaryOf(events).failed).toBe(0)
      }
    })
  )

  it.scoped("a name of 251 to 255 bytes is pulled: its .part gets a shortened name, none is left", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      const names = ["n".repeat(255), `${"é".repeat(125)}.txt`]
      for (const name of names) yield* fc.files.upload(Buffer.from(name), spaceId, { name })
      const target = yield* tempDir

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(pathsOf(events, "Downloaded").sort()).toEqual([...names].sort())
      expect(readdirSync(target).sort()).toEqual([...names].sort())
      for (const name of names) expect(readFileSync(join(target, name), "utf8")).toBe(name)
    })
  )

  it.scoped("a local name with a backslash is left alone: not deleted by delete, with a warning", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      yield* fc.files.upload(Buffer.from("a\\b"), spaceId, { name: "a\\b.txt" })
      const target = yield* tempDir
      write(target, { "a\\b.txt": "local" })

      const events = yield* run(fc.sync.pull({ spaceId }, target, { delete: true }))

      expect(readFileSync(join(target, "a\\b.txt"), "utf8")).toBe("local")
      expect(pathsOf(events, "Deleted")).toEqual([])
    })
  )

  it.scoped("an infected file fails alone; the others are pulled", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const spaceId = yield* space
      yield* fc.files.upload(Buffer.from("fine"), spaceId, { name: "fine.txt" })
      yield* fc.files.upload(Buffer.from(Emulator.eicar), spaceId, { name: "eicar.txt" })
      const target = yield* tempDir

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(pathsOf(events, "Downloaded")).toEqual(["fine.txt"])
      const failed = events.find((e) => e._tag === "Failed")
      expect(failed?._tag === "Failed" && [failed.path, failed.action, failed.error._tag]).toEqual([
        "eicar.txt",
        "download",
        "ConflictError"
      ])
      expect(summaryOf(events)).toMatchObject({ downloaded: 1, failed: 1 })
      expect(existsSync(join(target, "eicar.txt"))).toBe(false)
    })
  )

  it.scoped("files still being scanned right after a push are awaited, then pulled", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const source = yield* tempDir
      write(source, { "a.txt": "a", "b/c.txt": "c" })
      const spaceId = yield* space
      yield* run(fc.sync.push(source, { spaceId }))
      const target = yield* tempDir

      const events = yield* run(fc.sync.pull({ spaceId }, target))

      expect(summaryOf(events)).toMatchObject({ downloaded: 2, failed: 0 })
      expect(read(target)).toEqual(read(source))
    }).pipe(
      Effect.provide(
        clientLayer().pipe(
          Layer.provideMerge(EmulatorServer.layer({ port: 0, minPartSize: KiB, scanDelay: "300 millis" }))
        )
      )
    )
  )

  describe("what stops the whole run", () => {
    it.scoped("a local path that is a file: TargetError", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const spaceId = yield* space
        const file = join(yield* tempDir, "file")
        writeFileSync(file, "x")
        const error = yield* Effect.flip(run(fc.sync.pull({ spaceId }, file)))
        expect(error._tag).toBe("TargetError")
      })
    )

    it.scoped("no FileSystem or Path in the client's context: TargetError (pull), SourceError (push)", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const spaceId = yield* space
        const dir = yield* tempDir
        const pull = yield* Effect.flip(run(fc.sync.pull({ spaceId }, dir)))
        const push = yield* Effect.flip(run(fc.sync.push(dir, { spaceId })))
        expect([pull._tag, push._tag]).toEqual(["TargetError", "SourceError"])
        expect(pull.message).toContain("needs a FileSystem and a Path")
      }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
    )
  })
})

describe("sync against a hostile server", () => {
  it.scopedLive("a folder listed inside itself (a cycle) is walked once, with a warning: the walk ends", () =>
    Effect.gen(function* () {
      const A = "6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
      let listings = 0
      const mock = MockHttp.make((request, url) => {
        if (url.pathname.endsWith("/folders")) {
          listings += 1
          // a walk that goes round the cycle fails here instead of running forever
          if (listings > 20) return Effect.dieMessage("the walk went round the cycle")
          // the Space root lists A, and A lists itself
          return MockHttp.json(200, [folderWire({ id: A, name: "A", space_id: SPACE_ID, parent_id: null })])(
            request,
            url
          )
        }
        return MockHttp.json(200, [])(request, url)
      })
      const target = yield* tempDir
      const events = yield* run(
        Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
          Effect.succeed(fc.sync.pull({ spaceId: SPACE_ID }, target, { dryRun: true }))
        ).pipe(
          Stream.unwrap,
          Stream.provideLayer(
            FluidCloud.layer({ apiKey: Redacted.make(MockHttp.API_KEY), baseUrl: MockHttp.BASE_URL }).pipe(
              Layer.provide(Layer.merge(mock.layer, Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)))
            )
          )
        )
      ).pipe(Effect.timeout("20 seconds"))
      expect(listings).toBe(2)
      expect(events.flatMap((e) => (e._tag === "Warning" ? [`${e.reason} ${e.path}`] : []))).toEqual(["conflict A/A"])
      expect(pathsOf(events, "Planned")).toEqual(["A"])
    })
  )
})
