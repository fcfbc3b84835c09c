import { describe, expect, it } from "@effect/vitest"
import * as OpenApi from "../support/openapi.js"

const spec = OpenApi.load()
const space = { id: "7f6c3c1e-4a8e-4b5e-9a53-0d3f5b9f8f11", name: "s", created_at: null, updated_at: null }
const headers = (extra: Record<string, string> = {}) =>
  new Headers({ "x-request-id": "req_1", "content-type": "application/json", ...extra })

describe("the OpenAPI response validator", () => {
  it("knows the 24 operations", () => {
    expect(spec.operations.length).toBe(24)
    expect(spec.statusKey("putUploadPart", 503)).toBe("5XX")
    expect(spec.statusKey("listSpaces", 404)).toBeUndefined()
  })

  it("accepts a conformant response", () => {
    expect(spec.validate("listSpaces", { status: 200, headers: headers(), body: JSON.stringify([space]) })).toEqual([])
  })

  it("rejects undocumented statuses, missing fields, bad formats and missing required headers", () => {
    expect(spec.validate("listSpaces", { status: 404, headers: headers(), body: "{}" })).toHaveLength(1)
    const { updated_at: _, ...partial } = space
    expect(
      spec.validate("listSpaces", { status: 200, headers: headers(), body: JSON.stringify([partial]) })
    ).not.toEqual([])
    expect(
      spec.validate("listSpaces", { status: 200, headers: headers(), body: JSON.stringify([{ ...space, id: "x" }]) })
    ).not.toEqual([])
    expect(
      spec.validate("listSpaces", {
        status: 200,
        headers: new Headers({ "content-type": "application/json" }),
        body: "[]"
      })
    ).not.toEqual([])
    expect(
      spec.validate("getQuota", {
        status: 429,
        headers: headers(),
        body: JSON.stringify({ detail: "rate_limited" })
      })
    ).toEqual(["getQuota 429: missing required header Retry-After"])
    expect(spec.validate("putUploadPart", { status: 200, headers: headers({ etag: "abc" }), body: "" })).not.toEqual([])
    expect(
      spec.validate("createShare", {
        status: 403,
        headers: headers(),
        body: JSON.stringify({ detail: "nope" })
      })
    ).not.toEqual([])
  })
})

describe("the OpenAPI request validator", () => {
  const api = "http://api.fluidcloud.test/api/v1"
  const storage = "http://storage.fluidcloud.test"
  const id = "7f6c3c1e-4a8e-4b5e-9a53-0d3f5b9f8f11"
  const key = { "x-api-key": "fck_test_0123456789abcdefghijklmn" }
  const json = (body: unknown) => ({
    headers: { ...key, "content-type": "application/json" },
    body: new TextEncoder().encode(JSON.stringify(body))
  })
  const partUrl = `${storage}/storage/uploads/${id}/parts/1?expires=1700000000&signature=abc`

  it("knows which operations are on the API and which need no key", () => {
    const api = spec.operations.filter((op) => op.apiKey)
    expect(api).toHaveLength(21)
    expect(api.every((op) => op.basePath === "/api/v1")).toBe(true)
    expect(
      spec.operations
        .filter((op) => !op.apiKey)
        .map((op) => [op.operationId, op.basePath])
        .sort()
    ).toEqual([
      ["getStorageObject", ""],
      ["putUploadPart", ""],
      ["serveShare", ""]
    ])
  })

  it("matches method and path template, literal segments first, below each operation's server", () => {
    expect(spec.matchRequest("GET", `${api}/files/resolve?client_key=k`)?.operationId).toBe("resolveFile")
    expect(spec.matchRequest("GET", `${api}/files/${id}`)).toEqual({
      operationId: "getFile",
      pathParams: { file_id: id }
    })
    expect(spec.matchRequest("PUT", partUrl)?.operationId).toBe("putUploadPart")
    expect(spec.matchRequest("GET", "http://files.fluidcloud.test/s/tok_1")?.operationId).toBe("serveShare")
    expect(spec.matchRequest("GET", "http://api.fluidcloud.test/spaces")).toBeUndefined() // no /api/v1
    expect(spec.matchRequest("GET", `${api}/storage/files/${id}`)).toBeUndefined()
    expect(spec.validateRequest({ method: "PUT", url: `${api}/spaces`, headers: key })).toEqual([
      "PUT /api/v1/spaces: method not documented for this path (documented: GET, POST)"
    ])
  })

  it("accepts conformant requests", () => {
    const ok = [
      { method: "GET", url: `${api}/spaces`, headers: key },
      { method: "GET", url: `${api}/folders?space_id=${id}&parent_id=${id}&trash=true`, headers: key },
      { method: "GET", url: `${api}/shares?include_inactive=false`, headers: new Headers(key) },
      { method: "POST", url: `${api}/folders/${id}/restore`, headers: key },
      { method: "PATCH", url: `${api}/folders/${id}`, ...json({ parent_id: null }) },
      { method: "PATCH", url: `${api}/files/${id}`, ...json({ name: "a.txt", folder_id: id }) },
      { method: "POST", url: `${api}/uploads/initiate`, ...json({ space_id: id, name: "a", size: 0, sha256: null }) },
      { method: "POST", url: `${api}/shares`, ...json({ file_id: id, expires_in_days: 7, permission: "download" }) },
      { method: "PUT", url: partUrl, headers: { "content-length": "5" }, body: "hello" },
      { method: "PUT", url: partUrl, headers: { "content-length": "0" }, body: new Uint8Array(0) },
      { method: "GET", url: `${storage}/storage/files/${id}?expires=1&signature=s`, headers: {} },
      { method: "GET", url: "/s/abc_DEF-1", headers: {} }
    ]
    for (const request of ok) expect(spec.validateRequest(request), `${request.method} ${request.url}`).toEqual([])
  })

  it("rejects a missing required query parameter, a mistyped one and an unknown one", () => {
    expect(spec.validateRequest({ method: "GET", url: `${api}/folders`, headers: key })).toEqual([
      "listFolders: missing required query parameter space_id"
    ])
    expect(spec.validateRequest({ method: "GET", url: `${api}/files/resolve`, headers: key })).toEqual([
      "resolveFile: missing required query parameter client_key"
    ])
    const [trash] = spec.validateRequest({ method: "GET", url: `${api}/files?space_id=${id}&trash=1`, headers: key })
    expect(trash).toMatch(/^listFiles: query parameter trash=1: .*boolean/)
    expect(
      spec.validateRequest({ method: "GET", url: `${api}/files?space_id=${id}&parent_id=${id}`, headers: key })
    ).toEqual(["listFiles: undocumented query parameter parent_id"])
    expect(
      spec.validateRequest({ method: "GET", url: `${api}/files?space_id=${id}&space_id=${id}`, headers: key })
    ).toEqual(["listFiles: query parameter space_id given 2 times"])
  })

  it("rejects a path parameter that is not a uuid", () => {
    const [problem, ...rest] = spec.validateRequest({ method: "DELETE", url: `${api}/files/not-a-uuid`, headers: key })
    expect(rest).toEqual([])
    expect(problem).toMatch(/^deleteFile: path parameter file_id=not-a-uuid: .*uuid/)
    expect(
      spec.validateRequest({
        method: "PUT",
        url: partUrl.replace("/parts/1", "/parts/0"),
        headers: { "content-length": "0" },
        body: ""
      })
    ).toEqual(["putUploadPart: path parameter part_number=0: data must be >= 1"])
  })

  it("rejects a PATCH body with an extra key, an empty one, and a missing or non-JSON body", () => {
    const [extra] = spec.validateRequest({ method: "PATCH", url: `${api}/folders/${id}`, ...json({ name: "n", x: 1 }) })
    expect(extra).toMatch(/^updateFolder: request body .*must NOT have additional properties/)
    expect(spec.validateRequest({ method: "PATCH", url: `${api}/files/${id}`, ...json({}) })).toHaveLength(1)
    expect(spec.validateRequest({ method: "PATCH", url: `${api}/files/${id}`, headers: key })).toEqual([
      "updateFile: missing required request body"
    ])
    expect(
      spec.validateRequest({
        method: "POST",
        url: `${api}/uploads/complete`,
        headers: { ...key, "content-type": "application/json" },
        body: "{nope"
      })
    ).toEqual(["completeUpload: request body is not JSON: {nope"])
    expect(
      spec.validateRequest({
        method: "POST",
        url: `${api}/spaces`,
        headers: { ...key, "content-type": "text/plain" },
        body: "x"
      })
    ).toEqual(['createSpace: content-type "text/plain" is not documented (application/json)'])
    expect(
      spec.validateRequest({ method: "POST", url: `${api}/shares`, ...json({ file_id: id, expires_in_days: 0 }) })
    ).toHaveLength(1)
  })

  it("rejects X-API-Key on storage and share requests, and its absence on API requests", () => {
    expect(
      spec.validateRequest({ method: "PUT", url: partUrl, headers: { ...key, "content-length": "1" }, body: "x" })
    ).toEqual(["putUploadPart: header X-API-Key sent to an operation without API-key security"])
    expect(spec.validateRequest({ method: "GET", url: "http://files.fluidcloud.test/s/t", headers: key })).toEqual([
      "serveShare: header X-API-Key sent to an operation without API-key security"
    ])
    expect(spec.validateRequest({ method: "GET", url: `${api}/quota`, headers: {} })).toEqual([
      "getQuota: missing required header X-API-Key"
    ])
  })

  it("rejects a storage PUT without its signature, without Content-Length, or with a wrong one", () => {
    expect(
      spec.validateRequest({
        method: "PUT",
        url: `${storage}/storage/uploads/${id}/parts/1`,
        headers: { "content-length": "1" },
        body: "x"
      })
    ).toEqual([
      "putUploadPart: missing required query parameter expires",
      "putUploadPart: missing required query parameter signature"
    ])
    expect(spec.validateRequest({ method: "PUT", url: partUrl, headers: {}, body: "x" })).toEqual([
      "putUploadPart: missing required header Content-Length"
    ])
    expect(
      spec.validateRequest({ method: "PUT", url: partUrl, headers: { "content-length": "2" }, body: "x" })
    ).toEqual(["putUploadPart: Content-Length 2 but the body has 1 bytes"])
    expect(spec.validateRequest({ method: "PUT", url: partUrl, headers: { "content-length": "0" } })).toEqual([
      "putUploadPart: missing required request body"
    ])
  })

  it("rejects a body sent to an operation that documents none", () => {
    expect(spec.validateRequest({ method: "DELETE", url: `${api}/shares/${id}`, ...json({ x: 1 }) })).toEqual([
      "revokeShare: a body is sent but the operation documents none"
    ])
  })
})
