/**
 * The transport's guarantees: no redirect is ever followed (a 3xx is an `ApiError`), on a scripted
 * client and on `fetch` over real loopback sockets; the key is pinned to the API prefix even when
 * the application's own `transformClient` follows redirects; `X-API-Key` stays redacted in the
 * platform's spans; a 503's `Retry-After` is honoured on the API as on storage.
 */
import * as Http from "node:http"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { Errors, FluidCloud } from "../src/index.js"
import { FILE_ID, quotaWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import { API, API_KEY } from "./support/MockHttp.js"
import * as RecordingTracer from "./support/RecordingTracer.js"

const redirect = (status: number, location: string): MockHttp.Handler =>
  MockHttp.text(status, null, { location, "x-request-id": `req-${status}` })

describe("redirects are never followed", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it.effect(`a ${status} from the API is an ApiError naming only the target's origin; nothing else is sent`, () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(
          redirect(status, "https://elsewhere.example/steal?token=abc"),
          MockHttp.json(200, {})
        )
        const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage()).pipe(Effect.flip)
        expect(error).toBeInstanceOf(Errors.ApiError)
        expect(error).toMatchObject({ status, requestId: `req-${status}` })
        expect(error instanceof Errors.ApiError ? error.detail : "").toContain("redirect_not_followed")
        expect(error instanceof Errors.ApiError ? error.detail : "").toContain("https://elsewhere.example")
        expect(error instanceof Errors.ApiError ? error.detail : "").not.toContain("token")
        expect(mock.requests).toHaveLength(1)
      })
    )
  }

  it.effect("a redirect is not retried, even on a GET", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(redirect(307, "https://elsewhere.example/"), MockHttp.json(200, quotaWire()))
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()).pipe(Effect.flip))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ApiError", status: 307 })
      expect(mock.requests).toHaveLength(1)
    })
  )

  it.effect("a browser's opaque redirect (status 0) is an ApiError too", () =>
    Effect.gen(function* () {
      // what `fetch` gives a browser for a redirect with `redirect: "manual"`: a response of status 0
      const opaque: MockHttp.Handler = (request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(request, Object.defineProperty(new Response(null), "status", { value: 0 }))
        )
      const mock = MockHttp.make(opaque)
      const error = yield* MockHttp.run(mock, (fc) => fc.files.get(FILE_ID)).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 0 })
    })
  )
})

describe("the key is pinned to the API prefix", () => {
  it.effect("a transformClient that follows redirects: the redirected request carries no key", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        redirect(307, "https://elsewhere.example/api/v1/quota"),
        MockHttp.json(200, quotaWire())
      )
      const quota = yield* MockHttp.run(mock, (fc) => fc.quota.usage(), {
        transformClient: HttpClient.followRedirects(3)
      })
      expect(quota.bytesUsed).toBe(1000)
      expect(mock.requests.map((request) => request.url)).toEqual([
        `${API}/quota`,
        "https://elsewhere.example/api/v1/quota"
      ])
      expect(mock.requests[0]?.headers["x-api-key"]).toBe(API_KEY)
      expect(mock.requests[1]?.headers["x-api-key"]).toBeUndefined()
    })
  )

  it.effect("a redirect to the same host but outside /api/v1 loses the key too", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(redirect(302, `${MockHttp.BASE_URL}/public/quota`), MockHttp.json(200, quotaWire()))
      yield* MockHttp.run(mock, (fc) => fc.quota.usage(), { transformClient: HttpClient.followRedirects(3) })
      expect(mock.requests[1]?.url).toBe(`${MockHttp.BASE_URL}/public/quota`)
      expect(mock.requests[1]?.headers["x-api-key"]).toBeUndefined()
    })
  )

  it.effect("the platform's span shows X-API-Key redacted even if the application un-redacted it", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      yield* MockHttp.run(mock, (fc) => fc.quota.usage()).pipe(
        Effect.withTracer(tracer),
        Effect.locally(Headers.currentRedactedNames, [])
      )
      const client = spans.find((span) => span.name.startsWith("http.client"))
      expect(client?.attributes.get("http.request.header.x-api-key")).toBeDefined()
      expect(String(client?.attributes.get("http.request.header.x-api-key"))).not.toContain(API_KEY)
    })
  )
})

/** A loopback server answering with `handler`, recording each request's headers. */
const server = (handler: (request: Http.IncomingMessage, response: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly seen: Array<Http.IncomingHttpHeaders>; readonly close: () => void }>(
      (resume) => {
        const seen: Array<Http.IncomingHttpHeaders> = []
        const http = Http.createServer((request, response) => {
          seen.push(request.headers)
          handler(request, response)
        })
        http.listen(0, "127.0.0.1", () => {
          const address = http.address()
          resume(
            address === null || typeof address === "string"
              ? Effect.dieMessage("no port")
              : Effect.succeed({ url: `http://127.0.0.1:${address.port}`, seen, close: () => http.close() })
          )
        })
      }
    ),
    ({ close }) => Effect.sync(close)
  )

describe("fetch follows no redirect (real sockets)", () => {
  for (const method of ["GET", "POST"] as const) {
    for (const status of [301, 302, 307, 308]) {
      it.scopedLive(`${method} answered ${status} to another origin: that origin sees nothing`, () =>
        Effect.gen(function* () {
          const elsewhere = yield* server((_, response) => response.writeHead(200).end("{}"))
          const api = yield* server((_, response) =>
            response.writeHead(status, { location: `${elsewhere.url}/steal` }).end()
          )
          const layer = FluidCloud.layer({
            apiKey: Redacted.make(API_KEY),
            baseUrl: api.url,
            retry: Schedule.stop
          }).pipe(
            Layer.provide(FetchHttpClient.layer),
            // an application asking fetch to follow: the SDK overrides it
            Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "follow" }))
          )
          const call = (fc: FluidCloud.Service): Effect.Effect<unknown, unknown> =>
            method === "GET" ? fc.quota.usage() : fc.spaces.create("x")
          const error = yield* Effect.flatMap(FluidCloud.FluidCloud, call).pipe(Effect.provide(layer), Effect.flip)
          expect(error).toMatchObject({ _tag: "ApiError", status })
          expect(api.seen).toHaveLength(1)
          expect(api.seen[0]?.["x-api-key"]).toBe(API_KEY)
          expect(elsewhere.seen).toHaveLength(0)
        })
      )
    }
  }
})

describe("Retry-After on a 503", () => {
  it.effect("an API 503 with Retry-After: 7 waits 7 s before the retry", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.error(503, "internal_error", { headers: { "retry-after": "7" } }),
        MockHttp.json(200, quotaWire())
      )
      const fiber = yield* Effect.fork(MockHttp.run(mock, (fc) => fc.quota.usage()))
      yield* TestClock.adjust("6999 millis")
      expect(mock.requests).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(fiber)
      expect(mock.requests).toHaveLength(2)
    })
  )

  it.effect("a 503 with Retry-After over 60 s ends the retries at once", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.error(503, "internal_error", { headers: { "retry-after": "3600" } }),
        MockHttp.json(200, quotaWire())
      )
      const error = yield* MockHttp.run(mock, (fc) => fc.quota.usage()).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 503 })
      expect(mock.requests).toHaveLength(1)
    })
  )
})
