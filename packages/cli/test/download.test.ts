/**
 * `files download` and `uploads abort` in process against the in-process emulator: the target
 * (a path, a directory holding the file's sanitised name, stdout), `--force`, `--resume`, `--json`,
 * progress on stderr, and the exit codes of each failure.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Schema } from "effect"
import { bytesOf, sha256 } from "../../core/test/support/Bytes.js"
import { fluidcloud } from "./inProcess.js"

const KiB = 1024

/** A temporary directory removed with the scope. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-cli-download-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Stores `content` under `name`; returns the file. */
const stored = (content: Uint8Array, name = "report.pdf") =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("cli downloads")
    return yield* fc.files.upload(content, space.id, { name })
  })

const storageGets = (fileId: string) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    Effect.map(emulator.storageGets({ fileId }), (log) => log.map((g) => [g.status, g.range]))
  )

const Downloaded = Schema.parseJson(Schema.Struct({ path: Schema.String, size: Schema.Number, sha256: Schema.String }))

/** Asserts a failure: `code`, one stderr line matching `line`, nothing on stdout. */
const expectFailure = (result: { code: number; stdout: string; stderr: string }, code: number, line: RegExp) => {
  expect(result.code).toBe(code)
  const lines = result.stderr.trimEnd().split("\n")
  expect(lines.at(-1)).toMatch(line)
  expect(result.stdout).toBe("")
}

const Env = FluidCloudTest.layer({ scanDelay: 0, minPartSize: KiB, forcePartSize: 64 * KiB })

describe("files download", () => {
  it.scoped("-o PATH --json: the file, verified; {path, size, sha256}; progress lines on stderr", () =>
    Effect.gen(function* () {
      const content = bytesOf(300 * KiB, 1)
      const file = yield* stored(content)
      const path = join(yield* tempDir, "copy.pdf")

      const result = yield* fluidcloud("--json", "files", "download", file.id, "-o", path)

      expect(result.code).toBe(0)
      expect(Schema.decodeUnknownSync(Downloaded)(result.stdout)).toEqual({
        path,
        size: content.byteLength,
        sha256: sha256(content)
      })
      expect(readFileSync(path).equals(content)).toBe(true)
      expect(result.stderr).toContain("download started: 300.0 KiB\n")
      expect(result.stderr).toMatch(/downloaded 300\.0 KiB in \S+ \(\S+ \S+\): .*copy\.pdf\n$/)

      const human = yield* fluidcloud("files", "download", file.id, "-o", join(path, "..", "again.pdf"))
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(
        new RegExp(`^path\\s+\\S+again\\.pdf\\nsize\\s+300\\.0 KiB\\nsha256\\s+${sha256(content)}\\n$`)
      )
    }).pipe(Effect.provide(Env))
  )

  it.scoped("-o DIR: the file's name, reduced to a safe basename, inside DIR", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const names = [
        ["../../escape.txt", "escape.txt"],
        ["/etc/passwd", "passwd"],
        ["sub\\dir\\win.txt", "win.txt"],
        ["nul\u0000in\u001b[31mname.txt", "nulinname.txt"],
        ["..", undefined]
      ] as const
      const written: Array<string> = []
      for (const [name, expected] of names) {
        const file = yield* stored(bytesOf(10, name.length), name)
        const result = yield* fluidcloud("--json", "files", "download", file.id, "-o", dir)
        expect(result.code, name).toBe(0)
        // a name with nothing usable left is replaced by the file's id
        written.push(expected ?? file.id)
        expect(Schema.decodeUnknownSync(Downloaded)(result.stdout).path).toBe(join(dir, expected ?? file.id))
      }
      // every file is in DIR, and nothing was written outside it
      expect(readdirSync(dir).sort()).toEqual(written.sort())
      expect(existsSync(join(dir, "..", "escape.txt"))).toBe(false)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("an existing target without --force: exit 2, nothing written, no download; --force replaces it", () =>
    Effect.gen(function* () {
      const content = bytesOf(20 * KiB, 2)
      const file = yield* stored(content)
      const path = join(yield* tempDir, "exists.bin")
      writeFileSync(path, "mine")

      const refused = yield* fluidcloud("files", "download", file.id, "-o", path)
      expectFailure(refused, 2, /^fluidcloud: \S+exists\.bin exists: pass --force to replace it$/)
      expect(readFileSync(path, "utf8")).toBe("mine")
      expect(existsSync(`${path}.part`)).toBe(false)
      expect(yield* storageGets(file.id)).toEqual([])

      const forced = yield* fluidcloud("files", "download", file.id, "-o", path, "--force")
      expect(forced.code).toBe(0)
      expect(readFileSync(path).equals(content)).toBe(true)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("-o -: the bytes on stdout; with --json or --resume it is a usage error", () =>
    Effect.gen(function* () {
      const content = bytesOf(200 * KiB, 3)
      const file = yield* stored(content)

      const result = yield* fluidcloud("files", "download", file.id, "-o", "-")
      expect(result.code).toBe(0)
      expect(Buffer.from(result.stdoutBytes ?? []).equals(content)).toBe(true)
      expect(result.stdout).toBe("")
      expect(result.stderr).toMatch(/downloaded 200\.0 KiB in .*: stdout\n$/)

      expectFailure(yield* fluidcloud("--json", "files", "download", file.id, "-o", "-"), 2, /--json cannot be used/)
      expectFailure(yield* fluidcloud("files", "download", file.id, "-o", "-", "--resume"), 2, /--resume needs a file/)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("--resume continues PATH.part from its length", () =>
    Effect.gen(function* () {
      const content = bytesOf(300 * KiB, 4)
      const file = yield* stored(content)
      const path = join(yield* tempDir, "big.bin")
      writeFileSync(`${path}.part`, content.subarray(0, 100_000))

      const result = yield* fluidcloud("files", "download", file.id, "-o", path, "--resume")

      expect(result.code).toBe(0)
      expect(readFileSync(path).equals(content)).toBe(true)
      expect(existsSync(`${path}.part`)).toBe(false)
      expect(yield* storageGets(file.id)).toEqual([[206, "bytes=100000-"]])
      expect(result.stderr).toContain("download started: 300.0 KiB, resuming after 97.7 KiB\n")
    }).pipe(Effect.provide(Env))
  )

  // live: the client waits out its default retry schedule (about 500 ms) before resuming
  it.scopedLive("a reset mid-body: resumed, with a line saying so", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(300 * KiB, 5)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, resetAfterBytes: 128 * KiB })
      const path = join(yield* tempDir, "reset.bin")

      const result = yield* fluidcloud("files", "download", file.id, "-o", path)

      expect(result.code).toBe(0)
      expect(readFileSync(path).equals(content)).toBe(true)
      expect(result.stderr).toMatch(/TransportError .*; resuming after 128\.0 KiB of 300\.0 KiB\n/)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("exit codes: IntegrityError 12 (no file left), NotFoundError 5, ConflictError 6, TargetError 16", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const dir = yield* tempDir
      const file = yield* stored(bytesOf(50 * KiB, 6))
      yield* emulator.failStorageGet({ fileId: file.id, corruptByteAt: 100 })
      const corrupted = join(dir, "corrupted.bin")
      expectFailure(
        yield* fluidcloud("files", "download", file.id, "-o", corrupted),
        12,
        /^fluidcloud: IntegrityError: file \S+: the bytes received are not the file's \(sha256\)/
      )
      expect(readdirSync(dir)).toEqual([])

      expectFailure(
        yield* fluidcloud("files", "download", "6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10", "-o", join(dir, "x")),
        5,
        /^fluidcloud: NotFoundError \(HTTP 404\)/
      )

      const infected = yield* stored(new TextEncoder().encode(Emulator.eicar), "eicar.txt")
      expectFailure(yield* fluidcloud("files", "download", infected.id, "-o", join(dir, "x")), 6, /ConflictError/)

      expectFailure(
        yield* fluidcloud("files", "download", file.id, "-o", join(dir, "no", "such", "dir.bin")),
        16,
        /^fluidcloud: TargetError: could not open \S+dir\.bin\.part/
      )
      expect(readdirSync(dir)).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.scoped("a malformed id is a usage error (exit 2) before any request", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const result = yield* fluidcloud("files", "download", "nope")
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('expected a file id (a UUID), got "nope"')
      expect(yield* emulator.requestLog).toEqual([])
    }).pipe(Effect.provide(Env))
  )
})

describe("uploads abort", () => {
  it.scoped("aborts on the server: `aborted ID`, or {upload_id, aborted} with --json; a bad id is exit 2", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const uploadId = "5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"

      const human = yield* fluidcloud("uploads", "abort", uploadId)
      expect(human).toEqual(expect.objectContaining({ code: 0, stdout: `aborted ${uploadId}\n` }))
      const json = yield* fluidcloud("--json", "uploads", "abort", uploadId)
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual({ upload_id: uploadId, aborted: true })
      const log = yield* emulator.requestLog
      expect(log.filter((entry) => entry.operationId === "abortUpload").map((entry) => entry.status)).toEqual([
        204, 204
      ])

      const bad = yield* fluidcloud("uploads", "abort", "nope")
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('expected an upload id (a UUID), got "nope"')
    }).pipe(Effect.provide(Env))
  )
})
