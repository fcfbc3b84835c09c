/**
 * `files upload` of several paths, of stdin, with `--jobs` and `--resume`, and `uploads ls` /
 * `uploads abort`, in process against the in-process emulator: the `--json` documents, exit code
 * 15 with one stderr line per failed file, stdin streamed with `--size` and spooled without (the
 * spooled copy removed), the usage errors, and a resumed upload sending only the missing parts.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Option, Schema, Stream } from "effect"
import { bytesOf, sha256 } from "../../core/test/support/Bytes.js"
import { fluidcloud, fluidcloudWith, type Result, runWith } from "./inProcess.js"

const KiB = 1024

/** A temporary directory removed with the scope. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-cli-many-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Files of these sizes in a temporary directory; their paths and bytes. */
const files = (...sizes: ReadonlyArray<number>) =>
  Effect.map(tempDir, (dir) =>
    sizes.map((size, index) => {
      const path = join(dir, `file-${index}.bin`)
      const bytes = bytesOf(size, index + 1)
      writeFileSync(path, bytes)
      return { path, bytes }
    })
  )

const Many = Schema.Struct({
  uploaded: Schema.Array(Domain.FluidFile),
  failed: Schema.Array(Schema.Struct({ path: Schema.String, tag: Schema.String, detail: Schema.String }))
})
const Held = Schema.Array(
  Schema.Struct({
    upload_id: Schema.String,
    path: Schema.String,
    parts_done: Schema.Number,
    parts_total: Schema.Number,
    created_at: Schema.String
  })
)
const decode = <A, I>(schema: Schema.Schema<A, I>, result: Result) =>
  Schema.decodeUnknownSync(Schema.parseJson(schema))(result.stdout)

const stdinOf = (bytes: Uint8Array) => Stream.fromIterable([bytes.subarray(0, 1000), bytes.subarray(1000)])

// parts of 4 KiB, so small files have several; scans settle on the next read
const Env = FluidCloudTest.layer({ minPartSize: KiB, forcePartSize: 4 * KiB, scanDelay: 0 })

const space = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.spaces.create("cli many"))

describe("files upload PATH…", () => {
  it.scoped("one missing of three: exit 15, one stderr line for it, the document of both outcomes", () =>
    Effect.gen(function* () {
      const { id } = yield* space
      const [a, b] = yield* files(10 * KiB, 3 * KiB)
      const missing = join(tmpdir(), "fluidcloud-no-such-file.bin")
      const result = yield* fluidcloud(
        "files",
        "upload",
        a?.path ?? "",
        missing,
        b?.path ?? "",
        "--space",
        id,
        "--json"
      )

      expect(result.code).toBe(15)
      const doc = decode(Many, result)
      expect(doc.uploaded.map((file) => file.sha256)).toEqual([
        Option.some(sha256(a?.bytes ?? new Uint8Array())),
        Option.some(sha256(b?.bytes ?? new Uint8Array()))
      ])
      expect(doc.failed).toEqual([{ path: missing, tag: "SourceError", detail: `SourceError: cannot read ${missing}` }])
      const errors = result.stderr.split("\n").filter((line) => line.startsWith("fluidcloud: "))
      expect(errors).toEqual([
        `fluidcloud: ${missing}: SourceError: cannot read ${missing}`,
        "fluidcloud: files upload: 1 of 3 transfers failed (above); the others completed"
      ])
      // progress lines name their file
      expect(result.stderr).toContain(`${a?.path}: upload started: 10.0 KiB in 3 parts of 4.0 KiB`)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("all uploaded: exit 0, `failed` empty; without --json a table of the files", () =>
    Effect.gen(function* () {
      const { id } = yield* space
      const paths = (yield* files(KiB, 2 * KiB)).map((file) => file.path)
      const [json, human] = yield* Effect.all([
        fluidcloud("--json", "files", "upload", ...paths, "--space", id),
        fluidcloud("files", "upload", ...paths, "--space", id)
      ])
      expect(json.code).toBe(0)
      const doc = decode(Many, json)
      expect(doc.uploaded.map((file) => file.originalName)).toEqual(["file-0.bin", "file-1.bin"])
      expect(doc.failed).toEqual([])
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/^ID\s+NAME\s+SIZE/)
      expect(human.stdout).toContain("file-1.bin")
    }).pipe(Effect.provide(Env))
  )

  it.scoped("global options after the paths still apply (--json), and - first reads stdin", () =>
    Effect.gen(function* () {
      const { id } = yield* space
      const bytes = bytesOf(5 * KiB, 9)
      const [file] = yield* files(KiB)
      const result = yield* fluidcloudWith(
        { stdin: stdinOf(bytes) },
        "files",
        "upload",
        "-",
        file?.path ?? "",
        "--space",
        id,
        "--json"
      )
      expect(result.code).toBe(0)
      const doc = decode(Many, result)
      expect(doc.uploaded.map((f) => [f.originalName, f.sha256])).toEqual([
        ["upload.bin", Option.some(sha256(bytes))],
        ["file-0.bin", Option.some(sha256(file?.bytes ?? new Uint8Array()))]
      ])
    }).pipe(Effect.provide(Env))
  )

  it.live("--jobs 2 uploads two files at once; without it, one after another", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { id } = yield* space
      const paths = (yield* files(KiB, KiB)).map((file) => file.path)
      yield* emulator.setLatency("300 millis", { pathPrefix: "/storage/" })

      yield* emulator.resetConcurrencyHighWaterMark
      const sequential = yield* fluidcloud("files", "upload", ...paths, "--space", id)
      expect(sequential.code).toBe(0)
      expect(yield* emulator.maxConcurrentPartPuts).toBe(1)

      yield* emulator.resetConcurrencyHighWaterMark
      const parallel = yield* fluidcloud("files", "upload", ...paths, "--space", id, "--jobs", "2")
      expect(parallel.code).toBe(0)
      expect(yield* emulator.maxConcurrentPartPuts).toBe(2)
    }).pipe(Effect.scoped, Effect.provide(Env))
  )
})

describe("files upload - (stdin)", () => {
  const stdinDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("fluidcloud-stdin-"))

  it.scoped("with --size: streamed as it is read, named by --name", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { id } = yield* space
      const bytes = bytesOf(9 * KiB, 4)
      const before = stdinDirs()
      const result = yield* fluidcloudWith(
        { stdin: stdinOf(bytes) },
        "--json",
        "files",
        "upload",
        "-",
        "--space",
        id,
        "--size",
        String(bytes.byteLength),
        "--name",
        "piped.csv"
      )
      expect(result.code).toBe(0)
      const file = decode(Domain.FluidFile, result)
      expect(file.originalName).toBe("piped.csv")
      expect(file.mime).toEqual(Option.some("text/csv"))
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* emulator.partPuts()).toHaveLength(3)
      expect(stdinDirs()).toEqual(before)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("with a wrong --size: SourceError (exit 13), nothing stored", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { id } = yield* space
      const result = yield* fluidcloudWith(
        { stdin: stdinOf(bytesOf(5 * KiB)) },
        "files",
        "upload",
        "-",
        "--space",
        id,
        "--size",
        "6KiB"
      )
      expect(result.code).toBe(13)
      expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(/^fluidcloud: SourceError: .*fewer than the size/)
      expect(yield* emulator.openUploads).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.scoped("without --size: spooled to a temporary file, removed afterwards; named upload.bin", () =>
    Effect.gen(function* () {
      const { id } = yield* space
      const bytes = bytesOf(11 * KiB, 5)
      const before = stdinDirs()
      const spooled: Array<ReadonlyArray<string>> = []
      // the spool exists while stdin is read, and is gone once the command ends
      const stdin = stdinOf(bytes).pipe(Stream.tap(() => Effect.sync(() => spooled.push(stdinDirs()))))
      const result = yield* fluidcloudWith({ stdin }, "--json", "files", "upload", "-", "--space", id)
      expect(result.code).toBe(0)
      const file = decode(Domain.FluidFile, result)
      expect(file.originalName).toBe("upload.bin")
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(spooled.some((dirs) => dirs.length > before.length)).toBe(true)
      expect(stdinDirs()).toEqual(before)
    }).pipe(Effect.provide(Env))
  )
})

describe("files upload: usage errors (exit 2, nothing sent)", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ["stdin twice", ["-", "-"], /- \(stdin\) can be given once/],
    ["--name with several paths", ["a", "b", "--name", "x"], /--name names one file/],
    ["--client-key with several paths", ["a", "b", "--client-key", "k"], /--client-key keys one file/],
    ["--size without stdin", ["a", "--size", "10"], /--size is the size of stdin/],
    ["--resume with stdin", ["-", "--resume"], /--resume needs a file/],
    ["--jobs 0", ["a", "b", "--jobs", "0"], /--jobs must be an integer from 1 to 16/]
  ]
  for (const [name, args, message] of cases) {
    it.scoped(name, () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { id } = yield* space
        yield* emulator.clearRequestLog
        const result = yield* fluidcloud("files", "upload", ...args, "--space", id)
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(message)
        expect(yield* emulator.requestLog).toEqual([])
      }).pipe(Effect.provide(Env))
    )
  }
})

describe("files upload --resume, uploads ls, uploads abort", () => {
  it.scoped(
    "a failed upload is kept and listed; the same command sends only the missing parts; ls is empty after",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { id } = yield* space
        const [file] = yield* files(6 * 4 * KiB)
        const state = join(yield* tempDir, "state")
        const path = file?.path ?? ""
        const upload = ["files", "upload", path, "--space", id, "--resume", "--concurrency", "1"]
        // part 3 is refused (a 4xx is not retried): parts 1 and 2 are stored, then the upload fails
        yield* emulator.failPartPut({ partNumber: 3, attempt: "every", status: 400 })

        const failed = yield* fluidcloudWith({ stateDir: state }, ...upload)
        expect(failed.code).toBe(9)
        const [open] = yield* emulator.openUploads
        const listed = yield* fluidcloudWith({ stateDir: state }, "--json", "uploads", "ls")
        expect(listed.code).toBe(0)
        const [held, ...more] = decode(Held, listed)
        expect(more).toEqual([])
        expect(held).toMatchObject({ upload_id: open?.uploadId, path, parts_done: 2, parts_total: 6 })
        const table = yield* fluidcloudWith({ stateDir: state }, "uploads", "ls")
        expect(table.stdout).toMatch(/^UPLOAD ID\s+PATH\s+PARTS\s+AGE\n/)
        expect(table.stdout).toContain(`${open?.uploadId}  ${path}  2/6`)

        yield* emulator.clearFaults
        yield* emulator.clearRequestLog
        const resumed = yield* fluidcloudWith({ stateDir: state }, "--json", ...upload)
        expect(resumed.code).toBe(0)
        expect(resumed.stderr).toContain("resuming: 2 parts (8.0 KiB) already stored")
        const puts = yield* emulator.partPuts({ uploadId: open?.uploadId ?? "" })
        expect(puts.map((put) => put.partNumber)).toEqual([3, 4, 5, 6])
        expect(decode(Domain.FluidFile, resumed).sha256).toEqual(Option.some(sha256(file?.bytes ?? new Uint8Array())))
        expect((yield* fluidcloudWith({ stateDir: state }, "uploads", "ls")).stdout).toBe("(none)\n")
      }).pipe(Effect.provide(Env))
  )

  it.scoped("uploads abort aborts the upload on the server and drops its checkpoint", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const { id } = yield* space
      const [file] = yield* files(6 * 4 * KiB)
      const state = join(yield* tempDir, "state")
      // part 3 is refused (a 4xx is not retried): parts 1 and 2 are stored, then the upload fails
      yield* emulator.failPartPut({ partNumber: 3, attempt: "every", status: 400 })
      yield* fluidcloudWith({ stateDir: state }, "files", "upload", file?.path ?? "", "--space", id, "--resume")
      const [open] = yield* emulator.openUploads
      expect(open).toBeDefined()

      const aborted = yield* fluidcloudWith({ stateDir: state }, "uploads", "abort", open?.uploadId ?? "")
      expect(aborted.code).toBe(0)
      expect(aborted.stdout).toBe(`aborted ${open?.uploadId}\n`)
      expect(yield* emulator.openUploads).toEqual([])
      expect(decode(Held, yield* fluidcloudWith({ stateDir: state }, "--json", "uploads", "ls"))).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.scoped("uploads ls needs no API key", () =>
    Effect.gen(function* () {
      const state = join(yield* tempDir, "state")
      const result = yield* runWith(FluidCloudTest.makeClient(yield* Emulator.Emulator), ["uploads", "ls"], {
        stateDir: state
      })
      expect(result).toMatchObject({ code: 0, stdout: "(none)\n" })
    }).pipe(Effect.provide(Env))
  )
})
