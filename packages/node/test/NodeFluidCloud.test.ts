/**
 * `NodeFluidCloud.layer` builds on the undici client and talks to a real local HTTP server.
 */
import * as Http from "node:http"
import { homedir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import * as NodeFluidCloud from "../src/NodeFluidCloud.js"

const API_KEY = "fck_test_NODENODENODENODENODENODE1234"

interface Seen {
  readonly method: string
  readonly url: string
  readonly apiKey: string | undefined
}

/** A server on 127.0.0.1 (a free port) answering GET /api/v1/quota, closed with the scope. */
const server = Effect.acquireRelease(
  Effect.async<{ readonly baseUrl: string; readonly seen: Array<Seen>; readonly server: Http.Server }>((resume) => {
    const seen: Array<Seen> = []
    const server = Http.createServer((request, response) => {
      const apiKey = request.headers["x-api-key"]
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey
      })
      response.setHeader("content-type", "application/json")
      response.setHeader("x-request-id", "req-node-1")
      if (request.method === "GET" && request.url === "/api/v1/quota") {
        response.statusCode = 200
        response.end(JSON.stringify({ bytes_used: 10, bytes_limit: -1, links_used: 2, links_limit: 100 }))
      } else {
        response.statusCode = 404
        response.end(JSON.stringify({ detail: "not_found" }))
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(
        typeof address === "object" && address !== null
          ? Effect.succeed({ baseUrl: `http://127.0.0.1:${address.port}`, seen, server })
          : Effect.dieMessage(`unexpected server address ${String(address)}`)
      )
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

it.scopedLive("NodeFluidCloud.layer talks to a real HTTP server: GET /api/v1/quota with X-API-Key", () =>
  Effect.gen(function* () {
    const { baseUrl, seen } = yield* server
    const quota = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(
      Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(API_KEY), baseUrl, timeout: "10 seconds" }))
    )
    expect(quota.bytesUsed).toBe(10)
    expect(quota.bytesRemaining).toBe(Number.POSITIVE_INFINITY)
    expect(quota.linksRemaining).toBe(98)
    expect(seen).toStrictEqual([{ method: "GET", url: "/api/v1/quota", apiKey: API_KEY }])

    const error = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.spaces.list()).pipe(
      Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(API_KEY), baseUrl })),
      Effect.flip
    )
    expect(error._tag).toBe("ApiError")
    expect(error).toMatchObject({ status: 404, detail: "not_found", requestId: "req-node-1" })
  })
)

it.scopedLive("NodeFluidCloud.layerConfig reads FLUIDCLOUD_API_KEY and FLUIDCLOUD_BASE_URL", () =>
  Effect.gen(function* () {
    const { baseUrl, seen } = yield* server
    const config = ConfigProvider.fromMap(
      new Map([
        ["FLUIDCLOUD_API_KEY", API_KEY],
        ["FLUIDCLOUD_BASE_URL", baseUrl],
        ["FLUIDCLOUD_TIMEOUT", "10"]
      ])
    )
    const quota = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(
      Effect.provide(NodeFluidCloud.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(config))))
    )
    expect(quota.linksUsed).toBe(2)
    expect(seen).toStrictEqual([{ method: "GET", url: "/api/v1/quota", apiKey: API_KEY }])
  })
)

describe("stateDirectory", () => {
  const resolve = (variables: Record<string, string>) =>
    NodeFluidCloud.stateDirectory.pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))
    )

  it.effect("FLUIDCLOUD_STATE_DIR, else an absolute XDG_STATE_HOME/fluidcloud, else ~/.local/state/fluidcloud", () =>
    Effect.gen(function* () {
      expect(yield* resolve({ FLUIDCLOUD_STATE_DIR: "/srv/fc", XDG_STATE_HOME: "/x/state", HOME: "/home/ada" })).toBe(
        "/srv/fc"
      )
      expect(yield* resolve({ XDG_STATE_HOME: "/x/state", HOME: "/home/ada" })).toBe("/x/state/fluidcloud")
      // empty values count as unset, and a relative XDG_STATE_HOME is ignored (the XDG spec)
      expect(yield* resolve({ FLUIDCLOUD_STATE_DIR: "", XDG_STATE_HOME: "rel/state", HOME: "/home/ada" })).toBe(
        "/home/ada/.local/state/fluidcloud"
      )
      expect(yield* resolve({})).toBe(join(homedir(), ".local", "state", "fluidcloud"))
    })
  )
})
