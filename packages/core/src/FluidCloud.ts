/**
 * The FluidCloud client as an Effect service: every endpoint of the Partner API is an `Effect`
 * with a precise tagged-error union and a schema-decoded result.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  Config,
  type ConfigError,
  Context,
  Duration,
  Effect,
  Layer,
  Option,
  ParseResult,
  type Redacted,
  Schedule,
  Schema,
  type Stream
} from "effect"
import * as Domain from "./Domain.js"
import * as Errors from "./Errors.js"
import * as Http from "./internal/http.js"
import * as InternalUpload from "./internal/upload.js"
import { validate, validateClientKey, validateName } from "./internal/validation.js"
import type { UploadError, UploadEvent, UploadOptions, UploadSource } from "./Upload.js"

/**
 * The errors every API call can fail with: 401, 403, 429 after retries, other statuses, no
 * response, and a response that does not match its schema.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError = Http.BaseError

/**
 * Options of `layer` and `make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Your partner key (`fck_live_...` or `fck_test_...`), sent as `X-API-Key` to the API origin only. */
  readonly apiKey: Redacted.Redacted<string>
  /** The API origin (default `https://api-cloud.fluidvip.com`); `/api/v1` is appended. */
  readonly baseUrl?: string | undefined
  /** Per-request timeout (default 300 seconds). */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The retry schedule for 429s (always, honouring `Retry-After` up to 60 s) and for 5xx and
   * transport errors (idempotent requests only). Default: up to 3 retries, exponential from
   * 500 ms capped at 8 s, with jitter. `Schedule.stop` disables retries.
   */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /** Transforms the underlying `HttpClient` (e.g. to add logging or a proxy). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The client's namespaces.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly spaces: {
    /** `GET /spaces`: every Space, oldest first. */
    readonly list: () => Effect.Effect<ReadonlyArray<Domain.Space>, CommonError>
    /** `POST /spaces`. */
    readonly create: (name: string) => Effect.Effect<Domain.Space, CommonError | Errors.ValidationError>
  }
  readonly folders: {
    /** `GET /folders`: live folders under `parentId` (the Space root when absent), or the Space's trash. */
    readonly list: (
      spaceId: Domain.SpaceId,
      options?: { readonly parentId?: Domain.FolderId | undefined; readonly trash?: boolean | undefined }
    ) => Effect.Effect<ReadonlyArray<Domain.Folder>, CommonError | Errors.NotFoundError>
    /** `POST /folders`. */
    readonly create: (
      name: string,
      spaceId: Domain.SpaceId,
      options?: { readonly parentId?: Domain.FolderId | undefined }
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /** `PATCH /folders/{id}` with `name`. */
    readonly rename: (
      folderId: Domain.FolderId,
      name: string
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /** `PATCH /folders/{id}` with `parent_id`; `null` moves to the Space root. */
    readonly move: (
      folderId: Domain.FolderId,
      parentId: Domain.FolderId | null
    ) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError>
    /** `DELETE /folders/{id}`: soft delete to trash. */
    readonly delete: (folderId: Domain.FolderId) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError>
    /** `POST /folders/{id}/restore`. */
    readonly restore: (folderId: Domain.FolderId) => Effect.Effect<Domain.Folder, CommonError | Errors.NotFoundError>
  }
  readonly files: {
    /**
     * Uploads `source` (initiate → parts → complete) and returns the stored file. Scoped: a
     * failure or an interruption aborts the upload on the server.
     */
    readonly upload: (
      source: UploadSource,
      spaceId: Domain.SpaceId,
      options?: UploadOptions
    ) => Effect.Effect<Domain.FluidFile, UploadError>
    /** Like `upload`, as a stream of progress events ending with `Completed`. */
    readonly uploadStream: (
      source: UploadSource,
      spaceId: Domain.SpaceId,
      options?: UploadOptions
    ) => Stream.Stream<UploadEvent, UploadError>
    /** `GET /files`: files in `folderId` (the Space root when absent), or the Space's trash. */
    readonly list: (
      spaceId: Domain.SpaceId,
      options?: { readonly folderId?: Domain.FolderId | undefined; readonly trash?: boolean | undefined }
    ) => Effect.Effect<ReadonlyArray<Domain.FluidFile>, CommonError | Errors.NotFoundError>
    /** `GET /files/{id}` (files in trash too). */
    readonly get: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError>
    /** `GET /files/resolve`: the newest live file with this `clientKey`. */
    readonly resolve: (
      clientKey: string
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /** `PATCH /files/{id}` with `name`. */
    readonly rename: (
      fileId: Domain.FileId,
      name: string
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ValidationError>
    /** `PATCH /files/{id}` with `folder_id`; `null` moves to the Space root. */
    readonly move: (
      fileId: Domain.FileId,
      folderId: Domain.FolderId | null
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError>
    /** `DELETE /files/{id}`: soft delete to trash. */
    readonly delete: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError>
    /** `POST /files/{id}/restore`. */
    readonly restore: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError>
    /** `GET /files/{id}/download`: a short-lived presigned URL (the file must be scanned clean). */
    readonly downloadUrl: (
      fileId: Domain.FileId
    ) => Effect.Effect<string, CommonError | Errors.NotFoundError | Errors.ConflictError>
    /** `POST /shares`: a permanent public link (the file must be scanned clean). */
    readonly publicUrl: (
      fileId: Domain.FileId
    ) => Effect.Effect<
      Domain.Link,
      CommonError | Errors.NotFoundError | Errors.ConflictError | Errors.QuotaExceededError
    >
    /**
     * `POST /shares`: a link that expires after `expiresInDays` (1..365, default 7), with
     * `permission` (default `view`). `password` is stored but not enforced by the service.
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
     */
    readonly waitUntilClean: (
      fileId: Domain.FileId,
      options?: { readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined }
    ) => Effect.Effect<Domain.FluidFile, CommonError | Errors.NotFoundError | Errors.ConflictError>
  }
  readonly shares: {
    /** `GET /shares`: link metadata (never the token); active links only unless `includeInactive`. */
    readonly list: (options?: {
      readonly fileId?: Domain.FileId | undefined
      readonly includeInactive?: boolean | undefined
    }) => Effect.Effect<ReadonlyArray<Domain.Share>, CommonError>
    /** `DELETE /shares/{id}`. */
    readonly revoke: (shareId: Domain.ShareId) => Effect.Effect<void, CommonError | Errors.NotFoundError>
  }
  readonly quota: {
    /** `GET /quota`. */
    readonly usage: () => Effect.Effect<Domain.Quota, CommonError>
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

const Spaces = Schema.Array(Domain.Space)
const Folders = Schema.Array(Domain.Folder)
const Files = Schema.Array(Domain.FluidFile)
const Shares = Schema.Array(Domain.Share)

const NotFound = ["NotFoundError"] as const
const NotFoundOrConflict = ["NotFoundError", "ConflictError"] as const
const ShareErrors = ["NotFoundError", "ConflictError", "QuotaExceededError"] as const

/**
 * The default schedule of `waitUntilClean`: exponential from 250 ms, each wait capped at 5 s,
 * for at most two minutes.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultScanSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("250 millis", 1.5).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.upTo(Duration.minutes(2))
)

const trashParam = (trash: boolean | undefined) => (trash === true ? "true" : undefined)

/**
 * Builds the client from `options` and the `HttpClient` in context. The pipeline (base URL,
 * key, timeout, retries, error mapping) is built once here and shared by every call.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const api = yield* Http.makeApi(options)
    const fileSystem = yield* Effect.serviceOption(FileSystem.FileSystem)

    const spaces: Service["spaces"] = {
      list: Effect.fn("FluidCloud.spaces.list")(function* () {
        return yield* api.execute({ method: "GET", path: "/spaces", success: Spaces, errors: [], idempotent: true })
      }),
      create: Effect.fn("FluidCloud.spaces.create")(function* (name: string) {
        yield* validateName("name", name, true)
        return yield* api.execute({
          method: "POST",
          path: "/spaces",
          body: { name },
          success: Domain.Space,
          errors: [],
          idempotent: false
        })
      })
    }

    const folderPatch = (folderId: Domain.FolderId, body: Record<string, unknown>) =>
      api.execute({
        method: "PATCH",
        path: `/folders/${encodeURIComponent(folderId)}`,
        body,
        success: Domain.Folder,
        errors: NotFound,
        idempotent: false
      })

    const folders: Service["folders"] = {
      list: Effect.fn("FluidCloud.folders.list")(function* (spaceId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.space_id", spaceId)
        return yield* api.execute({
          method: "GET",
          path: "/folders",
          urlParams: { space_id: spaceId, parent_id: options?.parentId, trash: trashParam(options?.trash) },
          success: Folders,
          errors: NotFound,
          idempotent: true
        })
      }),
      create: Effect.fn("FluidCloud.folders.create")(function* (name, spaceId, options) {
        yield* validateName("name", name, false)
        const body: Record<string, unknown> = { name, space_id: spaceId }
        if (options?.parentId !== undefined) body.parent_id = options.parentId
        return yield* api.execute({
          method: "POST",
          path: "/folders",
          body,
          success: Domain.Folder,
          errors: NotFound,
          idempotent: false
        })
      }),
      rename: Effect.fn("FluidCloud.folders.rename")(function* (folderId, name) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        yield* validateName("name", name, false)
        return yield* folderPatch(folderId, { name })
      }),
      move: Effect.fn("FluidCloud.folders.move")(function* (folderId, parentId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* folderPatch(folderId, { parent_id: parentId })
      }),
      delete: Effect.fn("FluidCloud.folders.delete")(function* (folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* api.execute({
          method: "DELETE",
          path: `/folders/${encodeURIComponent(folderId)}`,
          success: Domain.Folder,
          errors: NotFound,
          idempotent: true
        })
      }),
      restore: Effect.fn("FluidCloud.folders.restore")(function* (folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* api.execute({
          method: "POST",
          path: `/folders/${encodeURIComponent(folderId)}/restore`,
          success: Domain.Folder,
          errors: NotFound,
          idempotent: false
        })
      })
    }

    const filePath = (fileId: Domain.FileId) => `/files/${encodeURIComponent(fileId)}`
    const filePatch = (fileId: Domain.FileId, body: Record<string, unknown>) =>
      api.execute({
        method: "PATCH",
        path: filePath(fileId),
        body,
        success: Domain.FluidFile,
        errors: NotFound,
        idempotent: false
      })
    const getFile = (fileId: Domain.FileId) =>
      api.execute({
        method: "GET",
        path: filePath(fileId),
        success: Domain.FluidFile,
        errors: NotFound,
        idempotent: true
      })
    const createShare = (body: Record<string, unknown>) =>
      api.execute({
        method: "POST",
        path: "/shares",
        body,
        success: Domain.Link,
        errors: ShareErrors,
        idempotent: false
      })

    /** The 409 the API would answer for this file, with the scan status `waitUntilClean` saw. */
    const notClean = (file: Domain.FluidFile, detail: "file_infected" | "file_not_ready") =>
      new Errors.ConflictError(
        Option.match(file.scanStatus, {
          onNone: () => ({ status: 409, detail }),
          onSome: (scanStatus) => ({ status: 409, detail, scanStatus })
        })
      )

    const waitUntilClean: Service["files"]["waitUntilClean"] = Effect.fn("FluidCloud.files.waitUntilClean")(
      function* (fileId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        const check = Effect.flatMap(
          getFile(fileId),
          (file): Effect.Effect<Domain.FluidFile, Errors.ConflictError | Pending> => {
            if (file.isClean) return Effect.succeed(file)
            const status = Option.getOrUndefined(file.scanStatus)
            if (status === "infected") return Effect.fail(notClean(file, "file_infected"))
            if (status === "error") return Effect.fail(notClean(file, "file_not_ready"))
            return Effect.fail(new Pending({ file }))
          }
        )
        return yield* check.pipe(
          Effect.retry({
            schedule: options?.schedule ?? defaultScanSchedule,
            while: (error) => error instanceof Pending
          }),
          Effect.catchTag("@fluidcloud/core/Pending", (pending) =>
            Effect.fail(notClean(pending.file, "file_not_ready"))
          )
        )
      }
    )

    const publicUrl: Service["files"]["publicUrl"] = Effect.fn("FluidCloud.files.publicUrl")(function* (fileId) {
      yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
      return yield* createShare({ file_id: fileId })
    })

    const deleteFile: Service["files"]["delete"] = Effect.fn("FluidCloud.files.delete")(function* (fileId) {
      yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
      return yield* api.execute({
        method: "DELETE",
        path: filePath(fileId),
        success: Domain.FluidFile,
        errors: NotFound,
        idempotent: true
      })
    })

    const uploader = yield* InternalUpload.make({
      api,
      fileSystem,
      getFile,
      deleteFile,
      publicUrl,
      waitUntilClean
    })

    const files: Service["files"] = {
      upload: uploader.upload,
      uploadStream: uploader.uploadStream,
      list: Effect.fn("FluidCloud.files.list")(function* (spaceId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.space_id", spaceId)
        return yield* api.execute({
          method: "GET",
          path: "/files",
          urlParams: { space_id: spaceId, folder_id: options?.folderId, trash: trashParam(options?.trash) },
          success: Files,
          errors: NotFound,
          idempotent: true
        })
      }),
      get: Effect.fn("FluidCloud.files.get")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* getFile(fileId)
      }),
      resolve: Effect.fn("FluidCloud.files.resolve")(function* (clientKey) {
        yield* validateClientKey(clientKey)
        return yield* api.execute({
          method: "GET",
          path: "/files/resolve",
          urlParams: { client_key: clientKey },
          success: Domain.FluidFile,
          errors: NotFound,
          idempotent: true
        })
      }),
      rename: Effect.fn("FluidCloud.files.rename")(function* (fileId, name) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        yield* validateName("name", name, true)
        return yield* filePatch(fileId, { name })
      }),
      move: Effect.fn("FluidCloud.files.move")(function* (fileId, folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* filePatch(fileId, { folder_id: folderId })
      }),
      delete: deleteFile,
      restore: Effect.fn("FluidCloud.files.restore")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* api.execute({
          method: "POST",
          path: `${filePath(fileId)}/restore`,
          success: Domain.FluidFile,
          errors: NotFound,
          idempotent: false
        })
      }),
      downloadUrl: Effect.fn("FluidCloud.files.downloadUrl")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        const result = yield* api.execute({
          method: "GET",
          path: `${filePath(fileId)}/download`,
          success: Domain.DownloadUrl,
          errors: NotFoundOrConflict,
          idempotent: true
        })
        return result.url
      }),
      publicUrl,
      signedUrl: Effect.fn("FluidCloud.files.signedUrl")(function* (fileId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        const days = options?.expiresInDays ?? 7
        yield* validate(
          "expiresInDays",
          Number.isInteger(days) && days >= 1 && days <= 365,
          "must be an integer from 1 to 365"
        )
        const maxDownloads = options?.maxDownloads
        if (maxDownloads !== undefined) {
          yield* validate(
            "maxDownloads",
            Number.isInteger(maxDownloads) && maxDownloads >= 1,
            "must be an integer of at least 1"
          )
        }
        const body: Record<string, unknown> = {
          file_id: fileId,
          expires_in_days: days,
          permission: options?.permission ?? "view"
        }
        if (maxDownloads !== undefined) body.max_downloads = maxDownloads
        if (options?.password !== undefined) body.password = Http.redactedValue(options.password)
        return yield* createShare(body)
      }),
      waitUntilClean
    }

    const shares: Service["shares"] = {
      list: Effect.fn("FluidCloud.shares.list")(function* (options) {
        return yield* api.execute({
          method: "GET",
          path: "/shares",
          urlParams: {
            file_id: options?.fileId,
            include_inactive: options?.includeInactive === true ? "true" : undefined
          },
          success: Shares,
          errors: [],
          idempotent: true
        })
      }),
      revoke: Effect.fn("FluidCloud.shares.revoke")(function* (shareId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.share_id", shareId)
        return yield* api.execute({
          method: "DELETE",
          path: `/shares/${encodeURIComponent(shareId)}`,
          success: Schema.Void,
          errors: NotFound,
          idempotent: true
        })
      })
    }

    const quota: Service["quota"] = {
      usage: Effect.fn("FluidCloud.quota.usage")(function* () {
        return yield* api.execute({
          method: "GET",
          path: "/quota",
          success: Domain.Quota,
          errors: [],
          idempotent: true
        })
      })
    }

    return { spaces, folders, files, shares, quota }
  })

class Pending extends Schema.TaggedError<Pending>()("@fluidcloud/core/Pending", {
  file: Schema.instanceOf(Domain.FluidFile)
}) {}

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
export const TimeoutFromString: Schema.Schema<Duration.Duration, string> = Schema.transformOrFail(
  Schema.String,
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (raw, _, ast) => {
      const trimmed = raw.trim()
      const parsed = /^\d+(\.\d+)?$/.test(trimmed)
        ? Option.some(Duration.seconds(Number(trimmed)))
        : Duration.decodeUnknown(trimmed)
      // a zero timeout would fail every request at once
      return Option.match(Option.filter(parsed, Duration.greaterThan(Duration.zero)), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(
              ast,
              raw,
              `expected a positive number of seconds or a duration such as "5 minutes", got ${JSON.stringify(raw)}`
            )
          ),
        onSome: ParseResult.succeed
      })
    },
    encode: (duration) => ParseResult.succeed(`${Duration.toSeconds(duration)}`)
  }
)

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
    readonly timeout?: Config.Config<Duration.DurationInput | undefined> | undefined
    readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
    readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  } = {}
): Layer.Layer<FluidCloud, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    FluidCloud,
    Effect.gen(function* () {
      const apiKey = yield* options.apiKey ?? Config.redacted("FLUIDCLOUD_API_KEY")
      const baseUrl = yield* options.baseUrl ??
        Config.string("FLUIDCLOUD_BASE_URL").pipe(Config.option, Config.map(Option.getOrUndefined))
      const timeout = yield* options.timeout ??
        Schema.Config("FLUIDCLOUD_TIMEOUT", TimeoutFromString).pipe(Config.option, Config.map(Option.getOrUndefined))
      return yield* make({ apiKey, baseUrl, timeout, retry: options.retry, transformClient: options.transformClient })
    })
  )
