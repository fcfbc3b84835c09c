/**
 * Measures the emulator's peak RSS while a 1 GiB file is uploaded as one part
 * PUT in directory mode, completed (sha256 + scan read the part back from disk)
 * and downloaded again.
 *
 *   pnpm exec tsx packages/testing/scripts/measure-rss.ts [GiB]
 *
 * Prints the emulator's VmHWM (peak RSS) and the RSS after each step. With
 * `--tsx` the emulator runs from source under tsx (whose compiler alone takes
 * ~170 MiB); by default the bin is first bundled with esbuild into
 * packages/testing/build/ (git-ignored, removed afterwards) and run with plain
 * node, so the figure is the emulator's own.
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Schema } from "effect"
import { build } from "esbuild"

const GiB = 1024 * 1024 * 1024
const args = process.argv.slice(2)
const useTsx = args.includes("--tsx")
const size = Math.round(Number(args.find((a) => !a.startsWith("--")) ?? "1") * GiB)
const chunk = Buffer.alloc(1024 * 1024, 7)

const dataDir = mkdtempSync(join(tmpdir(), "fc-rss-"))
const root = join(import.meta.dirname, "..")
const buildDir = join(root, "build")
let command: Array<string>
if (useTsx) {
  command = ["--import", "tsx", join(root, "src", "bin", "fluidcloud-emulator.ts")]
} else {
  // one plain-JavaScript file, its workspace dependencies (@fluidcloud/core's TypeScript sources) included
  await build({
    entryPoints: [join(root, "src", "bin", "fluidcloud-emulator.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: join(buildDir, "fluidcloud-emulator.mjs"),
    logLevel: "warning",
    // CommonJS dependencies bundled into ESM still call `require` for Node built-ins
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
    }
  })
  command = [join(buildDir, "fluidcloud-emulator.mjs")]
}
const child = spawn(process.execPath, [...command, "--port", "0", "--data-dir", dataDir, "--scan-delay", "0"], {
  stdio: ["ignore", "pipe", "inherit"]
})

const memory = (field: "VmRSS" | "VmHWM") => {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8")
  const kb = Number(/(\d+) kB/.exec(status.split("\n").find((l) => l.startsWith(field)) ?? "")?.[1] ?? "0")
  return Math.round(kb / 1024)
}

const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve))
const info = Schema.decodeUnknownSync(
  Schema.parseJson(Schema.Struct({ baseUrl: Schema.String, apiKey: Schema.String }))
)(line)
const Json = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${info.baseUrl}/api/v1${path}`, {
    method,
    headers: { "x-api-key": info.apiKey, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body)
  })
  return Schema.decodeUnknownSync(Json)(await res.json())
}

console.log(`emulator pid ${child.pid}, idle RSS ${memory("VmRSS")} MiB, peak so far ${memory("VmHWM")} MiB`)
const space = await api("POST", "/spaces", { name: "rss" })
const session = await api("POST", "/uploads/initiate", { space_id: space.id, name: "big.bin", size, part_size: size })
const { parts } = Schema.decodeUnknownSync(
  Schema.Struct({ parts: Schema.Array(Schema.Struct({ url: Schema.String })) })
)(session)
console.log(`parts: ${parts.length}, part_size ${session.part_size}`)

const t0 = Date.now()
const etag = await new Promise<string>((resolve, reject) => {
  const req = request(parts[0]!.url, { method: "PUT", headers: { "content-length": String(size) } }, (res) => {
    res.resume()
    res.on("end", () =>
      res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`${res.statusCode}`))
    )
  })
  req.on("error", reject)
  let sent = 0
  const pump = () => {
    while (sent < size) {
      const n = Math.min(chunk.length, size - sent)
      sent += n
      if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump)
    }
    req.end()
  }
  pump()
})
console.log(`PUT ${size} bytes in ${Date.now() - t0} ms; RSS ${memory("VmRSS")} MiB, peak ${memory("VmHWM")} MiB`)

const file = await api("POST", "/uploads/complete", { upload_id: session.upload_id, parts: [{ part_number: 1, etag }] })
console.log(
  `complete: sha256 ${String(file.sha256).slice(0, 16)}…; RSS ${memory("VmRSS")} MiB, peak ${memory("VmHWM")} MiB`
)

await api("GET", `/files/${file.id}`)
const dl = await api("GET", `/files/${file.id}/download`)
const res = await fetch(String(dl.url))
const sha = createHash("sha256")
let got = 0
for await (const c of res.body!) {
  sha.update(c)
  got += c.byteLength
}
console.log(`download ${got} bytes, sha256 match ${sha.digest("hex") === file.sha256}`)
console.log(
  `RESULT: peak RSS (VmHWM) of the emulator = ${memory("VmHWM")} MiB for a ${size / GiB} GiB upload + download`
)
child.kill("SIGTERM")
await new Promise((r) => child.once("exit", r))
rmSync(dataDir, { recursive: true, force: true })
if (!useTsx) rmSync(buildDir, { recursive: true, force: true })
