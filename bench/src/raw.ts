/**
 * The baseline: a careful hand-written client on undici doing what the SDK does, and nothing else.
 *
 * - `upload BASE_URL PATH`: initiate → the file read part by part into `concurrency + 1` reused
 *   buffers, each part hashed (sha256, `node:crypto`, in order) then PUT, `concurrency` at a time →
 *   complete, and the stored sha256 checked. Prints an `UploadResult`.
 * - `get BASE_URL FILE_ID WARMUP N`: `GET /files/{id}` + `JSON.parse`, one after another. Prints a
 *   `LatencyResult`.
 */
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"
import { Agent } from "undici"
import { cpu, latencies, maxRssMiB, phase, report } from "./measure.js"
import { API_KEY, completeBody, field, initiateBody } from "./wire.js"

const MiB = 1024 * 1024
const partSize = 8 * MiB
const concurrency = 4
const agent = new Agent()
const apiHeaders = { "x-api-key": API_KEY, accept: "application/json" }

const call = async (origin: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> => {
  const response = await agent.request({
    origin,
    path: `/api/v1${path}`,
    method,
    headers: body === undefined ? apiHeaders : { ...apiHeaders, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body)
  })
  const text = await response.body.text()
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`)
  return JSON.parse(text)
}

const putPart = async (url: string, bytes: Uint8Array): Promise<string> => {
  const target = new URL(url)
  const response = await agent.request({
    origin: target.origin,
    path: target.pathname + target.search,
    method: "PUT",
    headers: { "content-length": String(bytes.byteLength) },
    body: bytes
  })
  await response.body.text()
  const etag = response.headers.etag
  if (response.statusCode !== 200 || typeof etag !== "string") throw new Error(`PUT ${url}: ${response.statusCode}`)
  return etag
}

const upload = async (baseUrl: string, path: string): Promise<boolean> => {
  const handle = await open(path, "r")
  try {
    const size = (await handle.stat()).size
    const session = await call(baseUrl, "POST", "/uploads/initiate", initiateBody(path, size, partSize))
    const sessionPartSize = Number(field(session, "part_size"))
    const parts = field(session, "parts")
    if (!Array.isArray(parts)) throw new Error("no parts")
    const hash = createHash("sha256")
    const etags: Array<string> = []
    // concurrency parts in flight + the one being read
    const free: Array<Uint8Array> = []
    const waiting: Array<(buffer: Uint8Array) => void> = []
    let allocated = 0
    const take = (): Promise<Uint8Array> => {
      const buffer = free.pop()
      if (buffer !== undefined) return Promise.resolve(buffer)
      if (allocated < concurrency + 1) {
        allocated++
        return Promise.resolve(new Uint8Array(sessionPartSize))
      }
      return new Promise((resolve) => waiting.push(resolve))
    }
    const give = (buffer: Uint8Array) => {
      const next = waiting.shift()
      if (next === undefined) free.push(buffer)
      else next(buffer)
    }
    const inFlight = new Set<Promise<void>>()
    for (let index = 0; index < parts.length; index++) {
      const buffer = await take()
      const offset = index * sessionPartSize
      const length = Math.min(sessionPartSize, size - offset)
      const bytes = buffer.subarray(0, length)
      let filled = 0
      while (filled < length) {
        const { bytesRead } = await handle.read(bytes, filled, length - filled, offset + filled)
        if (bytesRead === 0) throw new Error("short read")
        filled += bytesRead
      }
      hash.update(bytes)
      while (inFlight.size >= concurrency) await Promise.race(inFlight)
      const put: Promise<void> = putPart(String(field(parts[index], "url")), bytes).then(
        (etag) => {
          etags[index] = etag
          inFlight.delete(put)
          give(buffer)
        },
        (error: unknown) => {
          inFlight.delete(put)
          throw error
        }
      )
      inFlight.add(put)
    }
    await Promise.all(inFlight)
    const digest = hash.digest("hex")
    const stored = await call(baseUrl, "POST", "/uploads/complete", completeBody(session, etags))
    return field(stored, "sha256") === digest
  } finally {
    await handle.close()
  }
}

const [mode, baseUrl = "", ...rest] = process.argv.slice(2)
if (mode === "upload") {
  const { value, seconds, cpuSeconds } = await phase(() => upload(baseUrl, rest[0] ?? ""))
  report({ seconds, cpuSeconds, maxRssMiB: maxRssMiB(), verified: value })
} else if (mode === "get") {
  const [fileId = "", warmup = "0", n = "0"] = rest
  const times: Array<number> = []
  let cpu0 = 0
  for (let i = 0; i < Number(warmup) + Number(n); i++) {
    if (i === Number(warmup)) cpu0 = cpu()
    const t0 = performance.now()
    const body = await call(baseUrl, "GET", `/files/${fileId}`)
    if (field(body, "id") !== fileId) throw new Error("wrong file")
    if (i >= Number(warmup)) times.push(performance.now() - t0)
  }
  report(latencies(times, cpu() - cpu0))
} else {
  throw new Error(`unknown mode ${mode}`)
}
