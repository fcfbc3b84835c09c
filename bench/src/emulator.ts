/**
 * The emulator's CPU time per GiB uploaded: the bundled `fluidcloud-emulator` in its own process,
 * parts in memory, driven over HTTP by raw `node:http` (initiate → 8 MiB part PUTs, 4 at a time →
 * complete). The figure is the server process's user + system CPU (from /proc) between the
 * initiate and the complete's answer, so start-up does not count. The same driver measures the
 * floor under it, `store.ts` (a bare `node:http` server that keeps the parts, with their MD5 and
 * the file's sha256).
 */
import { readFileSync } from "node:fs"
import { Agent, request } from "node:http"
import { serve } from "./processes.js"

const MiB = 1024 * 1024
const partSize = 8 * MiB
const concurrency = 4

const cpuOf = (pid: number): number => {
  // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (USER_HZ = 100 on Linux)
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const field = (u: unknown, name: string): unknown =>
  typeof u === "object" && u !== null && name in u ? Reflect.get(u, name) : undefined

/** The servers the driver can measure: the emulator, or the bare store under it. */
const servers = {
  emulator: ["--port", "0", "--scan-delay", "0"],
  store: []
} as const

export const uploadCpu = async (server: keyof typeof servers, sizeMiB: number): Promise<number> => {
  const emulator = await serve(server, servers[server])
  const baseUrl = String(field(emulator.info, "baseUrl"))
  const apiKey = String(field(emulator.info, "apiKey"))
  const agent = new Agent({ keepAlive: true })
  const api = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method: "POST",
      headers: { "x-api-key": apiKey, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  const put = (url: string, bytes: Uint8Array) =>
    new Promise<string>((resolve, reject) => {
      const req = request(url, { method: "PUT", agent, headers: { "content-length": String(bytes.length) } }, (res) => {
        res.resume()
        res.on("end", () =>
          res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`PUT ${res.statusCode}`))
        )
      })
      req.on("error", reject)
      req.end(bytes)
    })
  try {
    const size = sizeMiB * MiB
    const part = Buffer.alloc(partSize)
    for (let i = 0; i < part.length; i++) part[i] = (i * 31 + 7) % 251
    const space = await api("/spaces", { name: "bench" })
    const pid = emulator.child.pid ?? 0
    const before = cpuOf(pid)
    const session = await api("/uploads/initiate", {
      space_id: field(space, "id"),
      name: "big.bin",
      size,
      part_size: partSize
    })
    const parts = field(session, "parts")
    if (!Array.isArray(parts)) throw new Error("no parts")
    const etags: Array<string> = []
    let next = 0
    const worker = async () => {
      while (next < parts.length) {
        const index = next++
        const length = Math.min(partSize, size - index * partSize)
        etags[index] = await put(
          String(field(parts[index], "url")),
          length === partSize ? part : part.subarray(0, length)
        )
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const file = await api("/uploads/complete", {
      upload_id: field(session, "upload_id"),
      parts: etags.map((etag, index) => ({ part_number: index + 1, etag }))
    })
    if (typeof field(file, "sha256") !== "string") throw new Error("the upload did not complete")
    return (cpuOf(pid) - before) / (size / (1024 * MiB))
  } finally {
    agent.destroy()
    await emulator.stop()
  }
}
