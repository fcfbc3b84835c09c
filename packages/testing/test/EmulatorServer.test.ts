import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { describe, expect, it, layer } from "@effect/vitest"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Schema } from "effect"

const Line = Schema.parseJson(
  Schema.Struct({
    baseUrl: Schema.String,
    storageUrl: Schema.String,
    filesUrl: Schema.String,
    apiKey: Schema.optional(Schema.String)
  })
)

const bin = join(import.meta.dirname, "..", "src", "bin", "fluidcloud-emulator.ts")

/** Spawn the bin and wait for its JSON line. */
const startBin = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly child: ChildProcess; readonly line: string }, Error>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
      let stderr = ""
      child.stderr?.on("data", (d) => {
        stderr += String(d)
      })
      const rl = createInterface({ input: child.stdout! })
      rl.once("line", (line) => resume(Effect.succeed({ child, line })))
      child.once("exit", (code) => resume(Effect.fail(new Error(`exited ${code}: ${stderr}`))))
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        if (child.exitCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  )

const IdOf = Schema.Struct({ id: Schema.String })
const PartsOf = Schema.Struct({ part_size: Schema.Number, parts: Schema.Array(Schema.Unknown) })

describe("fluidcloud-emulator bin", () => {
  it.live(
    "prints its URLs and a default key, serves the API, exits cleanly on SIGTERM",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { child, line } = yield* startBin(["--port", "0", "--scan-delay", "0", "--force-part-size", "1024"])
          const info = yield* Schema.decodeUnknown(Line)(line)
          expect(info.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
          expect(info.apiKey).toMatch(/^fck_test_[0-9A-Za-z]{24,}$/)
          const headers = { "x-api-key": info.apiKey ?? "", "content-type": "application/json" }
          const res = yield* Effect.promise(() => fetch(`${info.baseUrl}/api/v1/spaces`, { headers }))
          expect(res.status).toBe(200)
          // --force-part-size cuts parts of that size whatever the client's hint
          const space = yield* Effect.promise(() =>
            fetch(`${info.baseUrl}/api/v1/spaces`, {
              method: "POST",
              headers,
              body: JSON.stringify({ name: "s" })
            }).then((r) => r.json())
          )
          const session = yield* Effect.promise(() =>
            fetch(`${info.baseUrl}/api/v1/uploads/initiate`, {
              method: "POST",
              headers,
              body: JSON.stringify({ space_id: Schema.decodeUnknownSync(IdOf)(space).id, name: "a", size: 3000 })
            }).then((r) => r.json())
          )
          const parts = Schema.decodeUnknownSync(PartsOf)(session)
          expect([parts.part_size, parts.parts.length]).toEqual([1024, 3])
          const exit = yield* Effect.async<number | null>((resume) => {
            child.once("exit", (code) => resume(Effect.succeed(code)))
            child.kill("SIGTERM")
          })
          expect(exit).toBe(0)
        })
      ),
    30_000
  )

  it.live(
    "loads tenants, plans and keys from a seed file",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "fc-seed-"))
      const seed = join(dir, "seed.json")
      const key = "fck_test_abcdefghijklmnopqrstuvwxyz0123"
      const readOnly = "fck_test_READONLYreadonlyREADONLY0000"
      writeFileSync(
        seed,
        JSON.stringify({
          tenants: [
            {
              id: "acme",
              plan: { apiAccess: true, bytesLimit: 10, linksLimit: -1 },
              keys: [
                { key, scopes: "all" },
                { key: readOnly, scopes: ["spaces:read"] }
              ]
            }
          ]
        })
      )
      return Effect.scoped(
        Effect.gen(function* () {
          const { line } = yield* startBin(["--seed", seed])
          const info = yield* Schema.decodeUnknown(Line)(line)
          expect(info.apiKey).toBeUndefined()
          const quota = yield* Effect.promise(() =>
            fetch(`${info.baseUrl}/api/v1/quota`, { headers: { "x-api-key": key } }).then((r) => r.json())
          )
          expect(quota).toEqual({ bytes_used: 0, bytes_limit: 10, links_used: 0, links_limit: -1 })
          const denied = yield* Effect.promise(() =>
            fetch(`${info.baseUrl}/api/v1/quota`, { headers: { "x-api-key": readOnly } }).then((r) => r.json())
          )
          expect(denied).toEqual({ detail: "insufficient_scope", required_scope: "quota:read" })
        })
      ).pipe(Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true }))))
    },
    30_000
  )
})

layer(EmulatorServer.layer({ minPartSize: 1024 }), { excludeTestServices: true })("EmulatorServer", (it) => {
  it.effect("a reset fault destroys the connection of that part PUT", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const headers = { "x-api-key": emulator.apiKey, "content-type": "application/json" }
      const space = yield* Effect.promise(() =>
        fetch(`${emulator.baseUrl}/api/v1/spaces`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: "s" })
        }).then((r) => r.json())
      )
      const session = yield* Effect.promise(() =>
        fetch(`${emulator.baseUrl}/api/v1/uploads/initiate`, {
          method: "POST",
          headers,
          body: JSON.stringify({ space_id: Reflect.get(space, "id"), name: "r.bin", size: 2048, part_size: 1024 })
        }).then((r) => r.json())
      )
      const parts: unknown = Reflect.get(session, "parts")
      const url = Array.isArray(parts) ? String(Reflect.get(parts[0], "url")) : ""
      yield* emulator.failPartPut({ partNumber: 1, attempt: 1, reset: true })
      const failed = yield* Effect.either(
        Effect.tryPromise(() => fetch(url, { method: "PUT", body: new Uint8Array(1024) }))
      )
      expect(failed._tag).toBe("Left")
      const ok = yield* Effect.promise(() => fetch(url, { method: "PUT", body: new Uint8Array(1024) }))
      expect(ok.status).toBe(200)
      expect(ok.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/)
      const log = yield* emulator.requestLog
      expect(log.filter((e) => e.origin === "storage").map((e) => e.hadApiKey)).toEqual([false, false])
    })
  )
})
