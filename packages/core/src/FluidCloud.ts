/**
 * The FluidCloud client as an Effect service: every endpoint of the Partner API is an `Effect`
 * with a precise tagged-error union and a schema-decoded result.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  Config,
  type ConfigError,
  Context,
  type Duration,
  Effect,
  Layer,
  Option,
  Redacted,
  type Schedule,
  Schema,
  type Stream
} from "effect"
import type * as Domain from "./Domain.js"
import type { DownloadError, DownloadOptions, DownloadResult, DownloadToError, DownloadToOptions } from "./Download.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/fluidCloud.js"
import * as Steps from "./internal/steps.js"
import * as Timeout_ from "./internal/timeout.js"
import * as Client from "./internal/transport/client.js"
import * as Metadata from "./internal/transport/metadata.js"
import type { ResponseMetadata } from "./ResponseMetadata.js"
import type { PullError, PullOptions, PushError, PushOptions, SyncEvent, SyncTarget } from "./Sync.js"
import type { UploadError, UploadEvent, UploadOptions, UploadSource } from "./Upload.js"

/**
 * The errors every API call can fail with: 401, 403, 429 after retries, other statuses, no
 * response, and a response that does not match its schema.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError =
  | Errors.AuthError
  | Errors.PermissionError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError

/**
 * A per-request timeout: a `Duration`, a string such as `"30 seconds"` or `"5 minutes"`, or a
 * `[seconds, nanos]` pair. A bare number is not accepted: Effect reads it as milliseconds, while
 * `FLUIDCLOUD_TIMEOUT`, the CLI and the Python SDK's `timeout=` read seconds, so `timeout: 300`
 * would silently mean 300 ms. Write `Duration.seconds(300)` or `"300 seconds"`.
 *
 * @since 0.2.0
 * @category models
 */
export type Timeout = Exclude<Duration.DurationInput, number | bigint>

/**
 * Options of `layer` and `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Your partner key (`fck_live_...` or `fck_test_...`), sent as `X-API-Key` to the API origin
   * only. Visible ASCII only: a key with a space, a line break or a control character is refused
   * when the layer is built (a defect here; a `ConfigError` from `layerConfig`), without showing it.
   */
  readonly apiKey: Redacted.Redacted<string>
  /** The API origin (default `https://api-cloud.fluidvip.com`); `/api/v1` is appended. */
  readonly baseUrl?: string | undefined
  /**
   * Per-request timeout (default 300 seconds), e.g. `Duration.seconds(60)` or `"60 seconds"`; a bare
   * number is refused (see `Timeout`). It also bounds how long an upload interrupted while its
   * `complete` is in flight waits for the answer (see `Upload.UploadError`).
   */
  readonly timeout?: Timeout | undefined
  /**
   * The retry schedule for 429s (always) and for 408, 5xx and transport errors (idempotent
   * requests only), of API calls and part PUTs alike; each wait is at least the `Retry-After` of a
   * 429 or a 503 (up to 60 s; a longer one ends the retries). Default: up to 3 retries,
   * exponential from 500 ms capped at 8 s, with jitter. `Schedule.stop` disables retries.
   */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * The largest API success body read, in bytes (default 16 MiB). A larger one fails the call
   * with a `DecodeError` (`detail` starting with `response_too_large`) as soon as it passes the
   * cap, and its connection is dropped: a body is never read whole into memory. Error bodies and
   * storage responses have a fixed cap of 64 KiB (past it, an error body is ignored and the
   * status alone decides the error). Must be a positive integer.
   *
   * @since 0.2.0
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * Transforms the underlying `HttpClient` (e.g. to add logging or a proxy). Below it, the SDK
   * keeps the key on the API origin: a request it derives (e.g. with `HttpClient.followRedirects`)
   * to any URL outside the base URL's `/api/v1` goes without `X-API-Key`.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The client's namespaces. Every method checks its input before sending anything: ids must be
 * UUIDs, names, keys, enums and numbers within the contract's bounds, else `ValidationError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly spaces: {
    /**
     * `GET /spaces`: every Space, oldest first.
     *
     * Scopes: `spaces:read`.
     */
    readonly list: () => Effect.Effect<ReadonlyArray<Domain.Space>, CommonError>
    /**
     * `POST /spaces`.
     *
     * Scopes: `spaces:write`.
     */
    readonly create: (name: string) => Effect.Effect<Domain.Space, CommonError | Errors.ValidationError>
  }
  readonly folders: {
    /**
     * `GET /folders`: live folders under `parentId` (the Space root when absent), or the Space's trash.
     *
     * Scopes: `folders:read`.
     */
    readonly list: (
      spaceId: Domain.SpaceId,
      options?: { readonly parentId?: Domain.FolderId | undefined; readonly trash?: boolean | undefined }
    ) => Effect.Effect<ReadonlyArray<Domain.Folder>, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `POST /folders`.
     *
     * Scopes: `folders:write`.
     */
    readonly create: (
      name: string,
      spaceId: Domain.SpaceId,
      options?: { readonly parentId?: Domain.FolderId | undefined }
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `PATCH /folders/{id}` with `name`.
     *
     * Scopes: `folders:write`.
     */
    readonly rename: (
      folderId: Domain.FolderId,
      name: string
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `PATCH /folders/{id}` with `parent_id`; `null` moves to the Space root.
     *
     * Scopes: `folders:write`.
     */
    readonly move: (
      folderId: Domain.FolderId,
      parentId: Domain.FolderId | null
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `DELETE /folders/{id}`: soft delete to trash.
     *
     * Scopes: `folders:write`.
     */
    readonly delete: (
      folderId: Domain.FolderId
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `POST /folders/{id}/restore`.
     *
     * Scopes: `folders:write`.
     */
    readonly restore: (
      folderId: Domain.FolderId
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
  }
  readonly files: {
    /**
     * Uploads `source` (initiate → parts → complete) and returns the stored file. Scoped: a
     * failure or an interruption aborts the upload on the server (with `resume: true`, keeps it
     * and its checkpoint, so that the same upload run again sends only the missing parts: see
     * `Upload.UploadOptions.resume`); once complete is sent, an interruption waits for its answer
     * and deletes the stored file (see `Upload.UploadError`).
     *
     * Scopes: `files:write`; with `public: true` also `files:read`, `shares:write`.
     */
    readonly upload: (
      source: UploadSource,
      spaceId: Domain.SpaceId,
      options?: UploadOptions
    ) => Effect.Effect<Domain.FluidFile, UploadError>
    /**
     * Like `upload`, as a stream of progress events ending with `Completed`.
     *
     * Scopes: `files:write`; with `public: true` also `files:read`, `shares:write`.
     */
    readonly uploadStream: (
      source: UploadSource,
      spaceId: Domain.SpaceId,
      options?: UploadOptions
    ) => Stream.Stream<UploadEvent, UploadError>
    /**
     * `GET /files`: files in `folderId` (the Space root when absent), or the Space's trash.
     *
     * Scopes: `files:read`.
     */
    readonly list: (
      spaceId: Domain.SpaceId,
      options?: { readonly folderId?: Domain.FolderId | undefined; readonly trash?: boolean | undefined }
    ) => Effect.Effect<ReadonlyArray<Domain.FluidFile>, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `GET /files/{id}` (files in trash too).
     *
     * Scopes: `files:read`.
     */
    readonly get: (
      fileId: Domain.FileId
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `GET /files/resolve`: the newest live file with this `clientKey`.
     *
     * Scopes: `files:read`.
     */
    readonly resolve: (
      clientKey: string
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `PATCH /files/{id}` with `name`.
     *
     * Scopes: `files:write`.
     */
    readonly rename: (
      fileId: Domain.FileId,
      name: string
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `PATCH /files/{id}` with `folder_id`; `null` moves to the Space root.
     *
     * Scopes: `files:write`.
     */
    readonly move: (
      fileId: Domain.FileId,
      folderId: Domain.FolderId | null
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `DELETE /files/{id}`: soft delete to trash.
     *
     * Scopes: `files:write`.
     */
    readonly delete: (
      fileId: Domain.FileId
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `POST /files/{id}/restore`.
     *
     * Scopes: `files:write`.
     */
    readonly restore: (
      fileId: Domain.FileId
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /**
     * `GET /files/{id}/download`: a short-lived presigned URL (the file must be scanned clean).
     *
     * Scopes: `files:read`.
     */
    readonly downloadUrl: (
      fileId: Domain.FileId
    ) => Effect.Effect<string, CommonError | Errors.NotFoundError | Errors.ConflictError | Errors.ValidationError>
    /**
     * `POST /shares`: a permanent public link (the file must be scanned clean).
     *
     * Scopes: `files:read`, `shares:write`.
     */
    readonly publicUrl: (
      fileId: Domain.FileId
    ) => Effect.Effect<
      Domain.Link,
      CommonError | Errors.NotFoundError | Errors.ConflictError | Errors.QuotaExceededError | Errors.ValidationError
    >
    /**
     * `POST /shares`: a link that expires after `expiresInDays` (1..365, default 7), with
     * `permission` (`view` or `download`, default `view`). `password` is stored but not enforced
     * by the service.
     *
     * Scopes: `files:read`, `shares:write`.
     */
    readonly signedUrl: (
      fileId: Domain.FileId,
      options?: {
        readonly expiresInDays?: number | undefined
        readonly permission?: Domain.Permission | undefined
        readonly maxDownloads?: number | undefined
        readonly password?: Redacted.Redacted<string> | undefined
      }
    ) => Effect.Effect<
      Domain.Link,
      CommonError | Errors.NotFoundError | Errors.ConflictError | Errors.QuotaExceededError | Errors.ValidationError
    >
    /**
     * Polls `GET /files/{id}` until the scan is clean. Fails with `ConflictError` when the file is
     * infected, its scan failed, or it is still pending when `schedule` ends (default: up to
     * about two minutes).
     *
     * Scopes: `files:read`.
     */
    readonly waitUntilClean: (
      fileId: Domain.FileId,
      options?: { readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined }
    ) => Effect.Effect<
      Domain.FluidFile,
      CommonError | Errors.NotFoundError | Errors.ConflictError | Errors.ValidationError
    >
    /**
     * The file's bytes (or a `range` of them) from a fresh `downloadUrl`, streamed as they arrive:
     * memory stays flat whatever the size. A dropped connection, a stall, a 5xx, a 429 or a refused
     * URL (a fresh one is fetched) resumes from the last byte received under the `retry` schedule,
     * with `If-Range`, so bytes never repeat and never mix two versions. A whole file's sha256 is
     * checked once the last byte arrived (`IntegrityError`: the bytes emitted are not the file's);
     * a range is checked by its `ETag` only.
     *
     * Scopes: `files:read`.
     */
    readonly download: (fileId: Domain.FileId, options?: DownloadOptions) => Stream.Stream<Uint8Array, DownloadError>
    /**
     * Downloads the file into `path.part` (needs the `FileSystem` of the context the client was
     * built in: `TargetError` otherwise), renamed to `path` once its sha256 is verified; an
     * existing `path` is replaced (refusing it is the caller's choice). An `IntegrityError`
     * removes the `.part`; other failures and interruptions leave it, and `resume: true` continues it.
     * A `.part` that is a symbolic link is a `TargetError`: it is never written through. For a name
     * of 251 bytes or more, `name.part` would pass the file systems' 255-byte limit: the `.part`
     * is then `<start of the name>~<hash>.part`, the same on every run.
     *
     * Scopes: `files:read`.
     */
    readonly downloadTo: (
      fileId: Domain.FileId,
      path: string,
      options?: DownloadToOptions
    ) => Effect.Effect<DownloadResult, DownloadToError>
  }
  readonly uploads: {
    /**
     * `DELETE /uploads/{id}`: aborts an upload that was not completed, freeing its stored parts
     * (idempotent: an unknown, completed or aborted upload is not an error). Its local checkpoint,
     * if the `Checkpoints.UploadCheckpoints` store of the call (else of the client) holds one, is
     * dropped too.
     *
     * Scopes: `files:write`.
     */
    readonly abort: (uploadId: Domain.UploadId) => Effect.Effect<void, CommonError | Errors.ValidationError>
  }
  readonly shares: {
    /**
     * `GET /shares`: link metadata (never the token); active links only unless `includeInactive`.
     *
     * Scopes: `shares:read`.
     */
    readonly list: (options?: {
      readonly fileId?: Domain.FileId | undefined
      readonly includeInactive?: boolean | undefined
    }) => Effect.Effect<ReadonlyArray<Domain.Share>, CommonError | Errors.ValidationError>
    /**
     * `DELETE /shares/{id}`.
     *
     * Scopes: `shares:write`.
     */
    readonly revoke: (
      shareId: Domain.ShareId
    ) => Effect.Effect<void, CommonError | Errors.NotFoundError | Errors.ValidationError>
  }
  readonly quota: {
    /**
     * `GET /quota`.
     *
     * Scopes: `quota:read`.
     */
    readonly usage: () => Effect.Effect<Domain.Quota, CommonError>
  }
  readonly sync: {
    /**
     * Mirrors the local directory `localDir` into `target` (see `Sync`): a folder per
     * subdirectory, a file uploaded when no live file of its name is in its folder or their sizes
     * or sha256s differ (a changed file as a new file, the one it replaces then moved to trash),
     * else skipped; with `delete`, remote files absent locally moved to trash. Needs the client
     * context's `FileSystem` and `Path` (`SourceError` otherwise). A failed file is a `Failed`
     * event and never stops the others; the stream ends with a `Summary`.
     *
     * Scopes: `folders:read`, `folders:write`, `files:read`, `files:write`.
     */
    readonly push: (localDir: string, target: SyncTarget, options?: PushOptions) => Stream.Stream<SyncEvent, PushError>
    /**
     * Mirrors `target` into the local directory `localDir` (created if missing): a directory per
     * folder, a file downloaded (verified, through its `.part`) when no local file of its name is
     * there or their sizes or sha256s differ, else skipped; with `delete`, local files absent
     * remotely removed. Needs the client context's `FileSystem` and `Path` (`TargetError`
     * otherwise). A failed file is a `Failed` event and never stops the others; the stream ends
     * with a `Summary`.
     *
     * Scopes: `folders:read`, `files:read`.
     */
    readonly pull: (target: SyncTarget, localDir: string, options?: PullOptions) => Stream.Stream<SyncEvent, PullError>
  }
}

/**
 * The FluidCloud client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const program = Effect.gen(function* () {
 *   const fc = yield* FluidCloud.FluidCloud
 *   const space = yield* fc.spaces.create("Brand Assets")
 *   return yield* fc.folders.create("inbox", space.id)
 * })
 * ```
 * @since 0.1.0
 * @category tags
 */
export class FluidCloud extends Context.Tag("@fluidcloud/core/FluidCloud")<FluidCloud, Service>() {}

/**
 * The default schedule of `waitUntilClean`: exponential from 250 ms, each wait capped at 5 s,
 * for at most two minutes.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultScanSchedule: Schedule.Schedule<unknown, unknown> = Steps.defaultScanSchedule

/**
 * Builds the client from `options` and the `HttpClient` in context. Everything (the `HttpClient`
 * stack, base URL, key, timeout, retries, error mapping, the operations' encoders and decoders)
 * is built once here and shared by every call. A `timeout` given as a bare number is refused
 * with a defect saying what to write.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, never, HttpClient.HttpClient> = internal.make

/**
 * Runs `self` and returns its result with the metadata of the last successful API response it
 * received (`X-Request-Id`, `X-RateLimit-*`), or `None` if it received none. A response counts
 * once its body has decoded. With several calls in `self`, concurrent ones and those of fibers it
 * forks included, the last response wins; the calls inside a nested `withResponseMetadata` count
 * for that one only.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const program = Effect.gen(function* () {
 *   const fc = yield* FluidCloud.FluidCloud
 *   const [quota, metadata] = yield* FluidCloud.withResponseMetadata(fc.quota.usage())
 *   yield* Effect.log(quota.bytesUsed, Option.flatMap(metadata, (m) => m.requestId))
 * })
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const withResponseMetadata: <A, E, R>(
  self: Effect.Effect<A, E, R>
) => Effect.Effect<[A, Option.Option<ResponseMetadata>], E, R> = Metadata.withResponseMetadata

/**
 * A layer of the client, given options; needs an `HttpClient` (e.g. `NodeFluidCloud.layer`
 * provides the Node one, `FluidCloudTest.layer` the emulator's).
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { FetchHttpClient } from "@effect/platform"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const live = FluidCloud.layer({ apiKey: Redacted.make("fck_live_...") }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<FluidCloud, never, HttpClient.HttpClient> =>
  Layer.effect(FluidCloud, make(options))

/**
 * A timeout written as text, as `FLUIDCLOUD_TIMEOUT` and the CLI's `--timeout` take it: a
 * positive number of seconds (`300`, `2.5`) or an Effect duration (`"5 minutes"`,
 * `"1500 millis"`). Decodes to a `Duration`; use it with `Schema.Config` or `Options.withSchema`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { FluidCloud } from "@fluidcloud/core"
 *
 * const timeout = Schema.decodeUnknownSync(FluidCloud.TimeoutFromString)("2.5") // 2.5 seconds
 * ```
 * @since 0.2.0
 * @category schemas
 */
export const TimeoutFromString: Schema.Schema<Duration.Duration, string> = Timeout_.TimeoutFromString

/**
 * A layer of the client from configuration: `FLUIDCLOUD_API_KEY` (redacted, required),
 * `FLUIDCLOUD_BASE_URL` and `FLUIDCLOUD_TIMEOUT` (seconds, or a duration such as `5 minutes`).
 * Each can be replaced by a `Config` of your own.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: {
    readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
    readonly baseUrl?: Config.Config<string | undefined> | undefined
    readonly timeout?: Config.Config<Timeout | undefined> | undefined
    readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
    readonly maxResponseBytes?: number | undefined
    readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  } = {}
): Layer.Layer<FluidCloud, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    FluidCloud,
    Effect.gen(function* () {
      const sendable = Config.validate({
        message: Client.UNSENDABLE_API_KEY,
        validation: (key: Redacted.Redacted<string>) => Client.isSendableApiKey(Redacted.value(key))
      })
      const apiKey = yield* options.apiKey === undefined
        ? Config.nested(sendable(Config.redacted()), "FLUIDCLOUD_API_KEY")
        : sendable(options.apiKey)
      const baseUrl = yield* options.baseUrl ??
        Config.string("FLUIDCLOUD_BASE_URL").pipe(Config.option, Config.map(Option.getOrUndefined))
      const timeout = yield* options.timeout ??
        Schema.Config("FLUIDCLOUD_TIMEOUT", TimeoutFromString).pipe(Config.option, Config.map(Option.getOrUndefined))
      return yield* make({
        apiKey,
        baseUrl,
        timeout,
        retry: options.retry,
        maxResponseBytes: options.maxResponseBytes,
        transformClient: options.transformClient
      })
    })
  )
