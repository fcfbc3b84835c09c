/**
 * The floor of any in-memory emulator on Node: a bare `node:http` server doing only what the
 * contract asks of an upload's storage, and nothing the emulator does besides (no routing, auth,
 * signed URLs, validation, quota, scan or Effect). It answers the same requests the emulator's
 * bench sends, so one driver measures both:
 *
 * - `POST /api/v1/spaces`: `{"id"}`.
 * - `POST /api/v1/uploads/initiate`: a session with one part URL per part.
 * - `PUT /storage/{upload}/{n}`: keeps the part's chunks as received and answers its MD5 as the
 *   `ETag` (as the contract says).
 * - `POST /api/v1/uploads/complete`: the sha256 of the parts in order, one pass over them.
 *
 * Run as a child process; prints `{"baseUrl", "apiKey"}` once listening.
 */
import { createHash, randomUUID } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import { readJson } from "./readJson.js"

const parts = new Map<string, Map<number, ReadonlyArray<Buffer>>>()

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) })
  res.end(text)
}

const server = createServer((req, res) => {
  const url = req.url ?? "/"
  if (req.method === "PUT" && url.startsWith("/storage/")) {
    const [, , uploadId = "", n = "0"] = url.split("/")
    const md5 = createHash("md5")
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => {
      md5.update(chunk)
      chunks.push(chunk)
    })
    req.on("end", () => {
      parts.get(uploadId)?.set(Number(n), chunks)
      res.writeHead(200, { etag: `"${md5.digest("hex")}"`, "content-length": "0" })
      res.end()
    })
    return
  }
  readJson(req).then(
    (body) => {
      if (url === "/api/v1/spaces") return json(res, 201, { id: randomUUID() })
      if (url === "/api/v1/uploads/initiate") {
        const size = Number(body.size)
        const partSize = Number(body.part_size)
        const uploadId = randomUUID()
        parts.set(uploadId, new Map())
        const count = Math.max(1, Math.ceil(size / partSize))
        return json(res, 201, {
          upload_id: uploadId,
          parts: Array.from({ length: count }, (_, i) => ({
            part_number: i + 1,
            url: `http://${req.headers.host}/storage/${uploadId}/${i + 1}`
          }))
        })
      }
      if (url === "/api/v1/uploads/complete") {
        const stored = parts.get(String(body.upload_id))
        if (stored === undefined) return json(res, 404, { detail: "not_found" })
        const sha = createHash("sha256")
        for (let n = 1; n <= stored.size; n++) for (const chunk of stored.get(n) ?? []) sha.update(chunk)
        return json(res, 200, { sha256: sha.digest("hex") })
      }
      return json(res, 404, { detail: "not_found" })
    },
    () => json(res, 400, { detail: "bad_request" })
  )
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  process.stdout.write(`${JSON.stringify({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "unused" })}\n`)
})
process.on("SIGTERM", () => process.exit(0))
