/**
 * The one request handler serving the three origins. For each request: its origin (by path), the
 * route (`router.ts`), injected latency and faults, the time-driven state brought up to date
 * (upload expiry, scan settling), then the answer: 404 / 405 for what the contract does not list,
 * the API's key, plan, rate and scope checks (`auth.ts`) and 422 for non-UUID path ids, and the
 * operation's handler (`handlers.ts`). Every request gets an `X-Request-Id` and a log entry.
 *
 * @internal
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { Contract } from "@fluidcloud/core"
import { Clock, Effect, Either, Stream } from "effect"
import * as Auth from "./auth.js"
import * as Faults from "./faults.js"
import * as Handlers from "./handlers.js"
import * as Uploads from "./resources/uploads.js"
import * as Router from "./router.js"
import * as Scanning from "./scanning.js"
import type { State } from "./state.js"
import { storageError } from "./storage.js"
import type { ConnectionReset } from "./transport.js"
import { canonicalId } from "./validation.js"
import { failureResponse, invalid, json } from "./wire.js"

interface Incoming {
  readonly request: HttpServerRequest.HttpServerRequest
  readonly url: URL
  readonly origin: Contract.Origin
  readonly now: number
  readonly apiKey: string | undefined
  readonly outcome: { reset: boolean }
}

/** The answer to a defect: 500 `internal_error`, and the defect in the log. */
const internalError = (defect: unknown) =>
  Effect.as(
    Effect.logError("fluidcloud emulator: unexpected failure while handling a request", defect),
    json(500, { detail: "internal_error" })
  )

const drain = (request: HttpServerRequest.HttpServerRequest) => Stream.runDrain(request.stream).pipe(Effect.ignore)

/** @internal */
export const make = (state: State): HttpApp.Default<ConnectionReset> => {
  const router = Router.make()
  const handlers = Handlers.make(state)

  /** The rate-limit headers of an API answer that does not count against the limit. */
  const rateHeaders = (inc: Incoming) =>
    inc.origin === "api" ? Auth.rateLimit(state, inc.apiKey, inc.now, false).headers : {}

  /** The answer of a fault injected for this origin or path (a 429 burst, a 5xx). */
  const injected = (inc: Incoming, fault: Faults.OriginFault) =>
    Effect.as(
      drain(inc.request),
      HttpServerResponse.setHeaders(
        fault._tag === "Burst"
          ? inc.origin === "storage"
            ? storageError(429, "rate_limited")
            : json(429, { detail: "rate_limited" })
          : inc.origin === "storage"
            ? storageError(fault.status, "internal_error")
            : json(fault.status, { detail: "internal_error" }),
        {
          ...(fault._tag === "Burst" ? { "retry-after": String(fault.retryAfter) } : {}),
          ...rateHeaders(inc)
        }
      )
    )

  /** 404 for a path no operation has; on the API origin, 405 with `Allow` for a method its path does not list. */
  const unrouted = (inc: Incoming, allow: ReadonlyArray<string> | undefined) => {
    if (inc.origin === "storage") return storageError(404, "not_found")
    if (inc.origin === "files" || allow === undefined) {
      return HttpServerResponse.setHeaders(json(404, { detail: "not_found" }), rateHeaders(inc))
    }
    return HttpServerResponse.setHeaders(json(405, { detail: "method_not_allowed" }), {
      allow: allow.join(", "),
      ...rateHeaders(inc)
    })
  }

  const routed = (
    inc: Incoming,
    route: Contract.Route,
    params: Readonly<Record<string, string>>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionReset> => {
    const handler = handlers[route.id]
    if (handler.origin !== "api") {
      return handler.handle({ now: inc.now, url: inc.url, request: inc.request, params, outcome: inc.outcome })
    }
    const rate = Auth.rateLimit(state, inc.apiKey, inc.now, inc.apiKey !== undefined)
    return Effect.gen(function* () {
      const { tenant, key } = yield* Auth.authenticate(state, inc.apiKey, route, rate)
      const issues = Router.idIssues(params)
      if (issues.length > 0) return yield* invalid(issues)
      return yield* handler.handle({ tenant, key, now: inc.now, url: inc.url, request: inc.request, params })
    }).pipe(
      Effect.catchTag("ApiFailure", (e) => Effect.succeed(failureResponse(e))),
      Effect.map((response) => HttpServerResponse.setHeaders(response, rate.headers))
    )
  }

  return Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const now = yield* Clock.currentTimeMillis
    const url = new URL(request.url, "http://emulator.invalid")
    for (const [name, value] of [...url.searchParams]) {
      const id = canonicalId(name, value)
      if (id !== value) url.searchParams.set(name, id)
    }
    const path = url.pathname
    const origin = Router.originOf(path)
    const apiKey = Auth.apiKeyOf(request)
    if (apiKey !== undefined && origin !== "api") state.keyOutsideApi = true
    const requestId = Auth.requestId()
    const match = router.match(origin, request.method, path)
    const route = match._tag === "Found" ? match.route : undefined
    // a part PUT's latency applies while its body is received (storage.ts)
    if (route?.id !== "putUploadPart") yield* Faults.latency(state, path)
    yield* Uploads.expire(state, now)
    Scanning.settle(state, now)
    const inc: Incoming = { request, url, origin, now, apiKey, outcome: { reset: false } }
    const fault = Faults.originFault(state, origin, path, request.method)
    const answer = yield* (
      fault !== undefined
        ? injected(inc, fault)
        : match._tag === "Found"
          ? routed(inc, match.route, match.params)
          : Effect.succeed(unrouted(inc, match._tag === "MethodNotAllowed" ? match.allow : undefined))
    ).pipe(Effect.catchAllDefect(internalError), Effect.either)
    const response = Either.map(answer, (r) => HttpServerResponse.setHeader(r, "x-request-id", requestId))
    Auth.record(state, {
      requestId,
      method: request.method,
      origin,
      path,
      status: Either.isRight(response) ? response.right.status : 0,
      hadApiKey: apiKey !== undefined,
      at: now,
      operationId: route?.id ?? null,
      params: match._tag === "Found" ? match.params : {},
      reset: Either.isLeft(response) || inc.outcome.reset,
      requestHeaders: Auth.loggedHeaders(request.headers),
      responseHeaders: Either.isRight(response) ? { ...response.right.headers } : {}
    })
    return yield* response
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.map(internalError(defect), (r) => HttpServerResponse.setHeader(r, "x-request-id", Auth.requestId()))
    )
  )
}
