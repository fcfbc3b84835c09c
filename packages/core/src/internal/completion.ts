/**
 * The end of an upload, after its parts: complete, check the stored sha256, and with
 * `public: true` wait for a clean scan and mint the link. Nothing is left half-done:
 *
 * - Once `POST /uploads/complete` is sent, an interruption waits for its answer (at most the
 *   client's timeout): if the file was stored, it is deleted (moved to trash, the only delete the
 *   contract has) and the interruption then goes on; if it was not, the upload's finalizer aborts
 *   it as usual. An interruption during the sha256 check or the public step deletes the file too:
 *   the caller never received it.
 * - A failure of the public step keeps the file (it is clean, or the caller decides) and carries
 *   its id in the error's `fileId`, so the caller can retry the link or delete it.
 *
 * @internal
 */
import { Duration, Effect, Exit, Fiber, Option, type Schedule } from "effect"
import * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import type { UploadError } from "../Upload.js"
import { operations } from "./operations.js"
import * as Steps from "./steps.js"
import type { Transport } from "./transport/transport.js"

/** The longest a cleanup step (an abort, a delete) may take: it runs in a finalizer. @internal */
export const CLEANUP_TIMEOUT: Duration.Duration = Duration.seconds(30)

/** What the end of an upload needs. @internal */
export interface Finish {
  readonly session: Domain.UploadSession
  /** The parts in part-number order, and their ETags at the same index. */
  readonly parts: ReadonlyArray<Domain.UploadPart>
  readonly etags: ReadonlyArray<string | undefined>
  /** The sha256 of the bytes sent. */
  readonly digest: string
  readonly public: boolean
  readonly scanSchedule: Schedule.Schedule<unknown, unknown> | undefined
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** Called once `complete` answered with the stored file: the upload must not be aborted any more. */
  readonly onStored: Effect.Effect<void>
}

/**
 * The errors of the public step, each of which may carry the stored file's id: an upload's errors
 * but those raised before anything is sent and the `IntegrityError` (whose file is deleted).
 * @internal
 */
export type PublicStepError = Exclude<UploadError, Errors.ValidationError | Errors.IntegrityError | Errors.SourceError>

/**
 * The same error, naming the file that was stored (`fileId`). A `ValidationError` (an input the
 * SDK refused before sending it, which cannot happen with the server's own file id) is kept as is.
 * @internal
 */
export const withFileId = (
  error: PublicStepError | Errors.ValidationError,
  fileId: Domain.FileId
): PublicStepError | Errors.ValidationError => {
  const http = (e: Errors.HttpError) => ({
    status: e.status,
    detail: e.detail,
    ...(e.requestId === undefined ? {} : { requestId: e.requestId }),
    fileId
  })
  switch (error._tag) {
    case "AuthError":
      return new Errors.AuthError(http(error))
    case "NotFoundError":
      return new Errors.NotFoundError(http(error))
    case "PermissionError":
      return new Errors.PermissionError({
        ...http(error),
        ...(error.requiredScope === undefined ? {} : { requiredScope: error.requiredScope })
      })
    case "ConflictError":
      return new Errors.ConflictError({
        ...http(error),
        ...(error.scanStatus === undefined ? {} : { scanStatus: error.scanStatus })
      })
    case "QuotaExceededError":
      return new Errors.QuotaExceededError({
        ...http(error),
        ...(error.resource === undefined ? {} : { resource: error.resource })
      })
    case "RateLimitError":
      return new Errors.RateLimitError({
        ...http(error),
        ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter })
      })
    case "ApiError":
      return new Errors.ApiError({ ...http(error), ...(error.issues === undefined ? {} : { issues: error.issues }) })
    case "TransportError":
      return new Errors.TransportError({
        reason: error.reason,
        method: error.method,
        url: error.url,
        ...(error.description === undefined ? {} : { description: error.description }),
        ...(error.cause === undefined ? {} : { cause: error.cause }),
        fileId
      })
    case "DecodeError":
      return new Errors.DecodeError({
        method: error.method,
        url: error.url,
        description: error.description,
        ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        ...(error.cause === undefined ? {} : { cause: error.cause }),
        fileId
      })
    case "ValidationError":
      return error
  }
}

/** @internal */
export const make = (transport: Transport) => {
  /** Deletes a file the caller will never receive; bounded, and only logged when it fails. */
  const discard = (fileId: Domain.FileId, retry: Schedule.Schedule<unknown, unknown>, why: string) =>
    Steps.deleteFile(transport, fileId, { retry, budget: CLEANUP_TIMEOUT }).pipe(
      Effect.catchAllCause((cause) =>
        Effect.logWarning(`FluidCloud: could not delete file ${fileId} (${why}); it stays stored`, cause)
      ),
      Effect.asVoid,
      Effect.withSpan("FluidCloud.files.upload.discard", { attributes: { "fluidcloud.file_id": fileId } })
    )

  const complete = (finish: Finish) =>
    transport
      .execute(
        operations.completeUpload,
        {
          body: {
            upload_id: finish.session.uploadId,
            parts: finish.parts.map((part, index) => ({
              part_number: part.partNumber,
              etag: finish.etags[index] ?? ""
            }))
          }
        },
        { retry: finish.retry }
      )
      .pipe(
        Effect.catchTag(
          "ApiError",
          (error): Effect.Effect<never, Errors.ApiError | Errors.IntegrityError> =>
            error.status === 400 && error.detail === "checksum_mismatch"
              ? Effect.fail(
                  new Errors.IntegrityError({
                    fileId: finish.session.fileId,
                    expected: finish.digest,
                    actual: "a different hash (the server rejected the upload: checksum_mismatch)"
                  })
                )
              : Effect.fail(error)
        )
      )

  /**
   * `complete`, which an interruption does not cut once it is sent: the interruption waits for
   * its answer (at most the client's timeout), deletes the file if it was stored, then goes on.
   */
  const completeOnce = (finish: Finish) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        // a daemon: an interruption of this fiber reaches its children at once, and this call
        // must outlive it until it answers (or the wait below gives up and interrupts it)
        const call = yield* Effect.forkDaemon(Effect.interruptible(complete(finish)))
        return yield* restore(Fiber.join(call)).pipe(
          Effect.tap(() => finish.onStored),
          Effect.onInterrupt(() =>
            Fiber.await(call).pipe(
              Effect.interruptible,
              Effect.timeoutOption(transport.timeout),
              Effect.flatMap(
                Option.match({
                  onNone: () =>
                    Effect.zipRight(
                      Fiber.interrupt(call),
                      Effect.logWarning(
                        `FluidCloud: upload ${finish.session.uploadId} was interrupted and its complete got no answer within the timeout; it is aborted, but a file it stored may remain (${finish.session.fileId})`
                      )
                    ),
                  onSome: Exit.match({
                    onFailure: () => Effect.void,
                    onSuccess: (file) =>
                      Effect.zipRight(finish.onStored, discard(file.id, finish.retry, "its upload was interrupted"))
                  })
                })
              )
            )
          )
        )
      })
    )

  const verify = (file: Domain.FluidFile, finish: Finish): Effect.Effect<Domain.FluidFile, Errors.IntegrityError> =>
    Option.match(file.sha256, {
      onNone: () =>
        Effect.as(
          Effect.logWarning(`FluidCloud: file ${file.id} has no stored sha256 to check against ${finish.digest}`),
          file
        ),
      onSome: (stored) =>
        stored.toLowerCase() === finish.digest
          ? Effect.succeed(file)
          : Effect.zipRight(
              discard(file.id, finish.retry, "its sha256 differs from the bytes sent"),
              Effect.fail(new Errors.IntegrityError({ fileId: file.id, expected: finish.digest, actual: stored }))
            )
    })

  const makePublic = (file: Domain.FluidFile, finish: Finish) =>
    Steps.waitUntilClean(transport, file.id, finish.scanSchedule).pipe(
      Effect.flatMap((clean) =>
        Effect.map(
          Steps.createShare(transport, { file_id: clean.id }),
          (link) => new Domain.FluidFile({ ...clean, publicUrl: Option.some(link.url) })
        )
      ),
      Effect.mapError((error) => withFileId(error, file.id)),
      Effect.withSpan("FluidCloud.files.upload.public", { attributes: { "fluidcloud.file_id": file.id } })
    )

  /** Complete, verify and (with `public`) publish; the stored file, or the upload's error. @internal */
  const run = (finish: Finish) =>
    Effect.flatMap(completeOnce(finish), (file) =>
      verify(file, finish).pipe(
        Effect.flatMap((verified) => (finish.public ? makePublic(verified, finish) : Effect.succeed(verified))),
        Effect.onInterrupt(() => discard(file.id, finish.retry, "its upload was interrupted"))
      )
    )

  return { run, discard }
}
