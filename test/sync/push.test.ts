/**
 * `sync.push` against the emulator over real HTTP, from a temporary directory: a tree with nested,
 * empty, unicode and space-containing names, empty files and a symlink; a second push sends no
 * write; one changed byte uploads one file and trashes the replaced one; `delete` trashes exactly
 * the missing files; a dry run sends no write; part faults fail some files only, and a rerun
 * finishes them; include/exclude; duplicate remote names; what stops a whole run.
 */
import { rmSync } from "node:fs"
import { describe, expect, layer } from "@effect/vitest"
import { Checkpoints, Contract, Domain, Errors, FluidCloud, Sync } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Effect, Exit, Layer, Option, Ref, Schema } from "effect"
import {
  bytesOf,
  clearLog,
  clientLayer,
  emulatorLayer,
  KiB,
  pathsOf,
  pushed,
  run,
  sha256,
  space,
  summaryOf,
  tempDir,
  tree,
  write,
  writes
} from "./support.js"

const Env = clientLayer().pipe(Layer.provideMerge(emulatorLayer))

/** Every live folder and file under the Space root, by relative path: files with size, sha256 and client key. */
const remoteTree = (spaceId: Domain.SpaceId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const out: Record<string, unknown> = {}
    const visit = (rel: string, folderId: Domain.FolderId | undefined): Effect.Effect<void, unknown> =>
      Effect.gen(function* () {
        for (const file of yield* fc.files.list(spaceId, { folderId })) {
          out[rel === "" ? file.originalName : `${rel}/${file.originalName}`] = {
            size: Option.getOrUndefined(file.size),
            sha256: Option.getOrUndefined(file.sha256),
            clientKey: Option.getOrUndefined(file.clientKey)
          }
        }
        for (const folder of yield* fc.folders.list(spaceId, { parentId: folderId })) {
          const path = rel === "" ? folder.name : `${rel}/${folder.name}`
          out[path] = "folder"
          yield* visit(path, folder.id)
        }
      })
    yield* visit("", undefined)
    return out
  })

const bytes = (content: string | Uint8Array) => (typeof content === "string" ? Buffer.from(content) : content)
const entry = (content: string | Uint8Array, clientKey: string) => ({
  size: bytes(content).byteLength,
  sha256: sha256(bytes(content)),
  clientKey
})

layer(Env, { timeout: 120_000, excludeTestServices: true })("sync.push (HTTP)", (it) => {
  it.scoped("mirrors a tree: a folder per directory (empty ones too), client keys of relative paths", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { ...tree, "link.txt": { link: "a.txt" } })
      const spaceId = yield* space

      const events = yield* run(fc.sync.push(dir, { spaceId }, { clientKeyPrefix: "results/job-7/" }))

      expect(yield* remoteTree(spaceId)).toEqual({
        "a.txt": entry("alpha", "results/job-7/a.txt"),
        "empty.bin": entry("", "results/job-7/empty.bin"),
        "big.bin": entry(tree["big.bin"], "results/job-7/big.bin"),
        docs: "folder",
        "docs/read me.md": entry("# hello", "results/job-7/docs/read me.md"),
        "docs/ünïcødé 文件.txt": entry("unicode", "results/job-7/docs/ünïcødé 文件.txt"),
        "docs/deep": "folder",
        "docs/deep/er": "folder",
        "docs/deep/er/nested.txt": entry("nested", "results/job-7/docs/deep/er/nested.txt"),
        "docs/empty": "folder",
        "docs/empty/inner": "folder",
        "empty dir": "folder"
      })
      expect(events.filter((e) => e._tag === "Warning")).toEqual([
        Sync.SyncEvent.Warning({ path: "link.txt", reason: "symlink", detail: "a symbolic link, not followed" })
      ])
      expect(pathsOf(events, "Uploaded")).toEqual([
        "a.txt",
        "big.bin",
        "docs/deep/er/nested.txt",
        "docs/read me.md",
        "docs/ünïcødé 文件.txt",
        "empty.bin"
      ])
      expect(summaryOf(events)).toMatchObject({
        direction: "push",
        dryRun: false,
        uploaded: 6,
        skipped: 0,
        folders: 6,
        failed: 0,
        warnings: 1
      })
      // planned first, then done: every upload was planned before any started
      const firstUploaded = events.findIndex((e) => e._tag === "Uploaded")
      expect(events.slice(0, firstUploaded).filter((e) => e._tag === "Planned")).toHaveLength(12)
      // the multi-part file reported its parts
      expect(events.filter((e) => e._tag === "Progress" && e.path === "big.bin").length).toBe(3)
    })
  )

  it.scoped("a second push sends no write request; changing one byte uploads one file and trashes the old one", () =>
    Effect.gen(function* () {
      const { fc, dir, spaceId } = yield* pushed
      const before = yield* fc.files.list(spaceId)
      const replaced = before.find((file) => file.originalName === "a.txt")

      yield* clearLog
      const again = yield* run(fc.sync.push(dir, { spaceId }))
      expect(yield* writes).toEqual([])
      expect(summaryOf(again)).toMatchObject({ uploaded: 0, skipped: 6, folders: 0, deleted: 0, failed: 0 })

      write(dir, { "a.txt": "alphA" })
      yield* clearLog
      const changed = yield* run(fc.sync.push(dir, { spaceId }))
      expect(yield* writes).toEqual([
        "POST initiateUpload",
        "PUT putUploadPart",
        "POST completeUpload",
        "DELETE deleteFile"
      ])
      const uploaded = changed.find((e) => e._tag === "Uploaded")
      expect(uploaded?._tag === "Uploaded" && uploaded.replaced).toBe(replaced?.id)
      expect(summaryOf(changed)).toMatchObject({ uploaded: 1, skipped: 5 })
      // one live file of that name, the new one; the replaced one is in trash and restorable
      const live = (yield* fc.files.list(spaceId)).filter((file) => file.originalName === "a.txt")
      expect(live.map((file) => Option.getOrUndefined(file.sha256))).toEqual([sha256(Buffer.from("alphA"))])
      const trash = yield* fc.files.list(spaceId, { trash: true })
      expect(trash.map((file) => file.id)).toEqual([replaced?.id])
      if (replaced !== undefined) yield* fc.files.restore(replaced.id)
    })
  )

  it.scoped("an unchanged tree is not hashed again: the hash cache answers for every file", () =>
    Effect.gen(function* () {
      const gets = yield* Ref.make(0)
      const hits = yield* Ref.make(0)
      const sets = yield* Ref.make(0)
      const memory = yield* Sync.makeHashCacheMemory
      const counting: Sync.HashCacheService = {
        get: (key) =>
          Effect.tap(memory.get(key), (found) =>
            Effect.zipRight(
              Ref.update(gets, (n) => n + 1),
              Ref.update(hits, (n) => n + (Option.isSome(found) ? 1 : 0))
            )
          ),
        set: (key, sha) =>
          Effect.zipRight(
            Ref.update(sets, (n) => n + 1),
            memory.set(key, sha)
          )
      }
      const client = clientLayer(Layer.succeed(Sync.HashCache, counting))
      yield* Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const dir = yield* tempDir
        write(dir, tree)
        const spaceId = yield* space
        yield* run(fc.sync.push(dir, { spaceId }))
        // the uploads remembered the sha256 the service verified: nothing was hashed to compare
        expect(yield* Ref.get(sets)).toBe(6)
        expect(yield* Ref.get(gets)).toBe(0)

        const again = yield* run(fc.sync.push(dir, { spaceId }))
        expect(summaryOf(again).skipped).toBe(6)
        expect([yield* Ref.get(gets), yield* Ref.get(hits), yield* Ref.get(sets)]).toEqual([6, 6, 6])
      }).pipe(Effect.provide(client))
    })
  )

  it.scoped("a dry run reads the hash cache but stores nothing in it (it writes nothing locally)", () =>
    Effect.gen(function* () {
      const gets = yield* Ref.make(0)
      const sets = yield* Ref.make(0)
      const memory = yield* Sync.makeHashCacheMemory
      const counting: Sync.HashCacheService = {
        get: (key) =>
          Effect.zipRight(
            Ref.update(gets, (n) => n + 1),
            memory.get(key)
          ),
        set: (key, sha) =>
          Effect.zipRight(
            Ref.update(sets, (n) => n + 1),
            memory.set(key, sha)
          )
      }
      // pushed by another client (with its own cache): this one hashes every file to compare
      const { dir, spaceId } = yield* pushed
      yield* Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const events = yield* run(fc.sync.push(dir, { spaceId }, { dryRun: true }))
        expect(summaryOf(events).skipped).toBe(6)
        expect([yield* Ref.get(gets), yield* Ref.get(sets)]).toEqual([6, 0])
      }).pipe(Effect.provide(clientLayer(Layer.succeed(Sync.HashCache, counting))))
    })
  )

  it.scoped("with an UploadCheckpoints store, the hashes outlive the client: a later client uses them", () =>
    Effect.gen(function* () {
      const store = yield* Effect.provide(Checkpoints.UploadCheckpoints, Checkpoints.layerMemory)
      const withStore = clientLayer(Layer.succeed(Checkpoints.UploadCheckpoints, store))
      const dir = yield* tempDir
      write(dir, tree)
      const spaceId = yield* space
      yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => run(fc.sync.push(dir, { spaceId }))).pipe(
        Effect.provide(withStore)
      )
      const hashes = store.namespace(
        "hashes",
        Schema.Struct({ size: Schema.Number, mtimeMs: Schema.Number, sha256: Schema.String })
      )
      const held = yield* hashes.list
      expect(held.map(([path, entry]) => [path.slice(dir.length + 1), entry.sha256]).sort()).toEqual(
        Object.entries(tree)
          .flatMap(
            ([path, content]): Array<[string, string]> =>
              typeof content === "string" || content instanceof Uint8Array ? [[path, sha256(bytes(content))]] : []
          )
          .sort()
      )
      // a wrong hash planted in the store for an unchanged a.txt: a new client believes the store
      // (it does not read the file) and so uploads it again
      const aTxt = held.find(([path]) => path.endsWith("/a.txt"))
      if (aTxt !== undefined) yield* hashes.set(aTxt[0], { ...aTxt[1], sha256: "0".repeat(64) })
      const again = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => run(fc.sync.push(dir, { spaceId }))).pipe(
        Effect.provide(withStore)
      )
      expect(summaryOf(again)).toMatchObject({ uploaded: 1, skipped: 5 })
      expect(again.flatMap((e) => (e._tag === "Uploaded" ? [e.path] : []))).toEqual(["a.txt"])
    })
  )

  it.scoped("delete: exactly the remote files absent locally go to the trash", () =>
    Effect.gen(function* () {
      const { fc, dir, spaceId } = yield* pushed
      rmSync(`${dir}/a.txt`)
      rmSync(`${dir}/docs/deep`, { recursive: true })

      const kept = yield* run(fc.sync.push(dir, { spaceId }))
      expect(summaryOf(kept).deleted).toBe(0)

      yield* clearLog
      const events = yield* run(fc.sync.push(dir, { spaceId }, { delete: true }))
      expect(pathsOf(events, "Deleted")).toEqual(["a.txt", "docs/deep/er/nested.txt"])
      expect(yield* writes).toEqual(["DELETE deleteFile", "DELETE deleteFile"])
      const trash = yield* fc.files.list(spaceId, { trash: true })
      expect(trash.map((file) => file.originalName).sort()).toEqual(["a.txt", "nested.txt"])
      // folders are never deleted
      expect((yield* remoteTree(spaceId))["docs/deep/er"]).toBe("folder")
    })
  )

  it.scoped("a dry run sends no write request and lists what it would do", () =>
    Effect.gen(function* () {
      const { fc, dir, spaceId } = yield* pushed
      write(dir, { "a.txt": "changed", "new/file.txt": "new" })
      rmSync(`${dir}/empty.bin`)

      yield* clearLog
      const events = yield* run(fc.sync.push(dir, { spaceId, path: "not/there/yet" }, { dryRun: true, delete: true }))
      const planned = yield* run(fc.sync.push(dir, { spaceId }, { dryRun: true, delete: true }))

      expect(yield* writes).toEqual([])
      // into a missing target path, everything would be created
      expect(summaryOf(events)).toMatchObject({ dryRun: true, uploaded: 6, folders: 7, skipped: 0 })
      expect(planned.flatMap((e) => (e._tag === "Planned" ? [`${e.action} ${e.path}`] : []))).toEqual([
        "folder new",
        "upload a.txt",
        "upload new/file.txt",
        "delete empty.bin"
      ])
      expect(summaryOf(planned)).toMatchObject({ dryRun: true, uploaded: 2, deleted: 1, folders: 1, skipped: 4 })
      // nothing was created: neither the target path nor `new`
      expect((yield* fc.folders.list(spaceId)).map((folder) => folder.name).sort()).toEqual(["docs", "empty dir"])
    })
  )

  it.scoped("part faults fail only their files (the others are stored); running again finishes them", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const dir = yield* tempDir
      // the two files of 3 parts or more fail on their third part, every time
      write(dir, {
        ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`small/${i}.txt`, `file ${i}`])),
        "big/one.bin": bytesOf(3 * 4 * KiB, 1),
        "big/two.bin": bytesOf(5 * 4 * KiB, 2)
      })
      const spaceId = yield* space
      yield* emulator.failPartPut({ partNumber: 3, attempt: "every", status: 400 })

      const first = yield* run(fc.sync.push(dir, { spaceId }, { jobs: 3 }))
      expect(pathsOf(first, "Failed")).toEqual(["big/one.bin", "big/two.bin"])
      expect(summaryOf(first)).toMatchObject({ uploaded: 8, failed: 2 })
      const failure = first.find((e) => e._tag === "Failed")
      expect(failure?._tag === "Failed" && failure.error._tag).toBe("ApiError")
      // the failed uploads were aborted: nothing is left open
      expect(yield* emulator.openUploads).toEqual([])

      yield* emulator.clearFaults
      const second = yield* run(fc.sync.push(dir, { spaceId }))
      expect(pathsOf(second, "Uploaded")).toEqual(["big/one.bin", "big/two.bin"])
      expect(summaryOf(second)).toMatchObject({ uploaded: 2, skipped: 8, failed: 0 })
    })
  )

  it.scoped("resume: a failed file keeps its upload; the next push sends only its missing parts", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const store = yield* Effect.provide(Checkpoints.UploadCheckpoints, Checkpoints.layerMemory)
      const dir = yield* tempDir
      write(dir, { "ok.txt": "fine", "big.bin": bytesOf(5 * 4 * KiB, 3) })
      const spaceId = yield* space
      yield* emulator.failPartPut({ partNumber: 4, attempt: "every", status: 400 })
      const push = Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
        run(fc.sync.push(dir, { spaceId }, { resume: true, concurrency: 1 }))
      ).pipe(Effect.provide(clientLayer(Layer.succeed(Checkpoints.UploadCheckpoints, store))))

      const first = yield* push
      expect(pathsOf(first, "Failed")).toEqual(["big.bin"])
      // kept: the upload is open on the server, and its checkpoint holds the parts that landed
      const open = yield* emulator.openUploads
      expect(open).toHaveLength(1)
      const uploadId = open[0]?.uploadId ?? ""
      const kept = yield* store.uploads.list
      expect(kept.map(([, checkpoint]) => checkpoint.uploadId)).toEqual([uploadId])
      const before = (yield* emulator.partPuts({ uploadId })).length

      yield* emulator.clearFaults
      const second = yield* push
      expect(pathsOf(second, "Uploaded")).toEqual(["big.bin"])
      expect(summaryOf(second)).toMatchObject({ uploaded: 1, skipped: 1, failed: 0 })
      // the same upload, completed with the parts it lacked (4 and 5) only
      const puts = (yield* emulator.partPuts({ uploadId })).slice(before)
      expect(puts.map((put) => put.partNumber).sort()).toEqual([4, 5])
      expect(yield* emulator.openUploads).toEqual([])
      expect(yield* store.uploads.list).toEqual([])
    })
  )

  it.scoped("resume without an UploadCheckpoints store: ValidationError before anything is sent", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { "a.txt": "a" })
      const spaceId = yield* space
      yield* clearLog
      const exit = yield* Effect.exit(run(fc.sync.push(dir, { spaceId }, { resume: true })))
      expect(exit).toStrictEqual(
        Exit.fail(
          new Errors.ValidationError({
            field: "resume",
            description:
              "needs an UploadCheckpoints store in the client's context (NodeFluidCloud.layer has one, or Checkpoints.layerMemory)"
          })
        )
      )
      expect(yield* writes).toEqual([])
    })
  )

  it.scoped("include and exclude: globs on relative paths; excluded directories and their files are left out", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, {
        "a.txt": "a",
        "b.log": "b",
        "src/c.txt": "c",
        "src/d.ts": "d",
        "node_modules/x/e.txt": "e",
        ".hidden/f.txt": "f"
      })
      const spaceId = yield* space

      const events = yield* run(
        fc.sync.push(dir, { spaceId }, { include: ["**/*.txt"], exclude: ["node_modules", "**/.hidden/**"] })
      )

      expect(pathsOf(events, "Uploaded")).toEqual(["a.txt", "src/c.txt"])
      expect(pathsOf(events, "FolderCreated")).toEqual(["src"])

      // files left out are never deleted either
      const again = yield* run(fc.sync.push(dir, { spaceId }, { include: ["src/**"], delete: true }))
      expect(pathsOf(again, "Deleted")).toEqual([])
      expect(summaryOf(again)).toMatchObject({ uploaded: 1, skipped: 1 })
    })
  )

  it.scoped("several live files of one name: the newest counts, a warning, the others are left alone", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { "report.txt": "new", "other.txt": "o" })
      const spaceId = yield* space
      const older = yield* fc.files.upload(Buffer.from("old"), spaceId, { name: "report.txt" })
      yield* Effect.sleep("20 millis")
      const newer = yield* fc.files.upload(Buffer.from("new"), spaceId, { name: "report.txt" })

      const events = yield* run(fc.sync.push(dir, { spaceId }, { delete: true }))

      expect(events.filter((e) => e._tag === "Warning")).toEqual([
        Sync.SyncEvent.Warning({
          path: "report.txt",
          reason: "duplicate",
          detail: `2 live files of this name: using the newest (${newer.id}), leaving ${older.id} alone`
        })
      ])
      expect(pathsOf(events, "Skipped")).toEqual(["report.txt"])
      expect(pathsOf(events, "Deleted")).toEqual([])
      const live = yield* fc.files.list(spaceId)
      expect(live.map((file) => file.id).sort()).toEqual(
        [older.id, newer.id, ...live.filter((f) => f.originalName === "other.txt").map((f) => f.id)].sort()
      )
    })
  )

  it.scoped("into a folder path: missing folders are created, then found again", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { "x.txt": "x" })
      const spaceId = yield* space
      const root = yield* fc.folders.create("exports", spaceId)

      yield* run(fc.sync.push(dir, { spaceId, folderId: root.id, path: "2024/june" }))
      const again = yield* run(fc.sync.push(dir, { spaceId, folderId: root.id, path: "2024/june" }))

      expect(summaryOf(again)).toMatchObject({ uploaded: 0, skipped: 1 })
      const [year] = yield* fc.folders.list(spaceId, { parentId: root.id })
      expect(year?.name).toBe("2024")
      const [june] = year === undefined ? [] : yield* fc.folders.list(spaceId, { parentId: year.id })
      expect(june?.name).toBe("june")
      const files = june === undefined ? [] : yield* fc.files.list(spaceId, { folderId: june.id })
      expect(files.map((file) => file.originalName)).toEqual(["x.txt"])
    })
  )

  it.scoped("followSymlinks: a linked file is uploaded with the bytes it points to", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { "real/a.txt": "alpha", "link.txt": { link: "real/a.txt" }, "loop/self": { link: ".." } })
      const spaceId = yield* space

      const events = yield* run(fc.sync.push(dir, { spaceId }, { followSymlinks: true }))

      expect(pathsOf(events, "Uploaded")).toEqual(["link.txt", "real/a.txt"])
      expect(events.filter((e) => e._tag === "Warning").map((e) => e._tag === "Warning" && e.path)).toEqual([
        "loop/self"
      ])
    })
  )

  it.scoped("followSymlinks: a link that loops or leads nowhere is a warning, not a failure", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, {
        "a.txt": "alpha",
        loop1: { link: "loop2" },
        loop2: { link: "loop1" },
        dangling: { link: "nowhere" }
      })
      const spaceId = yield* space

      const events = yield* run(fc.sync.push(dir, { spaceId }, { followSymlinks: true }))

      expect(pathsOf(events, "Uploaded")).toEqual(["a.txt"])
      expect(pathsOf(events, "Failed")).toEqual([])
      expect(events.flatMap((e) => (e._tag === "Warning" ? [`${e.reason} ${e.path}`] : []))).toEqual([
        "symlink dangling",
        "symlink loop1",
        "symlink loop2"
      ])
      expect(summaryOf(events).failed).toBe(0)
    })
  )

  it.scoped("a local name with a backslash is not pushed (a warning), so it is not uploaded again on every push", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const dir = yield* tempDir
      write(dir, { "ok.txt": "ok", "a\\b.txt": "x", "d\\e/inner.txt": "y" })
      const spaceId = yield* space

      for (let run_ = 0; run_ < 2; run_++) {
        const events = yield* run(fc.sync.push(dir, { spaceId }))
        expect(pathsOf(events, "Uploaded")).toEqual(run_ === 0 ? ["ok.txt"] : [])
        expect(events.flatMap((e) => (e._tag === "Warning" ? [`${e.reason} ${e.path}`] : []))).toEqual([
          "unsafeName a\\b.txt",
          "unsafeName d\\e"
        ])
      }
      expect((yield* fc.files.list(spaceId)).map((f) => f.originalName)).toEqual(["ok.txt"])
    })
  )

  it.scoped("sends only the operations Contract.methods lists for it", () =>
    Effect.gen(function* () {
      const { fc, dir, spaceId } = yield* pushed
      write(dir, { "a.txt": "changed" })
      yield* clearLog
      yield* run(fc.sync.push(dir, { spaceId, path: "sub" }, { delete: true }))
      yield* run(fc.sync.push(dir, { spaceId }, { delete: true }))
      const sent = new Set(
        (yield* Emulator.requestLog).flatMap((entry) => (entry.operationId === null ? [] : [entry.operationId]))
      )
      expect([...sent].sort()).toEqual([...Contract.methods["sync.push"]].filter((id) => id !== "abortUpload").sort())
    })
  )

  describe("what stops the whole run", () => {
    it.scoped("a missing local directory: SourceError, nothing sent", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const spaceId = yield* space
        yield* clearLog
        const exit = yield* Effect.exit(run(fc.sync.push("/no/such/dir", { spaceId })))
        expect(exit).toStrictEqual(
          Exit.fail(expect.objectContaining({ _tag: "SourceError", description: "no such directory: /no/such/dir" }))
        )
        expect(yield* Emulator.requestLog).toEqual([])
      })
    )

    it.scoped("a target folder that does not exist: NotFoundError", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const dir = yield* tempDir
        const spaceId = yield* space
        const exit = yield* Effect.exit(
          run(fc.sync.push(dir, { spaceId, folderId: Domain.FolderId.make("5f0c7a52-1d1b-4a44-9d0e-5b1a2b3c4d5e") }))
        )
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("NotFoundError")
      })
    )

    it.scoped("bad options: ValidationError before anything is read or sent", () =>
      Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const dir = yield* tempDir
        const spaceId = yield* space
        yield* clearLog
        const failures = yield* Effect.forEach(
          [
            fc.sync.push(dir, { spaceId }, { jobs: 0 }),
            fc.sync.push(dir, { spaceId }, { include: [""] }),
            fc.sync.push(dir, { spaceId }, { concurrency: 65 }),
            fc.sync.push("", { spaceId }),
            fc.sync.push(dir, { spaceId: Domain.SpaceId.make("nope", true) })
          ],
          (stream) => Effect.flip(run(stream))
        )
        expect(failures.map((error) => [error._tag, error._tag === "ValidationError" && error.field])).toEqual([
          ["ValidationError", "jobs"],
          ["ValidationError", "include[0]"],
          ["ValidationError", "concurrency"],
          ["ValidationError", "localDir"],
          ["ValidationError", "spaceId"]
        ])
        expect(yield* Emulator.requestLog).toEqual([])
      })
    )
  })
})
