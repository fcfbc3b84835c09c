/**
 * `sync.push`, once both trees are listed: the comparison (a file is uploaded when no live file
 * of its name is in its folder, or their sizes or sha256s differ, else skipped; with `delete`,
 * remote files absent locally go to the trash), then the work: folders created parents first,
 * files uploaded `jobs` at once (a changed file as a new file, the one it replaces then moved to
 * the trash), deletions last. A failure is an event of its file, never the end of the others.
 *
 * @internal
 */
import { Effect, Option, Stream } from "effect"
import type * as Domain from "../../Domain.js"
import type { SyncEvent as Event, PushOptions, SyncFileError } from "../../Sync.js"
import { operations } from "../operations.js"
import * as Steps from "../steps.js"
import type { Transport } from "../transport/transport.js"
import type { Uploader } from "../upload.js"
import { SyncEvent } from "./events.js"
import * as Execute from "./execute.js"
import * as Hashing from "./hashing.js"
import { baseName, byPath, isWithin, type LocalFile, type LocalTree, parentOf } from "./local.js"
import type { RemoteTree } from "./remote.js"

/** What a push runs with. @internal */
export interface Push {
  readonly transport: Transport
  readonly uploader: Uploader
  readonly hashing: Hashing.Hashing
  readonly spaceId: Domain.SpaceId
  readonly options: PushOptions
  readonly jobs: number
  /** Builds the `SourceError` of a local file that could not be read. */
  readonly unreadable: (path: string, cause: unknown) => SyncFileError
}

interface Upload {
  readonly file: LocalFile
  /** The live file of that name it replaces (moved to the trash once the upload is stored). */
  readonly replaces: Domain.FluidFile | undefined
}

interface Deletion {
  readonly path: string
  readonly file: Domain.FluidFile
}

/** @internal */
export interface Plan {
  readonly folders: ReadonlyArray<string>
  readonly uploads: ReadonlyArray<Upload>
  readonly deletions: ReadonlyArray<Deletion>
  /** The events of the plan, in order: warnings, then per path planned, skipped or failed. */
  readonly events: ReadonlyArray<Event>
}

/** A file's client key: its relative path, under the prefix when given. @internal */
export const clientKeyOf = (prefix: string | undefined, path: string): string => {
  const base = (prefix ?? "").replace(/\/+$/, "")
  return base === "" ? path : `${base}/${path}`
}

const sizeOf = (file: Domain.FluidFile): number | undefined => Option.getOrUndefined(file.size)

/** Compares the trees (hashing, `jobs` at once, the local files whose size matches). @internal */
export const plan = (push: Push, local: LocalTree, remote: RemoteTree): Effect.Effect<Plan> =>
  Effect.gen(function* () {
    const folders = local.directories.filter((path) => !remote.folders.has(path))
    const files = [...local.files.values()].sort((a, b) => byPath(a.path, b.path))
    const decided = yield* Effect.forEach(
      files,
      (file): Effect.Effect<{ readonly upload?: Upload; readonly event: Event }> => {
        const there = remote.files.get(file.path)
        const upload = (replaces: Domain.FluidFile | undefined) => ({
          upload: { file, replaces },
          event: SyncEvent.Planned({ action: "upload", path: file.path, size: file.size, fileId: replaces?.id })
        })
        const sha256 = there === undefined ? undefined : Option.getOrUndefined(there.sha256)
        if (there === undefined || sha256 === undefined || sizeOf(there) !== file.size) {
          return Effect.succeed(upload(there))
        }
        return Hashing.sha256Of(push.hashing, file).pipe(
          Effect.map((local) =>
            local === sha256
              ? { event: SyncEvent.Skipped({ path: file.path, size: file.size, fileId: there.id }) }
              : upload(there)
          ),
          Effect.catchAll((cause) =>
            Effect.succeed({
              event: SyncEvent.Failed({
                path: file.path,
                action: "upload",
                error: push.unreadable(`could not read ${file.path}: ${cause.message}`, cause)
              })
            })
          )
        )
      },
      { concurrency: push.jobs }
    )
    const deletions: Array<Deletion> = []
    if (push.options.delete === true) {
      for (const [path, file] of remote.files) {
        if (local.files.has(path) || isWithin(local.untouchable, path) || isWithin(local.unreadable, path)) continue
        deletions.push({ path, file })
      }
      deletions.sort((a, b) => byPath(a.path, b.path))
    }
    return {
      folders,
      uploads: decided.flatMap((d) => (d.upload === undefined ? [] : [d.upload])),
      deletions,
      events: [
        ...local.events,
        ...remote.events,
        ...folders.map((path) => SyncEvent.Planned({ action: "folder", path, size: undefined, fileId: undefined })),
        ...decided.map((d) => d.event),
        ...deletions.map(({ path, file }) =>
          SyncEvent.Planned({ action: "delete", path, size: sizeOf(file), fileId: file.id })
        )
      ]
    }
  })

/** Does the work of `plan`: folders, then uploads, then deletions. @internal */
export const execute = (push: Push, plan: Plan, remote: RemoteTree): Stream.Stream<Event> => {
  const { transport, options } = push
  const folderIds = new Map(remote.folders)
  const folderErrors = new Map<string, SyncFileError>()

  const createFolder = (path: string): Effect.Effect<Event> => {
    const parentError = folderErrors.get(parentOf(path))
    if (parentError !== undefined) {
      folderErrors.set(path, parentError)
      return Effect.succeed(SyncEvent.Failed({ path, action: "folder", error: parentError }))
    }
    return transport
      .execute(operations.createFolder, {
        body: { name: baseName(path), space_id: push.spaceId, parent_id: folderIds.get(parentOf(path)) ?? null }
      })
      .pipe(
        Effect.map((folder): Event => {
          folderIds.set(path, folder.id)
          return SyncEvent.FolderCreated({ path, folderId: folder.id })
        }),
        Effect.catchAll((error) =>
          Effect.sync(() => {
            folderErrors.set(path, error)
            return SyncEvent.Failed({ path, action: "folder", error })
          })
        )
      )
  }

  const trashReplaced = (path: string, stored: Domain.FluidFile, size: number, replaces: Domain.FluidFile) =>
    Steps.deleteFile(transport, replaces.id).pipe(
      Effect.match({
        onSuccess: (): ReadonlyArray<Event> => [
          SyncEvent.Uploaded({ path, size, file: stored, replaced: replaces.id })
        ],
        onFailure: (error): ReadonlyArray<Event> => [
          SyncEvent.Uploaded({ path, size, file: stored, replaced: undefined }),
          SyncEvent.Failed({ path, action: "delete", error })
        ]
      })
    )

  const uploadOne = ({ file, replaces }: Upload): Stream.Stream<Event> => {
    const folderError = folderErrors.get(parentOf(file.path))
    if (folderError !== undefined) {
      return Stream.make(SyncEvent.Failed({ path: file.path, action: "upload", error: folderError }))
    }
    return Execute.reporting((report) =>
      push.uploader
        .upload(file.absolute, push.spaceId, {
          folderId: folderIds.get(parentOf(file.path)),
          name: baseName(file.path),
          clientKey: clientKeyOf(options.clientKeyPrefix, file.path),
          concurrency: options.concurrency,
          retry: options.retry,
          resume: options.resume,
          onProgress: (event) =>
            event._tag === "PartUploaded"
              ? report(SyncEvent.Progress({ path: file.path, bytes: event.uploadedBytes, size: event.totalBytes }))
              : Effect.void
        })
        .pipe(
          Effect.tap((stored) =>
            Option.match(stored.sha256, {
              onNone: () => Effect.void,
              onSome: (sha256) => Hashing.remember(push.hashing, file.absolute, sha256, file)
            })
          ),
          Effect.flatMap((stored) => {
            const size = sizeOf(stored) ?? file.size
            return replaces === undefined
              ? Effect.succeed([SyncEvent.Uploaded({ path: file.path, size, file: stored, replaced: undefined })])
              : trashReplaced(file.path, stored, size, replaces)
          }),
          Effect.catchAll((error) =>
            Effect.succeed<ReadonlyArray<Event>>([SyncEvent.Failed({ path: file.path, action: "upload", error })])
          ),
          Effect.withSpan("FluidCloud.sync.push.file", { attributes: { "fluidcloud.size": file.size } })
        )
    )
  }

  const deleteOne = ({ path, file }: Deletion): Effect.Effect<Event> =>
    Steps.deleteFile(transport, file.id).pipe(
      Effect.match({
        onSuccess: () => SyncEvent.Deleted({ path, size: sizeOf(file), fileId: file.id }),
        onFailure: (error) => SyncEvent.Failed({ path, action: "delete", error })
      })
    )

  return Execute.perDirectory(plan.folders, push.jobs, createFolder).pipe(
    Stream.concat(
      Stream.suspend(() => Stream.flatMap(Stream.fromIterable(plan.uploads), uploadOne, { concurrency: push.jobs }))
    ),
    Stream.concat(
      Stream.suspend(() => Stream.mapEffect(Stream.fromIterable(plan.deletions), deleteOne, { concurrency: push.jobs }))
    )
  )
}
