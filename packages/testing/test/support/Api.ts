/**
 * Raw calls to the emulator through the `HttpClient` in context (in-process or over HTTP): the
 * API with the emulator's default key (or another), part PUTs, and a whole multipart upload.
 */
import { createHash } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert } from "@effect/vitest"
import { Emulator } from "@fluidcloud/testing"
import { Effect, Schema } from "effect"

const Json = Schema.Unknown
const Obj = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export const Session = Schema.Struct({
  upload_id: Schema.String,
  file_id: Schema.String,
  part_size: Schema.Number,
  parts: Schema.Array(
    Schema.Struct({
      part_number: Schema.Number,
      url: Schema.String,
      headers: Schema.Record({ key: Schema.String, value: Schema.String })
    })
  )
})
export const FileJson = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  scan_status: Schema.NullOr(Schema.String),
  sha256: Schema.NullOr(Schema.String),
  size: Schema.Number
})

export const call = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, key?: string | null) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const client = yield* HttpClient.HttpClient
    let req = HttpClientRequest.make(method)(`${emulator.baseUrl}/api/v1${path}`)
    const k = key === undefined ? emulator.apiKey : key
    if (k !== null) req = HttpClientRequest.setHeader(req, "x-api-key", k)
    if (body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, body)
    const res = yield* client.execute(req)
    const text = yield* res.text
    return {
      status: res.status,
      headers: res.headers,
      body: text === "" ? undefined : yield* Schema.decodeUnknown(Schema.parseJson(Json))(text)
    }
  })

export const obj = (u: unknown) => Schema.decodeUnknownSync(Obj)(u)

export const putPart = (url: string, bytes: Uint8Array) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    return yield* client.execute(HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUint8Array(bytes)))
  })

export const bytesOf = (n: number, seed = 1) => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) % 251
  return out
}

export const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex")

export const setupSpace = Effect.gen(function* () {
  const space = yield* call("POST", "/spaces", { name: "s" })
  return String(obj(space.body).id)
})

export const upload = (spaceId: string, content: Uint8Array, extra: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const init = yield* call("POST", "/uploads/initiate", {
      space_id: spaceId,
      name: "a.txt",
      size: content.byteLength,
      ...extra
    })
    assert.strictEqual(init.status, 201)
    const session = yield* Schema.decodeUnknown(Session)(init.body)
    const parts = []
    for (const p of session.parts) {
      const chunk = content.subarray((p.part_number - 1) * session.part_size, p.part_number * session.part_size)
      const res = yield* putPart(p.url, chunk)
      assert.strictEqual(res.status, 200)
      parts.push({ part_number: p.part_number, etag: res.headers.etag ?? "" })
    }
    const done = yield* call("POST", "/uploads/complete", { upload_id: session.upload_id, parts })
    return { session, done, parts }
  })

/** The presigned download URL of a file scanned clean. */
export const downloadUrl = (fileId: string) =>
  Effect.gen(function* () {
    const dl = yield* call("GET", `/files/${fileId}/download`)
    assert.strictEqual(dl.status, 200, JSON.stringify(dl.body))
    return String(obj(dl.body).url)
  })

/** GET a URL with some headers: the status, the headers and every byte of the body. */
export const fetchBytes = (url: string, headers: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const res = yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(headers)))
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(yield* res.arrayBuffer) }
  })
