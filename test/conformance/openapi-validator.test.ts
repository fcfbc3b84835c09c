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
