/**
 * The `HttpClient` stack, built once per layer. Below the user's `transformClient`, on the last
 * hop before the platform client, every request (ours, and any a wrapper such as
 * `HttpClient.followRedirects` derives from it) is made safe:
 * - the key is pinned to the API prefix: `X-API-Key` is removed from a request to any other URL;
 * - `fetch` is told not to follow redirects (`redirect: "manual"`; the transport turns a 3xx into
 *   an error), whatever `RequestInit` the application provides;
 * - the platform's own `http.client` span is replaced by one of ours with the same name, kind and
 *   attributes (headers redacted, `X-API-Key` always among the redacted names, response header
 *   values made safe as server text) whose `Exit` holds no request: the platform's span ends with
 *   the response (or the `HttpClientError`), which holds the request and its headers, and a
 *   tracer that serialises it outside a fiber sees `X-API-Key` unredacted (the platform redacts
 *   headers only while a fiber's `Headers.currentRedactedNames` is in scope). Ours ends with the
 *   status, or a failure carrying only the error's name and message;
 * - there is no span for requests outside the API (presigned URLs sign in the query).
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import { Cause, Context, Effect, Option } from "effect"
import type { Options } from "../../FluidCloud.js"
import { sanitizeCause } from "./errors.js"
import type { ServerText } from "./serverText.js"
import { isUnder } from "./url.js"

/** @internal */
export const API_KEY_HEADER = "x-api-key"

/**
 * Whether a key can go in an HTTP header as it is: visible ASCII only. A key with a line break,
 * a space, a control or a non-ASCII character (a trailing newline read from a file, a key pasted
 * across lines) would make the HTTP client throw, with the key in its message.
 * @internal
 */
export const isSendableApiKey = (key: string): boolean => /^[\x21-\x7e]*$/.test(key)

/** Why a key was refused; the key itself is never shown. @internal */
export const UNSENDABLE_API_KEY =
  "FluidCloud: the API key holds a character an HTTP header cannot carry (a space, a line break, a control or a non-ASCII character; a trailing newline read from a file is a common cause). The key is not shown."

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

/** What a span's `Exit` may hold of a failed request: the error's name and message, no request. */
const spanSafe = (error: HttpClientError.HttpClientError, text: ServerText): Error =>
  sanitizeCause(error, text) ?? new Error(`${error._tag}: ${error.reason}`)

/**
 * `send(request)` in a client span of the platform's name and attributes, ending with a safe
 * `Exit` (see the module's note). A request the application's `currentTracerDisabledWhen`
 * excludes, or whose URL does not parse, is sent without a span.
 */
const traced = (
  request: HttpClientRequest.HttpClientRequest,
  send: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
  text: ServerText
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.withFiberRuntime((fiber) => {
    const disabled = fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)(request)
    const url = HttpClientRequest.toUrl(request)
    if (disabled || Option.isNone(url)) return send(request)
    const name = Context.get(fiber.currentContext, HttpClient.SpanNameGenerator)(request)
    const redacted = withKeyName(fiber.getFiberRef(Headers.currentRedactedNames))
    const propagate = fiber.getFiberRef(HttpClient.currentTracerPropagation)
    // the real outcome, handed past the span, whose own `Exit` gets a safe copy
    let response: HttpClientResponse.HttpClientResponse | undefined
    let failure: Cause.Cause<HttpClientError.HttpClientError> | undefined
    const spanned = Effect.useSpan(name, { kind: "client", captureStackTrace: false }, (span) => {
      const { origin, pathname, port, protocol, search } = url.value
      span.attribute("http.request.method", request.method)
      span.attribute("server.address", origin)
      if (port !== "") span.attribute("server.port", Number(port))
      span.attribute("url.full", url.value.toString())
      span.attribute("url.path", pathname)
      span.attribute("url.scheme", protocol.slice(0, -1))
      if (search.length > 1) span.attribute("url.query", search.slice(1))
      const requestHeaders = Headers.redact(request.headers, redacted)
      for (const header in requestHeaders) {
        span.attribute(`http.request.header.${header}`, String(requestHeaders[header]))
      }
      const sent = propagate ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span)) : request
      return send(sent).pipe(
        Effect.withParentSpan(span),
        Effect.matchCauseEffect({
          onSuccess: (received) => {
            response = received
            span.attribute("http.response.status_code", received.status)
            const responseHeaders = Headers.redact(received.headers, redacted)
            for (const header in responseHeaders) {
              const value = responseHeaders[header]
              span.attribute(
                `http.response.header.${header}`,
                typeof value === "string" ? text.detail(value) : String(value)
              )
            }
            return Effect.succeed(received.status)
          },
          onFailure: (cause) => {
            failure = cause
            return Effect.failCause(Cause.map(cause, (error) => spanSafe(error, text)))
          }
        })
      )
    })
    return spanned.pipe(
      Effect.matchCauseEffect({
        onSuccess: () =>
          response === undefined
            ? Effect.dieMessage("FluidCloud: a traced request lost its response")
            : Effect.succeed(response),
        // the request's own cause; else the span's (an interruption before it was sent)
        onFailure: (cause) =>
          failure === undefined ? Effect.failCause(Cause.stripFailures(cause)) : Effect.failCause(failure)
      })
    )
  })

/**
 * The client every SDK request goes through: `transformClient` over the safe last hop.
 * @internal
 */
export const make = (
  base: HttpClient.HttpClient,
  prefix: string,
  transformClient: Options["transformClient"],
  text: ServerText
): Effect.Effect<HttpClient.HttpClient> =>
  Effect.map(Effect.serviceOption(FetchHttpClient.RequestInit), (init) => {
    const requestInit: RequestInit = { ...Option.getOrUndefined(init), redirect: "manual" }
    const lastHop = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (request) =>
        Effect.flatMap(request, (request) => {
          const api = isUnder(prefix, request.url)
          const safe = api || request.headers[API_KEY_HEADER] === undefined ? request : withoutKey(request)
          // the platform's own span is off: ours replaces it for API requests
          const send = (request: HttpClientRequest.HttpClientRequest) =>
            Effect.locally(
              Effect.locallyWith(
                Effect.mapInputContext(base.execute(request), (context: Context.Context<never>) =>
                  Option.match(Context.getOption(context, FetchHttpClient.RequestInit), {
                    onNone: () => Context.add(context, FetchHttpClient.RequestInit, requestInit),
                    onSome: (own) => Context.add(context, FetchHttpClient.RequestInit, { ...own, redirect: "manual" })
                  })
                ),
                Headers.currentRedactedNames,
                withKeyName
              ),
              HttpClient.currentTracerDisabledWhen,
              always
            )
          return api ? traced(safe, send, text) : send(safe)
        }),
      Effect.succeed
    )
    return transformClient === undefined ? lastHop : transformClient(lastHop)
  })
