/**
 * Options, progress events, results and errors of `files.download` and `files.downloadTo`:
 * verified, resumable downloads that stream (memory stays flat whatever the file size).
 *
 * @example
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Download, type Domain, FluidCloud } from "@fluidcloud/core"
 *
 * const save = (fileId: Domain.FileId) =>
 *   Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
 *     fc.files.downloadTo(fileId, "./report.pdf", {
 *       resume: true,
 *       onProgress: Download.DownloadEvent.$match({
 *         Started: (e) => Console.log(`${e.totalBytes} bytes, ${e.receivedBytes} already here`),
 *         Progress: (e) => Console.log(`${e.receivedBytes}/${e.totalBytes}`),
 *         Resuming: (e) => Console.log(`resuming after ${e.receivedBytes}: ${e.error.message}`),
 *         Completed: (e) => Console.log(`verified: ${e.sha256}`)
 *       })
 *     })
 *   )
 * ```
 * @since 0.2.0
 */
import { Data, type Effect, type Schedule } from "effect"
import type { FileId } from "./Domain.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/partPath.js"

/**
 * Part of a file: `length` bytes from byte `offset` (0-based), or to the end of the file when
 * `length` is absent. Sent as `Range: bytes=offset-(offset+length-1)`; an `offset` at or past the
 * end of the file is refused by the storage (an `ApiError` with status 416).
 *
 * @since 0.2.0
 * @category models
 */
export interface ByteRange {
  /** The first byte, from 0 (a non-negative integer). */
  readonly offset: number
  /** How many bytes (a positive integer); to the end of the file when absent. */
  readonly length?: number | undefined
}

/**
 * Progress of a download, given to `onProgress`: `Started` once the first response arrived,
 * `Progress` at most every 100 ms while bytes arrive, `Resuming` when a dropped connection, a 5xx,
 * a 429 or a refused URL is retried from the last byte received, and `Completed` once every byte
 * arrived (and, for a whole file, its sha256 matched).
 *
 * @since 0.2.0
 * @category models
 */
export type DownloadEvent = Data.TaggedEnum<{
  /**
   * The download started: `totalBytes` in all (the range's length, or the file's size), of which
   * `receivedBytes` were already there (a resumed `.part` of `downloadTo`, else 0).
   */
  readonly Started: { readonly fileId: FileId; readonly totalBytes: number; readonly receivedBytes: number }
  /** Bytes received so far. */
  readonly Progress: { readonly receivedBytes: number; readonly totalBytes: number }
  /** An attempt failed with `error` after `receivedBytes`; the next one asks for the rest. */
  readonly Resuming: {
    readonly receivedBytes: number
    readonly totalBytes: number
    readonly error: Errors.ApiError | Errors.RateLimitError | Errors.TransportError
  }
  /** Every byte arrived; `sha256` is the verified hash of a whole file (`undefined` for a range). */
  readonly Completed: { readonly totalBytes: number; readonly sha256: string | undefined }
}>

/**
 * Constructors and matchers for `DownloadEvent`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const DownloadEvent = Data.taggedEnum<DownloadEvent>()

/**
 * Options of `files.download`.
 *
 * @since 0.2.0
 * @category models
 */
export interface DownloadOptions {
  /**
   * Only these bytes. A range is not verified against the file's sha256 (there is nothing to
   * hash it against): only its `ETag` is checked to be the file's sha256.
   */
  readonly range?: ByteRange | undefined
  /**
   * The retry schedule of the storage GETs (dropped connections, stalls, 5xx, 429 honouring
   * `Retry-After`, and a refused URL, answered 403, for which a fresh URL is fetched first); each
   * retry resumes from the last byte received. Attempts that brought no byte count against it;
   * an attempt that brought bytes starts it afresh. Defaults to the client's `retry`.
   */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /** Called with each progress event, in order; the download waits for it. */
  readonly onProgress?: ((event: DownloadEvent) => Effect.Effect<void>) | undefined
}

/**
 * Options of `files.downloadTo`.
 *
 * @since 0.2.0
 * @category models
 */
export interface DownloadToOptions {
  /**
   * Continue an existing `path.part` from its length (its bytes are hashed first) instead of
   * starting it afresh. Without a `.part` it starts from zero; a `.part` longer than the file is
   * started afresh. A `.part` of other bytes, or of another version of the file (the storage
   * refuses the `If-Range`), fails with `IntegrityError` and is removed: the next run starts afresh.
   */
  readonly resume?: boolean | undefined
  /** As `DownloadOptions.retry`. */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /** As `DownloadOptions.onProgress`. */
  readonly onProgress?: ((event: DownloadEvent) => Effect.Effect<void>) | undefined
}

/**
 * What `files.downloadTo` wrote: the path, its size and its verified sha256 (lowercase hex).
 *
 * @since 0.2.0
 * @category models
 */
export interface DownloadResult {
  readonly path: string
  readonly size: number
  readonly sha256: string
}

/**
 * The errors of `files.download`: those of `files.get` and `files.downloadUrl` (a file not
 * scanned clean is a `ConflictError`), the storage's (after retries; a refused URL is an
 * `ApiError` with status 403), and `IntegrityError` when the bytes' sha256 differs from the
 * file's, or the file changed between two attempts of one download.
 *
 * @since 0.2.0
 * @category models
 */
export type DownloadError =
  | Errors.AuthError
  | Errors.PermissionError
  | Errors.NotFoundError
  | Errors.ConflictError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError
  | Errors.ValidationError
  | Errors.IntegrityError

/**
 * The errors of `files.downloadTo`: `DownloadError`, and `TargetError` when the file could not
 * be written (no `FileSystem` in the client's context, a missing directory, no permission, a full
 * disk).
 *
 * @since 0.2.0
 * @category models
 */
export type DownloadToError = DownloadError | Errors.TargetError

/**
 * The file `files.downloadTo(fileId, path)` writes to until the bytes are verified, and that
 * `resume: true` continues: `path.part`; for a name of 251 bytes or more (which `.part` would take
 * past the file systems' 255-byte limit), `<start of the name>~<hash>.part`, the same on every run.
 *
 * @example
 * ```ts
 * import { Download } from "@fluidcloud/core"
 *
 * assert.strictEqual(Download.partPath("out/report.pdf"), "out/report.pdf.part")
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const partPath: (path: string) => string = internal.partPathOf
