/**
 * A scripted, recording `HttpClient` for the client's unit tests.
 *
 * `MockHttp.make(handlers)` answers the n-th request with `handlers[n]` (the last handler answers
 * every request after that) and records every request it receives as it appeared on the wire:
 * method, full URL (with query), headers and the JSON body.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Layer, Redacted } from "effect"
import { FluidCloud } from "../../src/index.js"

/** A distinctive key, so a test can search any output for it. */
export const API_KEY = "fck_test_SECRETSECRETSECRETSECRET1234"
export const BASE_URL = "https://api.example.test"
export const API = `${BASE_URL}/api/v1`

/** One request as the mock received it. */
export interface Recorded {
  readonly method: string
  /** The full URL, query included. */
  readonly url: string
  /** The URL without its query. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body (its bytes when it is not JSON), or `undefined` when the request had no body. */
  readonly body: unknown
  /** The raw request, for tests that inspect it further. */
  readonly request: HttpClientRequest.HttpClientRequest
}

/** Answers one request. */
export type Handler = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

export interface Mock {
  readonly requests: ReadonlyArray<Recorded>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

const decoder = new TextDecoder()

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      try {
        return JSON.parse(decoder.decode(body.body))
      } catch {
        return body.body
      }
    case "Raw":
      return typeof body.body === "string" ? JSON.parse(body.body) : body.body
    case "Empty":
      return undefined
    default:
      return body._tag
  }
}

/** Builds a mock answering the n-th request with `handlers[n]`, the last one repeating. */
export const make = (...handlers: ReadonlyArray<Handler>): Mock => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const query: Record<string, string> = {}
      url.searchParams.forEach((value, name) => {
        query[name] = value
      })
      requests.push({
        method: request.method,
        url: url.toString(),
        path: `${url.origin}${url.pathname}`,
        query,
        headers: { ...request.headers },
        body: bodyOf(request),
        request
      })
      const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)]
      return handler === undefined ? Effect.die("MockHttp: no handler") : handler(request, url)
    })
  )
  return { requests, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** A JSON response. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (request) =>
    Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify(body), {
          status,
          headers: { "content-type": "application/json", ...headers }
        })
      )
    )

/** A response with a raw text body (or none, e.g. for a 204). */
export const text =
  (status: number, body: string | null, headers: Record<string, string> = {}): Handler =>
  (request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status, headers })))

/** An error body `{"detail": detail, ...extra}` with an `X-Request-Id`. */
export const error = (
  status: number,
  detail: unknown,
  options: { readonly extra?: Record<string, unknown>; readonly headers?: Record<string, string> } = {}
): Handler => json(status, { detail, ...options.extra }, { "x-request-id": `req-${status}`, ...options.headers })

/** A transport failure (connection refused, reset, ...). */
export const transportFailure: Handler = (request) =>
  Effect.fail(
    new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("connect ECONNREFUSED") })
  )

/** Never answers. */
export const never: Handler = () => Effect.never

/** The client, built over `mock`. */
export const client = (mock: Mock, options: Partial<FluidCloud.Options> = {}): Layer.Layer<FluidCloud.FluidCloud> =>
  FluidCloud.layer({ apiKey: Redacted.make(API_KEY), baseUrl: BASE_URL, ...options }).pipe(Layer.provide(mock.layer))

/** Runs `f` with the client over `mock`. */
export const run = <A, E>(
  mock: Mock,
  f: (fc: FluidCloud.Service) => Effect.Effect<A, E>,
  options: Partial<FluidCloud.Options> = {}
): Effect.Effect<A, E> => Effect.flatMap(FluidCloud.FluidCloud, f).pipe(Effect.provide(client(mock, options)))
