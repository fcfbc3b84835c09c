/**
 * `fluidcloud files upload --resume` as a real child process against the emulator over HTTP
 * (served from this process, so its part PUTs can be counted and slowed): killed with SIGKILL
 * midway, or stopped with Ctrl-C (SIGINT), then run again: only the parts the checkpoint does not
 * hold are PUT, and the stored bytes are the file's. The checkpoint file is mode 0600 in a 0700
 * directory and never holds the API key.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Chunk, Effect, Layer, Redacted, Schema, Stream } from "effect"
import { bytesOf, sha256 } from "../../core/test/support/Bytes.js"
import { cleanEnv, cliBin, eventually, runScript, spawnScript } from "./process.js"

const KiB = 1024
const PART = 256 * KiB
const PARTS = 16

// Its own emulator (the tests slow its storage, which is emulator-wide), with small parts.
const Env = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, minPartSize: KiB, forcePartSize: PART, scanDelay: 0 })))

/** A file of `PARTS` parts and a state directory, in a temporary directory removed with the scope. */
const fixture = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "fluidcloud-cli-resume-"))
    const path = join(dir, "video.bin")
    const bytes = bytesOf(PARTS * PART - 1234, 21)
    writeFileSync(path, bytes)
    return { dir, path, bytes, state: join(dir, "state") }
  }),
  ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const Checkpoint = Schema.parseJson(
  Schema.Struct({
    value: Schema.Struct({
      uploadId: Schema.String,
      parts: Schema.Array(Schema.Struct({ partNumber: Schema.Number, etag: Schema.optional(Schema.String) }))
    })
  })
)

/** The one checkpoint file in `state`, its path and the part numbers it holds an ETag for. */
const checkpointIn = (state: string) => {
  const folder = join(state, "uploads")
  const names = readdirSync(folder).filter((name) => name.endsWith(".json"))
  expect(names).toHaveLength(1)
  const file = join(folder, names[0] ?? "")
  const { value } = Schema.decodeUnknownSync(Checkpoint)(readFileSync(file, "utf8"))
  return {
    file,
    uploadId: value.uploadId,
    held: value.parts.flatMap((part) => (part.etag === undefined ? [] : [part.partNumber]))
  }
}

/** Part PUTs that stored a part, of every upload, since `since` (epoch milliseconds). */
const storedPuts = (since: number) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    Effect.map(emulator.partPuts(), (puts) => puts.filter((put) => put.status === 200 && put.at >= since))
  )

const download = (fileId: Domain.FileId) =>
  Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
    fc.files.download(fileId).pipe(
      Stream.runCollect,
      Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
    )
  )

const setup = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const fc = yield* FluidCloud.FluidCloud
  const space = yield* fc.spaces.create("resume process")
  const files = yield* fixture
  const env = cleanEnv({
    FLUIDCLOUD_API_KEY: emulator.apiKey,
    FLUIDCLOUD_BASE_URL: emulator.baseUrl,
    FLUIDCLOUD_STATE_DIR: files.state
  })
  const args = ["--json", "files", "upload", files.path, "--space", space.id, "--resume", "--concurrency", "1"]
  // each part PUT takes a while, so the child is midway when it is stopped
  yield* emulator.setLatency("250 millis", { pathPrefix: "/storage/" })
  yield* Effect.addFinalizer(() => emulator.clearFaults)
  return { emulator, files, env, args }
})

/** Runs the same command again, without latency: it must PUT exactly the parts not held. */
const resumeAndCheck = (
  setupValues: Effect.Effect.Success<typeof setup>,
  checkpoint: ReturnType<typeof checkpointIn>
) =>
  Effect.gen(function* () {
    const { emulator, files, env, args } = setupValues
    yield* emulator.clearFaults
    // a PUT of the stopped process may still be logged after this: the rerun's arrive later
    const since = Date.now()
    const resumed = yield* runScript(cliBin, args, env)
    expect(resumed.code).toBe(0)
    const file = Schema.decodeUnknownSync(Schema.parseJson(Domain.FluidFile))(resumed.stdout)
    const puts = (yield* emulator.partPuts({ uploadId: checkpoint.uploadId })).filter((put) => put.at >= since)
    const missing = Array.from({ length: PARTS }, (_, index) => index + 1).filter(
      (part) => !checkpoint.held.includes(part)
    )
    expect(puts.map((put) => put.partNumber)).toEqual(missing)
    expect(sha256(yield* download(file.id))).toBe(sha256(files.bytes))
    expect(readdirSync(join(files.state, "uploads")).filter((name) => name.endsWith(".json"))).toEqual([])
    return puts.length
  })

layer(Env, { timeout: 180_000, excludeTestServices: true })("files upload --resume (child process)", (it) => {
  describe("stopped midway, then run again", () => {
    it.effect(
      "SIGKILL: the checkpoint (0600, no key) holds what landed before the kill; the rerun PUTs only the rest",
      () =>
        Effect.gen(function* () {
          const values = yield* setup
          const { files } = values
          const start = Date.now()
          const upload = yield* spawnScript(cliBin, values.args, values.env)
          // the checkpoint is saved at most once a second while parts land: wait until it holds 3
          const saved = yield* eventually(
            Effect.sync(() => {
              try {
                return checkpointIn(files.state).held.length >= 3
              } catch {
                return false
              }
            }),
            "30 seconds"
          )
          expect(saved).toBe(true)
          upload.child.kill("SIGKILL")
          const killed = yield* upload.result
          expect(killed.code).toBe(null)
          expect(upload.child.signalCode).toBe("SIGKILL")

          const checkpoint = checkpointIn(files.state)
          expect(checkpoint.held.length).toBeGreaterThanOrEqual(3)
          expect(checkpoint.held.length).toBeLessThan(PARTS)
          expect(statSync(checkpoint.file).mode & 0o777).toBe(0o600)
          expect(statSync(files.state).mode & 0o777).toBe(0o700)
          expect(statSync(join(files.state, "uploads")).mode & 0o777).toBe(0o700)
          expect(readFileSync(checkpoint.file).includes(Buffer.from(values.emulator.apiKey))).toBe(false)
          const landed = (yield* storedPuts(start)).filter((put) => put.uploadId === checkpoint.uploadId)
          expect(landed.length).toBeGreaterThanOrEqual(checkpoint.held.length)

          const sent = yield* resumeAndCheck(values, checkpoint)
          expect(sent).toBe(PARTS - checkpoint.held.length)
        }).pipe(Effect.scoped),
      120_000
    )

    it.effect(
      "Ctrl-C: exit 130, the upload is kept and the message says to run the same command; the rerun finishes",
      () =>
        Effect.gen(function* () {
          const values = yield* setup
          const start = Date.now()
          const upload = yield* spawnScript(cliBin, values.args, values.env)
          const started = yield* eventually(
            Effect.map(storedPuts(start), (puts) => puts.length >= 2),
            "30 seconds"
          )
          expect(started).toBe(true)
          upload.child.kill("SIGINT")
          const interrupted = yield* upload.result

          expect(interrupted.code).toBe(130)
          expect(interrupted.stdout).toBe("")
          const checkpoint = checkpointIn(values.files.state)
          expect(interrupted.stderr).toMatch(
            new RegExp(
              `fluidcloud: interrupted; upload ${checkpoint.uploadId} of \\S+video\\.bin is kept: run the same command to continue\\n$`
            )
          )
          const [open, ...others] = yield* values.emulator.openUploads
          expect(others).toEqual([])
          expect(open?.uploadId).toBe(checkpoint.uploadId)
          // on Ctrl-C the checkpoint is saved last: it holds every part the server holds
          expect(checkpoint.held.length).toBe(open?.partsStored)

          yield* resumeAndCheck(values, checkpoint)
        }).pipe(Effect.scoped),
      120_000
    )
  })
})
