/**
 * Conformance of the emulator to docs/openapi.yaml, over real HTTP: every
 * operation and every documented status, each response validated with ajv
 * against the contract (test/support/openapi.ts).
 */
import { createHash, randomUUID } from "node:crypto"
import { afterAll, describe, expect, layer } from "@effect/vitest"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect } from "effect"
import * as OpenApi from "../support/openapi.js"

const spec = OpenApi.load()
const covered = new Set<string>()

interface Call {
  readonly method: string
  readonly url: string
  readonly key?: string | null | undefined
  readonly json?: unknown
  readonly raw?: Uint8Array | string | undefined
  readonly headers?: Record<string, string> | undefined
}

interface Result {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const field = (u: unknown, name: string): unknown => (isObject(u) ? u[name] : undefined)
const str = (u: unknown, name: string): string => {
  const v = field(u, name)
  if (typeof v !== "string") throw new Error(`expected string field ${name} in ${JSON.stringify(u)}`)
  return v
}

/** Send a request, validate the response against the contract and record the (operation, status) pair. */
const send = (operationId: string, call: Call, expectedStatus?: number) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const headers: Record<string, string> = { ...call.headers }
    const key = call.key === undefined ? emulator.apiKey : call.key
    if (key !== null && call.url.startsWith(emulator.baseUrl) && call.url.includes("/api/v1"))
      headers["x-api-key"] = key
    let body: Uint8Array | string | undefined = call.raw
    if (call.json !== undefined) {
      body = JSON.stringify(call.json)
      headers["content-type"] = "application/json"
    }
    const res = yield* Effect.promise(() =>
      fetch(call.url, {
        method: call.method,
        headers,
        body: typeof body === "object" ? Uint8Array.from(body) : (body ?? null)
      })
    )
    const text = yield* Effect.promise(() => res.text())
    const wire = { status: res.status, headers: res.headers, body: text }
    const errors = spec.validate(operationId, wire)
    expect(errors, `${call.method} ${call.url}`).toEqual([])
    if (expectedStatus !== undefined) expect(res.status, `${operationId}: ${text}`).toBe(expectedStatus)
    const statusKey = spec.statusKey(operationId, res.status)
    if (statusKey !== undefined) covered.add(`${operationId} ${statusKey}`)
    let json: unknown
    try {
      json = text === "" ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, text, json } satisfies Result
  })

const api = (path: string) => Effect.map(Emulator.Emulator, (e) => `${e.baseUrl}/api/v1${path}`)

interface Fixture {
  readonly spaceId: string
  readonly folderId: string
  readonly fileId: string
  readonly shareId: string
  readonly uploadId: string
  readonly clientKey: string
  readonly shareUrl: string
}

/** Upload `content` in one part with the given key; returns the session and the completed File. */
const uploadFile = (spaceId: string, content: string, extra: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const init = yield* send(
      "initiateUpload",
      {
        method: "POST",
        url: yield* api("/uploads/initiate"),
        json: { space_id: spaceId, name: "hello.txt", size: Buffer.byteLength(content), ...extra }
      },
      201
    )
    const part = field(init.json, "parts")
    const url = Array.isArray(part) ? str(part[0], "url") : ""
    const put = yield* send("putUploadPart", { method: "PUT", url, raw: content }, 200)
    const etag = put.headers.get("etag") ?? ""
    const uploadId = str(init.json, "upload_id")
    const done = yield* send(
      "completeUpload",
      {
        method: "POST",
        url: yield* api("/uploads/complete"),
        json: { upload_id: uploadId, parts: [{ part_number: 1, etag }] }
      },
      200
    )
    return { uploadId, fileId: str(done.json, "id"), etag }
  })

const fixture: Effect.Effect<Fixture, never, Emulator.Emulator> = Effect.gen(function* () {
  const space = yield* send("createSpace", { method: "POST", url: yield* api("/spaces"), json: { name: "conf" } }, 201)
  const spaceId = str(space.json, "id")
  const folder = yield* send(
    "createFolder",
    { method: "POST", url: yield* api("/folders"), json: { name: "docs", space_id: spaceId } },
    201
  )
  const clientKey = `ck-${randomUUID()}`
  const { fileId } = yield* uploadFile(spaceId, "hello world", { client_key: clientKey })
  // scanDelay 0: clean on the next read
  yield* send("getFile", { method: "GET", url: yield* api(`/files/${fileId}`) }, 200)
  const share = yield* send(
    "createShare",
    { method: "POST", url: yield* api("/shares"), json: { file_id: fileId } },
    201
  )
  const open = yield* send(
    "initiateUpload",
    { method: "POST", url: yield* api("/uploads/initiate"), json: { space_id: spaceId, name: "open.bin", size: 4 } },
    201
  )
  return {
    spaceId,
    folderId: str(folder.json, "id"),
    fileId,
    shareId: str(share.json, "id"),
    uploadId: str(open.json, "upload_id"),
    clientKey,
    shareUrl: str(share.json, "url")
  }
})

/** A valid request for each API operation, given a fixture. */
const validCalls: Record<string, (f: Fixture) => { method: string; path: string; json?: unknown }> = {
  listSpaces: () => ({ method: "GET", path: "/spaces" }),
  createSpace: () => ({ method: "POST", path: "/spaces", json: { name: "x" } }),
  listFolders: (f) => ({ method: "GET", path: `/folders?space_id=${f.spaceId}` }),
  createFolder: (f) => ({ method: "POST", path: "/folders", json: { name: "y", space_id: f.spaceId } }),
  updateFolder: (f) => ({ method: "PATCH", path: `/folders/${f.folderId}`, json: { name: "renamed" } }),
  deleteFolder: (f) => ({ method: "DELETE", path: `/folders/${f.folderId}` }),
  restoreFolder: (f) => ({ method: "POST", path: `/folders/${f.folderId}/restore` }),
  listFiles: (f) => ({ method: "GET", path: `/files?space_id=${f.spaceId}` }),
  resolveFile: (f) => ({ method: "GET", path: `/files/resolve?client_key=${f.clientKey}` }),
  getFile: (f) => ({ method: "GET", path: `/files/${f.fileId}` }),
  updateFile: (f) => ({ method: "PATCH", path: `/files/${f.fileId}`, json: { name: "b.txt" } }),
  deleteFile: (f) => ({ method: "DELETE", path: `/files/${f.fileId}` }),
  restoreFile: (f) => ({ method: "POST", path: `/files/${f.fileId}/restore` }),
  getDownloadUrl: (f) => ({ method: "GET", path: `/files/${f.fileId}/download` }),
  initiateUpload: (f) => ({
    method: "POST",
    path: "/uploads/initiate",
    json: { space_id: f.spaceId, name: "n", size: 1 }
  }),
  completeUpload: (f) => ({ method: "POST", path: "/uploads/complete", json: { upload_id: f.uploadId, parts: [] } }),
  abortUpload: (f) => ({ method: "DELETE", path: `/uploads/${f.uploadId}` }),
  createShare: (f) => ({ method: "POST", path: "/shares", json: { file_id: f.fileId } }),
  listShares: () => ({ method: "GET", path: "/shares" }),
  revokeShare: (f) => ({ method: "DELETE", path: `/shares/${f.shareId}` }),
  getQuota: () => ({ method: "GET", path: "/quota" })
}

/** A request answering 422 (bad path id, missing query, bad body) for the operations that document it. */
const invalidCalls: Record<string, (f: Fixture) => { method: string; path: string; json?: unknown; raw?: string }> = {
  createSpace: () => ({ method: "POST", path: "/spaces", json: { name: "" } }),
  listFolders: () => ({ method: "GET", path: "/folders" }),
  createFolder: (f) => ({ method: "POST", path: "/folders", json: { name: "a/b", space_id: f.spaceId } }),
  updateFolder: (f) => ({ method: "PATCH", path: `/folders/${f.folderId}`, json: {} }),
  deleteFolder: () => ({ method: "DELETE", path: "/folders/not-a-uuid" }),
  restoreFolder: () => ({ method: "POST", path: "/folders/123/restore" }),
  listFiles: () => ({ method: "GET", path: "/files?space_id=nope" }),
  resolveFile: () => ({ method: "GET", path: "/files/resolve" }),
  getFile: () => ({ method: "GET", path: "/files/not-a-uuid" }),
  updateFile: (f) => ({ method: "PATCH", path: `/files/${f.fileId}`, json: { name: "x", extra: 1 } }),
  deleteFile: () => ({ method: "DELETE", path: "/files/nope" }),
  restoreFile: () => ({ method: "POST", path: "/files/nope/restore" }),
  getDownloadUrl: () => ({ method: "GET", path: "/files/nope/download" }),
  initiateUpload: (f) => ({
    method: "POST",
    path: "/uploads/initiate",
    json: { space_id: f.spaceId, name: "n", size: -1 }
  }),
  completeUpload: () => ({ method: "POST", path: "/uploads/complete", raw: "{not json" }),
  abortUpload: () => ({ method: "DELETE", path: "/uploads/nope" }),
  createShare: (f) => ({ method: "POST", path: "/shares", json: { file_id: f.fileId, expires_in_days: 0 } }),
  listShares: () => ({ method: "GET", path: "/shares?file_id=nope" }),
  revokeShare: () => ({ method: "DELETE", path: "/shares/nope" })
}

/** A request answering 404 for the operations that document it. */
const missingCalls: Record<string, (f: Fixture) => { method: string; path: string; json?: unknown }> = {
  listFolders: () => ({ method: "GET", path: `/folders?space_id=${randomUUID()}` }),
  createFolder: () => ({ method: "POST", path: "/folders", json: { name: "z", space_id: randomUUID() } }),
  updateFolder: () => ({ method: "PATCH", path: `/folders/${randomUUID()}`, json: { name: "q" } }),
  deleteFolder: () => ({ method: "DELETE", path: `/folders/${randomUUID()}` }),
  restoreFolder: () => ({ method: "POST", path: `/folders/${randomUUID()}/restore` }),
  listFiles: (f) => ({ method: "GET", path: `/files?space_id=${f.spaceId}&folder_id=${randomUUID()}` }),
  resolveFile: () => ({ method: "GET", path: "/files/resolve?client_key=unknown-key" }),
  getFile: () => ({ method: "GET", path: `/files/${randomUUID()}` }),
  updateFile: () => ({ method: "PATCH", path: `/files/${randomUUID()}`, json: { name: "q" } }),
  deleteFile: () => ({ method: "DELETE", path: `/files/${randomUUID()}` }),
  restoreFile: () => ({ method: "POST", path: `/files/${randomUUID()}/restore` }),
  getDownloadUrl: () => ({ method: "GET", path: `/files/${randomUUID()}/download` }),
  initiateUpload: (f) => ({
    method: "POST",
    path: "/uploads/initiate",
    json: { space_id: f.spaceId, folder_id: randomUUID(), name: "n", size: 1 }
  }),
  completeUpload: () => ({ method: "POST", path: "/uploads/complete", json: { upload_id: randomUUID(), parts: [] } }),
  createShare: () => ({ method: "POST", path: "/shares", json: { file_id: randomUUID() } }),
  revokeShare: () => ({ method: "DELETE", path: `/shares/${randomUUID()}` })
}

const apiCall = (
  operationId: string,
  c: { method: string; path: string; json?: unknown; raw?: string },
  key?: string | null
) =>
  Effect.gen(function* () {
    return yield* send(operationId, {
      method: c.method,
      url: yield* api(c.path),
      key,
      json: c.json,
      raw: c.raw,
      headers: c.raw === undefined ? undefined : { "content-type": "application/json" }
    })
  })

const detail = (r: Result) => field(r.json, "detail")

describe("emulator conformance to docs/openapi.yaml (real HTTP)", () => {
  afterAll(() => {
    // every documented (operation, status) pair was exercised and validated
    const documented = spec.operations.flatMap((op) => op.statuses.map((s) => `${op.operationId} ${s}`))
    expect(spec.operations.length).toBe(24)
    expect(documented.filter((d) => !covered.has(d))).toEqual([])
  })

  layer(EmulatorServer.layer({ port: 0, scanDelay: 0 }), { timeout: 60_000, excludeTestServices: true })((it) => {
    it.effect("the happy path of every API operation", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        for (const [operationId, make] of Object.entries(validCalls)) {
          if (operationId === "completeUpload") continue
          const r = yield* apiCall(operationId, make(f))
          expect(r.status, `${operationId}: ${r.text}`).toBeLessThan(300)
          expect(r.headers.get("x-request-id")).toBeTruthy()
          expect(r.headers.get("x-ratelimit-limit")).toBeTruthy()
        }
        // files in trash are listed with trash=true, restore brings them back
        const trashed = yield* apiCall("deleteFile", validCalls.deleteFile!(f))
        expect(field(trashed.json, "status")).toBe("deleted")
        const listed = yield* apiCall("listFiles", { method: "GET", path: `/files?space_id=${f.spaceId}&trash=true` })
        expect(Array.isArray(listed.json) && listed.json.length).toBe(1)
        const restored = yield* apiCall("restoreFile", validCalls.restoreFile!(f))
        expect(field(restored.json, "status")).toBe("ready")
        const quota = yield* apiCall("getQuota", validCalls.getQuota!(f))
        expect(field(quota.json, "bytes_used")).toBe(11 + 1)
      })
    )

    it.effect("401 on every API operation (missing, invalid, revoked key)", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        const revoked = yield* emulator.createKey({})
        yield* emulator.revokeKey(revoked)
        const keys: ReadonlyArray<[string | null, string]> = [
          [null, "missing_api_key"],
          [Emulator.generateKey("live"), "invalid_api_key"],
          [revoked, "revoked_api_key"]
        ]
        for (const [operationId, make] of Object.entries(validCalls)) {
          for (const [key, expected] of keys) {
            const r = yield* apiCall(operationId, make(f), key)
            expect(r.status).toBe(401)
            expect(detail(r)).toBe(expected)
          }
        }
      })
    )

    it.effect("403 on every API operation (insufficient scope, plan without API access)", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        const noScopes = yield* emulator.createKey({ scopes: [] })
        const tenant = yield* emulator.createTenant({ plan: { apiAccess: false } })
        const noPlan = yield* emulator.createKey({ tenantId: tenant })
        for (const [operationId, make] of Object.entries(validCalls)) {
          const r = yield* apiCall(operationId, make(f), noScopes)
          expect(r.status).toBe(403)
          expect(detail(r)).toBe("insufficient_scope")
          expect(typeof field(r.json, "required_scope")).toBe("string")
          const p = yield* apiCall(operationId, make(f), noPlan)
          expect(detail(p)).toBe("feature_not_in_plan")
        }
        // creating a share also needs files:read
        const writer = yield* emulator.createKey({ scopes: ["shares:write"] })
        const r = yield* apiCall("createShare", validCalls.createShare!(f), writer)
        expect(field(r.json, "required_scope")).toBe("files:read")
      })
    )

    it.effect("429 with Retry-After, 500 and 503 on every API operation and on share serving", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        for (const [operationId, make] of Object.entries(validCalls)) {
          yield* emulator.rateLimitBurst({ count: 1, retryAfter: 3 })
          const limited = yield* apiCall(operationId, make(f))
          expect(limited.status).toBe(429)
          expect(limited.headers.get("retry-after")).toBe("3")
          expect(detail(limited)).toBe("rate_limited")
          for (const status of [500, 503]) {
            yield* emulator.failRequests({ count: 1, status })
            const r = yield* apiCall(operationId, make(f))
            expect(r.status).toBe(status)
            expect(detail(r)).toBe("internal_error")
          }
        }
        yield* emulator.rateLimitBurst({ count: 1, retryAfter: 1, pathPrefix: "/s/" })
        yield* send("serveShare", { method: "GET", url: f.shareUrl }, 429)
        for (const status of [500, 503]) {
          yield* emulator.failRequests({ count: 1, status, pathPrefix: "/s/" })
          yield* send("serveShare", { method: "GET", url: f.shareUrl }, status)
        }
      })
    )

    it.effect("the per-key rate limit answers 429 with Retry-After", () =>
      Effect.gen(function* () {
        // a second emulator with a tight rate limit, same process
        const limited = yield* Effect.provide(
          Effect.gen(function* () {
            const out: Array<Result> = []
            for (let i = 0; i < 3; i++) out.push(yield* send("getQuota", { method: "GET", url: yield* api("/quota") }))
            return out
          }),
          EmulatorServer.layer({ port: 0, rateLimit: { limit: 2, window: "1 minute" } })
        )
        expect(limited.map((r) => r.status)).toEqual([200, 200, 429])
        expect(limited[1]?.headers.get("x-ratelimit-remaining")).toBe("0")
        expect(Number(limited[2]?.headers.get("retry-after"))).toBeGreaterThan(0)
      })
    )

    it.effect("422 on every operation that validates input", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        for (const [operationId, make] of Object.entries(invalidCalls)) {
          const r = yield* apiCall(operationId, make(f))
          expect(r.status, `${operationId}: ${r.text}`).toBe(422)
          expect(Array.isArray(detail(r))).toBe(true)
        }
        const moreBad: ReadonlyArray<[string, { method: string; path: string; json?: unknown; raw?: string }]> = [
          ["createShare", { method: "POST", path: "/shares", json: { file_id: f.fileId, expires_in_days: 366 } }],
          ["updateFile", { method: "PATCH", path: `/files/${f.fileId}`, json: {} }],
          ["updateFolder", { method: "PATCH", path: `/folders/${f.folderId}`, json: { colour: "red" } }],
          ["listFiles", { method: "GET", path: "/files" }],
          ["createSpace", { method: "POST", path: "/spaces", raw: "[" }]
        ]
        for (const [operationId, c] of moreBad) {
          const r = yield* apiCall(operationId, c)
          expect(r.status, `${operationId}: ${r.text}`).toBe(422)
        }
        const missing = yield* apiCall("listFiles", { method: "GET", path: "/files" })
        expect(detail(missing)).toEqual([{ loc: ["query", "space_id"], msg: "Field required", type: "missing" }])
      })
    )

    it.effect("404 on every operation that looks ids up, including other tenants' ids", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        for (const [operationId, make] of Object.entries(missingCalls)) {
          const r = yield* apiCall(operationId, make(f))
          expect(r.status, `${operationId}: ${r.text}`).toBe(404)
          expect(detail(r)).toBe("not_found")
        }
        const other = yield* emulator.createTenant({})
        const otherKey = yield* emulator.createKey({ tenantId: other })
        for (const operationId of ["getFile", "listFolders", "revokeShare", "updateFolder", "createShare"]) {
          const r = yield* apiCall(operationId, validCalls[operationId]!(f), otherKey)
          expect(r.status).toBe(404)
        }
      })
    )

    it.effect("400: folder_cycle, cross_space_move, invalid_parts, checksum_mismatch", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const child = yield* apiCall("createFolder", {
          method: "POST",
          path: "/folders",
          json: { name: "child", space_id: f.spaceId, parent_id: f.folderId }
        })
        const cycle = yield* apiCall("updateFolder", {
          method: "PATCH",
          path: `/folders/${f.folderId}`,
          json: { parent_id: str(child.json, "id") }
        })
        expect(detail(cycle)).toBe("folder_cycle")
        const other = yield* fixture
        const cross = yield* apiCall("updateFolder", {
          method: "PATCH",
          path: `/folders/${f.folderId}`,
          json: { parent_id: other.folderId }
        })
        expect(detail(cross)).toBe("cross_space_move")
        const crossFile = yield* apiCall("updateFile", {
          method: "PATCH",
          path: `/files/${f.fileId}`,
          json: { folder_id: other.folderId }
        })
        expect(detail(crossFile)).toBe("cross_space_move")
        const move = yield* apiCall("updateFile", {
          method: "PATCH",
          path: `/files/${f.fileId}`,
          json: { folder_id: f.folderId }
        })
        expect(field(move.json, "folder_id")).toBe(f.folderId)
        const bad = yield* apiCall("completeUpload", {
          method: "POST",
          path: "/uploads/complete",
          json: { upload_id: f.uploadId, parts: [{ part_number: 1, etag: "0".repeat(32) }] }
        })
        expect(detail(bad)).toBe("invalid_parts")
        const init = yield* apiCall("initiateUpload", {
          method: "POST",
          path: "/uploads/initiate",
          json: { space_id: f.spaceId, name: "c.txt", size: 3, sha256: "0".repeat(64) }
        })
        const parts = field(init.json, "parts")
        const put = yield* send("putUploadPart", {
          method: "PUT",
          url: Array.isArray(parts) ? str(parts[0], "url") : "",
          raw: "abc"
        })
        const mismatch = yield* apiCall("completeUpload", {
          method: "POST",
          path: "/uploads/complete",
          json: { upload_id: str(init.json, "upload_id"), parts: [{ part_number: 1, etag: put.headers.get("etag") }] }
        })
        expect(detail(mismatch)).toBe("checksum_mismatch")
        const gone = yield* apiCall("getFile", { method: "GET", path: `/files/${str(init.json, "file_id")}` })
        expect(gone.status).toBe(404)
      })
    )

    it.effect("402 (storage, links), 409 (not ready, infected), 413", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const tenant = yield* emulator.createTenant({ plan: { bytesLimit: 100, linksLimit: 1 } })
        const key = yield* emulator.createKey({ tenantId: tenant })
        const space = yield* send(
          "createSpace",
          { method: "POST", url: yield* api("/spaces"), key, json: { name: "q" } },
          201
        )
        const spaceId = str(space.json, "id")
        const tooBig = yield* apiCall(
          "initiateUpload",
          { method: "POST", path: "/uploads/initiate", json: { space_id: spaceId, name: "n", size: 101 } },
          key
        )
        expect(tooBig.json).toEqual({ detail: "quota_exceeded", resource: "storage" })
        const huge = yield* apiCall(
          "initiateUpload",
          { method: "POST", path: "/uploads/initiate", json: { space_id: spaceId, name: "n", size: 5497558138881 } },
          key
        )
        expect(huge.status).toBe(413)
        expect(detail(huge)).toBe("file_too_large")
        // a pending upload is not ready
        const init = yield* apiCall(
          "initiateUpload",
          { method: "POST", path: "/uploads/initiate", json: { space_id: spaceId, name: "n", size: 1 } },
          key
        )
        const pendingId = str(init.json, "file_id")
        const notReady = yield* apiCall(
          "createShare",
          { method: "POST", path: "/shares", json: { file_id: pendingId } },
          key
        )
        expect(detail(notReady)).toBe("file_not_ready")
        const notReadyDl = yield* apiCall(
          "getDownloadUrl",
          { method: "GET", path: `/files/${pendingId}/download` },
          key
        )
        expect(detail(notReadyDl)).toBe("file_not_ready")
        // two links on a plan with one
        const f = yield* fixture
        const ok = yield* Effect.gen(function* () {
          const u = yield* send(
            "initiateUpload",
            {
              method: "POST",
              url: yield* api("/uploads/initiate"),
              key,
              json: { space_id: spaceId, name: "ok.txt", size: 2 }
            },
            201
          )
          const parts = field(u.json, "parts")
          const put = yield* send(
            "putUploadPart",
            { method: "PUT", url: Array.isArray(parts) ? str(parts[0], "url") : "", raw: "ok" },
            200
          )
          yield* apiCall(
            "completeUpload",
            {
              method: "POST",
              path: "/uploads/complete",
              json: { upload_id: str(u.json, "upload_id"), parts: [{ part_number: 1, etag: put.headers.get("etag") }] }
            },
            key
          )
          yield* apiCall("getFile", { method: "GET", path: `/files/${str(u.json, "file_id")}` }, key)
          return str(u.json, "file_id")
        })
        expect(
          (yield* apiCall("createShare", { method: "POST", path: "/shares", json: { file_id: ok } }, key)).status
        ).toBe(201)
        const links = yield* apiCall("createShare", { method: "POST", path: "/shares", json: { file_id: ok } }, key)
        expect(links.json).toEqual({ detail: "quota_exceeded", resource: "links" })
        // EICAR scans infected
        const { fileId } = yield* uploadFile(f.spaceId, `x${Emulator.eicar}x`)
        yield* apiCall("getFile", { method: "GET", path: `/files/${fileId}` })
        const infected = yield* apiCall("createShare", { method: "POST", path: "/shares", json: { file_id: fileId } })
        expect(detail(infected)).toBe("file_infected")
        const infectedDl = yield* apiCall("getDownloadUrl", { method: "GET", path: `/files/${fileId}/download` })
        expect(detail(infectedDl)).toBe("file_infected")
      })
    )

    it.effect("completeUpload: multi-part, idempotent, 503 then retry", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        const size = 5 * 1024 * 1024 + 10
        const content = new Uint8Array(size).map((_, i) => i % 256)
        const init = yield* apiCall("initiateUpload", {
          method: "POST",
          path: "/uploads/initiate",
          json: { space_id: f.spaceId, name: "big.bin", size, part_size: 1 }
        })
        expect(field(init.json, "part_size")).toBe(5 * 1024 * 1024)
        const partsRaw = field(init.json, "parts")
        const parts = Array.isArray(partsRaw) ? partsRaw : []
        expect(parts.length).toBe(2)
        const etags = []
        for (const [i, p] of parts.entries()) {
          const chunk = content.subarray(i * 5 * 1024 * 1024, (i + 1) * 5 * 1024 * 1024)
          const r = yield* send("putUploadPart", { method: "PUT", url: str(p, "url"), raw: chunk }, 200)
          etags.push({ part_number: i + 1, etag: r.headers.get("etag") })
        }
        const body = { upload_id: str(init.json, "upload_id"), parts: etags }
        yield* emulator.failNextComplete({ status: 503 })
        const failed = yield* apiCall("completeUpload", { method: "POST", path: "/uploads/complete", json: body })
        expect(failed.status).toBe(503)
        const retried = yield* apiCall("completeUpload", { method: "POST", path: "/uploads/complete", json: body })
        expect(retried.status).toBe(200)
        expect(field(retried.json, "status")).toBe("ready")
        expect(field(retried.json, "size")).toBe(size)
        // abort after complete: 204 and the File is kept
        yield* apiCall("abortUpload", { method: "DELETE", path: `/uploads/${body.upload_id}` })
        const kept = yield* apiCall("getFile", { method: "GET", path: `/files/${str(retried.json, "id")}` })
        expect(kept.status).toBe(200)
        // empty file: one empty part
        const empty = yield* apiCall("initiateUpload", {
          method: "POST",
          path: "/uploads/initiate",
          json: { space_id: f.spaceId, name: "empty", size: 0 }
        })
        const emptyParts = field(empty.json, "parts")
        expect(Array.isArray(emptyParts) && emptyParts.length).toBe(1)
      })
    )

    it.effect("storage origin: part PUT and object GET statuses", () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const f = yield* fixture
        const init = yield* apiCall("initiateUpload", {
          method: "POST",
          path: "/uploads/initiate",
          json: { space_id: f.spaceId, name: "p.bin", size: 4 }
        })
        const parts = field(init.json, "parts")
        const url = Array.isArray(parts) ? str(parts[0], "url") : ""
        expect(Array.isArray(parts) && field(parts[0], "headers")).toEqual({
          "Content-Type": "application/octet-stream"
        })
        yield* send("putUploadPart", { method: "PUT", url, raw: "abc" }, 400)
        yield* send(
          "putUploadPart",
          { method: "PUT", url: url.replace(/signature=[0-9a-f]+/, "signature=bad"), raw: "abcd" },
          403
        )
        yield* emulator.failPartPut({ partNumber: 1, attempt: "every", status: 500 })
        yield* send("putUploadPart", { method: "PUT", url, raw: "abcd" }, 500)
        yield* emulator.clearFaults
        const first = yield* send("putUploadPart", { method: "PUT", url, raw: "abcd" }, 200)
        const second = yield* send("putUploadPart", { method: "PUT", url, raw: "abce" }, 200)
        expect(first.headers.get("etag")).not.toBe(second.headers.get("etag"))
        yield* apiCall("abortUpload", { method: "DELETE", path: `/uploads/${str(init.json, "upload_id")}` })
        yield* send("putUploadPart", { method: "PUT", url, raw: "abcd" }, 404)
        // object GET
        const dl = yield* apiCall("getDownloadUrl", validCalls.getDownloadUrl!(f))
        const objectUrl = str(dl.json, "url")
        const got = yield* send("getStorageObject", { method: "GET", url: objectUrl }, 200)
        expect(got.text).toBe("hello world")
        expect(got.headers.get("content-type")).toBe("text/plain")
        yield* send("getStorageObject", { method: "GET", url: objectUrl.replace(/expires=\d+/, "expires=1") }, 403)
        yield* emulator.failRequests({ count: 1, status: 503, pathPrefix: "/storage/files/" })
        yield* send("getStorageObject", { method: "GET", url: objectUrl }, 503)
        yield* apiCall("deleteFile", validCalls.deleteFile!(f))
        yield* send("getStorageObject", { method: "GET", url: objectUrl }, 404)
        expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
        const log = yield* emulator.requestLog
        expect(log.some((e) => e.origin === "storage" && e.method === "PUT")).toBe(true)
      })
    )

    it.effect("routing (draft.2): unknown paths 404, unlisted methods 405 with Allow, literal segments first", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        /** A request no operation documents: not validated against the contract, checked here. */
        const raw = (method: string, path: string, key: string | null = null) =>
          Effect.gen(function* () {
            const emulator = yield* Emulator.Emulator
            const res = yield* Effect.promise(() =>
              fetch(`${emulator.baseUrl}${path}`, {
                method,
                headers: key === null ? {} : { "x-api-key": key === "" ? emulator.apiKey : key }
              })
            )
            const json: unknown = yield* Effect.promise(() => res.json())
            expect(res.headers.get("x-request-id"), `${method} ${path}`).toMatch(/^req_/)
            return { status: res.status, allow: res.headers.get("allow"), json }
          })
        for (const [method, path, allow] of [
          ["PATCH", "/api/v1/files/resolve", "GET"],
          ["DELETE", "/api/v1/files/resolve", "GET"],
          ["GET", "/api/v1/uploads/initiate", "POST"],
          ["DELETE", "/api/v1/uploads/complete", "POST"],
          ["GET", `/api/v1/uploads/${f.uploadId}`, "DELETE"],
          ["PUT", "/api/v1/spaces", "GET, POST"],
          ["PUT", `/api/v1/files/${f.fileId}`, "GET, PATCH, DELETE"],
          ["GET", `/api/v1/folders/${f.folderId}/restore`, "POST"],
          ["POST", "/api/v1/quota", "GET"]
        ] as const) {
          // with a key or without one: routing comes first
          for (const key of ["", null]) {
            const r = yield* raw(method, path, key)
            expect([r.status, r.allow, r.json], `${method} ${path}`).toEqual([
              405,
              allow,
              { detail: "method_not_allowed" }
            ])
          }
        }
        for (const path of ["/api/v1/nope", "/api/v1/files/x/y/z", "/api/v1", "/api/v2/spaces", "/api/v1/spaces/"]) {
          const r = yield* raw("GET", path, "")
          expect([r.status, r.json], path).toEqual([404, { detail: "not_found" }])
        }
        // literal segments win: /files/resolve is never /files/{file_id}, /uploads/complete never /uploads/{upload_id}
        const resolved = yield* apiCall("resolveFile", {
          method: "GET",
          path: `/files/resolve?client_key=${f.clientKey}`
        })
        expect(field(resolved.json, "id")).toBe(f.fileId)
        const complete = yield* apiCall("completeUpload", { method: "POST", path: "/uploads/complete", json: {} })
        expect(detail(complete)).toEqual([
          { loc: ["body", "upload_id"], msg: "Field required", type: "missing" },
          { loc: ["body", "parts"], msg: "Field required", type: "missing" }
        ])
      })
    )

    it.effect(
      "ids are UUIDs in paths, queries and bodies (422 with FastAPI's list); unknown POST keys are ignored",
      () =>
        Effect.gen(function* () {
          const f = yield* fixture
          const uuid = (where: string, name: string) => [
            { loc: [where, name], msg: "Input should be a valid UUID", type: "uuid_parsing" }
          ]
          const cases: ReadonlyArray<[string, { method: string; path: string; json?: unknown }, unknown]> = [
            ["getFile", { method: "GET", path: "/files/123" }, uuid("path", "file_id")],
            [
              "updateFolder",
              { method: "PATCH", path: "/folders/nope", json: { name: "x" } },
              uuid("path", "folder_id")
            ],
            ["abortUpload", { method: "DELETE", path: "/uploads/resolve" }, uuid("path", "upload_id")],
            ["revokeShare", { method: "DELETE", path: `/shares/${f.shareId}x` }, uuid("path", "share_id")],
            [
              "listFiles",
              { method: "GET", path: `/files?space_id=${f.spaceId}&folder_id=nope` },
              uuid("query", "folder_id")
            ],
            [
              "listFolders",
              { method: "GET", path: `/folders?space_id=${f.spaceId}&parent_id=1` },
              uuid("query", "parent_id")
            ],
            ["listShares", { method: "GET", path: "/shares?file_id=x" }, uuid("query", "file_id")],
            [
              "createFolder",
              { method: "POST", path: "/folders", json: { name: "a", space_id: "s" } },
              uuid("body", "space_id")
            ],
            ["createShare", { method: "POST", path: "/shares", json: { file_id: "f" } }, uuid("body", "file_id")],
            [
              "initiateUpload",
              {
                method: "POST",
                path: "/uploads/initiate",
                json: { space_id: f.spaceId, folder_id: "x", name: "n", size: 1 }
              },
              uuid("body", "folder_id")
            ],
            [
              "completeUpload",
              { method: "POST", path: "/uploads/complete", json: { upload_id: "u", parts: [] } },
              uuid("body", "upload_id")
            ],
            [
              "updateFile",
              { method: "PATCH", path: `/files/${f.fileId}`, json: { folder_id: "x" } },
              uuid("body", "folder_id")
            ]
          ]
          for (const [operationId, c, expected] of cases) {
            const r = yield* apiCall(operationId, c)
            expect([r.status, detail(r)], `${operationId} ${c.path}`).toEqual([422, expected])
          }
          // unknown keys: ignored in POST bodies, rejected in PATCH bodies
          const created = yield* apiCall("createSpace", {
            method: "POST",
            path: "/spaces",
            json: { name: "k", colour: "red" }
          })
          expect(created.status).toBe(201)
          expect(field(created.json, "colour")).toBeUndefined()
          const folder = yield* apiCall("createFolder", {
            method: "POST",
            path: "/folders",
            json: { name: "k", space_id: f.spaceId, extra: [1, 2] }
          })
          expect(folder.status).toBe(201)
          const share = yield* apiCall("createShare", {
            method: "POST",
            path: "/shares",
            json: { file_id: f.fileId, x: 1 }
          })
          expect(share.status).toBe(201)
          const patched = yield* apiCall("updateFile", {
            method: "PATCH",
            path: `/files/${f.fileId}`,
            json: { name: "n.txt", colour: "red" }
          })
          expect(detail(patched)).toEqual([
            { loc: ["body", "colour"], msg: "Extra inputs are not permitted", type: "extra_forbidden" }
          ])
        })
    )

    it.effect("storage GET (draft.2): ETag = sha256, Accept-Ranges, Content-Length, 206 ranges, 416, If-Range", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const content = "hello world"
        const etag = `"${createHash("sha256").update(content).digest("hex")}"`
        const dl = yield* apiCall("getDownloadUrl", validCalls.getDownloadUrl!(f))
        const url = str(dl.json, "url")
        const get = (headers: Record<string, string>, status: number) =>
          send("getStorageObject", { method: "GET", url, headers }, status)
        const whole = yield* get({}, 200)
        expect([whole.text, whole.headers.get("etag"), whole.headers.get("accept-ranges")]).toEqual([
          content,
          etag,
          "bytes"
        ])
        expect(whole.headers.get("content-length")).toBe("11")
        expect(whole.headers.get("content-range")).toBeNull()
        const ranges: ReadonlyArray<[string, string, string]> = [
          ["bytes=0-4", "hello", "bytes 0-4/11"],
          ["bytes=6-", "world", "bytes 6-10/11"],
          ["bytes=-5", "world", "bytes 6-10/11"],
          ["bytes=6-1000", "world", "bytes 6-10/11"],
          ["bytes=-1000", content, "bytes 0-10/11"],
          ["bytes=10-10", "d", "bytes 10-10/11"],
          ["Bytes=0-0", "h", "bytes 0-0/11"]
        ]
        for (const [range, text, contentRange] of ranges) {
          const r = yield* get({ range }, 206)
          expect([r.text, r.headers.get("content-range"), r.headers.get("content-length")], range).toEqual([
            text,
            contentRange,
            String(text.length)
          ])
          expect([r.headers.get("etag"), r.headers.get("accept-ranges")]).toEqual([etag, "bytes"])
          expect(r.headers.get("content-type")).toBe("text/plain")
        }
        for (const range of ["bytes=11-", "bytes=11-20", "bytes=100-", "bytes=-0"]) {
          const r = yield* get({ range }, 416)
          expect([r.text, r.headers.get("content-range")], range).toEqual(["", "bytes */11"])
        }
        // malformed or multi-range: ignored, the whole file
        for (const range of ["bytes=0-1,3-4", "bytes=5-2", "bytes=-", "bytes=a-b", "items=0-1", "bytes 0-1", ""]) {
          const r = yield* get({ range }, 200)
          expect(r.text, range).toBe(content)
        }
        // If-Range: the current ETag keeps the range; anything else gets the whole file
        const kept = yield* get({ range: "bytes=6-", "if-range": etag }, 206)
        expect(kept.text).toBe("world")
        for (const ifRange of [`"${"0".repeat(64)}"`, `W/${etag}`, "Wed, 21 Oct 2015 07:28:00 GMT"]) {
          const r = yield* get({ range: "bytes=6-", "if-range": ifRange }, 200)
          expect(r.text, ifRange).toBe(content)
        }
        // HEAD answers the headers of the GET
        const emulator = yield* Emulator.Emulator
        const head = yield* Effect.promise(() => fetch(url, { method: "HEAD", headers: { range: "bytes=0-4" } }))
        expect([head.status, head.headers.get("content-range"), head.headers.get("etag")]).toEqual([
          206,
          "bytes 0-4/11",
          etag
        ])
        // the log keeps each GET's Range and If-Range
        const gets = yield* emulator.storageGets({ fileId: f.fileId })
        expect(gets.some((g) => g.range === "bytes=6-" && g.ifRange === etag && g.status === 206)).toBe(true)
        expect(gets.some((g) => g.range === "bytes=11-" && g.status === 416 && g.contentRange === "bytes */11")).toBe(
          true
        )
      })
    )

    it.effect("an empty file: 200 with Content-Length 0, and any range start is at the end (416)", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const { fileId } = yield* uploadFile(f.spaceId, "")
        yield* apiCall("getFile", { method: "GET", path: `/files/${fileId}` })
        const dl = yield* apiCall("getDownloadUrl", { method: "GET", path: `/files/${fileId}/download` })
        const url = str(dl.json, "url")
        const whole = yield* send("getStorageObject", { method: "GET", url }, 200)
        expect([whole.text, whole.headers.get("content-length")]).toEqual(["", "0"])
        expect(whole.headers.get("etag")).toBe(`"${createHash("sha256").digest("hex")}"`)
        const r = yield* send("getStorageObject", { method: "GET", url, headers: { range: "bytes=0-" } }, 416)
        expect(r.headers.get("content-range")).toBe("bytes */0")
        // a suffix range of an empty file cannot be a 206: the (empty) file whole
        yield* send("getStorageObject", { method: "GET", url, headers: { range: "bytes=-5" } }, 200)
      })
    )

    it.effect("share serving: headers, download_count, max_downloads, revoke, trash", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const served = yield* send("serveShare", { method: "GET", url: f.shareUrl }, 200)
        expect(served.text).toBe("hello world")
        expect(served.headers.get("content-disposition")).toBe("inline")
        expect(served.headers.get("content-type")).toBe("text/plain")
        const dl = yield* apiCall("createShare", {
          method: "POST",
          path: "/shares",
          json: { file_id: f.fileId, permission: "download", max_downloads: 1, password: "pw", expires_in_days: 365 }
        })
        expect(field(dl.json, "expires_at")).not.toBeNull()
        const once = yield* send("serveShare", { method: "GET", url: str(dl.json, "url") }, 200)
        expect(once.headers.get("content-disposition")).toBe('attachment; filename="hello.txt"')
        yield* send("serveShare", { method: "GET", url: str(dl.json, "url") }, 404)
        const list = yield* apiCall("listShares", { method: "GET", path: `/shares?file_id=${f.fileId}` })
        expect(
          Array.isArray(list.json) && list.json.map((s) => [field(s, "download_count"), field(s, "has_password")])
        ).toEqual([
          [1, false],
          [1, true]
        ])
        expect(list.text.includes(str(dl.json, "url").split("/s/")[1] ?? "???")).toBe(false)
        yield* apiCall("revokeShare", validCalls.revokeShare!(f))
        const again = yield* apiCall("revokeShare", validCalls.revokeShare!(f))
        expect(again.status).toBe(204)
        yield* send("serveShare", { method: "GET", url: f.shareUrl }, 404)
        const active = yield* apiCall("listShares", { method: "GET", path: `/shares?file_id=${f.fileId}` })
        expect(Array.isArray(active.json) && active.json.length).toBe(1)
        const all = yield* apiCall("listShares", {
          method: "GET",
          path: `/shares?file_id=${f.fileId}&include_inactive=true`
        })
        expect(Array.isArray(all.json) && field(all.json[0], "revoked")).toBe(true)
      })
    )

    it.effect("a name or content type a header cannot carry raw is still served (filename*, octet-stream)", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const name = 'résumé "q" 报告.txt'
        const { fileId } = yield* uploadFile(f.spaceId, "bonjour", { name, content_type: "text/plain; x=ü✓" })
        const dl = yield* apiCall("createShare", {
          method: "POST",
          path: "/shares",
          json: { file_id: fileId, permission: "download" }
        })
        const served = yield* send("serveShare", { method: "GET", url: str(dl.json, "url") }, 200)
        expect(served.text).toBe("bonjour")
        expect(served.headers.get("content-type")).toBe("application/octet-stream")
        const disposition = served.headers.get("content-disposition") ?? ""
        expect(disposition).toBe(
          `attachment; filename="r_sum_ _q_ __.txt"; filename*=UTF-8''${encodeURIComponent(name)}`
        )
        expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1] ?? "")).toBe(name)
        const link = yield* apiCall("getDownloadUrl", { method: "GET", path: `/files/${fileId}/download` })
        const object = yield* send("getStorageObject", { method: "GET", url: str(link.json, "url") }, 200)
        expect(object.text).toBe("bonjour")
        expect(object.headers.get("content-type")).toBe("application/octet-stream")
        const shares = yield* apiCall("listShares", { method: "GET", path: `/shares?file_id=${fileId}` })
        expect(Array.isArray(shares.json) && field(shares.json[0], "download_count")).toBe(1)
      })
    )

    it.effect("an id in upper case names the same record (path, query and body)", () =>
      Effect.gen(function* () {
        const f = yield* fixture
        const file = yield* apiCall("getFile", { method: "GET", path: `/files/${f.fileId.toUpperCase()}` })
        expect(file.status).toBe(200)
        expect(str(file.json, "id")).toBe(f.fileId)
        const listed = yield* apiCall("listFiles", {
          method: "GET",
          path: `/files?space_id=${f.spaceId.toUpperCase()}`
        })
        expect(listed.status).toBe(200)
        expect(Array.isArray(listed.json) && listed.json.some((x) => field(x, "id") === f.fileId)).toBe(true)
        const folder = yield* send(
          "createFolder",
          { method: "POST", url: yield* api("/folders"), json: { name: "UPPER", space_id: f.spaceId.toUpperCase() } },
          201
        )
        expect(str(folder.json, "space_id")).toBe(f.spaceId)
      })
    )
  })
})
