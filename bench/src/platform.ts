/**
 * The floor under any Effect client: `@effect/platform`'s `HttpClient` on undici
 * (`NodeHttpClient.layerUndici`, what `NodeFluidCloud` uses) doing `GET /files/{id}` + `JSON.parse`,
 * one after another inside one Effect, nothing else (no timeout, retry, span of its own, or decode).
 *
 * - `get BASE_URL FILE_ID WARMUP N`: prints a `LatencyResult`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Clock, Effect } from "effect"
import { cpu, latencies, report } from "./measure.js"
import { API_KEY } from "./wire.js"

const [mode, baseUrl = "", fileId = "", warmup = "0", n = "0"] = process.argv.slice(2)
if (mode !== "get") throw new Error(`unknown mode ${mode}`)
const request = HttpClientRequest.get(`${baseUrl}/api/v1/files/${fileId}`).pipe(
  HttpClientRequest.setHeaders({ "x-api-key": API_KEY, accept: "application/json" })
)
const result = await Effect.runPromise(
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const times: Array<number> = []
    let cpu0 = 0
    for (let i = 0; i < Number(warmup) + Number(n); i++) {
      if (i === Number(warmup)) cpu0 = cpu()
      const t0 = yield* Clock.currentTimeNanos
      const response = yield* client.execute(request)
      const body: unknown = JSON.parse(yield* response.text)
      const t1 = yield* Clock.currentTimeNanos
      if (typeof body !== "object" || body === null) return yield* Effect.dieMessage("not a file")
      if (i >= Number(warmup)) times.push(Number(t1 - t0) / 1e6)
    }
    return latencies(times, cpu() - cpu0)
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))
)
report(result)
