/**
 * The upload engine: initiate → session checked against the contract → parts
 * (`Stream.mapEffect` with `concurrency`, each PUT retried) → complete, tied to a scope that
 * aborts the upload server-side on failure or interruption. Parts too big for one buffer are
 * streamed from the source one at a time. Every request goes through the transport; the end of
 * the upload (complete, the sha256 check, the public step, and what an interruption there
 * leaves) is `completion.ts`, and the steps it shares with the client's methods come from
 * `steps.ts`.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { Context, type Duration, Effect, Either, Option, Schedule, type Schema, type Scope, Stream } from "effect"
import type * as Domain from "../Domain.js"
import type * as Errors from "../Errors.js"
import type { Service } from "../FluidCloud.js"
import { type UploadError, UploadEvent, type UploadOptions, type UploadSource } from "../Upload.js"
import * as Completion from "./completion.js"
import * as mime from "./contentType.js"
import type * as Hash from "./hash.js"
import { operations } from "./operations.js"
import * as Parts from "./parts.js"
import * as Session from "./session.js"
import * as Source from "./source.js"
import * as Steps from "./steps.js"
import type { Transport } from "./transport/transport.js"
import * as Check from "./validation.js"

/** What the upload engine needs: the transport, and the file system for path sources. @internal */
export interface Dependencies {
  readonly transport: Transport
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly sha256: Hash.Sha256Factory
  /** Parts larger than this are streamed from the source instead of read into a buffer. */
  readonly partBufferLimit: number
}

/**
 * The largest part read into one buffer (256 MiB): a larger part (the contract allows 5 GiB,
 * beyond what one buffer can hold) is streamed from the source while it is sent, one part at a
 * time. An internal reference, read when the client is built, so tests can lower it.
 * @internal
 */
export class PartBufferLimit extends Context.Reference<PartBufferLimit>()("@fluidcloud/core/PartBufferLimit", {
  defaultValue: (): number => 256 * 1024 * 1024
}) {}

/** The upload methods of the client's `files` namespace. @internal */
export type Uploader = Pick<Service["files"], "upload" | "uploadStream">

/** @internal */
export const DEFAULT_CONCURRENCY = 4
/** @internal */
export const MAX_CONCURRENCY = 64
/** @internal */
export const DEFAULT_NAME = "upload.bin"
/** The longest an abort (all its attempts) may take: it runs in a finalizer. @internal */
export const ABORT_TIMEOUT: Duration.Duration = Completion.CLEANUP_TIMEOUT

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

  const completion = Completion.make(transport)

  /** A part's PUT, in its span. */
  const traced = (part: Domain.UploadPart, length: number) =>
    Effect.withSpan("FluidCloud.files.upload.part", {
      attributes: { "fluidcloud.part_number": part.partNumber, "fluidcloud.part_bytes": length }
    })

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

      let stored = false
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
        (session) => (stored ? Effect.void : abort(session.uploadId, plan.retry))
      )

      const checked = yield* Either.match(
        Session.check(session, size, `${transport.prefix}${operations.initiateUpload.route.path}`),
        { onLeft: Effect.fail, onRight: Effect.succeed }
      )
      const { partSize, partCount, parts } = checked
      // a part too big for one buffer is streamed from the source, one part at a time
      const streamed = source.streamed !== undefined && partSize > deps.partBufferLimit
      const concurrency = streamed ? 1 : plan.concurrency
      yield* Effect.annotateCurrentSpan({
        "fluidcloud.upload_id": session.uploadId,
        "fluidcloud.file_id": session.fileId,
        "fluidcloud.size": size,
        "fluidcloud.part_size": partSize,
        "fluidcloud.part_count": partCount,
        "fluidcloud.concurrency": concurrency,
        "fluidcloud.streamed_parts": streamed
      })

      const etags: Array<string> = []
      let uploaded = 0
      // one part's PUT: its index, length, and the PUT of its bytes succeeding with the ETag
      type Job = { readonly index: number; readonly length: number; readonly put: Effect.Effect<string, UploadError> }
      const sessionPart = (index: number) =>
        Option.fromNullable(parts[index]).pipe(
          Effect.orDieWith(() => new Error(`FluidCloud: part ${index + 1} is not in the checked session`))
        )

      const bufferedJobs = (): Stream.Stream<Job, Errors.SourceError> =>
        Stream.unwrap(
          // concurrency parts in flight + the one being read: the bound on part buffers in memory
          Effect.map(Parts.makeBufferPool(concurrency + 1, Math.min(partSize, size)), (pool) =>
            source.parts(partSize, pool).pipe(
              Stream.zipWithIndex,
              // Sequential, in part order, before the PUT: the hash sees the bytes in order.
              Stream.map(([part, index]): Job => {
                if (expected === undefined) hash.update(part.bytes)
                const put = Effect.flatMap(sessionPart(index), (target) =>
                  transport.putPart(target, part.bytes, plan.retry).pipe(traced(target, part.bytes.byteLength))
                )
                return { index, length: part.bytes.byteLength, put: Effect.ensuring(put, part.release) }
              })
            )
          )
        )

      // Streamed parts go one at a time, so their bytes reach the hash in order; a retry reads
      // its range again, and only bytes past those already hashed are fed to it.
      let hashed = 0
      const feed = (offset: number, bytes: Uint8Array) => {
        const end = offset + bytes.byteLength
        if (expected === undefined && end > hashed) {
          hash.update(offset >= hashed ? bytes : bytes.subarray(hashed - offset))
          hashed = end
        }
      }
      const streamedJobs = (streamedParts: Stream.Stream<Parts.StreamedPart, Errors.SourceError>) =>
        streamedParts.pipe(
          Stream.zipWithIndex,
          Stream.map(([part, index]): Job => {
            let failure: Errors.SourceError | undefined
            const body = () =>
              Stream.suspend(() => {
                let offset = part.offset
                return part.body().pipe(
                  Stream.map((bytes) => {
                    feed(offset, bytes)
                    offset += bytes.byteLength
                    return bytes
                  }),
                  Stream.tapError((error) =>
                    Effect.sync(() => {
                      failure = error
                    })
                  )
                )
              })
            const put = Effect.flatMap(sessionPart(index), (target) =>
              transport
                .putPart(target, { length: part.length, stream: body }, part.rereadable ? plan.retry : Schedule.stop)
                .pipe(
                  traced(target, part.length),
                  // the source failed under the PUT: its error, not the request's
                  Effect.catchAll((error) => Effect.fail(failure ?? error))
                )
            )
            return { index, length: part.length, put }
          })
        )

      const jobs: Stream.Stream<Job, Errors.SourceError> =
        streamed && source.streamed !== undefined ? streamedJobs(source.streamed(partSize)) : bufferedJobs()
      const partEvents = jobs.pipe(
        Stream.mapEffect(
          ({ index, length, put }) =>
            Effect.map(put, (etag) => {
              etags[index] = etag
              return { partNumber: index + 1, partBytes: length }
            }),
          { concurrency, unordered: true }
        ),
        Stream.map(({ partNumber, partBytes }) => {
          uploaded += partBytes
          return UploadEvent.PartUploaded({ partNumber, partBytes, uploadedBytes: uploaded, totalBytes: size })
        })
      )

      const finish = Effect.suspend(() =>
        completion.run({
          session,
          parts,
          etags,
          digest: expected ?? hash.digestHex(),
          public: options.public === true,
          scanSchedule: options.scanSchedule,
          retry: plan.retry,
          onStored: Effect.sync(() => {
            stored = true
          })
        })
      ).pipe(Effect.map((file) => UploadEvent.Completed({ file })))

      const started = UploadEvent.Started({
        uploadId: session.uploadId,
        fileId: session.fileId,
        totalBytes: size,
        partSize,
        partCount
      })
      return Stream.make(started).pipe(Stream.concat(partEvents), Stream.concat(Stream.fromEffect(finish)))
    })

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
