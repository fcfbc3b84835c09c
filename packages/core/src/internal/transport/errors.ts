/**
 * Status → tagged error, twice: the API's mapper (its error bodies are part of the contract) and
 * the storage origin's (its bodies are not: only the status counts, and a 403 there is a refused
 * presigned URL, not a missing scope). Also the errors of a request that got no usable answer: a
 * redirect (never followed), a transport failure, a timeout.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Option, Predicate, Schema } from "effect"
import * as Errors from "../../Errors.js"
import type { CommonError } from "../../FluidCloud.js"
import type { ExtraTag } from "../operations.js"
import type { ServerText } from "./serverText.js"
import { displayUrl } from "./url.js"

/** The errors every API operation can fail with (`FluidCloud.CommonError`). @internal */
export type BaseError = CommonError

/** The error of an extra tag. @internal */
export type ExtraError<T extends ExtraTag> = Extract<Errors.HttpError, { readonly _tag: T }>

/** The errors of a request to the storage origin. @internal */
export type StorageError = Errors.HttpError | Errors.TransportError | Errors.DecodeError

/** The `X-Request-Id` of a response, made safe (`ServerText`). @internal */
export const requestIdOf = (headers: Headers.Headers, text: ServerText): string | undefined =>
  text.requestId(Option.getOrUndefined(Headers.get(headers, "x-request-id")))

const ErrorBody = Schema.Struct({
  detail: Schema.optional(Schema.Union(Schema.String, Schema.Array(Errors.ValidationIssue))),
  resource: Schema.optional(Schema.Literal("storage", "links")),
  required_scope: Schema.optional(Schema.String)
})
const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const issueSummary = (issues: ReadonlyArray<Errors.ValidationIssue>): string =>
  issues.length === 0 ? "validation_error" : issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ")

/** The issues of a 422, each string made safe, at most 20 of them. */
const safeIssues = (issues: ReadonlyArray<Errors.ValidationIssue>, text: ServerText) =>
  issues.slice(0, 20).map(
    (issue) =>
      new Errors.ValidationIssue({
        loc: issue.loc.slice(0, 20).map((part) => (typeof part === "string" ? text.detail(part) : part)),
        msg: text.detail(issue.msg),
        type: text.detail(issue.type)
      })
  )

const common = (status: number, detail: string, requestId: string | undefined) =>
  requestId === undefined ? { status, detail } : { status, detail, requestId }

/**
 * The API's mapper: an error response (status, headers, body text) → its tagged error. A 429
 * carries the `Retry-After` it was given. Every string taken from the response (`detail`, the
 * request id, the issues of a 422, `required_scope`) goes through `text`.
 * @internal
 */
export const fromApi = (
  status: number,
  headers: Headers.Headers,
  body: string,
  retryAfter: Duration.Duration | undefined,
  text: ServerText
): Errors.HttpError => {
  const decoded = Option.getOrUndefined(decodeErrorBody(body.length === 0 ? undefined : parseJson(body)))
  const rawDetail = decoded?.detail
  const issues = typeof rawDetail === "object" ? safeIssues(rawDetail, text) : undefined
  const detail =
    typeof rawDetail === "string"
      ? text.detail(rawDetail)
      : issues !== undefined
        ? text.detail(issueSummary(issues))
        : body.length > 0 && body.length <= 200
          ? text.detail(body)
          : `http_${status}`
  const fields = common(status, detail, requestIdOf(headers, text))
  switch (status) {
    case 401:
      return new Errors.AuthError(fields)
    case 402:
      return new Errors.QuotaExceededError(
        decoded?.resource === undefined ? fields : { ...fields, resource: decoded.resource }
      )
    case 403:
      return new Errors.PermissionError(
        decoded?.required_scope === undefined
          ? fields
          : { ...fields, requiredScope: text.detail(decoded.required_scope) }
      )
    case 404:
      return new Errors.NotFoundError(fields)
    case 409:
      return new Errors.ConflictError(fields)
    case 429:
      return new Errors.RateLimitError(retryAfter === undefined ? fields : { ...fields, retryAfter })
    default:
      return new Errors.ApiError(issues === undefined ? fields : { ...fields, issues })
  }
}

/**
 * The `detail` of a storage 403: the storage origin refused the presigned URL. It is an
 * `ApiError`, never a `PermissionError` (whose meaning is a key without a scope: the key never
 * goes to storage).
 * @internal
 */
export const STORAGE_FORBIDDEN = "storage_forbidden: the presigned URL was refused (expired or bad signature)"

/**
 * The storage origin's mapper: only the status counts (its bodies are not part of the contract).
 * 404 → `NotFoundError` (the upload was aborted or completed, or the file is gone), 429 →
 * `RateLimitError`, anything else (403 included) → `ApiError`.
 * @internal
 */
export const fromStorage = (
  status: number,
  headers: Headers.Headers,
  retryAfter: Duration.Duration | undefined,
  text: ServerText
): Errors.HttpError => {
  const requestId = requestIdOf(headers, text)
  switch (status) {
    case 404:
      return new Errors.NotFoundError(common(status, "storage_not_found", requestId))
    case 429: {
      const fields = common(status, "storage_rate_limited", requestId)
      return new Errors.RateLimitError(retryAfter === undefined ? fields : { ...fields, retryAfter })
    }
    case 403:
      return new Errors.ApiError(common(status, STORAGE_FORBIDDEN, requestId))
    default:
      return new Errors.ApiError(common(status, `storage_http_${status}`, requestId))
  }
}

/** Whether a status is a redirect (or a browser's opaque redirect, status 0): never followed. @internal */
export const isRedirect = (status: number): boolean => status < 200 || (status >= 300 && status < 400)

/**
 * A redirect is never followed (the key must not leave the API origin, and a presigned URL is
 * not to be exchanged for another): it is an `ApiError` with the redirect's status, naming only
 * the origin it pointed to.
 * @internal
 */
export const fromRedirect = (status: number, headers: Headers.Headers, text: ServerText): Errors.ApiError => {
  const location = Option.getOrUndefined(Headers.get(headers, "location"))
  let target = ""
  if (location !== undefined) {
    try {
      target = ` to ${text.detail(new URL(location).origin)}`
    } catch {
      target = " to a relative location"
    }
  }
  return new Errors.ApiError(
    common(
      status,
      `redirect_not_followed: the server answered ${status === 0 ? "a redirect" : `HTTP ${status}`}${target}; the SDK never follows redirects`,
      requestIdOf(headers, text)
    )
  )
}

const isExtra = <T extends ExtraTag>(error: Errors.HttpError, allowed: ReadonlyArray<T>): error is ExtraError<T> =>
  allowed.some((tag) => tag === error._tag)

/** Any status the operation does not document becomes an `ApiError` with the same details. @internal */
export const narrow = <T extends ExtraTag>(
  error: Errors.HttpError,
  allowed: ReadonlyArray<T>
): Exclude<BaseError, Errors.TransportError | Errors.DecodeError> | ExtraError<T> => {
  switch (error._tag) {
    case "AuthError":
    case "PermissionError":
    case "RateLimitError":
    case "ApiError":
      return error
  }
  return isExtra(error, allowed) ? error : new Errors.ApiError(common(error.status, error.detail, error.requestId))
}

/**
 * Keeps a low-level cause only when it cannot carry the request: a plain `Error` (its name,
 * message and code), never an object that holds the request or its headers. With `text`, the
 * message is server text (e.g. a schema failure quoting the body) and goes through it.
 * @internal
 */
export const sanitizeCause = (cause: unknown, text?: ServerText): Error | undefined => {
  if (!(cause instanceof Error)) return undefined
  const safe = new Error(text === undefined ? cause.message : text.detail(cause.message))
  safe.name = cause.name
  if (Predicate.hasProperty(cause, "code") && typeof cause.code === "string") {
    Object.defineProperty(safe, "code", { value: cause.code, enumerable: true })
  }
  if (cause.cause instanceof Error) safe.cause = sanitizeCause(cause.cause, text)
  return safe
}

/**
 * A `TransportError` for a request that got no response, or whose body could not be read. Its
 * `cause` is the low-level error (e.g. the socket's), not the platform `RequestError`: that one
 * holds the request, headers and all.
 * @internal
 */
export const fromTransport = (
  request: HttpClientRequest.HttpClientRequest,
  error: HttpClientError.HttpClientError,
  text: ServerText,
  description: string = error.description === undefined ? error.reason : `${error.reason}: ${error.description}`
): Errors.TransportError =>
  new Errors.TransportError({
    reason: "Transport",
    method: request.method,
    url: displayUrl(request.url),
    description,
    // a client's message may quote what it was given (a header value, a server's text): made safe
    cause: sanitizeCause(error.cause, text)
  })

/** No response within `timeout`. @internal */
export const fromTimeout = (
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.Duration
): Errors.TransportError =>
  new Errors.TransportError({
    reason: "Timeout",
    method: request.method,
    url: displayUrl(request.url),
    description: `no response within ${Duration.format(timeout)}`
  })
