/**
 * Resumable uploads: which checkpoint an upload is (its key), whether a checkpoint found can be
 * resumed (same source, not expired, a session that still satisfies the contract), and the
 * writer that saves the checkpoint as parts land.
 *
 * - The key names the upload, not its bytes: the API origin, Space, folder, stored name, client
 *   key and the source (its real path, or `bytes`). Running the same upload again finds the
 *   checkpoint; a changed source finds it too, and its other fingerprint says not to resume.
 * - A checkpoint is saved right after initiate (before any part is sent), then at most once a
 *   second while parts land (writes are coalesced: the latest state wins), and once more when the
 *   upload stops (failure or interruption). A part stored on the server but not yet in the
 *   checkpoint when the process dies is simply PUT again (a re-PUT replaces it).
 *
 * @internal
 */
import { Clock, Data, DateTime, Duration, Effect, Either, Option, type Scope } from "effect"
import {
  CheckpointPart,
  type Fingerprint,
  type Records,
  type Service,
  UploadCheckpoint,
  UploadCheckpoints
} from "../Checkpoints.js"
import * as Domain from "../Domain.js"
import type { UploadError } from "../Upload.js"
import * as Session from "./session.js"

/** Where a resumable upload keeps its checkpoint, and how it recognises its source. @internal */
export interface Target {
  readonly store: Records<UploadCheckpoint>
  readonly key: string
  readonly fingerprint: Fingerprint
}

/**
 * The checkpoint store of a call: the one in its context, else `built` (the one of the context
 * the client was built in).
 * @internal
 */
export const store = (built: Option.Option<Service>): Effect.Effect<Option.Option<Service>> =>
  Effect.map(
    Effect.serviceOption(UploadCheckpoints),
    Option.orElse(() => built)
  )

/**
 * Drops the checkpoints of `uploadId` (after `uploads.abort`): a store that cannot be read or
 * written is a warning.
 * @internal
 */
export const forget = (service: Service, uploadId: Domain.UploadId): Effect.Effect<void> =>
  service.uploads.list.pipe(
    Effect.flatMap((entries) =>
      Effect.forEach(
        entries.filter(([, checkpoint]) => checkpoint.uploadId === uploadId),
        ([key]) => service.uploads.remove(key),
        { discard: true }
      )
    ),
    Effect.catchAll((error) =>
      Effect.logWarning(`FluidCloud: could not drop the local checkpoint of upload ${uploadId}`, error)
    )
  )

/** What names an upload, for its key. @internal */
export interface Identity {
  readonly origin: string
  readonly spaceId: Domain.SpaceId
  readonly folderId: Domain.FolderId | undefined
  readonly name: string
  readonly clientKey: string | undefined
  /** The source: its real path, or `bytes`. */
  readonly source: string
}

/** The key of an upload's checkpoint (JSON text; the file store names its file by its sha256). @internal */
export const keyOf = (identity: Identity): string =>
  JSON.stringify([
    "upload/1",
    identity.origin,
    identity.spaceId,
    identity.folderId ?? null,
    identity.name,
    identity.clientKey ?? null,
    identity.source
  ])

/** Whether two fingerprints are of the same bytes (as far as a fingerprint can tell). @internal */
export const sameSource = (a: Fingerprint, b: Fingerprint): boolean => {
  if (a.size !== b.size) return false
  switch (a._tag) {
    case "Path":
      return b._tag === "Path" && a.path === b.path && a.mtime === b.mtime
    case "Bytes":
      return b._tag === "Bytes" && a.sha256 === b.sha256
  }
}

/** A checkpoint less than this far from its expiry is not resumed: its URLs would expire under it. @internal */
export const EXPIRY_MARGIN: Duration.Duration = Duration.minutes(1)

/** A checkpoint that can be resumed: its session, checked as a fresh one is, and the ETags it holds. @internal */
export interface Resumed {
  readonly checkpoint: UploadCheckpoint
  readonly session: Domain.UploadSession
  readonly checked: Session.Checked
  /** The ETag of each part already stored, by index (`undefined`: still to send). */
  readonly etags: ReadonlyArray<string | undefined>
}

/**
 * The session of a resumed upload vanished on the server (a part PUT answered 404 or 403, or
 * complete 404 or `invalid_parts`): the upload starts afresh. Never leaves the engine.
 * @internal
 */
export class Vanished extends Data.TaggedError("@fluidcloud/core/Vanished")<{ readonly error: UploadError }> {}

/** Why `checkpoint` cannot be resumed for `fingerprint` at `now`, or its resumable form. */
const resumable = (
  checkpoint: UploadCheckpoint,
  fingerprint: Fingerprint,
  now: DateTime.Utc,
  initiateUrl: string
): Either.Either<Resumed, string> => {
  if (!sameSource(checkpoint.source, fingerprint)) return Either.left("the source changed")
  if (DateTime.lessThan(checkpoint.expiresAt, DateTime.addDuration(now, EXPIRY_MARGIN))) {
    return Either.left("it expired")
  }
  const session = new Domain.UploadSession({
    uploadId: checkpoint.uploadId,
    fileId: checkpoint.fileId,
    expiresAt: checkpoint.expiresAt,
    partSize: checkpoint.partSize,
    parts: checkpoint.parts.map(
      (part) =>
        new Domain.UploadPart({ partNumber: part.partNumber, url: part.url, method: "PUT", headers: part.headers })
    )
  })
  return Either.match(Session.check(session, checkpoint.size, initiateUrl), {
    onLeft: (error) => Either.left(`its session is not valid (${error.description})`),
    onRight: (checked) => {
      const byNumber = new Map(checkpoint.parts.map((part) => [part.partNumber, part.etag]))
      const etags = checked.parts.map((part) => byNumber.get(part.partNumber))
      return Either.right({ checkpoint, session, checked, etags })
    }
  })
}

/**
 * The checkpoint of `target`, if it can be resumed. One that cannot (another source, expired,
 * broken) is dropped and its upload aborted (best effort: `abort` logs its own failure). A store
 * that cannot be read is a warning: the upload starts afresh.
 * @internal
 */
export const load = (
  target: Target,
  initiateUrl: string,
  abort: (uploadId: Domain.UploadId) => Effect.Effect<void>
): Effect.Effect<Resumed | undefined> =>
  Effect.gen(function* () {
    const found = yield* target.store
      .get(target.key)
      .pipe(
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning("FluidCloud: could not read the upload checkpoint; the upload starts afresh", error),
            Option.none()
          )
        )
      )
    if (Option.isNone(found)) return undefined
    const checkpoint = found.value
    const now = yield* DateTime.now
    return yield* Either.match(resumable(checkpoint, target.fingerprint, now, initiateUrl), {
      onRight: (resumed) => Effect.succeed(resumed),
      onLeft: (why) =>
        Effect.logDebug(
          `FluidCloud: upload ${checkpoint.uploadId} is not resumed (${why}); it is aborted and starts afresh`
        ).pipe(Effect.zipRight(abort(checkpoint.uploadId)), Effect.zipRight(drop(target)), Effect.as(undefined))
    })
  })

/** Removes the checkpoint of `target`; a failure is a warning. @internal */
export const drop = (target: Target): Effect.Effect<void> =>
  target.store
    .remove(target.key)
    .pipe(Effect.catchAll((error) => Effect.logWarning("FluidCloud: could not remove an upload checkpoint", error)))

/** The checkpoint of a fresh upload, before any part is stored. @internal */
export const fresh = (
  target: Target,
  identity: Omit<Identity, "source">,
  size: number,
  session: Domain.UploadSession,
  checked: Session.Checked
): Effect.Effect<UploadCheckpoint> =>
  Effect.map(
    DateTime.now,
    (now) =>
      new UploadCheckpoint({
        key: target.key,
        uploadId: session.uploadId,
        fileId: session.fileId,
        spaceId: identity.spaceId,
        folderId: identity.folderId ?? null,
        name: identity.name,
        clientKey: identity.clientKey ?? null,
        size,
        partSize: checked.partSize,
        expiresAt: session.expiresAt,
        createdAt: now,
        parts: checked.parts.map(
          (part) => new CheckpointPart({ partNumber: part.partNumber, url: part.url, headers: part.headers })
        ),
        source: target.fingerprint
      })
  )

/** The longest a part's ETag waits before it is written to the checkpoint. @internal */
export const SAVE_INTERVAL_MILLIS = 1000

/** Saves a checkpoint as parts land. @internal */
export interface Saver {
  /** Another part's ETag is in `etags`: saved within `SAVE_INTERVAL_MILLIS`. */
  readonly changed: Effect.Effect<void>
  /** Saves now if anything changed since the last save (the upload stops). */
  readonly flush: Effect.Effect<void>
  /** Removes the checkpoint (the upload completed, or is aborted). */
  readonly drop: Effect.Effect<void>
}

/**
 * A saver of `base` with the ETags of `etags` (shared with the engine, which fills it), its
 * delayed saves forked in `scope`. Unless `saved`, the checkpoint is written at once: when that
 * fails, `undefined` (with a warning): the upload goes on without a checkpoint, and is aborted
 * on failure as without `resume`.
 * @internal
 */
export const saver = (
  target: Target,
  base: UploadCheckpoint,
  etags: ReadonlyArray<string | undefined>,
  options: { readonly saved: boolean; readonly scope: Scope.Scope }
): Effect.Effect<Saver | undefined> =>
  Effect.gen(function* () {
    const lock = yield* Effect.makeSemaphore(1)
    let dirty = !options.saved
    let scheduled = false
    let lastSave = yield* Clock.currentTimeMillis

    const snapshot = () =>
      new UploadCheckpoint({
        ...base,
        parts: base.parts.map((part, index) => {
          const etag = etags[index]
          return etag === part.etag
            ? part
            : new CheckpointPart({ partNumber: part.partNumber, url: part.url, headers: part.headers, etag })
        })
      })
    const save = lock.withPermits(1)(
      Effect.suspend(() => {
        if (!dirty) return Effect.succeed(true)
        dirty = false
        return target.store.set(target.key, snapshot()).pipe(
          Effect.zipRight(Clock.currentTimeMillis),
          Effect.map((now) => {
            lastSave = now
            return true
          }),
          Effect.catchAll((error) =>
            Effect.as(Effect.logWarning("FluidCloud: could not save the upload checkpoint", error), false)
          )
        )
      })
    )
    const later = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sleep(Duration.millis(Math.max(0, lastSave + SAVE_INTERVAL_MILLIS - now)))
    ).pipe(
      Effect.zipRight(
        Effect.sync(() => {
          scheduled = false
        })
      ),
      Effect.zipRight(save)
    )

    if (!options.saved && !(yield* save)) return undefined
    return {
      changed: Effect.suspend(() => {
        dirty = true
        if (scheduled) return Effect.void
        scheduled = true
        return Effect.asVoid(Effect.forkIn(later, options.scope))
      }),
      flush: Effect.asVoid(save),
      drop: drop(target)
    }
  })
