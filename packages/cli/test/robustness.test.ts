/**
 * The command line as users type it and pipe it, as a real child process against the emulator
 * over HTTP: global options after a command's arguments, a key a header cannot carry, the SDK's
 * warnings kept off stdout, a reader that goes away (`| head`), and a symbolic link at a
 * download's target.
 */
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import * as Net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schema } from "effect"
import { cleanEnv, cliBin, eventually, runScript, spawnScript } from "./process.js"

const MiB = 1024 * 1024

const Env = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, scanDelay: 0, minPartSize: MiB, forcePartSize: MiB })))

/** A temporary directory, removed with the scope. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-cli-robust-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

layer(Env, { timeout: 120_000, excludeTestServices: true })("fluidcloud as typed and piped", (it) => {
  it.effect("global options after a command's arguments are read as global options, never as an argument", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const env = cleanEnv({})
      const created = yield* runScript(
        cliBin,
        ["spaces", "create", "--api-key", emulator.apiKey, `--base-url=${emulator.baseUrl}`, "--json", "Named"],
        env
      )
      expect(created.code).toBe(0)
      expect(Schema.decodeUnknownSync(Schema.parseJson(Domain.Space))(created.stdout).name).toBe("Named")
      const space = Schema.decodeUnknownSync(Schema.parseJson(Domain.Space))(created.stdout)
      const listed = yield* runScript(
        cliBin,
        [
          "folders",
          "create",
          `--api-key=${emulator.apiKey}`,
          "--space",
          space.id,
          "--base-url",
          emulator.baseUrl,
          "inbox"
        ],
        env
      )
      expect(listed.code).toBe(0)
      expect(listed.stdout).toContain("inbox")
      expect(`${listed.stdout}${created.stdout}${created.stderr}`).not.toContain(emulator.apiKey)
    })
  )

  it.effect("a key a header cannot carry: ConfigError, exit 2, the key not shown, nothing sent", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      for (const key of ["fck_test_SECRETPART\nMORE", "fck_test_SECRET PART"]) {
        const result = yield* runScript(
          cliBin,
          ["spaces", "ls"],
          cleanEnv({ FLUIDCLOUD_API_KEY: key, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
        )
        expect(result.code).toBe(2)
        expect(result.stderr).toContain("ConfigError")
        expect(result.stderr).toContain("HTTP header")
        expect(result.stderr.trimEnd().split("\n")).toHaveLength(1)
        expect(`${result.stdout}${result.stderr}`).not.toContain("SECRET")
      }
    })
  )

  it.scoped("the SDK's warnings go to stderr: --json on stdout stays one JSON document", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const state = yield* tempDir
      mkdirSync(join(state, "uploads"), { recursive: true, mode: 0o700 })
      writeFileSync(join(state, "uploads", "broken.json"), "not json", { mode: 0o600 })
      const result = yield* runScript(
        cliBin,
        ["uploads", "ls", "--json"],
        cleanEnv({
          FLUIDCLOUD_API_KEY: emulator.apiKey,
          FLUIDCLOUD_BASE_URL: emulator.baseUrl,
          FLUIDCLOUD_STATE_DIR: state
        })
      )
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual([])
      expect(result.stderr).toContain("broken.json")
    })
  )

  it.effect("a reader that goes away (| head): exit 141, the upload in flight aborted on the server", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Broken pipe")
      const dir = yield* tempDir
      const source = join(dir, "data.bin")
      writeFileSync(source, Buffer.alloc(24 * MiB, 1))
      yield* emulator.setLatency("300 millis", { pathPrefix: "/storage/" })
      yield* Effect.addFinalizer(() => emulator.clearFaults)

      const upload = yield* spawnScript(
        cliBin,
        ["files", "upload", source, "--space", space.id, "--concurrency", "1"],
        cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
      )
      const opened = yield* eventually(
        Effect.map(emulator.openUploads, (open) => open.length === 1),
        "20 seconds"
      )
      expect(opened).toBe(true)
      // the reader of its output goes away: its next write fails with EPIPE
      upload.child.stdout.destroy()
      upload.child.stderr.destroy()
      const result = yield* upload.result

      expect(result.code).toBe(141)
      const aborted = yield* eventually(
        Effect.map(emulator.openUploads, (open) => open.length === 0),
        "20 seconds"
      )
      expect(aborted).toBe(true)
      expect(yield* fc.files.list(space.id)).toEqual([])
    }).pipe(Effect.scoped)
  )

  it.scoped("emulator on a port in use: ConfigError naming it, exit 2 (not an unexpected error)", () =>
    Effect.gen(function* () {
      const taken = yield* Effect.acquireRelease(
        Effect.async<Net.Server>((resume) => {
          const server = Net.createServer()
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.sync(() => server.close())
      )
      const address = taken.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const result = yield* runScript(cliBin, ["emulator", "--port", String(port)], cleanEnv({}))
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`ConfigError: could not serve on 127.0.0.1:${port}`)
      expect(result.stderr).toContain("EADDRINUSE")
    })
  )

  it.scoped("download: a symbolic link at the target (even one leading nowhere) exists: --force needed", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Links")
      const file = yield* fc.files.upload(Buffer.from("hello world"), space.id, { name: "hello.txt" })
      const dir = yield* tempDir
      const target = join(dir, "hello.txt")
      symlinkSync(join(dir, "nowhere"), target)

      const result = yield* runScript(
        cliBin,
        ["files", "download", file.id, "-o", target],
        cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
      )
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("--force")
      expect(readlinkSync(target)).toBe(join(dir, "nowhere"))
    })
  )
})
