/**
 * The download engine: the file's metadata and a fresh presigned URL from the API, then storage
 * GETs (`Transport.getObject`) whose bodies are streamed on as they arrive, hashed in order. A
 * failed attempt (a dropped connection, a stall, a 5xx, a 429, a refused URL) is retried under
 * the one retry policy from the last byte received, with `Range` + `If-Range` pinned to the
 * first response's `ETag`; a refused URL (storage 403) is replaced by a fresh one first. Bytes
 * are never delivered twice or out of order, and never from two versions of the file: a resumed
 * range answered whole (If-Range did not match) or with another `ETag` fails with
 * `IntegrityError`. A whole file's sha256 is checked against the stored one at the end.
 *
 * @internal
 */
import { Effect, Option, Schedule, Stream } from "effect"
import type * as Domain from "../Domain.js"
import { type ByteRange, type DownloadError, DownloadEvent, type DownloadOptions } from "../Download.js"
import * as Errors from "../Errors.js"
import type * as Hash from "./hash.js"
import { operations } from "./operations.js"
import * as Steps from "./steps.js"
import * as Throttle from "./throttle.js"
import type * as Mapper from "./transport/errors.js"
import * as Retry from "./transport/retry.js"
import type { StorageObject } from "./transport/storage.js"
import type { Transport } from "./transport/transport.js"
import { displayUrl } from "./transport/url.js"
import * as Check from "./validation.js"

/** What the engine needs: the transport and the sha256 implementation. @internal */
export interface Dependencies {
  readonly transport: Transport
  readonly sha256: Hash.Sha256Factory
}

/** A file ready to fetch: its metadata and a fresh presigned URL. @internal */
export interface Prepared {
  readonly file: Domain.FluidFile
  readonly url: string
  readonly range: ByteRange | undefined
}

/** How one download runs. @internal */
export interface Run {
  readonly retry?: DownloadOptions["retry"]
  readonly onProgress?: DownloadOptions["onProgress"]
  /**
   * A whole file only: the bytes already held (a resumed `.part`), which `hash` has been fed
   * with; the download fetches the rest.
   */
  readonly resumeAt?: { readonly bytes: number; readonly hash: Hash.Sha256Hash } | undefined
}

/** The errors of one storage attempt. */
type AttemptError =
  | Errors.NotFoundError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError
  | Errors.IntegrityError

/** The storage mapper's errors are 404, 429 and `ApiError`; any other tag would be an `ApiError`. */
const fromStorage = (error: Mapper.StorageError): AttemptError => {
  switch (error._tag) {
    case "NotFoundError":
    case "RateLimitError":
    case "ApiError":
    case "TransportError":
    case "DecodeError":
      return error
    default:
      return new Errors.ApiError(
        error.requestId === undefined
          ? { status: error.status, detail: error.detail }
          : { status: error.status, detail: error.detail, requestId: error.requestId }
      )
  }
}

/**
 * Whether a failed attempt is resumed: a dropped connection or stall, a 5xx or 408, a 429, and a
 * storage 403 (the presigned URL expired or was refused: a fresh one is fetched first).
 */
const isResumable = (error: unknown): boolean =>
  error instanceof Errors.TransportError ||
  error instanceof Errors.RateLimitError ||
  (error instanceof Errors.ApiError && (error.status >= 500 || error.status === 408 || error.status === 403))

const checkFileId = Check.check(Check.FileId, "fileId")
const checkOffset = Check.check(Check.Size, "range.offset")
const checkLength = Check.check(
  Check.integerIn(1, Number.MAX_SAFE_INTEGER, "must be a positive integer"),
  "range.length"
)

/** A `Content-Range: bytes first-last/total` (the total may be `*`). */
const parseContentRange = (value: string | undefined) => {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim())
  if (match === null) return undefined
  return {
    first: Number(match[1]),
    end: Number(match[2]) + 1,
    total: match[3] === "*" ? undefined : Number(match[3])
  }
}

/** The sha256 an `ETag` names, when it is the contract's quoted lowercase hex sha256. */
const sha256OfEtag = (etag: string | undefined): string | undefined => {
  const match = etag === undefined ? null : /^"([0-9a-fA-F]{64})"$/.exec(etag)
  return match?.[1]?.toLowerCase()
}

/** At most 100 characters of (already safe) server text, for an error's message. */
const shortened = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}...` : text)

/** @internal */
export const make = (deps: Dependencies) => {
  const { transport } = deps
  /** A storage header shown in an error: server text, made safe (`ServerText`: no escapes, no key) and short. */
  const shown = (text: string): string => shortened(transport.serverText.detail(text))
  const unquote = (etag: string | undefined): string =>
    etag === undefined ? "(none)" : shown(etag.replace(/^"|"$/g, ""))

  const freshUrl = (fileId: Domain.FileId) =>
    Effect.map(transport.execute(operations.getDownloadUrl, { path: { file_id: fileId } }), (download) => download.url)

  /**
   * Checks the input, then gets the file's metadata and a fresh URL (at once): nothing is sent
   * for a bad id or range.
   */
  const prepare = (
    fileId: Domain.FileId,
    range: ByteRange | undefined
  ): Effect.Effect<Prepared, Exclude<DownloadError, Errors.IntegrityError>> =>
    Effect.gen(function* () {
      yield* checkFileId(fileId)
      if (range !== undefined) {
        yield* checkOffset(range.offset)
        if (range.length !== undefined) yield* checkLength(range.length)
      }
      const [file, url] = yield* Effect.all([Steps.getFile(transport, fileId), freshUrl(fileId)], {
        concurrency: 2
      })
      return { file, url, range }
    })

  /** The bytes of a prepared download, as they arrive; see the module's documentation. */
  const bytes = (prepared: Prepared, run: Run = {}): Stream.Stream<Uint8Array, DownloadError> =>
    Stream.suspend(() => {
      const { file, range } = prepared
      const fileId = file.id
      const size = Option.getOrUndefined(file.size)
      // lowercase hex: a File's sha256 is the contract's `Sha256Hex` (decoded so)
      const expected = Option.getOrUndefined(file.sha256)
      const whole = range === undefined
      const origin = range?.offset ?? 0
      const hash = whole ? (run.resumeAt?.hash ?? deps.sha256.create()) : undefined
      const onProgress = run.onProgress
      const url = displayUrl(prepared.url)

      // The state of this run (a stream may be run more than once: each run has its own).
      let current = prepared.url
      let position = origin + (whole ? (run.resumeAt?.bytes ?? 0) : 0)
      /** The end (exclusive) once known: the file's size, or the range's end clamped to it. */
      let end: number | undefined =
        range === undefined
          ? size
          : range.length === undefined
            ? size
            : size === undefined
              ? range.offset + range.length
              : Math.min(size, range.offset + range.length)
      let pinned: string | undefined
      let started = false
      const throttle = Throttle.make()
      let attempts = 0

      const integrity = (description: string, expectedValue: string, actual: string) =>
        new Errors.IntegrityError({ fileId, expected: expectedValue, actual, description })
      const decodeError = (description: string) => new Errors.DecodeError({ method: "GET", url, description })
      const totals = () => ({ receivedBytes: position - origin, totalBytes: (end ?? position) - origin })
      const report = (event: DownloadEvent) => (onProgress === undefined ? Effect.void : onProgress(event))

      /** The checks of a response before any of its bytes is taken. */
      const accept = (object: StorageObject, resumed: boolean): Effect.Effect<StorageObject, AttemptError> => {
        const etag = object.headers.etag
        const sent = sha256OfEtag(etag)
        if (pinned !== undefined && etag !== undefined && etag !== pinned) {
          return Effect.fail(
            integrity("the file changed during the download (another ETag)", unquote(pinned), unquote(etag))
          )
        }
        if (expected !== undefined && sent !== undefined && sent !== expected) {
          return Effect.fail(integrity("the storage serves another version of the file (its ETag)", expected, sent))
        }
        const ranged = position > 0 || range !== undefined
        const length = object.headers["content-length"]
        if (ranged && object.status === 200) {
          return Effect.fail(
            resumed
              ? integrity(
                  "the file changed during the download: the resumed range was answered with the whole file (If-Range did not match)",
                  unquote(pinned ?? (expected === undefined ? undefined : `"${expected}"`)),
                  unquote(etag)
                )
              : decodeError("the storage answered a Range request with the whole file")
          )
        }
        if (!ranged && object.status === 206)
          return Effect.fail(decodeError("the storage answered 206 without a Range"))
        if (object.status === 206) {
          const parsed = parseContentRange(object.headers["content-range"])
          if (
            parsed === undefined ||
            parsed.first !== position ||
            (parsed.total !== undefined && size !== undefined && parsed.total !== size) ||
            (end !== undefined && parsed.end !== end)
          ) {
            return Effect.fail(
              decodeError(
                `the storage answered Content-Range ${JSON.stringify(shown(object.headers["content-range"] ?? "(none)"))} for bytes ${position}-${end === undefined ? "" : end - 1}`
              )
            )
          }
          end = parsed.end
        } else if (end === undefined && length !== undefined && /^\d+$/.test(length)) {
          end = Number(length)
        }
        if (length !== undefined && end !== undefined && length !== String(end - position)) {
          return Effect.fail(
            decodeError(`the storage sent Content-Length ${shown(length)} for ${end - position} bytes`)
          )
        }
        if (pinned === undefined) pinned = etag
        return Effect.succeed(object)
      }

      const progress = (chunk: Uint8Array): Effect.Effect<Uint8Array, AttemptError> => {
        if (end !== undefined && position + chunk.byteLength > end) {
          return Effect.fail(decodeError(`the storage sent more than the ${end - origin} bytes asked for`))
        }
        hash?.update(chunk)
        position += chunk.byteLength
        if (onProgress === undefined) return Effect.succeed(chunk)
        return Effect.flatMap(throttle.due, (due) =>
          due ? Effect.as(onProgress(DownloadEvent.Progress(totals())), chunk) : Effect.succeed(chunk)
        )
      }

      const start = Effect.suspend(() => {
        if (started) return Effect.void
        started = true
        return Effect.zipRight(throttle.restart, report(DownloadEvent.Started({ fileId, ...totals() })))
      })

      /** One storage GET from `position`, its body taken chunk by chunk. */
      const attempt: Stream.Stream<Uint8Array, Retry.Failed<AttemptError>> = Stream.unwrap(
        Effect.gen(function* () {
          attempts += 1
          const resumed = position > origin
          const ranged = position > 0 || range !== undefined
          const last = range?.length === undefined ? "" : String(range.offset + range.length - 1)
          const ifRange = pinned ?? (expected === undefined ? undefined : `"${expected}"`)
          const object = yield* transport
            .getObject(current, {
              range: ranged ? `bytes=${position}-${last}` : undefined,
              ifRange: resumed ? ifRange : undefined
            })
            .pipe(
              Effect.mapError((failed) => new Retry.Failed(fromStorage(failed.error), failed.retryAfter)),
              Effect.flatMap((object) => Effect.mapError(accept(object, resumed), (error) => new Retry.Failed(error)))
            )
          yield* start
          return object.body.pipe(
            Stream.filter((chunk) => chunk.byteLength > 0),
            Stream.mapEffect(progress),
            Stream.concat(
              Stream.suspend(() => {
                if (end === undefined) end = position
                return position < end
                  ? Stream.fail(
                      new Errors.TransportError({
                        reason: "Transport",
                        method: "GET",
                        url,
                        description: `the body ended after ${position - origin} of ${end - origin} bytes`
                      })
                    )
                  : Stream.empty
              })
            ),
            Stream.mapError((error) => new Retry.Failed<AttemptError>(error))
          )
        })
      )

      const finish = Effect.suspend(() => {
        const received = (end ?? position) - origin
        const digest = hash?.digestHex()
        return Effect.gen(function* () {
          yield* Effect.annotateCurrentSpan({
            "fluidcloud.download.bytes": received,
            "fluidcloud.download.attempts": attempts
          })
          if (digest !== undefined && expected === undefined) {
            yield* Effect.logWarning(`FluidCloud: file ${fileId} has no stored sha256 to check against ${digest}`)
          } else if (digest !== undefined && digest !== expected) {
            return yield* integrity("the bytes received are not the file's (sha256)", expected ?? "", digest)
          }
          yield* report(DownloadEvent.Completed({ totalBytes: received, sha256: digest }))
        })
      })

      const policy = Retry.policy(run.retry ?? transport.retry, isResumable)
      return Stream.unwrap(
        Effect.map(Schedule.driver(policy), (driver) => {
          const loop = (): Stream.Stream<Uint8Array, DownloadError> => {
            const before = position
            return attempt.pipe(
              Stream.catchAll((failed) =>
                Stream.unwrap(
                  Effect.gen(function* () {
                    const error = failed.error
                    if (position > before) yield* driver.reset
                    yield* Effect.catchAll(driver.next(failed), () => Effect.fail(error))
                    if (
                      !(
                        error instanceof Errors.ApiError ||
                        error instanceof Errors.RateLimitError ||
                        error instanceof Errors.TransportError
                      )
                    ) {
                      return yield* Effect.fail(error)
                    }
                    yield* report(DownloadEvent.Resuming({ ...totals(), error }))
                    if (error instanceof Errors.ApiError && error.status === 403) current = yield* freshUrl(fileId)
                    return loop()
                  })
                )
              )
            )
          }
          // a resumed `.part` that already holds every byte needs no request: only the check
          const body = end !== undefined && whole && position > 0 && position >= end ? Stream.execute(start) : loop()
          return Stream.concat(body, Stream.execute(finish))
        })
      )
    })

  return { prepare, bytes }
}
