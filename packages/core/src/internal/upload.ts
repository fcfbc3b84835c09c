/**
 * The upload engine: initiate → session checked against the contract → parts (`concurrency`
 * workers fed in part order, each PUT retried; `jobs.ts`) → complete, tied to a
 * scope that aborts the upload server-side on failure or interruption. Parts too big for one
 * buffer are streamed from the source one at a time. Every request goes through the transport;
 * the end of the upload (complete, the sha256 check, the public step, and what an interruption
 * there leaves) is `completion.ts`, and the steps it shares with the client's methods come from
 * `steps.ts`. Progress within parts is `meter.ts`.
 *
 * With `resume`, the session comes from a checkpoint when one can be resumed (`resume.ts`), the
 * parts the server holds are only read for the sha256, and a failure or interruption before
 * `complete` keeps the upload and saves its checkpoint instead of aborting it. A resumed session
 * the server no longer has (`Resume.Vanished`) is aborted, dropped, and the upload starts afresh.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import { Context, type Duration, Effect, Either, Option, type Schedule, type Schema, type Scope, Stream } from "effect"
import type * as Checkpoints from "../Checkpoints.js"
import type * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import type { Service } from "../FluidCloud.js"
import { type UploadError, UploadEvent, type UploadOptions, type UploadSource } from "../Upload.js"
import * as Completion from "./completion.js"
import * as mime from "./contentType.js"
import type * as Hash from "./hash.js"
import * as Jobs from "./jobs.js"
import * as Meter from "./meter.js"
import { operations } from "./operations.js"
import * as Resume from "./resume.js"
import * as Session from "./session.js"
import * as Source from "./source.js"
import * as Steps from "./steps.js"
import type { PartBody, Transport } from "./transport/transport.js"
import * as Check from "./validation.js"

/** What the upload engine needs: the transport, and the file system for path sources. @internal */
export interface Dependencies {
  readonly transport: Transport
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly sha256: Hash.Sha256Factory
  /** Parts larger than this are streamed from the source instead of read into a buffer. */
  readonly partBufferLimit: number
  /** The checkpoint store of the client's context, for `resume` (the call's context comes first). */
  readonly checkpoints: Option.Option<Checkpoints.Service>
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
  /** The sha256 of an in-memory source, computed before initiate (and sent with it). */
  readonly expected: string | undefined
  /** What names the upload (its checkpoint's key and fields). */
  readonly identity: Omit<Resume.Identity, "source">
  /** Where its checkpoint goes, with `resume`. */
  readonly resume: Resume.Target | undefined
  /** Whether progress within parts is reported (`Progress` events). */
  readonly metered: boolean
}

const noStore = new Errors.ValidationError({
  field: "resume",
  description:
    "needs an UploadCheckpoints store: provide Checkpoints.layerMemory or Checkpoints.layerFileSystem(directory) (NodeFluidCloud.layer provides one)"
})

const notRereadable = new Errors.ValidationError({
  field: "resume",
  description: "needs a source that can be read again (a path, bytes or a Blob), not a stream"
})

/** Errors of a part PUT that say the upload is gone: 404, or a refused (expired) URL. */
const isGone = (error: UploadError): boolean =>
  error._tag === "NotFoundError" || (error._tag === "ApiError" && error.status === 403)

/**
 * Errors of a resumed upload's part PUT that say its checkpoint no longer describes it: a 400,
 * the storage refusing a part as the checkpoint cuts it (an edited or foreign part size, part
 * headers). Kept, the checkpoint would fail the same way on every run.
 */
const isMismatch = (error: UploadError): boolean => error._tag === "ApiError" && error.status === 400

/** Errors of complete that say a resumed upload is not what its checkpoint says. */
const isStale = (error: UploadError): boolean =>
  error._tag === "NotFoundError" ||
  (error._tag === "ApiError" && error.status === 400 && error.detail === "invalid_parts")

/** The error of an attempt that cannot be resumed any more: the upload's own error. */
const settled = <A>(stream: Stream.Stream<A, UploadError | Resume.Vanished>): Stream.Stream<A, UploadError> =>
  Stream.mapError(stream, (error) => (error instanceof Resume.Vanished ? error.error : error))

/** @internal */
export const make = (deps: Dependencies): Uploader => {
  const { transport } = deps
  const completion = Completion.make(transport)
  const initiateUrl = `${transport.prefix}${operations.initiateUpload.route.path}`

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

  /** The checkpoint store: the call's, else the client's; none is a `ValidationError`. */
  const checkpointStore = Effect.flatMap(
    Resume.store(deps.checkpoints),
    Option.match({ onNone: () => Effect.fail(noStore), onSome: (service) => Effect.succeed(service.uploads) })
  )

  const targetOf = (
    store: Checkpoints.Records<Checkpoints.UploadCheckpoint>,
    identity: Omit<Resume.Identity, "source">,
    source: Source.ResolvedSource,
    expected: string | undefined
  ): Effect.Effect<Resume.Target, Errors.ValidationError | Errors.SourceError> => {
    const kind = source.identity
    if (kind === undefined) return Effect.fail(notRereadable)
    if (kind._tag === "Bytes") {
      return Effect.succeed({
        store,
        key: Resume.keyOf({ ...identity, source: "bytes" }),
        fingerprint: { _tag: "Bytes", size: source.size, sha256: expected ?? "" }
      })
    }
    return Effect.map(kind.realPath, (path) => ({
      store,
      key: Resume.keyOf({ ...identity, source: path }),
      fingerprint: { _tag: "Path", path, size: source.size, mtime: kind.mtime }
    }))
  }

  const prepare = (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options: UploadOptions,
    metered: boolean
  ): Effect.Effect<Plan, Errors.ValidationError | Errors.SourceError, Scope.Scope> =>
    Effect.gen(function* () {
      yield* validateOptions(spaceId, options)
      const store = options.resume === true ? yield* checkpointStore : undefined
      const resolved = yield* Source.resolve(source, options.size, deps.fileSystem)
      const name = options.name ?? resolved.name ?? DEFAULT_NAME
      yield* checkName(name)
      if (store !== undefined && resolved.identity === undefined) return yield* notRereadable
      let expected: string | undefined
      if (resolved.prehash !== undefined) {
        const hash = deps.sha256.create()
        yield* resolved.prehash(hash.update)
        expected = hash.digestHex()
      }
      const identity = {
        origin: transport.prefix,
        spaceId,
        folderId: options.folderId,
        name,
        clientKey: options.clientKey
      }
      return {
        spaceId,
        options,
        source: resolved,
        name,
        contentType: options.contentType ?? resolved.contentType ?? mime.getType(name) ?? undefined,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
        retry: options.retry ?? transport.retry,
        expected,
        identity,
        resume: store === undefined ? undefined : yield* targetOf(store, identity, resolved, expected),
        metered
      }
    })

  /** One upload session, fresh or `resumed`, from its first event to `Completed`. */
  const attempt = (
    plan: Plan,
    resumed: Resume.Resumed | undefined
  ): Stream.Stream<UploadEvent, UploadError | Resume.Vanished> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const { options, source, expected } = plan
        const size = source.size
        const scope = yield* Effect.scope
        let stored = false
        let completeSent = false
        let gone = false
        let saver: Resume.Saver | undefined

        const session = yield* Effect.acquireRelease(
          resumed !== undefined
            ? Effect.succeed(resumed.session)
            : transport.execute(operations.initiateUpload, {
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
          (session) => {
            if (stored) return saver?.drop ?? Effect.void
            // with resume, kept for the next run until complete is sent (or the session is gone)
            if (saver !== undefined && !completeSent && !gone) return saver.flush
            return Effect.zipRight(abort(session.uploadId, plan.retry), saver?.drop ?? Effect.void)
          }
        )

        const checked =
          resumed?.checked ??
          (yield* Either.match(Session.check(session, size, initiateUrl), {
            onLeft: Effect.fail,
            onRight: Effect.succeed
          }))
        const { partSize, partCount, parts } = checked
        // a part too big for one buffer is streamed from the source, one part at a time
        const streamed = source.streamed !== undefined && partSize > deps.partBufferLimit
        const concurrency = streamed ? 1 : plan.concurrency

        // the ETag of each stored part, by index: those of the checkpoint, then as parts land
        const etags: Array<string | undefined> = resumed === undefined ? [] : [...resumed.etags]
        const held = new Set<number>()
        let heldBytes = 0
        etags.forEach((etag, index) => {
          if (etag === undefined) return
          held.add(index)
          heldBytes += Math.max(0, Math.min(partSize, size - index * partSize))
        })
        const target = plan.resume
        if (target !== undefined) {
          const checkpoint = resumed?.checkpoint ?? (yield* Resume.fresh(target, plan.identity, size, session, checked))
          saver = yield* Resume.saver(target, checkpoint, etags, { saved: resumed !== undefined, scope })
        }
        yield* Effect.annotateCurrentSpan({
          "fluidcloud.upload_id": session.uploadId,
          "fluidcloud.file_id": session.fileId,
          "fluidcloud.size": size,
          "fluidcloud.part_size": partSize,
          "fluidcloud.part_count": partCount,
          "fluidcloud.concurrency": concurrency,
          "fluidcloud.streamed_parts": streamed,
          "fluidcloud.resumed_parts": held.size
        })

        const meter = plan.metered ? yield* Meter.make(size, heldBytes, partSize) : undefined
        const hash = expected === undefined ? deps.sha256.create() : undefined
        const jobs = Jobs.make({
          transport,
          source,
          parts,
          partSize,
          streamed,
          // concurrency parts in flight + the one being read: the bound on part buffers in memory
          buffers: concurrency + 1,
          retry: plan.retry,
          hash,
          held: (index) => held.has(index),
          body: meter === undefined ? (body: PartBody) => body : meter.body
        })

        /**
         * A part PUT's failure: the session is gone, or (resumed) its checkpoint does not match it;
         * a resumed one then starts afresh, the old upload aborted. Otherwise the error.
         */
        const watched = <A>(put: Effect.Effect<A, UploadError>): Effect.Effect<A, UploadError | Resume.Vanished> =>
          target === undefined
            ? put
            : Effect.catchAll(put, (error) => {
                if (!isGone(error) && !(resumed !== undefined && isMismatch(error))) return Effect.fail(error)
                gone = true
                return Effect.fail(resumed === undefined ? error : new Resume.Vanished({ error }))
              })

        const storedParts = Jobs.results(jobs, concurrency, ({ index, length, put }) =>
          Effect.flatMap(watched(put), (etag) => {
            if (Option.isNone(etag)) return Effect.succeed(Option.none<Meter.Stored>())
            etags[index] = etag.value
            const stored = Option.some({ partNumber: index + 1, partBytes: length })
            return saver === undefined ? Effect.succeed(stored) : Effect.as(saver.changed, stored)
          })
        )
        const partEvents: Stream.Stream<UploadEvent, UploadError | Resume.Vanished> =
          meter === undefined ? Meter.partEvents(storedParts, size, heldBytes) : meter.events(storedParts)

        const finish = Effect.suspend(() => {
          completeSent = true
          return completion.run({
            session,
            parts,
            etags,
            digest: expected ?? hash?.digestHex() ?? "",
            public: options.public === true,
            scanSchedule: options.scanSchedule,
            retry: plan.retry,
            onStored: Effect.sync(() => {
              stored = true
            })
          })
        }).pipe(
          // a resumed session the server no longer has, or not as the checkpoint says
          Effect.catchAll((error) =>
            Effect.fail(resumed !== undefined && !stored && isStale(error) ? new Resume.Vanished({ error }) : error)
          ),
          Effect.map((file) => UploadEvent.Completed({ file }))
        )

        const started = UploadEvent.Started({
          uploadId: session.uploadId,
          fileId: session.fileId,
          totalBytes: size,
          partSize,
          partCount,
          resumedParts: held.size,
          resumedBytes: heldBytes
        })
        return Stream.make(started).pipe(Stream.concat(partEvents), Stream.concat(Stream.fromEffect(finish)))
      })
    )

  /** An upload from its plan: resumed from its checkpoint when it can be, else afresh. */
  const run = (plan: Plan): Stream.Stream<UploadEvent, UploadError> => {
    const target = plan.resume
    if (target === undefined) return settled(attempt(plan, undefined))
    return Stream.unwrap(
      Effect.map(
        Resume.load(target, initiateUrl, (uploadId) => abort(uploadId, plan.retry)),
        (resumed) =>
          resumed === undefined
            ? settled(attempt(plan, undefined))
            : attempt(plan, resumed).pipe(
                Stream.catchAll((error) =>
                  error instanceof Resume.Vanished
                    ? Stream.unwrap(
                        Effect.as(
                          Effect.logDebug(
                            `FluidCloud: upload ${resumed.session.uploadId} is gone on the server (${error.error.message}); starting afresh`
                          ),
                          settled(attempt(plan, undefined))
                        )
                      )
                    : Stream.fail(error)
                )
              )
      )
    )
  }

  const events = (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options: UploadOptions,
    metered: boolean
  ): Stream.Stream<UploadEvent, UploadError> => {
    const stream = Stream.unwrapScoped(Effect.map(prepare(source, spaceId, options, metered), run))
    const onProgress = options.onProgress
    return onProgress === undefined ? stream : Stream.tap(stream, onProgress)
  }

  const spanAttributes = (spaceId: Domain.SpaceId, options: UploadOptions) => ({
    "fluidcloud.space_id": spaceId,
    "fluidcloud.resume": options.resume === true
  })

  return {
    upload: (source, spaceId, options = {}) =>
      events(source, spaceId, options, options.onProgress !== undefined).pipe(
        Stream.runFold(Option.none<Domain.FluidFile>(), (last, event) =>
          event._tag === "Completed" ? Option.some(event.file) : last
        ),
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.dieMessage("the upload ended without a Completed event"),
            onSome: Effect.succeed
          })
        ),
        Effect.withSpan("FluidCloud.files.upload", { attributes: spanAttributes(spaceId, options) })
      ),
    uploadStream: (source, spaceId, options = {}) =>
      events(source, spaceId, options, true).pipe(
        Stream.withSpan("FluidCloud.files.upload", { attributes: spanAttributes(spaceId, options) })
      )
  }
}
