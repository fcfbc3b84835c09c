/**
 * The upload engine: initiate → parts (`Stream.mapEffect` with `concurrency`, each PUT retried) →
 * complete, tied to a scope that aborts the upload server-side on failure or interruption.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Data, Duration, Effect, Option, Schedule, Schema, type Scope, Stream } from "effect"
import mime from "mime"
import * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import type { Service } from "../FluidCloud.js"
import { type UploadError, UploadEvent, type UploadOptions, type UploadSource } from "../Upload.js"
import * as Hash from "./hash.js"
import * as Http from "./http.js"
import * as Source from "./source.js"
import { validate, validateClientKey, validateName } from "./validation.js"

/** What the upload engine needs from the client. @internal */
export interface Dependencies {
  readonly api: Http.Api
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly getFile: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError>
  readonly deleteFile: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError>
  readonly publicUrl: (
    fileId: Domain.FileId
  ) => Effect.Effect<
    Domain.Link,
    Http.BaseError | Errors.NotFoundError | Errors.ConflictError | Errors.QuotaExceededError
  >
  readonly waitUntilClean: (
    fileId: Domain.FileId,
    options?: { readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined }
  ) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError | Errors.ConflictError>
}

/** The upload methods of the client's `files` namespace. @internal */
export type Uploader = Pick<Service["files"], "upload" | "uploadStream">

const MiB = 1024 * 1024
/** @internal */
export const MAX_PART_SIZE = 5 * 1024 * MiB
/** @internal */
export const DEFAULT_CONCURRENCY = 4
/** @internal */
export const MAX_CONCURRENCY = 64
/** @internal */
export const DEFAULT_NAME = "upload.bin"
/** The longest an abort (all its attempts) may take: it runs in a finalizer. @internal */
export const ABORT_TIMEOUT: Duration.Duration = Duration.seconds(30)

const isIntegerIn = (value: number, min: number, max: number) =>
  Number.isSafeInteger(value) && value >= min && value <= max

/** Checks the options that do not depend on the source, before anything is read or sent. @internal */
export const validateOptions = (options: UploadOptions): Effect.Effect<void, Errors.ValidationError> =>
  Effect.all(
    [
      options.size === undefined
        ? Effect.void
        : validate("size", isIntegerIn(options.size, 0, Number.MAX_SAFE_INTEGER), "must be a non-negative integer"),
      options.partSize === undefined
        ? Effect.void
        : validate(
            "partSize",
            isIntegerIn(options.partSize, 1, MAX_PART_SIZE),
            "must be an integer from 1 to 5 GiB (5368709120); the server raises a hint below its minimum (5 MiB)"
          ),
      options.concurrency === undefined
        ? Effect.void
        : validate(
            "concurrency",
            isIntegerIn(options.concurrency, 1, MAX_CONCURRENCY),
            `must be an integer from 1 to ${MAX_CONCURRENCY}`
          ),
      options.name === undefined ? Effect.void : validateName("name", options.name, true),
      options.contentType === undefined
        ? Effect.void
        : validate("contentType", options.contentType.length >= 1, "must not be empty"),
      options.clientKey === undefined ? Effect.void : validateClientKey(options.clientKey)
    ],
    { discard: true }
  )

/** One failed attempt of a part PUT, with the server's `Retry-After` for a 429 or a 503. */
class PartAttemptFailed extends Data.TaggedError("PartAttemptFailed")<{
  readonly error: Errors.HttpError | Errors.TransportError | Errors.DecodeError
  readonly retryAfter: Duration.Duration | undefined
}> {}

/**
 * Retries a part PUT with `schedule` while its error is retryable as an idempotent request (429,
 * 408, 5xx, transport), waiting at least the server's `Retry-After` on a 429 or a 503 (up to
 * `MAX_RETRY_AFTER`; a longer one ends the retries).
 */
const retryPart =
  (schedule: Schedule.Schedule<unknown, unknown>) =>
  <A, R>(self: Effect.Effect<A, PartAttemptFailed, R>): Effect.Effect<A, PartAttemptFailed, R> =>
    Effect.retry(
      self,
      schedule.pipe(
        Schedule.passthrough,
        Schedule.modifyDelay((failure, delay) => {
          const retryAfter = failure instanceof PartAttemptFailed ? failure.retryAfter : undefined
          return retryAfter === undefined ? delay : Duration.max(delay, retryAfter)
        }),
        Schedule.whileInput(
          (failure: unknown) =>
            failure instanceof PartAttemptFailed &&
            Http.isRetryable(true)(failure.error) &&
            (failure.retryAfter === undefined || Duration.lessThanOrEqualTo(failure.retryAfter, Http.MAX_RETRY_AFTER))
        )
      )
    )

const headerOf = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value
  }
  return undefined
}

/** The prepared run of one upload. */
interface Plan {
  readonly spaceId: Domain.SpaceId
  readonly options: UploadOptions
  readonly source: Source.ResolvedSource
  readonly name: string
  readonly contentType: string | undefined
  readonly concurrency: number
  readonly retry: Schedule.Schedule<unknown, unknown>
}

/**
 * Builds the engine; reads the `Sha256` implementation from the context it is built in (the
 * client's layer).
 * @internal
 */
export const make = (deps: Dependencies): Effect.Effect<Uploader> =>
  Effect.map(Hash.Sha256, (sha256) => makeWith(deps, sha256))

/** @internal */
export const makeWith = (deps: Dependencies, sha256: Hash.Sha256Factory): Uploader => {
  const { api } = deps
  // The platform's client span would record the presigned URL (its signature) and its trace
  // propagation would add headers to the PUT: storage requests get our own span instead.
  const storage = HttpClient.withTracerDisabledWhen(api.storage, () => true)

  const putPart = (
    part: Domain.UploadPart,
    bytes: Uint8Array,
    schedule: Schedule.Schedule<unknown, unknown>
  ): Effect.Effect<string, Errors.HttpError | Errors.TransportError | Errors.DecodeError> => {
    const contentType = headerOf(part.headers, "content-type")
    const request = HttpClientRequest.put(part.url).pipe(
      HttpClientRequest.setBody(HttpBody.uint8Array(bytes, contentType ?? "")),
      HttpClientRequest.setHeaders(part.headers),
      HttpClientRequest.setHeader("content-length", String(bytes.byteLength))
    )
    const url = Http.displayUrl(part.url)
    const onResponse = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string, PartAttemptFailed> => {
      if (response.status >= 200 && response.status < 300) {
        return Effect.zipRight(
          Effect.ignore(response.text),
          Option.match(Headers.get(response.headers, "etag"), {
            onNone: () =>
              Effect.fail(
                new PartAttemptFailed({
                  error: new Errors.DecodeError({
                    method: "PUT",
                    url,
                    description: `part ${part.partNumber}: the storage response has no ETag`
                  }),
                  retryAfter: undefined
                })
              ),
            onSome: Effect.succeed
          })
        )
      }
      return Effect.flatMap(errorFromStorage(response), (failure) => Effect.fail(failure))
    }
    const attempt = storage.execute(request).pipe(
      Effect.mapError(
        (error) => new PartAttemptFailed({ error: Http.transportError(request, error), retryAfter: undefined })
      ),
      Effect.flatMap(onResponse),
      Effect.scoped,
      Effect.timeoutFail({
        duration: api.timeout,
        onTimeout: () =>
          new PartAttemptFailed({ error: Http.timeoutError(request, api.timeout), retryAfter: undefined })
      })
    )
    return attempt.pipe(
      retryPart(schedule),
      Effect.mapError((failure) => failure.error),
      Effect.withSpan("FluidCloud.files.upload.part", {
        attributes: { "fluidcloud.part_number": part.partNumber, "fluidcloud.part_bytes": bytes.byteLength }
      })
    )
  }

  const errorFromStorage = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<PartAttemptFailed> =>
    Effect.gen(function* () {
      const error = yield* Http.errorFromResponse(response)
      if (error instanceof Errors.RateLimitError) return new PartAttemptFailed({ error, retryAfter: error.retryAfter })
      const retryAfter =
        response.status === 503
          ? Http.parseRetryAfter(
              Option.getOrUndefined(Headers.get(response.headers, "retry-after")),
              yield* Effect.clockWith((clock) => clock.currentTimeMillis)
            )
          : undefined
      return new PartAttemptFailed({ error, retryAfter })
    })

  const abort = (uploadId: Domain.UploadId, retry: Schedule.Schedule<unknown, unknown>): Effect.Effect<void> =>
    api
      .execute({
        method: "DELETE",
        path: `/uploads/${encodeURIComponent(uploadId)}`,
        success: Schema.Void,
        errors: [],
        idempotent: true,
        retry
      })
      .pipe(
        // The abort runs in a finalizer (uninterruptible), often of an interrupted fiber. The order matters:
        // `timeoutFail` runs the call in a child fiber of its own, which is not interrupted, so the
        // DELETE is sent; `interruptible` inside it lets the timeout cut a call that hangs, so a slow
        // server never holds up an interruption. (`interruptible` outside `timeoutFail` would cut the
        // call at once on an interrupted fiber, and no DELETE would be sent.)
        Effect.interruptible,
        Effect.timeoutFail({
          duration: ABORT_TIMEOUT,
          onTimeout: () =>
            Http.timeoutError(
              HttpClientRequest.del(`/uploads/${uploadId}`),
              ABORT_TIMEOUT,
              `${api.baseUrl}${Http.API_PREFIX}/uploads/${uploadId}`
            )
        }),
        Effect.catchAllCause((cause) =>
          Effect.logWarning(
            `FluidCloud: could not abort upload ${uploadId}; the server discards it when it expires`,
            cause
          ).pipe(Effect.annotateLogs({ "fluidcloud.upload_id": uploadId }))
        ),
        Effect.withSpan("FluidCloud.files.upload.abort", { attributes: { "fluidcloud.upload_id": uploadId } })
      )

  const prepare = (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options: UploadOptions
  ): Effect.Effect<Plan, Errors.ValidationError | Errors.SourceError, Scope.Scope> =>
    Effect.gen(function* () {
      yield* validateOptions(options)
      const resolved = yield* Source.resolve(source, options.size, deps.fileSystem)
      const name = options.name ?? resolved.name ?? DEFAULT_NAME
      yield* validateName("name", name, true)
      return {
        spaceId,
        options,
        source: resolved,
        name,
        contentType: options.contentType ?? resolved.contentType ?? mime.getType(name) ?? undefined,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        retry: options.retry ?? api.retry
      }
    })

  const run = (plan: Plan) =>
    Effect.gen(function* () {
      const { options, source } = plan
      const size = source.size
      const hash = sha256.create()
      let expected: string | undefined
      if (source.prehash !== undefined) {
        yield* source.prehash(hash.update)
        expected = hash.digestHex()
      }

      const body: Record<string, unknown> = { space_id: plan.spaceId, name: plan.name, size }
      if (options.folderId !== undefined) body.folder_id = options.folderId
      if (plan.contentType !== undefined) body.content_type = plan.contentType
      if (options.clientKey !== undefined) body.client_key = options.clientKey
      if (expected !== undefined) body.sha256 = expected
      if (options.partSize !== undefined) body.part_size = options.partSize

      let completed = false
      const session = yield* Effect.acquireRelease(
        api.execute({
          method: "POST",
          path: "/uploads/initiate",
          body,
          success: Domain.UploadSession,
          errors: ["NotFoundError", "QuotaExceededError"],
          idempotent: false
        }),
        (session) => (completed ? Effect.void : abort(session.uploadId, plan.retry))
      )

      const partSize = session.partSize
      const partCount = Source.partCountOf(size, Math.max(1, partSize))
      const parts = [...session.parts].sort((a, b) => a.partNumber - b.partNumber)
      if (partSize < 1 || parts.length !== partCount || parts.some((part, index) => part.partNumber !== index + 1)) {
        return yield* Effect.fail(
          new Errors.DecodeError({
            method: "POST",
            url: `${api.baseUrl}${Http.API_PREFIX}/uploads/initiate`,
            description: `the session's ${parts.length} parts of ${partSize} bytes do not cover ${size} bytes`
          })
        )
      }
      yield* Effect.annotateCurrentSpan({
        "fluidcloud.upload_id": session.uploadId,
        "fluidcloud.file_id": session.fileId,
        "fluidcloud.size": size,
        "fluidcloud.part_size": partSize,
        "fluidcloud.part_count": partCount,
        "fluidcloud.concurrency": plan.concurrency
      })

      const etags: Array<string> = []
      let uploaded = 0
      // concurrency parts in flight + the one being read: the bound on part buffers in memory
      const pool = yield* Source.makeBufferPool(plan.concurrency + 1, Math.min(partSize, size))
      const partEvents = source.parts(partSize, pool).pipe(
        Stream.zipWithIndex,
        // Sequential, in part order, before the PUT: the hash sees the bytes in order.
        Stream.map(([part, index]) => {
          if (expected === undefined) hash.update(part.bytes)
          return { part, index }
        }),
        Stream.mapEffect(
          ({ part, index }) => {
            const sessionPart = parts[index]
            const put =
              sessionPart === undefined
                ? Effect.dieMessage(`part ${index + 1} is not in the session`)
                : Effect.map(putPart(sessionPart, part.bytes, plan.retry), (etag) => {
                    etags[index] = etag
                    return { partNumber: sessionPart.partNumber, partBytes: part.bytes.byteLength }
                  })
            return Effect.ensuring(put, part.release)
          },
          { concurrency: plan.concurrency, unordered: true }
        ),
        Stream.map(({ partNumber, partBytes }) => {
          uploaded += partBytes
          return UploadEvent.PartUploaded({ partNumber, partBytes, uploadedBytes: uploaded, totalBytes: size })
        })
      )

      const finish = Effect.gen(function* () {
        const digest = expected ?? hash.digestHex()
        const file = yield* api
          .execute({
            method: "POST",
            path: "/uploads/complete",
            body: {
              upload_id: session.uploadId,
              parts: parts.map((part, index) => ({ part_number: part.partNumber, etag: etags[index] ?? "" }))
            },
            success: Domain.FluidFile,
            errors: ["NotFoundError"],
            idempotent: true,
            retry: plan.retry
          })
          .pipe(
            Effect.catchTag(
              "ApiError",
              (error): Effect.Effect<never, Errors.ApiError | Errors.IntegrityError> =>
                error.status === 400 && error.detail === "checksum_mismatch"
                  ? Effect.fail(
                      new Errors.IntegrityError({
                        fileId: session.fileId,
                        expected: digest,
                        actual: "a different hash (the server rejected the upload: checksum_mismatch)"
                      })
                    )
                  : Effect.fail(error)
            )
          )
        completed = true
        const verified = yield* verify(file, digest)
        const result = options.public === true ? yield* makePublic(verified, options) : verified
        return UploadEvent.Completed({ file: result })
      })

      const started = UploadEvent.Started({
        uploadId: session.uploadId,
        fileId: session.fileId,
        totalBytes: size,
        partSize,
        partCount
      })
      return Stream.make(started).pipe(Stream.concat(partEvents), Stream.concat(Stream.fromEffect(finish)))
    })

  const verify = (file: Domain.FluidFile, digest: string): Effect.Effect<Domain.FluidFile, Errors.IntegrityError> =>
    Option.match(file.sha256, {
      onNone: () =>
        Effect.as(
          Effect.logWarning(`FluidCloud: file ${file.id} has no stored sha256 to check against ${digest}`),
          file
        ),
      onSome: (stored) =>
        stored.toLowerCase() === digest
          ? Effect.succeed(file)
          : deps.deleteFile(file.id).pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning(`FluidCloud: could not delete file ${file.id} after a sha256 mismatch`, cause)
              ),
              Effect.zipRight(
                Effect.fail(new Errors.IntegrityError({ fileId: file.id, expected: digest, actual: stored }))
              )
            )
    })

  const makePublic = (file: Domain.FluidFile, options: UploadOptions) =>
    deps
      .waitUntilClean(file.id, { schedule: options.scanSchedule })
      .pipe(
        Effect.flatMap((clean) =>
          Effect.map(
            deps.publicUrl(clean.id),
            (link) => new Domain.FluidFile({ ...clean, publicUrl: Option.some(link.url) })
          )
        )
      )

  const events = (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options: UploadOptions
  ): Stream.Stream<UploadEvent, UploadError> => {
    const stream = Stream.unwrapScoped(Effect.flatMap(prepare(source, spaceId, options), run))
    const onProgress = options.onProgress
    return onProgress === undefined ? stream : Stream.tap(stream, onProgress)
  }

  const spanAttributes = (spaceId: Domain.SpaceId) => ({ "fluidcloud.space_id": spaceId })

  return {
    upload: (source, spaceId, options = {}) =>
      events(source, spaceId, options).pipe(
        Stream.runFold(Option.none<Domain.FluidFile>(), (last, event) =>
          event._tag === "Completed" ? Option.some(event.file) : last
        ),
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.dieMessage("the upload ended without a Completed event"),
            onSome: Effect.succeed
          })
        ),
        Effect.withSpan("FluidCloud.files.upload", { attributes: spanAttributes(spaceId) })
      ),
    uploadStream: (source, spaceId, options = {}) =>
      events(source, spaceId, options).pipe(
        Stream.withSpan("FluidCloud.files.upload", { attributes: spanAttributes(spaceId) })
      )
  }
}
