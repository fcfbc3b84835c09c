/**
 * Upload sources, options and progress events for `files.upload` / `files.uploadStream`.
 *
 * @since 0.1.0
 */
import { Data, type Effect, type Schedule, type Stream } from "effect"
import type { FileId, FluidFile, FolderId, UploadId } from "./Domain.js"
import type * as Errors from "./Errors.js"
import * as Hash from "./internal/hash.js"

/**
 * One running sha256: feed it bytes in order, then read the lowercase hex digest once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sha256Hash {
  readonly update: (bytes: Uint8Array) => void
  /** The lowercase hex digest; call once, after the last `update`. */
  readonly digestHex: () => string
}

/**
 * Creates running sha256 hashes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sha256Factory {
  readonly create: () => Sha256Hash
}

/**
 * The sha256 implementation uploads hash with, as a `Context.Reference` read when the client is
 * built: by default `hash-wasm`'s WebAssembly sha256, loaded when the client's layer is built (the
 * pure-JS `@noble/hashes` where WebAssembly cannot be loaded); `NodeFluidCloud.layer` provides
 * `node:crypto`'s. Provide your own with `Layer.succeed(Upload.Sha256, { create })` below the
 * client's layer.
 *
 * @since 0.1.0
 * @category references
 */
export const Sha256: typeof Hash.Sha256 = Hash.Sha256

/**
 * The identifier of the `Sha256` reference.
 *
 * @since 0.1.0
 * @category references
 */
export type Sha256 = Hash.Sha256

/**
 * What can be uploaded:
 * - bytes: `Uint8Array`, `ArrayBuffer`, a `Blob` / `File` — hashed before initiate, so the server
 *   checks the sha256 too;
 * - streams: a web `ReadableStream<Uint8Array>`, an Effect `Stream<Uint8Array>`, or any
 *   `AsyncIterable<Uint8Array>` such as a Node `Readable` — these need `options.size`, and a
 *   stream yielding more or fewer bytes fails with `SourceError` (the upload is aborted);
 * - a file-system path `string`, read through `@effect/platform`'s `FileSystem` (provided by
 *   `NodeFluidCloud.layer`; without it, `SourceError`), one part's byte range at a time. A Node
 *   `fs.ReadStream` over a whole file (it has a string `path`) is read by path: no `size` needed.
 *
 * At most `concurrency + 1` parts are in memory at once, whatever the size. A part over 256 MiB
 * (the contract allows 5 GiB) is never held in one buffer: it is streamed from the source while it
 * is sent (a file's byte range, a `Blob`'s slice, a stream's next bytes), one part at a time. A
 * streamed part of a stream source cannot be read twice, so it is not retried: its failure fails
 * the upload. In-memory bytes are never copied, whatever the part size.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadSource =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | Stream.Stream<Uint8Array, unknown>
  | AsyncIterable<Uint8Array>
  | string

/**
 * Progress of an upload: `Started` once the session exists, `Progress` at most every 100 ms while
 * parts are being sent, one `PartUploaded` per part in the order the parts are stored (bytes count
 * once a part's PUT has succeeded), then `Completed`.
 *
 * A resumed upload (`resume: true`) says in `Started` how much the server already held; its
 * `PartUploaded` events are those of the parts it sends, their `uploadedBytes` counting the parts
 * held before too. If its session turns out to be gone on the server (a part PUT or complete
 * answering 404, an expired URL refused with a 403), or not to match its checkpoint (a part PUT
 * answering 400), it starts afresh: another `Started` follows, with nothing held.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadEvent = Data.TaggedEnum<{
  /** The upload session was created, or found in a checkpoint (`resumedParts` > 0). */
  readonly Started: {
    readonly uploadId: UploadId
    readonly fileId: FileId
    readonly totalBytes: number
    readonly partSize: number
    readonly partCount: number
    /**
     * How many parts the server already held (a resumed upload; 0 otherwise).
     *
     * @since 0.2.0
     */
    readonly resumedParts: number
    /**
     * How many bytes those parts hold.
     *
     * @since 0.2.0
     */
    readonly resumedBytes: number
  }
  /**
   * Bytes on their way, at most every 100 ms while parts are sent: `uploadedBytes` stored (as
   * `PartUploaded` counts them), `sentBytes` taken by the HTTP client, the parts in flight
   * included (a part that is retried counts from zero again, so it can go back). Emitted by
   * `uploadStream`, and by `upload` when it has an `onProgress`.
   *
   * @since 0.2.0
   */
  readonly Progress: {
    readonly uploadedBytes: number
    readonly sentBytes: number
    readonly totalBytes: number
  }
  /** One part was stored. */
  readonly PartUploaded: {
    readonly partNumber: number
    readonly partBytes: number
    readonly uploadedBytes: number
    readonly totalBytes: number
  }
  /** The upload was completed (and, with `public: true`, its link minted). */
  readonly Completed: { readonly file: FluidFile }
}>

/**
 * Constructors and matchers for `UploadEvent`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const UploadEvent = Data.taggedEnum<UploadEvent>()

/**
 * Options of `files.upload` and `files.uploadStream`.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** The folder to store the file in; the Space root when absent. */
  readonly folderId?: FolderId | undefined
  /** The stored filename; defaults to the path's basename, a `File`'s name, else `upload.bin`. */
  readonly name?: string | undefined
  /** The MIME type; guessed from the name when absent. */
  readonly contentType?: string | undefined
  /** Also wait for a clean scan and mint a permanent public link, set on `publicUrl`. */
  readonly public?: boolean | undefined
  /** Your own logical key for the file, for `files.resolve`. */
  readonly clientKey?: string | undefined
  /** The size in bytes; required for stream sources, checked against the bytes read. */
  readonly size?: number | undefined
  /**
   * A part size hint in bytes (1 to 5 GiB, default 8 MiB). The server decides: it raises the hint
   * to its minimum (5 MiB in production) and to `ceil(size / 10000)`; parts are cut at the size it
   * returns. The session it returns is checked before any part is sent: a part size over 5 GiB,
   * more than 10,000 parts, parts that do not cover the size exactly (numbered 1..n) or a part URL
   * that is not absolute http(s) is a `DecodeError` (`invalid_session`), and the upload is
   * aborted. A part size under 5 MiB is followed (the emulator can be told to cut small parts).
   */
  readonly partSize?: number | undefined
  /** How many parts are uploaded at once (1 to 64, default 4). */
  readonly concurrency?: number | undefined
  /**
   * The retry schedule of each part PUT (429, 408, 5xx, connection errors, waiting at least the
   * `Retry-After` of a 429 or a 503; other 4xx are not retried, and a storage 403, a refused
   * presigned URL, is an `ApiError`), of `complete` (5xx and connection errors too: it is
   * idempotent) and of the abort after a failure; defaults to the client's.
   */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * With `public: true`: how long to wait for the scan (default: `FluidCloud.defaultScanSchedule`,
   * up to about two minutes). An infected or still-pending file fails the upload with
   * `ConflictError`; the file itself is kept, and the error's `fileId` names it (see `UploadError`).
   */
  readonly scanSchedule?: Schedule.Schedule<unknown, unknown> | undefined
  /** Called with each progress event, in order; the upload waits for it. */
  readonly onProgress?: ((event: UploadEvent) => Effect.Effect<void>) | undefined
  /**
   * Keep a failed or interrupted upload on the server, with a checkpoint in the
   * `Checkpoints.UploadCheckpoints` store (of the call's context, else of the client's: Node's
   * layers provide the file-system one), so that running the same upload again (same source,
   * Space, folder, name and client key) sends only the parts the server does not hold yet. The
   * parts it holds are read again locally for the sha256 (in-memory sources were hashed anyway),
   * then the upload completes and the checkpoint is dropped.
   *
   * - The source must be a path, bytes or a `Blob`: a stream cannot be read again
   *   (`ValidationError`, nothing sent); so is a missing store.
   * - A source that changed since (a path's size or modification time, the bytes' sha256)
   *   starts afresh: the old upload is aborted and its checkpoint replaced. So does an upload
   *   that expired (24 hours after initiate; less than a minute left counts), and one the server
   *   no longer has (a part PUT or `complete` answering 404, a part URL refused with 403).
   * - Once `complete` is sent, resume no longer applies: what follows is as without it (see
   *   `UploadError`), and the checkpoint is dropped whatever the outcome.
   * - A store that cannot be written is a warning: the upload goes on and is aborted on failure,
   *   as without `resume`.
   *
   * @since 0.2.0
   */
  readonly resume?: boolean | undefined
}

/**
 * The errors an upload can fail with. On any failure or interruption after initiate, the upload is
 * aborted on the server (`DELETE /uploads/{id}`, bounded to 30 seconds so an interruption is never
 * held up by a slow server); if that abort itself fails, it is logged at warning level and the upload
 * still fails with its original error (the server discards an upload not completed within 24 hours).
 * With `resume: true`, a failure or interruption before `complete` is sent keeps the upload and its
 * checkpoint instead.
 *
 * Nothing is left half-done after `POST /uploads/complete` is sent:
 * - an interruption waits for complete's answer (at most the client's `timeout`); if the file was
 *   stored, it is deleted (`files.delete`: moved to trash, the only delete the API has; it counts
 *   against `bytes_used` until the service purges it) before the interruption goes on. So does an
 *   interruption during the sha256 check or the `public: true` step: the caller never got the file;
 * - with `public: true`, a failure of the public step (scan infected or still pending, the link cap,
 *   any error after complete) keeps the stored file and names it in the error's `fileId`
 *   (`ConflictError`, `QuotaExceededError`, ... each have an optional `fileId`, set only then), so
 *   `Effect.catchTag("ConflictError", (e) => ...)` can retry the link or delete `e.fileId`;
 * - an `IntegrityError` (stored sha256 differs) has deleted the file already.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadError =
  | Errors.AuthError
  | Errors.PermissionError
  | Errors.NotFoundError
  | Errors.ConflictError
  | Errors.QuotaExceededError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError
  | Errors.ValidationError
  | Errors.IntegrityError
  | Errors.SourceError
