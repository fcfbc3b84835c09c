/**
 * Measures the emulator's CPU time per GiB uploaded (initiate, part PUTs, complete) and per GiB
 * downloaded (one storage GET of the whole file), three ways:
 *
 * - `http-memory` / `http-dir`: the `fluidcloud-emulator` bin in its own process (under tsx; the
 *   figure is the process's user + system CPU between the first request and the last answer, from
 *   /proc, so start-up compilation does not count), parts in memory or in a data directory; the
 *   client is raw `node:http` in this process.
 * - `in-process`: `FluidCloudTest.makeClient` in this process, parts in memory; the figure is this
 *   process's CPU (`process.cpuUsage`), so it includes the in-process `HttpClient` transport (not
 *   the SDK: the requests are made with the `HttpClient` directly).
 *
 *   pnpm exec tsx packages/testing/scripts/measure-cpu.ts [GiB] [--mode http-memory|http-dir|in-process] [--profile DIR]
 *
 * Parts are 8 MiB, 4 PUTs at a time, as the SDK's default upload does.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Effect, Schema, Stream } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as FluidCloudTest from "../src/FluidCloudTest.js"

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const args = process.argv.slice(2)
const modeIndex = args.indexOf("--mode")
const modes = modeIndex >= 0 ? [args[modeIndex + 1] ?? ""] : ["http-memory", "http-dir", "in-process"]
const size = Math.round(
  Number(args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--mode" && args[i - 1] !== "--profile") ?? "1") *
    GiB
)
const profileIndex = args.indexOf("--profile")
/** `--profile DIR`: the emulator process writes a V8 CPU profile there (`--cpu-prof`). */
const profileDir = profileIndex >= 0 ? args[profileIndex + 1] : undefined
const partSize = 8 * MiB
const concurrency = 4
const part = Buffer.alloc(partSize)
for (let i = 0; i < part.length; i++) part[i] = (i * 31 + 7) % 251

const Session = Schema.Struct({
  upload_id: Schema.String,
  parts: Schema.Array(Schema.Struct({ part_number: Schema.Number, url: Schema.String }))
})
const Json = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Info = Schema.parseJson(Schema.Struct({ baseUrl: Schema.String, apiKey: Schema.String }))

/** The transport the measurement drives: JSON API calls, part PUTs and a whole-object GET. */
interface Driver {
  readonly api: (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>
  readonly put: (url: string, bytes: Uint8Array) => Promise<string>
  readonly get: (url: string) => Promise<number>
  readonly cpu: () => number
}

const lengthOf = (n: number) => (n < Math.ceil(size / partSize) ? partSize : size - partSize * (n - 1))

const run = async (driver: Driver) => {
  const space = await driver.api("POST", "/spaces", { name: "cpu" })
  const before = driver.cpu()
  const session = Schema.decodeUnknownSync(Session)(
    await driver.api("POST", "/uploads/initiate", { space_id: space.id, name: "big.bin", size, part_size: partSize })
  )
  const etags: Array<{ part_number: number; etag: string }> = []
  let next = 0
  const worker = async () => {
    while (next < session.parts.length) {
      const p = session.parts[next++]
      if (p === undefined) return
      const n = lengthOf(p.part_number)
      etags.push({
        part_number: p.part_number,
        etag: await driver.put(p.url, n === partSize ? part : part.subarray(0, n))
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  etags.sort((a, b) => a.part_number - b.part_number)
  const file = await driver.api("POST", "/uploads/complete", { upload_id: session.upload_id, parts: etags })
  const uploaded = driver.cpu() - before
  await driver.api("GET", `/files/${String(file.id)}`)
  const dl = await driver.api("GET", `/files/${String(file.id)}/download`)
  const beforeGet = driver.cpu()
  const got = await driver.get(String(dl.url))
  const downloaded = driver.cpu() - beforeGet
  if (got !== size) throw new Error(`downloaded ${got} of ${size} bytes`)
  return { uploaded: uploaded / (size / GiB), downloaded: downloaded / (size / GiB) }
}

const overHttp = async (dataDir: string | undefined) => {
  const bin = join(import.meta.dirname, "..", "src", "bin", "fluidcloud-emulator.ts")
  const child = spawn(
    process.execPath,
    [
      ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]),
      "--import",
      "tsx",
      bin,
      "--port",
      "0",
      "--scan-delay",
      "0",
      ...(dataDir === undefined ? [] : ["--data-dir", dataDir])
    ],
    { stdio: ["ignore", "pipe", "inherit"] }
  )
  const info = Schema.decodeUnknownSync(Info)(
    await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve))
  )
  const ticks = 100
  const driver: Driver = {
    api: async (method, path, body) => {
      const res = await fetch(`${info.baseUrl}/api/v1${path}`, {
        method,
        headers: { "x-api-key": info.apiKey, "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body)
      })
      return Schema.decodeUnknownSync(Json)(await res.json())
    },
    put: (url, bytes) =>
      new Promise((resolve, reject) => {
        const req = request(url, { method: "PUT", headers: { "content-length": String(bytes.length) } }, (res) => {
          res.resume()
          res.on("end", () =>
            res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`${res.statusCode}`))
          )
        })
        req.on("error", reject)
        req.end(bytes)
      }),
    get: (url) =>
      new Promise((resolve, reject) => {
        request(url, (res) => {
          let n = 0
          res.on("data", (c: Buffer) => {
            n += c.length
          })
          res.on("end", () => resolve(n))
        })
          .on("error", reject)
          .end()
      }),
    cpu: () => {
      // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (USER_HZ = 100 on Linux)
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
      return (Number(fields[11]) + Number(fields[12])) / ticks
    }
  }
  try {
    return await run(driver)
  } finally {
    child.kill("SIGTERM")
    await new Promise((r) => child.once("exit", r))
  }
}

const inProcess = async () => {
  const emulator = await Effect.runPromise(Emulator.make({ scanDelay: 0 }))
  const client = FluidCloudTest.makeClient(emulator)
  const exec = <A>(f: (client: HttpClient.HttpClient) => Effect.Effect<A, unknown>) =>
    Effect.runPromise(f(client).pipe(Effect.scoped))
  const driver: Driver = {
    api: (method, path, body) =>
      exec((c) => {
        let req = HttpClientRequest.make(method === "POST" ? "POST" : "GET")(`${emulator.baseUrl}/api/v1${path}`).pipe(
          HttpClientRequest.setHeader("x-api-key", emulator.apiKey)
        )
        if (body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, body)
        return Effect.flatMap(c.execute(req), (res) => Effect.flatMap(res.json, Schema.decodeUnknown(Json)))
      }),
    put: (url, bytes) =>
      exec((c) =>
        Effect.map(c.execute(HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUint8Array(bytes))), (res) =>
          String(res.headers.etag)
        )
      ),
    get: (url) =>
      exec((c) =>
        Effect.flatMap(c.execute(HttpClientRequest.get(url)), (res) =>
          Stream.runFold(res.stream, 0, (n, chunk) => n + chunk.byteLength)
        )
      ),
    cpu: () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1e6
    }
  }
  return run(driver)
}

for (const mode of modes) {
  const dir = mode === "http-dir" ? mkdtempSync(join(tmpdir(), "fc-cpu-")) : undefined
  try {
    const result = mode === "in-process" ? await inProcess() : await overHttp(dir)
    console.log(
      `${mode}: ${(size / GiB).toFixed(2)} GiB: upload ${result.uploaded.toFixed(2)} CPU s/GiB, download ${result.downloaded.toFixed(2)} CPU s/GiB`
    )
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  }
}
