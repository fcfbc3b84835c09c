/**
 * The upload engine: initiate → parts (`Stream.mapEffect` with `concurrency`, each PUT retried) →
 * complete, tied to a scope that aborts the upload server-side on failure or interruption. Every
 * request goes through the transport; the steps it shares with the client's methods (delete a
 * file, wait for a clean scan, mint a share link, abort) come from `steps.ts`.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { Duration, Effect, Option, type Schedule, type Schema, type Scope, Stream } from "effect"
import * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import type { Service } from "../FluidCloud.js"
import { type UploadError, UploadEvent, type UploadOptions, type UploadSource } from "../Upload.js"
import * as mime from "./contentType.js"
import type * as Hash from "./hash.js"
import { operations } from "./operations.js"
import * as Source from "./source.js"
import * as Steps from "./steps.js"
import type { Transport } from "./transport/transport.js"
import * as Check from "./validation.js"

/** What the upload engine needs: the transport, and the file system for path sources. @internal */
export interface Dependencies {
  readonly transport: Transport
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly sha256: Hash.Sha256Factory
}

/** The upload methods of the client's `files` namespace. @internal */
export type Uploader = Pick<Service["files"], "upload" | "uploadStream">

/** @internal */
export const DEFAULT_CONCURRENCY = 4
/** @internal */
export const MAX_CONCURRENCY = 64
/** @internal */
export const DEFAULT_NAME = "upload.bin"
/** The longest an abort (all its attempts) may take: it runs in a finalizer. @internal */
export const ABORT_TIMEOUT: Duration.Duration = Duration.seconds(30)

const optional =
  <A, I>(schema: Schema.Schema<A, I>, field: string) =>
  (value: unknown) =>
    value === undefined ? Effect.void : Check.check(schema, field)(value)

const checks = [
  ["size", optional(Check.Size, "size")],
  ["partSize", optional(Check.PartSize, "partSize")],
  [
    "concurrency",
    optional(Check.integerIn(1, MAX_CONCURRENCY, `must be an integer from 1 to ${MAX_CONCURRENCY}`), "concurrency")
  ],
  ["name", optional(Check.Name, "name")],
  ["contentType", optional(Check.ContentType, "contentType")],
  ["clientKey", optional(Check.ClientKey, "clientKey")],
  ["folderId", optional(Check.FolderId, "folderId")]
] as const

const checkSpaceId = Check.check(Check.SpaceId, "spaceId")
const checkName = Check.check(Check.Name, "name")

/**
 * Checks the space and the options that do not depend on the source, before anything is read or
 * sent.
 * @internal
 */
export const validateOptions = (
  spaceId: Domain.SpaceId,
  options: UploadOptions
): Effect.Effect<void, Errors.ValidationError> =>
  Effect.zipRight(
    checkSpaceId(spaceId),
    Effect.forEach(checks, ([key, check]) => check(options[key]), { discard: true })
  )

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

/** @internal */
export const make = (deps: Dependencies): Uploader => {
  const { transport } = deps

  const putPart = (part: Domain.UploadPart, bytes: Uint8Array, schedule: Schedule.Schedule<unknown, unknown>) =>
    transport.putPart(part, bytes, schedule).pipe(
      Effect.withSpan("FluidCloud.files.upload.part", {
        attributes: { "fluidcloud.part_number": part.partNumber, "fluidcloud.part_bytes": bytes.byteLength }
      })
    )

  const abort = (uploadId: Domain.UploadId, retry: Schedule.Schedule<unknown, unknown>): Effect.Effect<void> =>
    // The abort runs in a finalizer (uninterruptible), often of an interrupted fiber: the budget
    // bounds it, so a slow server never holds up an interruption (see `CallOptions.budget`).
    Steps.abortUpload(transport, uploadId, { retry, budget: ABORT_TIMEOUT }).pipe(
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
      yield* validateOptions(spaceId, options)
      const resolved = yield* Source.resolve(source, options.size, deps.fileSystem)
      const name = options.name ?? resolved.name ?? DEFAULT_NAME
      yield* checkName(name)
      return {
        spaceId,
        options,
        source: resolved,
        name,
        contentType: options.contentType ?? resolved.contentType ?? mime.getType(name) ?? undefined,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        retry: options.retry ?? transport.retry
      }
    })

  const run = (plan: Plan) =>
    Effect.gen(function* () {
      const { options, source } = plan
      const size = source.size
      const hash = deps.sha256.create()
      let expected: string | undefined
      if (source.prehash !== undefined) {
        yield* source.prehash(hash.update)
        expected = hash.digestHex()
      }

      let completed = false
      const session = yield* Effect.acquireRelease(
        transport.execute(operations.initiateUpload, {
          body: {
            space_id: plan.spaceId,
            folder_id: options.folderId,
            name: plan.name,
            content_type: plan.contentType,
            size,
            client_key: options.clientKey,
            sha256: expected,
            part_size: options.partSize
          }
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
            url: `${transport.prefix}${operations.initiateUpload.route.path}`,
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
        const file = yield* transport
          .execute(
            operations.completeUpload,
            {
              body: {
                upload_id: session.uploadId,
                parts: parts.map((part, index) => ({ part_number: part.partNumber, etag: etags[index] ?? "" }))
              }
            },
            { retry: plan.retry }
          )
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
          : Steps.deleteFile(transport, file.id).pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning(`FluidCloud: could not delete file ${file.id} after a sha256 mismatch`, cause)
              ),
              Effect.zipRight(
                Effect.fail(new Errors.IntegrityError({ fileId: file.id, expected: digest, actual: stored }))
              )
            )
    })

  const makePublic = (file: Domain.FluidFile, options: UploadOptions) =>
    Steps.waitUntilClean(transport, file.id, options.scanSchedule).pipe(
      Effect.flatMap((clean) =>
        Effect.map(
          Steps.createShare(transport, { file_id: clean.id }),
          (link) => new Domain.FluidFile({ ...clean, publicUrl: Option.some(link.url) })
        )
      ),
      Effect.withSpan("FluidCloud.files.upload.public", { attributes: { "fluidcloud.file_id": file.id } })
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
