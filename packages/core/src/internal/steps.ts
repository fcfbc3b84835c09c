/**
 * The steps both the client's methods and the upload engine take: get a file, delete a file, mint
 * a share link, wait for a clean scan, abort an upload. Each is wiring over the operation table
 * through the transport; neither caller goes through the other.
 *
 * @internal
 */
import { Duration, Effect, Option, Schedule, Schema } from "effect"
import * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import { type InputOf, operations } from "./operations.js"
import type { CallOptions, Transport } from "./transport/transport.js"

/** @internal */
export const getFile = (transport: Transport, fileId: Domain.FileId) =>
  transport.execute(operations.getFile, { path: { file_id: fileId } })

/** @internal */
export const deleteFile = (transport: Transport, fileId: Domain.FileId, options?: CallOptions) =>
  transport.execute(operations.deleteFile, { path: { file_id: fileId } }, options)

/** The body of `POST /shares`, as the SDK's methods fill it. @internal */
export type ShareRequest = InputOf<typeof operations.createShare>["body"]

/** @internal */
export const createShare = (transport: Transport, body: ShareRequest) =>
  transport.execute(operations.createShare, { body })

/** @internal */
export const abortUpload = (transport: Transport, uploadId: Domain.UploadId, options?: CallOptions) =>
  transport.execute(operations.abortUpload, { path: { upload_id: uploadId } }, options)

/**
 * The default schedule of `waitUntilClean`: exponential from 250 ms, each wait capped at 5 s,
 * for at most two minutes.
 * @internal
 */
export const defaultScanSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential("250 millis", 1.5).pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.upTo(Duration.minutes(2))
)

class Pending extends Schema.TaggedError<Pending>()("@fluidcloud/core/Pending", {
  file: Schema.instanceOf(Domain.FluidFile)
}) {}

/** The 409 the API would answer for this file, with the scan status `waitUntilClean` saw. */
const notClean = (file: Domain.FluidFile, detail: "file_infected" | "file_not_ready") =>
  new Errors.ConflictError(
    Option.match(file.scanStatus, {
      onNone: () => ({ status: 409, detail }),
      onSome: (scanStatus) => ({ status: 409, detail, scanStatus })
    })
  )

/**
 * Polls the file with `schedule` until its scan is clean; `ConflictError` when it is infected,
 * its scan failed, or it is still pending when `schedule` ends.
 * @internal
 */
export const waitUntilClean = (
  transport: Transport,
  fileId: Domain.FileId,
  schedule: Schedule.Schedule<unknown, unknown> = defaultScanSchedule
) =>
  getFile(transport, fileId).pipe(
    Effect.flatMap((file): Effect.Effect<Domain.FluidFile, Errors.ConflictError | Pending> => {
      if (file.isClean) return Effect.succeed(file)
      const status = Option.getOrUndefined(file.scanStatus)
      if (status === "infected") return Effect.fail(notClean(file, "file_infected"))
      if (status === "error") return Effect.fail(notClean(file, "file_not_ready"))
      return Effect.fail(new Pending({ file }))
    }),
    Effect.retry({ schedule, while: (error) => error instanceof Pending }),
    Effect.catchTag("@fluidcloud/core/Pending", (pending) => Effect.fail(notClean(pending.file, "file_not_ready")))
  )
