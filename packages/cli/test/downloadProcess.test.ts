/**
 * `fluidcloud files download` as a subprocess against the emulator over real HTTP: the default
 * target (the file's name in the current directory), and Ctrl-C, which exits 130 and keeps
 * `PATH.part` with the bytes received, so that `--resume` finishes it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schema } from "effect"
import { bytesOf, sha256 } from "../../core/test/support/Bytes.js"
import { cleanEnv, cliBin, eventually, runScript, spawnScript } from "./process.js"

const KiB = 1024

// Its own emulator: the Ctrl-C test injects latency, which is emulator-wide.
const Env = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, scanDelay: 0 })))

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-cli-dl-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const env = Effect.map(Emulator.Emulator, (emulator) =>
  cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
)

const stored = (content: Uint8Array, name: string) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("cli process downloads")
    return yield* fc.files.upload(content, space.id, { name })
  })

layer(Env, { timeout: 180_000, excludeTestServices: true })("fluidcloud files download (subprocess)", (it) => {
  describe("targets", () => {
    it.effect("without -o: the file's name in the current directory", () =>
      Effect.gen(function* () {
        const content = bytesOf(40 * KiB, 1)
        const file = yield* stored(content, "../quarterly report.pdf")
        const dir = yield* tempDir

        const result = yield* runScript(cliBin, ["--json", "files", "download", file.id], yield* env, dir)

        expect(result.code).toBe(0)
        expect(JSON.parse(result.stdout)).toEqual({
          path: "quarterly report.pdf",
          size: content.byteLength,
          sha256: sha256(content)
        })
        expect(readFileSync(join(dir, "quarterly report.pdf")).equals(content)).toBe(true)
      }).pipe(Effect.scoped)
    )
  })

  it.effect(
    "Ctrl-C exits 130, keeps PATH.part with the bytes received and says how to continue; --resume finishes",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(1024 * KiB, 2)
        const file = yield* stored(content, "big.bin")
        const path = join(yield* tempDir, "big.bin")
        // the first GET sends 300 KiB and drops; the resumed one then waits: Ctrl-C lands there
        yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 300 * KiB })
        yield* emulator.setLatency("5 seconds", { pathPrefix: "/storage/" })
        yield* Effect.addFinalizer(() => emulator.clearFaults)

        const download = yield* spawnScript(cliBin, ["files", "download", file.id, "-o", path], yield* env)
        // once it says it resumes, every byte of the first GET is in the .part
        const resuming = yield* eventually(
          Effect.map(download.stderr, (stderr) => stderr.includes("resuming after 300.0 KiB")),
          "20 seconds"
        )
        expect(resuming).toBe(true)
        download.child.kill("SIGINT")
        const interrupted = yield* download.result

        expect(interrupted.code).toBe(130)
        expect(interrupted.stdout).toBe("")
        expect(interrupted.stderr).toMatch(/big\.bin\.part is kept: run the same command with --resume to continue\n$/)
        expect(interrupted.stderr).not.toMatch(/\n\s+at /)
        expect(existsSync(path)).toBe(false)
        expect(statSync(`${path}.part`).size).toBe(300 * KiB)

        yield* emulator.clearFaults
        const resumed = yield* runScript(
          cliBin,
          ["--json", "files", "download", file.id, "-o", path, "--resume"],
          yield* env
        )
        expect(resumed.code).toBe(0)
        expect(
          Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({ sha256: Schema.String })))(resumed.stdout)
        ).toEqual({ sha256: sha256(content) })
        expect(readFileSync(path).equals(content)).toBe(true)
        expect(existsSync(`${path}.part`)).toBe(false)
        const gets = yield* emulator.storageGets({ fileId: file.id })
        expect(gets.at(-1)?.range).toBe(`bytes=${300 * KiB}-`)
      }).pipe(Effect.scoped),
    60_000
  )
})
