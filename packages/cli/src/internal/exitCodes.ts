/**
 * Exit codes of the `fluidcloud` command and the one-line error report printed on stderr.
 *
 * @internal
 */
import * as ValidationError from "@effect/cli/ValidationError"
import type { Domain, Errors } from "@fluidcloud/core"
import { Data, Schema } from "effect"
import * as Sanitize from "./sanitize.js"

/**
 * A problem with the command line or the configuration found before any request: a missing API
 * key, a bad `--timeout`, an unreadable seed file, `@fluidcloud/testing` not installed. Exits
 * with code 2.
 *
 * @internal
 */
export class ConfigError extends Schema.TaggedError<ConfigError>("@fluidcloud/cli/ConfigError")("ConfigError", {
  description: Schema.String
}) {
  override get message(): string {
    return `ConfigError: ${this.description}`
  }
}

/**
 * A command line that cannot run as given, found by the command itself (not by `@effect/cli`'s
 * parser): e.g. `files download` onto an existing file without `--force`. Nothing was written.
 * Exits with code 2; the line is the description.
 *
 * @internal
 */
export class UsageError extends Schema.TaggedError<UsageError>("@fluidcloud/cli/UsageError")("UsageError", {
  description: Schema.String
}) {
  override get message(): string {
    return this.description
  }
}

/**
 * `files upload --public` stored the file, then waiting for its scan or minting its link failed
 * (infected, still pending, link cap): the file is kept, so its id is reported with the error.
 * Exits with the code of `error`.
 *
 * @internal
 */
export class NotPublicError extends Data.TaggedError("NotPublicError")<{
  readonly fileId: Domain.FileId
  readonly error: Errors.FluidCloudError
}> {}

/**
 * Some transfers of a multi-file command (`files upload PATH…`, `sync`) failed and the others
 * completed: each failure was reported on its own stderr line as it happened (and, with `--json`,
 * the document of what succeeded and what failed still went to stdout). Exits with code 15 after
 * one closing line.
 *
 * @internal
 */
export class SomeFailedError extends Data.TaggedError("SomeFailedError")<{
  readonly failed: number
  readonly total: number
  readonly command: string
}> {
  override get message(): string {
    return `${this.command}: ${this.failed} of ${this.total} ${this.total === 1 ? "transfer" : "transfers"} failed (above); the others completed`
  }
}

/**
 * The exit code of each outcome, in the order of the documented table.
 *
 * @internal
 */
export const table = [
  { tag: "(success)", code: 0, meaning: "the command succeeded" },
  { tag: "(unexpected)", code: 1, meaning: "an unexpected defect (a bug: please report it)" },
  {
    tag: "usage / ConfigError",
    code: 2,
    meaning: "bad command line, or no (or an unusable) API key / unreadable config / a port the emulator cannot use"
  },
  { tag: "AuthError", code: 3, meaning: "401: missing, invalid or revoked API key" },
  { tag: "PermissionError", code: 4, meaning: "403: the key lacks a scope, or the plan has no API access" },
  { tag: "NotFoundError", code: 5, meaning: "404: no such resource (or it is in trash / another tenant's)" },
  { tag: "ConflictError", code: 6, meaning: "409: the file is not scanned clean (or infected)" },
  { tag: "QuotaExceededError", code: 7, meaning: "402: over the plan's storage or link cap" },
  { tag: "RateLimitError", code: 8, meaning: "429 after the retries ran out" },
  { tag: "ApiError", code: 9, meaning: "any other HTTP error (400, 413, 422, 5xx after retries)" },
  { tag: "TransportError", code: 10, meaning: "no response: connection failed or timed out" },
  { tag: "DecodeError", code: 11, meaning: "a response did not match its schema" },
  { tag: "IntegrityError", code: 12, meaning: "the stored sha256 differs from the bytes sent" },
  { tag: "SourceError", code: 13, meaning: "the upload source could not be read" },
  { tag: "ValidationError", code: 14, meaning: "an argument rejected by the SDK before any request was sent" },
  {
    tag: "(some failed)",
    code: 15,
    meaning: "some transfers of a multi-file command failed (each on its own stderr line); the others completed"
  },
  {
    tag: "TargetError",
    code: 16,
    meaning: "a download could not be written (no such directory, no permission, disk full)"
  },
  {
    tag: "(interrupted)",
    code: 130,
    meaning:
      "interrupted (Ctrl-C / SIGTERM); an upload in flight is aborted (kept with --resume), a download keeps its .part"
  },
  {
    tag: "(broken pipe)",
    code: 141,
    meaning: "the reader of stdout or stderr went away (| head): interrupted as by Ctrl-C"
  }
] as const

const byTag: Record<Errors.FluidCloudError["_tag"] | ConfigError["_tag"], number> = {
  ConfigError: 2,
  AuthError: 3,
  PermissionError: 4,
  NotFoundError: 5,
  ConflictError: 6,
  QuotaExceededError: 7,
  RateLimitError: 8,
  ApiError: 9,
  TransportError: 10,
  DecodeError: 11,
  IntegrityError: 12,
  SourceError: 13,
  ValidationError: 14,
  TargetError: 16
}

/**
 * Exit code of a usage error reported by `@effect/cli` (already printed by it). Not to be
 * confused with the SDK's `ValidationError` tag (14), which the SDK raises for a value it rejects.
 *
 * @internal
 */
export const usage = 2

/**
 * Exit code of a defect.
 *
 * @internal
 */
export const unexpected = 1

/**
 * Exit code when some transfers of a multi-file command failed.
 *
 * @internal
 */
export const someFailed = 15

/**
 * Exit code when interrupted by a signal.
 *
 * @internal
 */
export const interrupted = 130

/**
 * The errors a command can fail with.
 *
 * @internal
 */
export type CliError =
  | Errors.FluidCloudError
  | ConfigError
  | UsageError
  | NotPublicError
  | SomeFailedError
  | ValidationError.ValidationError

/**
 * The exit code of an error.
 *
 * @internal
 */
export const codeOf = (error: CliError): number => {
  if (ValidationError.isValidationError(error) || error._tag === "UsageError") return usage
  if (error._tag === "SomeFailedError") return someFailed
  return error._tag === "NotPublicError" ? byTag[error.error._tag] : byTag[error._tag]
}

/** One terminal-safe line: the message may hold server text (detail, request id) or a file name. */
const oneLine = (text: string): string => Sanitize.text(text.replace(/\s*\n\s*/g, " ")).trim()

const line = (error: Errors.FluidCloudError | ConfigError): string =>
  error._tag === "DecodeError" && error.requestId !== undefined
    ? `${oneLine(error.message)} [request ${oneLine(error.requestId)}]`
    : oneLine(error.message)

/**
 * The one line printed on stderr for an error (tag, detail and request id; never the API key,
 * never a stack trace). `undefined` for `@effect/cli` usage errors, which it prints itself.
 *
 * @internal
 */
export const describe = (error: CliError): string | undefined => {
  if (ValidationError.isValidationError(error)) return undefined
  if (error._tag === "UsageError") return `fluidcloud: ${oneLine(error.description)}`
  if (error._tag === "SomeFailedError") return `fluidcloud: ${oneLine(error.message)}`
  if (error._tag === "NotPublicError") {
    return `fluidcloud: ${line(error.error)}; file ${oneLine(error.fileId)} was stored but is not public`
  }
  return `fluidcloud: ${line(error)}`
}
