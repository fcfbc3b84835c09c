/**
 * The floor under any Effect client: `@effect/platform`'s `HttpClient` on undici
 * (`NodeHttpClient.layerUndici`, what `NodeFluidCloud` uses) doing the protocol and nothing else
 * (no timeout, retry, span of its own, validation or decode).
 *
 * - `get BASE_URL FILE_ID WARMUP N`: `GET /files/{id}` + `JSON.parse`, one after another inside
 *   one Effect. Prints a `LatencyResult`.
 * - `upload BASE_URL PATH`: raw.ts's upload as a plain Effect program: initiate → the file read
 *   part by part into `concurrency + 1` reused buffers (`node:fs` reads), each part hashed
 *   (`node:crypto`, in order) then PUT by one of `concurrency` workers → complete, the stored
 *   sha256 checked. Prints an `UploadResult`.
 */
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Queue } from "effect"
import { timeCalls } from "./calls.js"
import { maxRssMiB, phase, report } from "./measure.js"
import { API_KEY, completeBody, field, initiateBody } from "./wire.js"

const MiB = 1024 * 1024
const partSize = 8 * MiB
const concurrency = 4
const apiHeaders = { "x-api-key": API_KEY, accept: "application/json" }

const get = (baseUrl: string, fileId: string, warmup: number, n: number) => {
  const request = HttpClientRequest.get(`${baseUrl}/api/v1/files/${fileId}`).pipe(
    HttpClientRequest.setHeaders(apiHeaders)
  )
  return Effect.flatMap(HttpClient.HttpClient, (client) =>
    timeCalls(
      Effect.flatMap(client.execute(request), (response) =>
        Effect.map(response.text, (text): unknown => JSON.parse(text))
      ),
      (body) => typeof body === "object" && body !== null,
      warmup,
      n
    )
  )
}

const upload = (baseUrl: string, path: string) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const call = (route: string, body: unknown) =>
      Effect.flatMap(
        client.execute(
          HttpClientRequest.post(`${baseUrl}/api/v1${route}`).pipe(
            HttpClientRequest.setHeaders(apiHeaders),
            HttpClientRequest.bodyUnsafeJson(body)
          )
        ),
        (response) => Effect.map(response.text, (text): unknown => JSON.parse(text))
      )
    const handle = yield* Effect.acquireRelease(
      Effect.promise(() => open(path, "r")),
      (h) => Effect.promise(() => h.close())
    )
    const size = (yield* Effect.promise(() => handle.stat())).size
    const session = yield* call("/uploads/initiate", initiateBody(path, size, partSize))
    const sessionPartSize = Number(field(session, "part_size"))
    const parts = field(session, "parts")
    if (!Array.isArray(parts)) return yield* Effect.dieMessage("no parts")
    const hash = createHash("sha256")
    const etags: Array<string> = []
    // concurrency parts in flight + the one being read
    const free = yield* Queue.bounded<Uint8Array>(concurrency + 1)
    for (let i = 0; i <= concurrency; i++) yield* Queue.offer(free, new Uint8Array(sessionPartSize))
    const jobs = yield* Queue.bounded<{ index: number; buffer: Uint8Array; bytes: Uint8Array } | undefined>(1)
    const reader = Effect.gen(function* () {
      for (let index = 0; index < parts.length; index++) {
        const buffer = yield* Queue.take(free)
        const offset = index * sessionPartSize
        const length = Math.min(sessionPartSize, size - offset)
        const bytes = buffer.subarray(0, length)
        let filled = 0
        while (filled < length) {
          const { bytesRead } = yield* Effect.promise(() =>
            handle.read(bytes, filled, length - filled, offset + filled)
          )
          if (bytesRead === 0) return yield* Effect.dieMessage("short read")
          filled += bytesRead
        }
        hash.update(bytes)
        yield* Queue.offer(jobs, { index, buffer, bytes })
      }
      for (let i = 0; i < concurrency; i++) yield* Queue.offer(jobs, undefined)
    })
    const worker = Effect.gen(function* () {
      while (true) {
        const job = yield* Queue.take(jobs)
        if (job === undefined) return
        const response = yield* client.execute(
          HttpClientRequest.put(String(field(parts[job.index], "url"))).pipe(
            HttpClientRequest.setBody(HttpBody.uint8Array(job.bytes))
          )
        )
        yield* response.text
        const etag = response.headers.etag
        if (response.status !== 200 || etag === undefined) return yield* Effect.dieMessage("PUT failed")
        etags[job.index] = etag
        yield* Queue.offer(free, job.buffer)
      }
    })
    yield* Effect.all([reader, ...Array.from({ length: concurrency }, () => worker)], {
      concurrency: "unbounded",
      discard: true
    })
    const digest = hash.digest("hex")
    const stored = yield* call("/uploads/complete", completeBody(session, etags))
    return field(stored, "sha256") === digest
  }).pipe(Effect.scoped)

const [mode, baseUrl = "", ...rest] = process.argv.slice(2)
const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.runPromise(Effect.provide(effect, NodeHttpClient.layerUndici))
if (mode === "get") {
  const [fileId = "", warmup = "0", n = "0"] = rest
  report(await run(get(baseUrl, fileId, Number(warmup), Number(n))))
} else if (mode === "upload") {
  const { value, seconds, cpuSeconds } = await phase(() => run(upload(baseUrl, rest[0] ?? "")))
  report({ seconds, cpuSeconds, maxRssMiB: maxRssMiB(), verified: value })
} else {
  throw new Error(`unknown mode ${mode}`)
}
