import { randomUUID } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Contract } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect } from "effect"
import * as Handlers from "../src/internal/handlers.js"
import * as Router from "../src/internal/router.js"
import * as State from "../src/internal/state.js"
import { call } from "./support/Api.js"

const routes = Object.values(Contract.routes)

/** A concrete path of a route: UUIDs for ids, `1` for part numbers, a token for share links. */
const concrete = (route: Contract.Route) => {
  const params: Record<string, string> = {}
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = name.endsWith("_id") ? randomUUID() : name === "part_number" ? "1" : "some-token"
    params[name] = value
    return value
  })
  return { path: route.origin === "api" ? `${Router.API_BASE}${path}` : path, params }
}

describe("routing by the contract's operation table", () => {
  it("the emulator has a handler for every operation of Contract.routes, on that operation's origin", () => {
    const handlers = Handlers.make(State.make({}))
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(Contract.routes).sort())
    for (const route of routes) expect(handlers[route.id].origin, route.id).toBe(route.origin)
  })

  it("every route's path resolves to its operation id and path parameters", () => {
    const router = Router.make()
    for (const route of routes) {
      const { path, params } = concrete(route)
      const match = router.match(Router.originOf(path), route.method, path)
      expect(match, route.id).toEqual({ _tag: "Found", route, params })
    }
  })

  it("literal segments win over templated ones; a path's other methods are not allowed", () => {
    const router = Router.make()
    const id = (method: string, path: string) => {
      const m = router.match("api", method, path)
      return m._tag === "Found" ? m.route.id : m
    }
    expect(id("GET", "/api/v1/files/resolve")).toBe("resolveFile")
    expect(id("POST", "/api/v1/uploads/initiate")).toBe("initiateUpload")
    expect(id("POST", "/api/v1/uploads/complete")).toBe("completeUpload")
    expect(id("PATCH", "/api/v1/files/resolve")).toEqual({ _tag: "MethodNotAllowed", allow: ["GET"] })
    expect(id("DELETE", "/api/v1/uploads/complete")).toEqual({ _tag: "MethodNotAllowed", allow: ["POST"] })
    expect(id("DELETE", "/api/v1/uploads/x")).toBe("abortUpload")
    expect(id("GET", "/api/v1/files/x/download")).toBe("getDownloadUrl")
    expect(id("GET", "/api/v1/files//download")).toEqual({ _tag: "NotFound" })
    expect(id("GET", "/api/v1")).toEqual({ _tag: "NotFound" })
    // storage answers HEAD like GET; other origins and methods do not
    expect(router.match("storage", "HEAD", "/storage/files/x")._tag).toBe("Found")
    expect(router.match("files", "HEAD", "/s/x")).toEqual({ _tag: "MethodNotAllowed", allow: ["GET"] })
  })

  it.effect("each operation's request reaches that operation's handler (the request log names it)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const client = yield* HttpClient.HttpClient
      for (const route of routes) {
        const { path, params } = concrete(route)
        const origin =
          route.origin === "api"
            ? emulator.baseUrl
            : route.origin === "storage"
              ? emulator.storageUrl
              : emulator.filesUrl
        let request = HttpClientRequest.make(route.method)(`${origin}${path}`)
        if (route.origin === "api") request = HttpClientRequest.setHeader(request, "x-api-key", emulator.apiKey)
        yield* client.execute(request)
        const last = (yield* emulator.requestLog).at(-1)
        expect([last?.operationId, last?.params], route.id).toEqual([route.id, params])
      }
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("malformed percent-encoding in a path is a 422 (API) or a 404 (share link), not a 500", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const client = yield* HttpClient.HttpClient
      const bad = yield* call("GET", "/files/%zz")
      expect([bad.status, bad.body]).toEqual([
        422,
        { detail: [{ loc: ["path", "file_id"], msg: "Input should be a valid UUID", type: "uuid_parsing" }] }
      ])
      const link = yield* client.get(`${emulator.filesUrl}/s/%E0%A4%A`)
      expect(link.status).toBe(404)
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )
})
