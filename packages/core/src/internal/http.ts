import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Duration, Effect, Option, Predicate, Redacted, Schedule, Schema } from "effect"
import * as Errors from "../Errors.js"
import type { Options } from "../FluidCloud.js"

/** @internal */
export const API_PREFIX = "/api/v1"
/** @internal */
export const DEFAULT_BASE_URL = "https://api-cloud.fluidvip.com"
/** @internal */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(300)
/** @internal the longest `Retry-After` the SDK waits for; a longer one ends the retries */
export const MAX_RETRY_AFTER: Duration.Duration = Duration.seconds(60)

/** The errors a retry schedule sees. @internal */
export type Retryable = Errors.RateLimitError | Errors.ApiError | Errors.TransportError

/**
 * The default retry schedule: up to 3 retries, exponential from 500 ms, capped at 8 s, each delay
 * scaled by a random factor in [0.75, 1].
 * @internal
 */
export const defaultRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("500 millis", 2).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(8))),
  Schedule.jitteredWith({ min: 0.75, max: 1 }),
  Schedule.intersect(Schedule.recurs(3))
)

/** @internal */
export const isRetryable =
  (idempotent: boolean) =>
  (error: unknown): error is Retryable => {
    if (error instanceof Errors.RateLimitError) {
      return error.retryAfter === undefined || Duration.lessThanOrEqualTo(error.retryAfter, MAX_RETRY_AFTER)
    }
    if (error instanceof Errors.TransportError) return idempotent
    if (error instanceof Errors.ApiError) return idempotent && (error.status >= 500 || error.status === 408)
    return false
  }

const retryAfterOf = (error: unknown): Duration.Duration | undefined =>
  error instanceof Errors.RateLimitError ? error.retryAfter : undefined

/**
 * Retries `self` with `schedule` while the error is retryable, waiting at least the server's
 * `Retry-After` (when it is at most `MAX_RETRY_AFTER`).
 * @internal
 */
export const withRetry =
  (schedule: Schedule.Schedule<unknown, unknown>, idempotent: boolean) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.retry(
      self,
      schedule.pipe(
        Schedule.passthrough,
        Schedule.modifyDelay((error, delay) => {
          const retryAfter = retryAfterOf(error)
          return retryAfter === undefined ? delay : Duration.max(delay, retryAfter)
        }),
        Schedule.whileInput(isRetryable(idempotent))
      )
    )

const ErrorBody = Schema.Struct({
  detail: Schema.optional(Schema.Union(Schema.String, Schema.Array(Errors.ValidationIssue))),
  resource: Schema.optional(Schema.Literal("storage", "links")),
  required_scope: Schema.optional(Schema.String)
})
const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

/** @internal */
export const requestIdOf = (response: HttpClientResponse.HttpClientResponse): string | undefined =>
  Option.getOrUndefined(Headers.get(response.headers, "x-request-id"))

/** Parses `Retry-After`: integer seconds or an HTTP date. @internal */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - now))
}

const issueSummary = (issues: ReadonlyArray<Errors.ValidationIssue>): string =>
  issues.length === 0 ? "validation_error" : issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ")

/**
 * Maps a non-success response to its tagged error.
 * @internal
 */
export const errorFromResponse = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Errors.HttpError> =>
  Effect.gen(function* () {
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    const json = yield* Effect.try((): unknown => JSON.parse(text)).pipe(Effect.orElseSucceed(() => undefined))
    const body = Option.getOrUndefined(decodeErrorBody(json))
    const status = response.status
    const requestId = requestIdOf(response)
    const rawDetail = body?.detail
    const issues = typeof rawDetail === "object" ? rawDetail : undefined
    const detail =
      typeof rawDetail === "string"
        ? rawDetail
        : issues !== undefined
          ? issueSummary(issues)
          : text.length > 0 && text.length <= 200
            ? text
            : `http_${status}`
    const common = requestId === undefined ? { status, detail } : { status, detail, requestId }
    switch (status) {
      case 401:
        return new Errors.AuthError(common)
      case 402:
        return new Errors.QuotaExceededError(
          body?.resource === undefined ? common : { ...common, resource: body.resource }
        )
      case 403:
        return new Errors.PermissionError(
          body?.required_scope === undefined ? common : { ...common, requiredScope: body.required_scope }
        )
      case 404:
        return new Errors.NotFoundError(common)
      case 409:
        return new Errors.ConflictError(common)
      case 429: {
        const retryAfter = parseRetryAfter(
          Option.getOrUndefined(Headers.get(response.headers, "retry-after")),
          yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        )
        return new Errors.RateLimitError(retryAfter === undefined ? common : { ...common, retryAfter })
      }
      default:
        return new Errors.ApiError(issues === undefined ? common : { ...common, issues })
    }
  })

/** A URL without its query string or fragment, safe to show (presigned URLs sign there). @internal */
export const displayUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  return cut === -1 ? url : url.slice(0, cut)
}

/**
 * A `TransportError` for a request that got no response. Its `cause` is the low-level error
 * (e.g. the socket's), not the platform `RequestError`: that one holds the request, headers and all.
 * @internal
 */
export const transportError = (
  request: HttpClientRequest.HttpClientRequest,
  error: HttpClientError.HttpClientError
): Errors.TransportError =>
  new Errors.TransportError({
    reason: "Transport",
    method: request.method,
    url: displayUrl(error.request.url),
    description: error.description === undefined ? error.reason : `${error.reason}: ${error.description}`,
    cause: sanitizeCause(error.cause)
  })

/**
 * Keeps a low-level cause only when it cannot carry the request: a plain `Error` (its name,
 * message and code), never an object that holds the request or its headers.
 * @internal
 */
export const sanitizeCause = (cause: unknown): Error | undefined => {
  if (!(cause instanceof Error)) return undefined
  const safe = new Error(cause.message)
  safe.name = cause.name
  if (Predicate.hasProperty(cause, "code") && typeof cause.code === "string") {
    Object.defineProperty(safe, "code", { value: cause.code, enumerable: true })
  }
  if (cause.cause instanceof Error) safe.cause = sanitizeCause(cause.cause)
  return safe
}

/** @internal */
export const timeoutError = (
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.Duration,
  url: string = request.url
) =>
  new Errors.TransportError({
    reason: "Timeout",
    method: request.method,
    url: displayUrl(url),
    description: `no response within ${Duration.format(timeout)}`
  })

/** The HTTP error tags an operation may produce beyond the ones every API operation has. @internal */
export type ExtraTag = "NotFoundError" | "ConflictError" | "QuotaExceededError"

/** The errors every API operation can fail with. @internal */
export type BaseError =
  | Errors.AuthError
  | Errors.PermissionError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError

/** @internal */
export type ExtraError<T extends ExtraTag> = Extract<Errors.HttpError, { readonly _tag: T }>

const baseTags: ReadonlySet<string> = new Set(["AuthError", "PermissionError", "RateLimitError", "ApiError"])

/** Any status the operation does not document becomes an `ApiError` with the same details. @internal */
const isAllowed = <T extends ExtraTag>(
  error: Errors.HttpError,
  allowed: ReadonlyArray<T>
): error is Exclude<BaseError, Errors.TransportError | Errors.DecodeError> | ExtraError<T> =>
  baseTags.has(error._tag) || allowed.some((tag) => tag === error._tag)

const asApiError = (error: Errors.HttpError): Errors.ApiError =>
  error instanceof Errors.ApiError
    ? error
    : new Errors.ApiError(
        error.requestId === undefined
          ? { status: error.status, detail: error.detail }
          : { status: error.status, detail: error.detail, requestId: error.requestId }
      )

/** @internal */
export interface Operation<A, I, T extends ExtraTag> {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  readonly path: string
  readonly urlParams?: Record<string, string | undefined>
  readonly body?: unknown
  /** The success schema; `Schema.Void` for a 204 with no body. */
  readonly success: Schema.Schema<A, I>
  readonly errors: ReadonlyArray<T>
  /** Whether a 5xx or a transport error may be retried. */
  readonly idempotent: boolean
  /** Replaces the client's retry schedule for this call (e.g. an upload's own `retry`). */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
}

/** The client's options (documented on `FluidCloud.Options`). @internal */
export type ApiOptions = Options

/**
 * The one pipeline every call goes through, built once per layer.
 * @internal
 */
export interface Api {
  /** The API client: base URL + `/api/v1`, `X-API-Key`. */
  readonly client: HttpClient.HttpClient
  /** The client for presigned storage URLs: no base URL, never the key. */
  readonly storage: HttpClient.HttpClient
  readonly timeout: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, unknown>
  readonly baseUrl: string
  readonly execute: <A, I, T extends ExtraTag = never>(
    operation: Operation<A, I, T>
  ) => Effect.Effect<A, BaseError | ExtraError<T>>
}

/** @internal */
export const redactedValue = (value: Redacted.Redacted<string>): string => Redacted.value(value)

const decodeSuccess = <A, I>(
  method: string,
  url: string,
  response: HttpClientResponse.HttpClientResponse,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, Errors.DecodeError | Errors.TransportError> => {
  const requestId = requestIdOf(response)
  const fail = (description: string, cause: unknown) =>
    new Errors.DecodeError(
      requestId === undefined ? { method, url, description, cause } : { method, url, description, cause, requestId }
    )
  return response.text.pipe(
    Effect.mapError(
      (cause) =>
        new Errors.TransportError({
          reason: "Transport",
          method,
          url,
          description: "the connection failed while reading the response body",
          cause: sanitizeCause(cause.cause)
        })
    ),
    Effect.flatMap((text) =>
      text.length === 0
        ? Effect.succeed<unknown>(undefined)
        : Effect.try({ try: (): unknown => JSON.parse(text), catch: (cause) => fail("the body is not JSON", cause) })
    ),
    Effect.flatMap((json) =>
      Schema.decodeUnknown(schema)(json).pipe(Effect.mapError((cause) => fail(cause.message, cause)))
    )
  )
}

const withKeyRedacted = Effect.locallyWith(Headers.currentRedactedNames, (names) =>
  names.some((name) => typeof name === "string" && name.toLowerCase() === "x-api-key") ? names : [...names, "x-api-key"]
)

/** @internal */
export const makeApi = (options: ApiOptions): Effect.Effect<Api, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const base = yield* HttpClient.HttpClient
    const transformed = options.transformClient === undefined ? base : options.transformClient(base)
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? DEFAULT_TIMEOUT)
    const retry = options.retry ?? defaultRetry
    const apiKey = options.apiKey
    const client = transformed.pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(`${baseUrl}${API_PREFIX}`),
          HttpClientRequest.setHeader("x-api-key", redactedValue(apiKey)),
          HttpClientRequest.acceptJson
        )
      )
    )

    const execute = <A, I, T extends ExtraTag = never>(
      operation: Operation<A, I, T>
    ): Effect.Effect<A, BaseError | ExtraError<T>> => {
      let request = HttpClientRequest.make(operation.method)(operation.path)
      if (operation.urlParams !== undefined) {
        for (const [name, value] of Object.entries(operation.urlParams)) {
          if (value !== undefined) request = HttpClientRequest.setUrlParam(request, name, value)
        }
      }
      if (operation.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, operation.body)
      const url = `${baseUrl}${API_PREFIX}${operation.path}`
      const attempt = client.execute(request).pipe(
        Effect.mapError((error) => transportError(request, error)),
        Effect.flatMap((response): Effect.Effect<A, BaseError | ExtraError<T>> => {
          if (response.status >= 200 && response.status < 300) {
            return decodeSuccess(operation.method, url, response, operation.success)
          }
          return Effect.flatMap(errorFromResponse(response), (error) =>
            Effect.fail(isAllowed(error, operation.errors) ? error : asApiError(error))
          )
        }),
        Effect.scoped,
        Effect.timeoutFail({ duration: timeout, onTimeout: () => timeoutError(request, timeout, url) }),
        withKeyRedacted
      )
      return withRetry(operation.retry ?? retry, operation.idempotent)(attempt)
    }
    return { client, storage: transformed, timeout, retry, baseUrl, execute }
  })
