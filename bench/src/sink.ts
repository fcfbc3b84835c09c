/**
 * The minimal server both clients upload to and read from: not the emulator, just enough of the
 * protocol to answer it (initiate → part PUTs → complete, GET a file), doing as little as it can
 * so the clients are what is measured. Run as a child process; prints `{"baseUrl": ...}` once
 * listening.
 *
 * - `POST /api/v1/uploads/initiate`: a session with one part URL per part (parts of the size hint).
 * - `PUT /storage/{upload}/{n}`: drains the body, answers a made-up `ETag` (nothing is hashed).
 * - `POST /api/v1/uploads/complete`: the `File`, with the sha256 registered for its name by
 *   `POST /__bench/expect {name, sha256}` (the harness hashes the file once, beforehand).
 * - `GET /api/v1/files/{id}`: one `File`, the same bytes each time.
 * - `DELETE /api/v1/uploads/{id}`: 204.
 */
import { randomUUID } from "node:crypto"
import { createServer, type ServerResponse } from "node:http"
import { readJson } from "./readJson.js"
import { FILE_ID, file } from "./wire.js"

const MiB = 1024 * 1024
const expected = new Map<string, string>()
const uploads = new Map<string, { readonly name: string; readonly size: number }>()
const fileBody = JSON.stringify(file(7, { id: FILE_ID }))
let requests = 0

const headers = (extra: Record<string, string> = {}) => ({
  "x-request-id": `req_${++requests}`,
  "x-ratelimit-limit": "100000",
  "x-ratelimit-remaining": "99999",
  "x-ratelimit-reset": "60",
  ...extra
})

const json = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(
    status,
    headers({ "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) })
  )
  res.end(body)
}

const server = createServer((req, res) => {
  const url = req.url ?? "/"
  const origin = `http://${req.headers.host}`
  if (req.method === "PUT" && url.startsWith("/storage/")) {
    const n = Number(url.split("/")[3])
    req.resume()
    req.on("end", () => {
      res.writeHead(200, headers({ etag: `"${n.toString(16).padStart(32, "0")}"`, "content-length": "0" }))
      res.end()
    })
    return
  }
  if (req.method === "GET" && url.startsWith("/api/v1/files/")) return json(res, 200, fileBody)
  if (req.method === "DELETE" && url.startsWith("/api/v1/uploads/")) {
    req.resume()
    res.writeHead(204, headers())
    return res.end()
  }
  if (req.method !== "POST") return json(res, 404, `{"detail":"not_found"}`)
  readJson(req).then(
    (body) => {
      if (url === "/__bench/expect") {
        expected.set(String(body.name), String(body.sha256))
        res.writeHead(204)
        return res.end()
      }
      if (url === "/api/v1/uploads/initiate") {
        const size = Number(body.size)
        const partSize = Math.max(Number(body.part_size ?? 8 * MiB), Math.ceil(size / 10_000), 1)
        const count = size === 0 ? 1 : Math.ceil(size / partSize)
        const uploadId = randomUUID()
        uploads.set(uploadId, { name: String(body.name), size })
        const parts = Array.from({ length: count }, (_, i) => ({
          part_number: i + 1,
          url: `${origin}/storage/${uploadId}/${i + 1}`,
          method: "PUT",
          headers: {}
        }))
        const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
        return json(
          res,
          201,
          JSON.stringify({
            upload_id: uploadId,
            file_id: randomUUID(),
            expires_at: expiresAt,
            part_size: partSize,
            parts
          })
        )
      }
      if (url === "/api/v1/uploads/complete") {
        const upload = uploads.get(String(body.upload_id))
        if (upload === undefined) return json(res, 404, `{"detail":"not_found"}`)
        const name = upload.name
        return json(
          res,
          200,
          JSON.stringify(
            file(1, {
              original_name: name,
              size: upload.size,
              sha256: expected.get(name) ?? null,
              scan_status: "pending"
            })
          )
        )
      }
      return json(res, 404, `{"detail":"not_found"}`)
    },
    () => json(res, 400, `{"detail":"bad_request"}`)
  )
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  process.stdout.write(`${JSON.stringify({ baseUrl: `http://127.0.0.1:${port}` })}\n`)
})
process.on("SIGTERM", () => process.exit(0))
