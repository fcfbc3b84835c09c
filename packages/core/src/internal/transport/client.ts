/**
 * The `HttpClient` stack, built once per layer. Below the user's `transformClient`, on the last
 * hop before the platform client, every request (ours, and any a wrapper such as
 * `HttpClient.followRedirects` derives from it) is made safe:
 * - the key is pinned to the API prefix: `X-API-Key` is removed from a request to any other URL;
 * - `fetch` is told not to follow redirects (`redirect: "manual"`; the transport turns a 3xx into
 *   an error), whatever `RequestInit` the application provides;
 * - `X-API-Key` is in the platform's redacted header names, so its spans show it redacted;
 * - the platform's span is off for requests outside the API (presigned URLs sign in the query).
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Context, Effect, Option } from "effect"
import type { Options } from "../../FluidCloud.js"
import { isUnder } from "./url.js"

/** @internal */
export const API_KEY_HEADER = "x-api-key"

const withKeyName = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> =>
  names.some((name) => typeof name === "string" && name.toLowerCase() === API_KEY_HEADER)
    ? names
    : [...names, API_KEY_HEADER]

const always = () => true

/** The same request without the key (rebuilt: the platform has no way to remove a header). */
const withoutKey = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.modify(HttpClientRequest.make(request.method)(request.url), {
    headers: Headers.remove(request.headers, API_KEY_HEADER),
    urlParams: request.urlParams,
    hash: Option.getOrUndefined(request.hash),
    body: request.body
  })

/**
 * The client every SDK request goes through: `transformClient` over the safe last hop.
 * @internal
 */
export const make = (
  base: HttpClient.HttpClient,
  prefix: string,
  transformClient: Options["transformClient"]
): Effect.Effect<HttpClient.HttpClient> =>
  Effect.map(Effect.serviceOption(FetchHttpClient.RequestInit), (init) => {
    const requestInit: RequestInit = { ...Option.getOrUndefined(init), redirect: "manual" }
    const lastHop = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) =>
        Effect.flatMap(request, (request) => {
          const api = isUnder(prefix, request.url)
          const safe = api || request.headers[API_KEY_HEADER] === undefined ? request : withoutKey(request)
          const sent = Effect.locallyWith(
            Effect.mapInputContext(base.execute(safe), (context: Context.Context<never>) =>
              Option.match(Context.getOption(context, FetchHttpClient.RequestInit), {
                onNone: () => Context.add(context, FetchHttpClient.RequestInit, requestInit),
                onSome: (own) => Context.add(context, FetchHttpClient.RequestInit, { ...own, redirect: "manual" })
              })
            ),
            Headers.currentRedactedNames,
            withKeyName
          )
          return api ? sent : Effect.locally(sent, HttpClient.currentTracerDisabledWhen, always)
        }),
      Effect.succeed
    )
    return transformClient === undefined ? lastHop : transformClient(lastHop)
  })
