/**
 * `files upload` in process against the in-process emulator: `--public` (the SDK's `public: true`)
 * whose scan or link fails after the file was stored names the stored file on stderr, from the
 * error's `fileId`; `--content-type`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, expect, it } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Option, Schema } from "effect"
import { fluidcloud } from "./inProcess.js"

/** A file holding `content` in a temporary directory removed with the scope. */
const tempFile = (name: string, content: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = mkdtempSync(join(tmpdir(), "fluidcloud-cli-upload-"))
      writeFileSync(join(dir, name), content)
      return dir
    }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((dir) => join(dir, name)))

/** The stored file's id named by the error line, which must be the last line on stderr. */
const storedFileId = (stderr: string, error: RegExp): Domain.FileId => {
  const last = stderr.trimEnd().split("\n").at(-1) ?? ""
  expect(last).toMatch(error)
  const match = /; file ([0-9a-f-]{36}) was stored but is not public$/.exec(last)
  assert(match !== null, `no stored file id in ${JSON.stringify(last)}`)
  return Domain.FileId.make(match[1] ?? "")
}

// scanDelay 0: the scan settles on the next read, so nothing waits on the (test) clock.
const Env = FluidCloudTest.layer({ scanDelay: 0 })

describe("files upload --public", () => {
  it.scoped("an infected upload: ConflictError (exit 6), the stored file's id on stderr, the file kept", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Public")
      const path = yield* tempFile("eicar.txt", Emulator.eicar)

      const result = yield* fluidcloud("--json", "files", "upload", path, "--space", space.id, "--public")

      expect(result.code).toBe(6)
      expect(result.stdout).toBe("")
      const id = storedFileId(result.stderr, /^fluidcloud: ConflictError \(HTTP 409\): file_infected\b/)
      const stored = yield* fc.files.get(id)
      expect(stored.scanStatus).toEqual(Option.some("infected"))
      expect(stored.isDeleted).toBe(false)
      expect(stored.spaceId).toEqual(Option.some(space.id))
    }).pipe(Effect.provide(Env))
  )

  it.scoped("the link cap reached: QuotaExceededError (exit 7), the stored file's id on stderr", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      yield* emulator.setPlan("default", { linksLimit: 0 })
      const space = yield* fc.spaces.create("Capped")
      const path = yield* tempFile("clean.txt", "hello")

      const result = yield* fluidcloud("files", "upload", path, "--space", space.id, "--public")

      expect(result.code).toBe(7)
      expect(result.stdout).toBe("")
      const id = storedFileId(result.stderr, /^fluidcloud: QuotaExceededError /)
      const stored = yield* fc.files.get(id)
      expect(stored.isClean).toBe(true)
      expect(stored.originalName).toBe("clean.txt")
    }).pipe(Effect.provide(Env))
  )

  it.scoped("a failure before the file was stored (storage quota at initiate) names no file", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      yield* emulator.setPlan("default", { bytesLimit: 1 })
      const space = yield* fc.spaces.create("Full")
      const path = yield* tempFile("big.txt", "hello")

      const result = yield* fluidcloud("files", "upload", path, "--space", space.id, "--public")

      expect(result.code).toBe(7)
      expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(/^fluidcloud: QuotaExceededError \(HTTP 402\): /)
      expect(result.stderr).not.toContain("was stored")
      expect(yield* fc.files.list(space.id)).toHaveLength(0)
    }).pipe(Effect.provide(Env))
  )

  it.scoped("a clean upload: the file with its public url", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Public")
      const path = yield* tempFile("clean.txt", "hello")

      const [human, json] = yield* Effect.all([
        fluidcloud("files", "upload", path, "--space", space.id, "--public"),
        fluidcloud("--json", "files", "upload", path, "--space", space.id, "--public")
      ])

      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/\npublic url {2}http:\/\/files\.fluidcloud\.test\/s\/\S+\n$/)
      expect(json.code).toBe(0)
      const file = Schema.decodeUnknownSync(Schema.parseJson(Domain.FluidFile))(json.stdout)
      expect(Option.getOrThrow(file.publicUrl)).toMatch(/^http:\/\/files\.fluidcloud\.test\/s\//)
      expect(file.isClean).toBe(true)
    }).pipe(Effect.provide(Env))
  )
})

describe("files upload --content-type", () => {
  it.scoped("stores the given MIME type instead of the one guessed from the name", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Types")
      const path = yield* tempFile("data.bin", "a,b\n1,2\n")

      const [given, guessed] = yield* Effect.all([
        fluidcloud("--json", "files", "upload", path, "--space", space.id, "--content-type", "text/csv"),
        fluidcloud("--json", "files", "upload", path, "--space", space.id)
      ])

      const decode = Schema.decodeUnknownSync(Schema.parseJson(Domain.FluidFile))
      expect(given.code).toBe(0)
      expect(decode(given.stdout).mime).toEqual(Option.some("text/csv"))
      expect(guessed.code).toBe(0)
      expect(decode(guessed.stdout).mime).toEqual(Option.some("application/octet-stream"))
    }).pipe(Effect.provide(Env))
  )
})
