/**
 * `fluidcloud sync` as a subprocess against the emulator over real HTTP, in temporary
 * directories: a line per action and a summary; a second run sends no write request; `--dry-run`
 * sends none and lists what it would do; `--delete`; the `--json` document; part faults exit 15
 * with one stderr line per failure and the document still on stdout, and running again finishes;
 * pull reproduces the tree byte for byte; usage errors; names stripped of terminal escapes;
 * Ctrl-C aborts the uploads in flight and exits 130.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schema } from "effect"
import * as SyncReport from "../src/internal/syncReport.js"
import { cleanEnv, cliBin, eventually, runScript, spawnScript } from "./process.js"

const KiB = 1024

const Env = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, scanDelay: 0, minPartSize: KiB, forcePartSize: 4 * KiB })))

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-cli-sync-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const writeTree = (root: string, tree: Record<string, string | null>) => {
  for (const [path, content] of Object.entries(tree)) {
    const target = join(root, ...path.split("/"))
    if (content === null) mkdirSync(target, { recursive: true })
    else {
      mkdirSync(join(target, ".."), { recursive: true })
      writeFileSync(target, content)
    }
  }
}

/** Every file (base64) and directory (`null`) under `root`. */
const readTree = (root: string): Record<string, string | null> => {
  const out: Record<string, string | null> = {}
  const visit = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = rel === "" ? name : `${rel}/${name}`
      if (statSync(join(dir, name)).isDirectory()) {
        out[path] = null
        visit(join(dir, name), path)
      } else out[path] = readFileSync(join(dir, name)).toString("base64")
    }
  }
  visit(root, "")
  return out
}

const tree = {
  "a.txt": "alpha",
  "empty.bin": "",
  "docs/read me.md": "# hello",
  "docs/ünïcødé 文件.txt": "unicode",
  "docs/deep/nested.txt": "nested",
  "empty dir": null
}

const env = Effect.map(Emulator.Emulator, (emulator) =>
  cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
)

const fluidcloud = (...args: ReadonlyArray<string>) => Effect.flatMap(env, (e) => runScript(cliBin, args, e))

const newSpace = Effect.flatMap(FluidCloud.FluidCloud, (fc) => Effect.map(fc.spaces.create("cli sync"), (s) => s.id))

const writes = Effect.map(Emulator.requestLog, (log) => log.filter((entry) => entry.method !== "GET").length)
const clearLog = Effect.flatMap(Emulator.Emulator, (emulator) => emulator.clearRequestLog)

const decodeDocument = Schema.decodeUnknownSync(Schema.parseJson(SyncReport.Document))

/**
 * `fluidcloud sync` of two files whose part PUTs hang (10 s of storage latency), sent Ctrl-C once
 * both uploads are open on the server and `ready` holds; the faults are cleared with the scope.
 */
const interruptedSync = (
  extraArgs: ReadonlyArray<string>,
  environment: NodeJS.ProcessEnv,
  ready: Effect.Effect<boolean>
) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const dir = yield* tempDir
    writeTree(dir, { "a.bin": "a".repeat(8 * KiB), "b.bin": "b".repeat(8 * KiB) })
    const spaceId = yield* newSpace
    yield* emulator.setLatency("10 seconds", { pathPrefix: "/storage/" })
    yield* Effect.addFinalizer(() => emulator.clearFaults)
    const sync = yield* spawnScript(cliBin, ["sync", dir, `fc://${spaceId}`, ...extraArgs], environment)
    const inFlight = yield* eventually(
      Effect.zipWith(emulator.openUploads, ready, (open, isReady) => open.length === 2 && isReady),
      "20 seconds"
    )
    expect(inFlight).toBe(true)
    sync.child.kill("SIGINT")
    return { dir, spaceId, result: yield* sync.result }
  })

layer(Env, { timeout: 180_000, excludeTestServices: true })("fluidcloud sync (subprocess)", (it) => {
  it.effect(
    "push: a line per action and a summary; again: nothing sent; --dry-run: nothing sent, what it would do",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        writeTree(dir, tree)
        const spaceId = yield* newSpace
        const remote = `fc://${spaceId}/backups/2024`

        const first = yield* fluidcloud("sync", dir, remote)
        expect(first.code).toBe(0)
        const lines = first.stdout.split("\n").filter((l) => l !== "")
        expect(lines.slice(0, 3)).toEqual(["mkdir    docs", "mkdir    empty dir", "mkdir    docs/deep"])
        // one line per upload as it completes (several run at once: in any order), then the summary
        expect(lines.slice(3, -1).sort()).toEqual([
          "upload   a.txt (5 B)",
          "upload   docs/deep/nested.txt (6 B)",
          "upload   docs/read me.md (7 B)",
          "upload   docs/ünïcødé 文件.txt (7 B)",
          "upload   empty.bin (0 B)"
        ])
        expect(lines.at(-1)).toMatch(
          /^uploaded 5 files \(25 B\), deleted 0 files, created 3 folders; 0 unchanged, 0 failed, in \S+$/
        )

        yield* clearLog
        const again = yield* fluidcloud("--json", "sync", dir, remote)
        expect(again.code).toBe(0)
        expect(yield* writes).toBe(0)
        const document = decodeDocument(again.stdout)
        expect(document.uploaded).toEqual([])
        expect(document.skipped.map((e) => e.path)).toEqual([
          "a.txt",
          "docs/deep/nested.txt",
          "docs/read me.md",
          "docs/ünïcødé 文件.txt",
          "empty.bin"
        ])
        expect(document.skipped[0]).toEqual({ path: "a.txt", size: 5, file_id: expect.any(String) })

        writeFileSync(join(dir, "a.txt"), "alphA")
        rmSync(join(dir, "empty.bin"))
        yield* clearLog
        const dry = yield* fluidcloud("sync", dir, remote, "--dry-run", "--delete")
        expect(dry.code).toBe(0)
        expect(yield* writes).toBe(0)
        expect(dry.stdout.split("\n").filter((l) => l !== "")).toEqual([
          "would upload   a.txt (5 B)",
          "would delete   empty.bin (0 B)",
          "dry run: would upload 1 file (5 B), delete 1 file, create 0 folders; 3 unchanged"
        ])
        const dryJson = decodeDocument(
          (yield* fluidcloud("--json", "sync", dir, remote, "--dry-run", "--delete")).stdout
        )
        expect(dryJson).toMatchObject({
          dry_run: true,
          uploaded: [{ path: "a.txt", size: 5 }],
          deleted: [{ path: "empty.bin", size: 0, file_id: expect.any(String) }],
          failed: []
        })

        const push = yield* fluidcloud("--json", "sync", dir, remote, "--delete")
        expect(push.code).toBe(0)
        const pushed = decodeDocument(push.stdout)
        expect(pushed.uploaded.map((e) => e.path)).toEqual(["a.txt"])
        expect(pushed.deleted.map((e) => e.path)).toEqual(["empty.bin"])
        // the replaced a.txt and the deleted empty.bin are in the trash
        const fc = yield* FluidCloud.FluidCloud
        const trash = yield* fc.files.list(spaceId, { trash: true })
        expect(trash.map((file) => file.originalName).sort()).toEqual(["a.txt", "empty.bin"])
      }).pipe(Effect.scoped)
  )

  it.effect("part faults: exit 15, one stderr line per failure, the document on stdout; running again finishes", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const dir = yield* tempDir
      writeTree(dir, { "ok/1.txt": "one", "ok/2.txt": "two", "big/x.bin": "x".repeat(12 * KiB) })
      writeTree(dir, { "big/y.bin": "y".repeat(9 * KiB) })
      const spaceId = yield* newSpace
      yield* emulator.failPartPut({ partNumber: 3, attempt: "every", status: 400 })
      yield* Effect.addFinalizer(() => emulator.clearFaults)

      const failed = yield* fluidcloud("--json", "sync", dir, `fc://${spaceId}`, "--jobs", "2")

      expect(failed.code).toBe(15)
      const document = decodeDocument(failed.stdout)
      expect(document.uploaded.map((e) => e.path)).toEqual(expect.arrayContaining(["ok/1.txt", "ok/2.txt"]))
      expect(document.failed).toEqual([
        { path: expect.stringMatching(/^big\/[xy]\.bin$/), tag: "ApiError", detail: expect.stringContaining("400") },
        { path: expect.stringMatching(/^big\/[xy]\.bin$/), tag: "ApiError", detail: expect.stringContaining("400") }
      ])
      const lines = failed.stderr.split("\n").filter((l) => l !== "")
      expect(lines.filter((l) => /^fluidcloud: upload big\/[xy]\.bin failed: ApiError/.test(l))).toHaveLength(2)
      expect(lines.at(-1)).toBe("fluidcloud: sync: 2 of 4 transfers failed (above); the others completed")

      yield* emulator.clearFaults
      const rerun = yield* fluidcloud("--json", "sync", dir, `fc://${spaceId}`)
      expect(rerun.code).toBe(0)
      const finished = decodeDocument(rerun.stdout)
      expect(finished.uploaded.map((e) => e.path).sort()).toEqual(["big/x.bin", "big/y.bin"])
      expect(finished.skipped.map((e) => e.path)).toEqual(["ok/1.txt", "ok/2.txt"])
    }).pipe(Effect.scoped)
  )

  it.effect("pull into a new directory reproduces the tree byte for byte; a second pull downloads nothing", () =>
    Effect.gen(function* () {
      const source = yield* tempDir
      writeTree(source, tree)
      const spaceId = yield* newSpace
      expect((yield* fluidcloud("sync", source, `fc://${spaceId}/out`)).code).toBe(0)
      const target = join(yield* tempDir, "copy")

      const pulled = yield* fluidcloud("sync", `fc://${spaceId}/out`, target)
      expect(pulled.code).toBe(0)
      expect(readTree(target)).toEqual(readTree(source))

      yield* clearLog
      const again = yield* fluidcloud("--json", "sync", `fc://${spaceId}/out`, target)
      expect(decodeDocument(again.stdout)).toMatchObject({ downloaded: [], failed: [] })
      const emulator = yield* Emulator.Emulator
      expect(yield* emulator.storageGets()).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.effect("usage errors exit 2; a missing folder to pull from exits 5", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const spaceId = yield* newSpace
      const both = yield* fluidcloud("sync", dir, dir)
      expect([both.code, both.stderr.trim()]).toEqual([
        2,
        "fluidcloud: one side of sync must be a local directory and the other fc://SPACE_ID[/folder/path]"
      ])
      const bad = yield* fluidcloud("sync", dir, "fc://nope/x")
      expect([bad.code, bad.stderr.trim()]).toEqual([
        2,
        'fluidcloud: expected fc://SPACE_ID[/folder/path] with a space id (a UUID), got "fc://nope/x"'
      ])
      const prefix = yield* fluidcloud("sync", `fc://${spaceId}`, dir, "--client-key-prefix", "p")
      expect(prefix.code).toBe(2)
      const missing = yield* fluidcloud("sync", `fc://${spaceId}/no/such`, dir)
      expect([missing.code, missing.stderr.trim()]).toEqual([
        5,
        "fluidcloud: NotFoundError (HTTP 404): not_found: no folder at no"
      ])
      const noDir = yield* fluidcloud("sync", join(dir, "nope"), `fc://${spaceId}`)
      expect(noDir.code).toBe(13)
    }).pipe(Effect.scoped)
  )

  it.effect("names are printed without terminal escapes (the --json document keeps them, escaped)", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const evil = "red\u001b[31m\u001b]0;title\u0007.txt"
      writeFileSync(join(dir, evil), "x")
      const spaceId = yield* newSpace

      const human = yield* fluidcloud("sync", dir, `fc://${spaceId}`)
      expect(human.stdout).not.toContain("\u001b")
      expect(human.stdout).toContain("upload   red.txt (1 B)")

      const json = yield* fluidcloud("--json", "sync", `fc://${spaceId}`, join(dir, "copy"))
      expect(json.stdout).not.toContain("\u001b")
      expect(decodeDocument(json.stdout).downloaded.map((e) => e.path)).toEqual([evil])
    }).pipe(Effect.scoped)
  )

  it.effect(
    "Ctrl-C aborts the uploads in flight on the server, says how to continue, and exits 130",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { result } = yield* interruptedSync([], yield* env, Effect.succeed(true))

        expect(result.code).toBe(130)
        expect(result.stderr).toContain(
          "fluidcloud: interrupted; the uploads in flight were aborted: run the same command again to continue"
        )
        expect(result.stderr).not.toMatch(/\n\s+at /)
        const aborted = yield* eventually(
          Effect.map(emulator.openUploads, (open) => open.length === 0),
          "20 seconds"
        )
        expect(aborted).toBe(true)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "with --resume, Ctrl-C keeps the uploads in flight, and running the same command again finishes them",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const state = yield* tempDir
        const withState = { ...(yield* env), FLUIDCLOUD_STATE_DIR: state }
        // and their checkpoints written (an upload interrupted before its checkpoint is written
        // cannot be resumed, so it is aborted instead)
        const checkpointsWritten = Effect.sync(() => {
          try {
            return readdirSync(join(state, "uploads")).filter((name) => name.endsWith(".json")).length === 2
          } catch {
            return false
          }
        })
        const { dir, spaceId, result } = yield* interruptedSync(["--resume"], withState, checkpointsWritten)
        expect(result.code).toBe(130)
        expect(result.stderr).toContain(
          "fluidcloud: interrupted; the uploads in flight were kept: run the same command again to continue"
        )
        // kept on the server, with their checkpoints
        const kept = (yield* emulator.openUploads).map((upload) => upload.uploadId).sort()
        expect(kept).toHaveLength(2)
        expect(readdirSync(join(state, "uploads"))).toHaveLength(2)

        yield* emulator.clearFaults
        const again = yield* runScript(cliBin, ["--json", "sync", dir, `fc://${spaceId}`, "--resume"], withState)
        expect(again.code).toBe(0)
        const document = decodeDocument(again.stdout)
        expect(document.uploaded.map((entry) => entry.path).sort()).toEqual(["a.bin", "b.bin"])
        // the same two uploads completed: none left open, no checkpoint left
        expect(yield* emulator.openUploads).toEqual([])
        expect(readdirSync(join(state, "uploads"))).toEqual([])
        const stored = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.files.list(spaceId))
        expect(stored).toHaveLength(2)
      }).pipe(Effect.scoped),
    60_000
  )
})
