/**
 * The `fluidcloud` CLI driven as a subprocess against the emulator served over real HTTP from
 * this process: every command, `--json` output decoded with the domain schemas (it is the
 * wire shape), human output, and failing commands' exit codes and one-line messages.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, expect, layer } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schema } from "effect"
import { cleanEnv, cliBin, eventually, type Result, runScript, spawnScript, startScript } from "./process.js"

const MiB = 1024 * 1024

/** The emulator over HTTP, and a client of it for setting up state directly. */
const Env = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, scanDelay: "100 millis" })))

/** Runs `fluidcloud ...args` with the emulator's key and URL in the environment. */
const fluidcloud = (...args: ReadonlyArray<string>) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    runScript(cliBin, args, cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl }))
  )

/** Asserts success and decodes `--json` stdout with `schema`. */
const decode =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (result: Result): A => {
    expect(result.stderr === "" || result.code === 0 ? result.code : result.stderr).toBe(0)
    return Schema.decodeUnknownSync(Schema.parseJson(schema))(result.stdout)
  }

/** Asserts a failure: exit `code`, exactly one stderr line containing `tag`, no stack trace. */
const expectFailure = (result: Result, code: number, tag: string) => {
  expect(result.code).toBe(code)
  const lines = result.stderr.trimEnd().split("\n")
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain(tag)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  expect(result.stdout).toBe("")
}

const Url = Schema.Struct({ url: Schema.String })
const Revoked = Schema.Struct({ id: Schema.String, revoked: Schema.Boolean })

const tempFile = (bytes: number) => {
  const dir = mkdtempSync(join(tmpdir(), "fluidcloud-cli-"))
  const path = join(dir, "data.bin")
  writeFileSync(path, randomBytes(bytes))
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

layer(Env, { timeout: 180_000, excludeTestServices: true })("fluidcloud CLI", (it) => {
  describe("spaces and folders", () => {
    it.effect(
      "spaces create/ls, folders create/ls/rename/mv/rm/restore",
      () =>
        Effect.gen(function* () {
          const space = decode(Domain.Space)(yield* fluidcloud("--json", "spaces", "create", "CLI Space"))
          expect(space.name).toBe("CLI Space")
          const [spaces, parent] = yield* Effect.all(
            [
              fluidcloud("spaces", "ls", "--json"),
              fluidcloud("--json", "folders", "create", "parent", "--space", space.id)
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Schema.Array(Domain.Space))(spaces).map((s) => s.id)).toContain(space.id)
          const parentFolder = decode(Domain.Folder)(parent)
          expect(parentFolder.name).toBe("parent")

          const child = decode(Domain.Folder)(
            yield* fluidcloud("--json", "folders", "create", "child", "--space", space.id, "--parent", parentFolder.id)
          )
          assert.deepStrictEqual(child.parentId._tag, "Some")

          const [listed, renamed] = yield* Effect.all(
            [
              fluidcloud("--json", "folders", "ls", "--space", space.id, "--parent", parentFolder.id),
              fluidcloud("--json", "folders", "rename", child.id, "renamed")
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Schema.Array(Domain.Folder))(listed).map((f) => f.id)).toEqual([child.id])
          expect(decode(Domain.Folder)(renamed).name).toBe("renamed")

          const moved = decode(Domain.Folder)(yield* fluidcloud("--json", "folders", "mv", child.id, "root"))
          expect(moved.parentId._tag).toBe("None")

          const removed = decode(Domain.Folder)(yield* fluidcloud("--json", "folders", "rm", child.id))
          expect(removed.isDeleted).toBe(true)
          const trash = decode(Schema.Array(Domain.Folder))(
            yield* fluidcloud("--json", "folders", "ls", "--space", space.id, "--trash")
          )
          expect(trash.map((f) => f.id)).toContain(child.id)
          const restored = decode(Domain.Folder)(yield* fluidcloud("--json", "folders", "restore", child.id))
          expect(restored.isDeleted).toBe(false)

          // Human output: an aligned table and a key/value block.
          const [table, block] = yield* Effect.all(
            [fluidcloud("spaces", "ls"), fluidcloud("folders", "ls", "--space", space.id)],
            { concurrency: "unbounded" }
          )
          expect(table.code).toBe(0)
          expect(table.stdout).toMatch(/^ID\s+NAME\s+CREATED\n/)
          expect(table.stdout).toContain("CLI Space")
          expect(block.stdout).toMatch(/^ID\s+NAME\s+PARENT\s+DELETED\n/)
          expect(block.stdout).toContain("parent")
        }),
      180_000
    )
  })

  describe("files, shares and quota", () => {
    it.effect(
      "files upload/wait/get/resolve/ls/url/share, shares ls/revoke, files mv/rename/rm/restore, quota",
      () =>
        Effect.gen(function* () {
          const fc = yield* FluidCloud.FluidCloud
          const space = yield* fc.spaces.create("Uploads")
          const folder = yield* fc.folders.create("inbox", space.id)
          const source = tempFile(6 * MiB + 123)
          yield* Effect.addFinalizer(() => Effect.sync(source.cleanup))

          // A two-part upload: plain progress lines on stderr (not a TTY), the file as JSON on stdout.
          const uploadResult = yield* fluidcloud(
            "--json",
            "files",
            "upload",
            source.path,
            "--space",
            space.id,
            "--name",
            "report.bin",
            "--client-key",
            "cli/report",
            "--concurrency",
            "2",
            "--part-size",
            "5MiB"
          )
          expect(uploadResult.stderr).toContain("upload started: 6.0 MiB in 2 parts of 5.0 MiB")
          expect(uploadResult.stderr).toMatch(/part \d uploaded \(2\/2\): 6\.0 MiB \/ 6\.0 MiB \(100%\)/)
          const uploaded = decode(Domain.FluidFile)(uploadResult)
          expect(uploaded.originalName).toBe("report.bin")
          expect(uploaded.size._tag === "Some" && uploaded.size.value).toBe(6 * MiB + 123)

          const clean = decode(Domain.FluidFile)(yield* fluidcloud("--json", "files", "wait", uploaded.id))
          expect(clean.isClean).toBe(true)

          const [got, resolved, listed, url, publicLink, signedLink] = yield* Effect.all(
            [
              fluidcloud("--json", "files", "get", uploaded.id),
              fluidcloud("--json", "files", "resolve", "cli/report"),
              fluidcloud("--json", "files", "ls", "--space", space.id),
              fluidcloud("--json", "files", "url", uploaded.id),
              fluidcloud("--json", "files", "share", uploaded.id),
              fluidcloud("files", "share", uploaded.id, "--expires-in-days", "3", "--permission", "download")
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Domain.FluidFile)(got).id).toBe(uploaded.id)
          expect(decode(Domain.FluidFile)(resolved).id).toBe(uploaded.id)
          expect(decode(Schema.Array(Domain.FluidFile))(listed).map((f) => f.id)).toEqual([uploaded.id])
          expect(decode(Url)(url).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
          const link = decode(Domain.Link)(publicLink)
          expect(link.expiresAt._tag).toBe("None")
          expect(link.url).toContain("/s/")
          // Human output of a signed link: its URL first, then permission and expiry.
          expect(signedLink.code).toBe(0)
          expect(signedLink.stdout).toMatch(/^http:\/\/\S+\/s\/\S+\n\(download, expires \d{4}-/)

          const shares = decode(Schema.Array(Domain.Share))(
            yield* fluidcloud("--json", "shares", "ls", "--file", uploaded.id)
          )
          expect(shares).toHaveLength(2)
          const signed = shares.find((s) => s.permission === "download")
          assert(signed !== undefined)
          const [revoke, move, rename] = yield* Effect.all(
            [
              fluidcloud("--json", "shares", "revoke", signed.id),
              fluidcloud("--json", "files", "mv", uploaded.id, folder.id),
              fluidcloud("--json", "files", "rename", uploaded.id, "final.bin")
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Revoked)(revoke)).toEqual({ id: signed.id, revoked: true })
          const moved = decode(Domain.FluidFile)(move)
          expect(moved.folderId._tag === "Some" && moved.folderId.value).toBe(folder.id)
          expect(decode(Domain.FluidFile)(rename).originalName).toBe("final.bin")
          const [active, all] = yield* Effect.all(
            [fluidcloud("--json", "shares", "ls", "--file", uploaded.id), fluidcloud("shares", "ls", "--all")],
            { concurrency: "unbounded" }
          )
          expect(decode(Schema.Array(Domain.Share))(active).map((s) => s.id)).toEqual([link.id])
          expect(all.stdout).toMatch(/^ID\s+FILE\s+PERMISSION\s+EXPIRES\s+DOWNLOADS\s+REVOKED\n/)
          expect(all.stdout).toContain(signed.id)
          const deleted = decode(Domain.FluidFile)(yield* fluidcloud("--json", "files", "rm", uploaded.id))
          expect(deleted.isDeleted).toBe(true)
          const [trash, quota] = yield* Effect.all(
            [
              fluidcloud("--json", "files", "ls", "--space", space.id, "--folder", folder.id, "--trash"),
              fluidcloud("--json", "quota")
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Schema.Array(Domain.FluidFile))(trash).map((f) => f.id)).toEqual([uploaded.id])
          const usage = decode(Domain.Quota)(quota)
          expect(usage.linksUsed).toBeGreaterThanOrEqual(1)
          expect(usage.bytesLimit).toBe(-1)
          // Human output of a file (in trash) and of the quota.
          const [restore, detail, human] = yield* Effect.all(
            [
              fluidcloud("--json", "files", "restore", uploaded.id),
              fluidcloud("files", "get", uploaded.id),
              fluidcloud("quota")
            ],
            { concurrency: "unbounded" }
          )
          expect(decode(Domain.FluidFile)(restore).isDeleted).toBe(false)
          expect(detail.stdout).toMatch(/^id\s+[0-9a-f-]{36}\nname\s+final\.bin\n/)
          expect(detail.stdout).toMatch(/size\s+6\.0 MiB \(6291579 bytes\)/)
          expect(human.stdout).toMatch(/^storage\s+\S+ \S+ of unlimited\nlinks\s+\d+ of unlimited\n$/)
        }).pipe(Effect.scoped),
      180_000
    )
  })

  describe("errors", () => {
    it.effect(
      "one line per error on stderr, a distinct exit code per tag",
      () =>
        Effect.gen(function* () {
          const emulator = yield* Emulator.Emulator
          const fc = yield* FluidCloud.FluidCloud
          const space = yield* fc.spaces.create("Errors")
          const infected = yield* fc.files.upload(new TextEncoder().encode(Emulator.eicar), space.id, {
            name: "eicar.txt"
          })
          yield* emulator.clearRequestLog

          const env = cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
          const [notFound, badDays, noKey, badKey, badUuid, conflict, missingSource] = yield* Effect.all(
            [
              fluidcloud("files", "get", "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10"),
              fluidcloud("files", "share", "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10", "--expires-in-days", "0"),
              runScript(cliBin, ["quota"], cleanEnv({ FLUIDCLOUD_BASE_URL: emulator.baseUrl })),
              runScript(cliBin, ["--api-key", "fck_test_wrong", "spaces", "ls"], env),
              fluidcloud("files", "get", "not-a-uuid"),
              fluidcloud("files", "wait", infected.id, "--timeout", "5"),
              fluidcloud("files", "upload", "/nonexistent/file.bin", "--space", space.id)
            ],
            { concurrency: "unbounded" }
          )

          expectFailure(notFound, 5, "NotFoundError")
          expect(notFound.stderr).toMatch(/^fluidcloud: NotFoundError \(HTTP 404\): not_found \[request \S+\]\n$/)
          expectFailure(badDays, 14, "ValidationError")
          expect(badDays.stderr).toContain("expiresInDays")
          expectFailure(noKey, 2, "ConfigError")
          expect(noKey.stderr).toContain("FLUIDCLOUD_API_KEY")
          expectFailure(badKey, 3, "AuthError")
          expect(badKey.stderr).not.toContain("fck_test_wrong")
          expect(badUuid.code).toBe(2)
          // one line naming the bad value, not the schema's error tree
          expect(badUuid.stderr).toBe('expected a file id (a UUID), got "not-a-uuid"\n')
          expect(badUuid.stdout).toBe("")
          expectFailure(conflict, 6, "ConflictError")
          expect(conflict.stderr).toContain("file_infected")
          expectFailure(missingSource, 13, "SourceError")

          // Rejected before any request: the bad --expires-in-days, the missing key, the bad uuid.
          const log = yield* emulator.requestLog
          const sharePosts = log.filter((entry) => entry.path.endsWith("/shares"))
          expect(sharePosts).toHaveLength(0)
          expect(log.filter((entry) => entry.path.endsWith("/quota"))).toHaveLength(0)
          expect(log.filter((entry) => entry.path.includes("not-a-uuid"))).toHaveLength(0)
        }),
      180_000
    )
  })

  describe("emulator and help", () => {
    it.effect(
      "fluidcloud emulator serves the API and prints its URLs; --help lists the commands",
      () =>
        Effect.gen(function* () {
          const line = Schema.decodeUnknownSync(
            Schema.parseJson(Schema.Struct({ baseUrl: Schema.String, apiKey: Schema.String }))
          )(yield* startScript(cliBin, ["emulator", "--scan-delay", "10"], cleanEnv({})))
          expect(line.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

          const env = cleanEnv({ FLUIDCLOUD_API_KEY: line.apiKey, FLUIDCLOUD_BASE_URL: line.baseUrl })
          const [quota, help] = yield* Effect.all(
            [runScript(cliBin, ["--json", "quota"], env), runScript(cliBin, ["--help"], env)],
            { concurrency: "unbounded" }
          )
          expect(decode(Domain.Quota)(quota).bytesUsed).toBe(0)
          expect(help.code).toBe(0)
          for (const name of ["spaces", "folders", "files", "shares", "quota", "emulator", "--api-key", "--json"]) {
            expect(help.stdout).toContain(name)
          }
        }).pipe(Effect.scoped),
      180_000
    )
  })
})

/** Polls `check` every 100 ms (real time) until it holds, for at most `within`. */
// Its own emulator: these tests inject latency, which is emulator-wide.
layer(Env, { timeout: 180_000, excludeTestServices: true })("fluidcloud CLI timeouts and Ctrl-C", (it) => {
  it.effect(
    "--timeout and FLUIDCLOUD_TIMEOUT bound each request: TransportError (Timeout), exit 10",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        yield* emulator.setLatency("5 seconds", { pathPrefix: "/api/v1/quota" })
        yield* Effect.addFinalizer(() => emulator.clearFaults)
        const env = { FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl }
        const [flag, fromEnv] = yield* Effect.all(
          [
            runScript(cliBin, ["--timeout", "1", "quota"], cleanEnv(env)),
            runScript(cliBin, ["quota"], cleanEnv({ ...env, FLUIDCLOUD_TIMEOUT: "1" }))
          ],
          { concurrency: "unbounded" }
        )
        for (const result of [flag, fromEnv]) {
          expectFailure(result, 10, "TransportError")
          expect(result.stderr).toMatch(/^fluidcloud: TransportError \(Timeout\): GET \S+\/api\/v1\/quota: /)
        }
        // (without the timeout, each request would wait out the 5 s latency and succeed)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "Ctrl-C during files upload aborts the upload on the server and exits with 130",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const fc = yield* FluidCloud.FluidCloud
        const space = yield* fc.spaces.create("Interrupted")
        const source = tempFile(12 * MiB)
        yield* Effect.addFinalizer(() => Effect.sync(source.cleanup))
        // Part PUTs hang long enough to interrupt mid-upload (30 s here would hold the emulator's
        // shutdown for about that long after the test).
        yield* emulator.setLatency("10 seconds", { pathPrefix: "/storage/" })
        yield* Effect.addFinalizer(() => emulator.clearFaults)

        const upload = yield* spawnScript(
          cliBin,
          ["files", "upload", source.path, "--space", space.id, "--part-size", "5MiB"],
          cleanEnv({ FLUIDCLOUD_API_KEY: emulator.apiKey, FLUIDCLOUD_BASE_URL: emulator.baseUrl })
        )
        const opened = yield* eventually(
          Effect.map(emulator.openUploads, (open) => open.length === 1),
          "20 seconds"
        )
        expect(opened).toBe(true)
        upload.child.kill("SIGINT")
        const result = yield* upload.result

        expect(result.code).toBe(130)
        expect(result.stderr).not.toMatch(/\n\s+at /)
        expect(result.stderr).not.toMatch(/Error/)
        expect(result.stdout).toBe("")
        const aborted = yield* eventually(
          Effect.map(emulator.openUploads, (open) => open.length === 0),
          "20 seconds"
        )
        expect(aborted).toBe(true)
      }).pipe(Effect.scoped),
    60_000
  )
})
