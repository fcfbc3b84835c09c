/**
 * Every failure of the SDK is one of these tagged errors, so callers handle them with
 * `Effect.catchTag`. The HTTP ones carry `status`, `detail` and `requestId` (from `X-Request-Id`).
 * No error ever holds or prints the API key.
 *
 * @since 0.1.0
 */
import { Effect, Predicate, Schema } from "effect"
import { dual } from "effect/Function"
import { FileId, ScanStatus } from "./Domain.js"

/**
 * Set on an error of `files.upload` / `files.uploadStream` with `public: true` when the file was
 * stored but the public step (waiting for a clean scan, minting the link) failed: the file is
 * kept and counts against the quota, so its id is reported (retry `files.publicUrl`, or
 * `files.delete` it). Absent on every other error.
 */
const fileId = Schema.optional(FileId)

const httpFields = {
  /** The HTTP status code. */
  status: Schema.Int,
  /**
   * The `detail` of the error body, e.g. `not_found`; for a 422, a summary of its issues. Server
   * text: at most 1,000 characters, control characters removed, the API key (or anything shaped
   * like a key) replaced by `[redacted]`.
   */
  detail: Schema.String,
  /** The `X-Request-Id` of the response, for support (at most 200 characters, made safe like `detail`). */
  requestId: Schema.optional(Schema.String),
  /** The stored file of a `public: true` upload whose public step failed (see `UploadError`). */
  fileId
}

const describe = (
  self: {
    readonly _tag: string
    readonly status: number
    readonly detail: string
    readonly requestId?: string | undefined
  },
  extra = ""
) =>
  `${self._tag} (HTTP ${self.status}): ${self.detail}${extra}${self.requestId === undefined ? "" : ` [request ${self.requestId}]`}`

/**
 * 401: the API key is missing, invalid or revoked (`detail`: `missing_api_key`,
 * `invalid_api_key`, `revoked_api_key`).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthError extends Schema.TaggedError<AuthError>("@fluidcloud/AuthError")("AuthError", httpFields) {
  override get message(): string {
    return describe(this)
  }
}

/**
 * 402: over the plan's storage or share-link cap; `resource` says which.
 *
 * @since 0.1.0
 * @category errors
 */
export class QuotaExceededError extends Schema.TaggedError<QuotaExceededError>("@fluidcloud/QuotaExceededError")(
  "QuotaExceededError",
  { ...httpFields, resource: Schema.optional(Schema.Literal("storage", "links")) }
) {
  override get message(): string {
    return describe(this, this.resource === undefined ? "" : ` (${this.resource})`)
  }
}

/**
 * 403 from the API: the key lacks a scope (`detail: insufficient_scope`, with `requiredScope`), or
 * the subscription does not include API access (`detail: feature_not_in_plan`). Never raised for
 * the storage origin, which the key never reaches: a storage 403 (an expired or badly signed
 * presigned URL) is an `ApiError` with status 403.
 *
 * Reading it: when `detail` is `insufficient_scope`, `requiredScope` names the scope the key lacks
 * (e.g. `shares:write`); give the key that scope in the dashboard, or use another key. Every method's
 * documentation lists the scopes it needs (`Contract.requiredScopes` computes them), and a call
 * may need more than one (minting a link needs `shares:write` and `files:read`), so a key fixed for
 * one scope can fail next on another. When `detail` is `feature_not_in_plan`, no scope helps: the
 * subscription lacks API access, and `requiredScope` is absent.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const quota = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(
 *   Effect.catchTag("PermissionError", (e) =>
 *     Console.error(
 *       e.requiredScope === undefined ? `no API access: ${e.detail}` : `the key needs the scope ${e.requiredScope}`
 *     )
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionError extends Schema.TaggedError<PermissionError>("@fluidcloud/PermissionError")(
  "PermissionError",
  { ...httpFields, requiredScope: Schema.optional(Schema.String) }
) {
  override get message(): string {
    return describe(this, this.requiredScope === undefined ? "" : ` (needs ${this.requiredScope})`)
  }
}

/**
 * 404: the resource does not exist, is hidden in trash, or belongs to another tenant.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>("@fluidcloud/NotFoundError")(
  "NotFoundError",
  httpFields
) {
  override get message(): string {
    return describe(this)
  }
}

/**
 * 409: the file is not scanned clean (`file_not_ready`) or is infected (`file_infected`), so it
 * cannot be shared or downloaded. Also raised by `files.waitUntilClean` when the file is
 * infected or still pending when its schedule ends.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConflictError extends Schema.TaggedError<ConflictError>("@fluidcloud/ConflictError")("ConflictError", {
  ...httpFields,
  /** Set by `files.waitUntilClean`: the file's `scan_status` when it gave up (absent while uploading). */
  scanStatus: Schema.optional(ScanStatus)
}) {
  override get message(): string {
    return describe(this, this.scanStatus === undefined ? "" : ` (scan_status: ${this.scanStatus})`)
  }
}

/**
 * 429 after the retry schedule ran out. `retryAfter` is the server's last `Retry-After`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>("@fluidcloud/RateLimitError")("RateLimitError", {
  ...httpFields,
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}) {
  override get message(): string {
    return describe(this)
  }
}

/**
 * One entry of a 422 validation failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationIssue extends Schema.Class<ValidationIssue>("@fluidcloud/ValidationIssue")({
  loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  msg: Schema.String,
  type: Schema.String
}) {}

/**
 * Any other non-success status: 400 (`folder_cycle`, `cross_space_move`, `invalid_parts`,
 * `checksum_mismatch`), 413 (`file_too_large`), 422 (with `issues`), and 5xx after retries. Also:
 * - a redirect (3xx): the SDK never follows one (`detail` starts with `redirect_not_followed`);
 * - an error of the storage origin other than 404 and 429, whose bodies are not part of the
 *   contract: a 403 there means the presigned URL was refused, expired or badly signed (`detail`
 *   starts with `storage_forbidden`); others have `detail` `storage_http_<status>`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("@fluidcloud/ApiError")("ApiError", {
  ...httpFields,
  issues: Schema.optional(Schema.Array(ValidationIssue))
}) {
  override get message(): string {
    return describe(this)
  }
}

/**
 * The request did not get a response: connection refused or reset, or the timeout elapsed.
 * `cause` is the low-level error (e.g. the socket error with its `code`), copied without the
 * request: the platform error is not kept, since it holds the request and its headers.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@fluidcloud/TransportError")("TransportError", {
  reason: Schema.Literal("Transport", "Timeout"),
  method: Schema.String,
  /** The URL without its query string (presigned URLs carry signatures there). */
  url: Schema.String,
  description: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect),
  /** The stored file of a `public: true` upload whose public step failed (see `UploadError`). */
  fileId
}) {
  override get message(): string {
    return `TransportError (${this.reason}): ${this.method} ${this.url}${this.description === undefined ? "" : `: ${this.description}`}`
  }
}

/**
 * A response did not match its schema or the contract: a body that is not JSON or not of its
 * schema, a body over its cap (`description` starting with `response_too_large`: the body was not
 * read and the connection was dropped; see `FluidCloud.Options.maxResponseBytes`), an upload
 * session that breaks the contract (`invalid_session`: part size, part count, part numbers or
 * URLs), a part PUT answered without an `ETag`. `description` may quote the server: it is made
 * safe like `ApiError.detail`.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@fluidcloud/DecodeError")("DecodeError", {
  method: Schema.String,
  url: Schema.String,
  description: Schema.String,
  requestId: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect),
  /** The stored file of a `public: true` upload whose public step failed (see `UploadError`). */
  fileId
}) {
  override get message(): string {
    return `DecodeError: ${this.method} ${this.url}: ${this.description}`
  }
}

/**
 * Bad input caught before any request was sent (e.g. `expiresInDays` out of 1..365, a
 * negative `size`, a stream source without `size`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>("@fluidcloud/ValidationError")(
  "ValidationError",
  { field: Schema.String, description: Schema.String }
) {
  override get message(): string {
    return `ValidationError: ${this.field}: ${this.description}`
  }
}

/**
 * The bytes are not the file's:
 * - upload: the sha256 the server stored differs from the hash of the bytes the SDK sent
 *   (`expected`, the sent hash; `actual`, the stored one). The uploaded file has been deleted.
 * - download (since 0.2.0, with a `description`): the hash of the bytes received (`actual`)
 *   differs from the file's stored sha256 (`expected`), or the file changed between two attempts
 *   of one download (the resumed range was refused by `If-Range`, or the storage's `ETag`
 *   changed). `downloadTo` has removed its `.part` file.
 *
 * @since 0.1.0
 * @category errors
 */
export class IntegrityError extends Schema.TaggedError<IntegrityError>("@fluidcloud/IntegrityError")("IntegrityError", {
  fileId: FileId,
  expected: Schema.String,
  actual: Schema.String,
  /** What did not match, for a download (since 0.2.0). */
  description: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return this.description === undefined
      ? `IntegrityError: file ${this.fileId}: sha256 sent ${this.expected}, stored ${this.actual}`
      : `IntegrityError: file ${this.fileId}: ${this.description} (expected ${this.expected}, got ${this.actual})`
  }
}

/**
 * The upload source could not be read (a missing path, a failing stream, a size mismatch).
 *
 * @since 0.1.0
 * @category errors
 */
export class SourceError extends Schema.TaggedError<SourceError>("@fluidcloud/SourceError")("SourceError", {
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `SourceError: ${this.description}`
  }
}

/**
 * A download's target could not be written by `files.downloadTo`: no `FileSystem` in the context
 * the client was built in, a missing directory, no permission, a full disk, or a `.part` that
 * could not be read back to resume.
 *
 * @since 0.2.0
 * @category errors
 */
export class TargetError extends Schema.TaggedError<TargetError>("@fluidcloud/TargetError")("TargetError", {
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `TargetError: ${this.description}`
  }
}

/**
 * The errors that carry an HTTP response (`status`, `detail`, `requestId`): the union to catch for
 * "any HTTP error", the way Python code catches `ApiError`, the base class of its HTTP exceptions.
 * Here the tags are siblings, so `Effect.catchTag("ApiError", ...)` catches only the statuses that
 * have no tag of their own (400, 413, 422, 5xx, storage 403, ...), never a 404; use `isHttpError`
 * (below) to catch them all.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpError =
  | AuthError
  | QuotaExceededError
  | PermissionError
  | NotFoundError
  | ConflictError
  | RateLimitError
  | ApiError

/**
 * Every error of the SDK.
 *
 * @since 0.1.0
 * @category models
 */
export type FluidCloudError =
  | HttpError
  | TransportError
  | DecodeError
  | ValidationError
  | IntegrityError
  | SourceError
  | TargetError

/**
 * The tags of `HttpError`.
 *
 * @since 0.2.0
 * @category models
 */
export type HttpErrorTag = HttpError["_tag"]

/**
 * The tags of `HttpError`, e.g. for `Effect.catchTags` or a log filter.
 *
 * @since 0.2.0
 * @category constants
 */
export const httpErrorTags: ReadonlyArray<HttpErrorTag> = [
  "AuthError",
  "QuotaExceededError",
  "PermissionError",
  "NotFoundError",
  "ConflictError",
  "RateLimitError",
  "ApiError"
]

const httpTags: ReadonlySet<string> = new Set(httpErrorTags)

/**
 * Whether a value is an `HttpError` (any of the `httpErrorTags`).
 *
 * @since 0.2.0
 * @category refinements
 */
export const isHttpError = (u: unknown): u is HttpError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && httpTags.has(u._tag) && u instanceof Error

/**
 * Recovers from any HTTP error of `self`: the catch-all next to the per-tag `catchTag` style (what
 * Python code does with `except ApiError`). The handler sees exactly the HTTP tags `self` can fail
 * with; the other errors (`TransportError`, `DecodeError`, `ValidationError`, ...) stay in the
 * error channel.
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Errors, FluidCloud } from "@fluidcloud/core"
 *
 * const spaces = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.spaces.list()).pipe(
 *   Errors.catchHttpError((e) => Console.error(`HTTP ${e.status}: ${e.detail}`).pipe(Effect.as([])))
 * )
 * // Effect<ReadonlyArray<Space>, TransportError | DecodeError, FluidCloud>
 * ```
 * @since 0.2.0
 * @category error handling
 */
export const catchHttpError: {
  <E, A2, E2, R2>(
    f: (error: Extract<E, HttpError>) => Effect.Effect<A2, E2, R2>
  ): <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, Exclude<E, Extract<E, HttpError>> | E2, R | R2>
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    f: (error: Extract<E, HttpError>) => Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A | A2, Exclude<E, Extract<E, HttpError>> | E2, R | R2>
} = dual(
  2,
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    f: (error: Extract<E, HttpError>) => Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A | A2, Exclude<E, Extract<E, HttpError>> | E2, R | R2> =>
    Effect.catchIf(self, (error): error is Extract<E, HttpError> => isHttpError(error), f)
)

const tags: ReadonlySet<string> = new Set([
  ...httpErrorTags,
  "TransportError",
  "DecodeError",
  "ValidationError",
  "IntegrityError",
  "SourceError",
  "TargetError"
])

/**
 * Whether a value is one of the SDK's errors.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isFluidCloudError = (u: unknown): u is FluidCloudError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag) && u instanceof Error
