/**
 * `sync.pull`, once both trees are listed: the comparison (a file is downloaded when no local
 * file of its name is in its directory, or their sizes or sha256s differ, else skipped; with
 * `delete`, local files absent remotely are removed), then the work: a directory for every
 * remote folder, parents first, files downloaded `jobs` at once (each verified through its
 * `.part`, a file still being scanned awaited first), deletions last. Local symbolic links (not
 * followed) and anything under them are left alone.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Option, type Schedule, Stream } from "effect"
import type * as Domain from "../../Domain.js"
import type { DownloadResult, DownloadToError, DownloadToOptions } from "../../Download.js"
import type * as Errors from "../../Errors.js"
import type { SyncEvent as Event, PullOptions } from "../../Sync.js"
import { partPathOf } from "../partPath.js"
import * as Steps from "../steps.js"
import type { Transport } from "../transport/transport.js"
import { SyncEvent } from "./events.js"
import * as Execute from "./execute.js"
import * as Hashing from "./hashing.js"
import { baseName, byPath, isWithin, type LocalTree } from "./local.js"
import type { RemoteTree } from "./remote.js"

/** What a pull runs with. @internal */
export interface Pull {
  readonly transport: Transport
  readonly downloadTo: (
    fileId: Domain.FileId,
    path: string,
    options?: DownloadToOptions
  ) => Effect.Effect<DownloadResult, DownloadToError>
  readonly hashing: Hashing.Hashing
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  /** The local directory, absolute. */
  readonly root: string
  readonly options: PullOptions
  readonly jobs: number
  readonly scanSchedule: Schedule.Schedule<unknown, unknown> | undefined
  readonly targetError: (description: string, cause: unknown) => Errors.TargetError
}

interface Download {
  readonly path: string
  readonly file: Domain.FluidFile
}

/** @internal */
export interface Plan {
  readonly directories: ReadonlyArray<string>
  readonly downloads: ReadonlyArray<Download>
  readonly deletions: ReadonlyArray<{ readonly path: string; readonly size: number }>
  readonly events: ReadonlyArray<Event>
}

const sizeOf = (file: Domain.FluidFile): number | undefined => Option.getOrUndefined(file.size)

/** The absolute local path of a relative one. @internal */
export const localPath = (pull: Pick<Pull, "path" | "root">, relative: string): string =>
  pull.path.join(pull.root, ...relative.split("/"))

/** Compares the trees (hashing, `jobs` at once, the local files whose size matches). @internal */
export const plan = (pull: Pull, local: LocalTree, remote: RemoteTree): Effect.Effect<Plan> =>
  Effect.gen(function* () {
    const blocked = local.untouchable
    const present = new Set(local.directories)
    const directories = [...remote.folders.keys()]
      .filter((path) => path !== "" && !present.has(path) && !isWithin(blocked, path))
      .sort(byPath)
    const warnings: Array<Event> = remote.unsafe.map(({ path, kind }) =>
      SyncEvent.Warning({ path, reason: "unsafeName", detail: `a remote ${kind} whose name cannot be a local name` })
    )
    const candidates = [...remote.files].sort(([a], [b]) => byPath(a, b))
    const decided = yield* Effect.forEach(
      candidates,
      ([path, file]): Effect.Effect<{ readonly download?: Download; readonly event?: Event }> => {
        if (remote.folders.has(path)) {
          return Effect.succeed({
            event: SyncEvent.Warning({
              path,
              reason: "conflict",
              detail: "a remote folder and a remote file of this name: the folder is pulled"
            })
          })
        }
        if (isWithin(blocked, path)) return Effect.succeed({})
        const part = partPathOf(path)
        if (remote.files.has(part) || remote.folders.has(part)) {
          // its download would be written to `x.part`, which is the remote one's own local path
          return Effect.succeed({
            event: SyncEvent.Warning({
              path,
              reason: "conflict",
              detail: `a remote ${remote.files.has(part) ? "file" : "folder"} is named ${baseName(part)}, the name this file's download is written to until verified: this file is not pulled`
            })
          })
        }
        const download = {
          download: { path, file },
          event: SyncEvent.Planned({ action: "download", path, size: sizeOf(file), fileId: file.id })
        }
        const here = local.files.get(path)
        const sha256 = Option.getOrUndefined(file.sha256)
        if (here === undefined || sha256 === undefined || here.size !== sizeOf(file)) return Effect.succeed(download)
        return Hashing.sha256Of(pull.hashing, here).pipe(
          Effect.map((digest) =>
            digest === sha256 ? { event: SyncEvent.Skipped({ path, size: here.size, fileId: file.id }) } : download
          ),
          Effect.catchAll((cause) =>
            Effect.succeed({
              event: SyncEvent.Failed({
                path,
                action: "download",
                error: pull.targetError(`could not read ${path}: ${cause.message}`, cause)
              })
            })
          )
        )
      },
      { concurrency: pull.jobs }
    )
    const deletions =
      pull.options.delete === true
        ? [...local.files.values()]
            .filter((file) => !remote.files.has(file.path))
            .map((file) => ({ path: file.path, size: file.size }))
            .sort((a, b) => byPath(a.path, b.path))
        : []
    return {
      directories,
      downloads: decided.flatMap((d) => (d.download === undefined ? [] : [d.download])),
      deletions,
      events: [
        ...local.events,
        ...remote.events,
        ...warnings,
        ...directories.map((path) => SyncEvent.Planned({ action: "folder", path, size: undefined, fileId: undefined })),
        ...decided.flatMap((d) => (d.event === undefined ? [] : [d.event])),
        ...deletions.map(({ path, size }) => SyncEvent.Planned({ action: "delete", path, size, fileId: undefined }))
      ]
    }
  })

/** Does the work of `plan`: directories, then downloads, then deletions. @internal */
export const execute = (pull: Pull, plan: Plan, remote: RemoteTree): Stream.Stream<Event> => {
  const { fs } = pull

  const makeDirectory = (path: string): Effect.Effect<Event> =>
    fs.makeDirectory(localPath(pull, path), { recursive: true }).pipe(
      Effect.match({
        onSuccess: () => SyncEvent.FolderCreated({ path, folderId: remote.folders.get(path) }),
        onFailure: (cause) =>
          SyncEvent.Failed({
            path,
            action: "folder",
            error: pull.targetError(`could not create the directory ${path}: ${cause.message}`, cause)
          })
      })
    )

  /** A file still being scanned is awaited: it cannot be downloaded before it is clean. */
  const clean = (file: Domain.FluidFile) =>
    Option.contains(file.scanStatus, "pending")
      ? Effect.asVoid(Steps.waitUntilClean(pull.transport, file.id, pull.scanSchedule))
      : Effect.void

  const downloadOne = ({ path, file }: Download): Stream.Stream<Event> =>
    Execute.reporting((report) => {
      const target = localPath(pull, path)
      return clean(file).pipe(
        Effect.zipRight(
          pull.downloadTo(file.id, target, {
            retry: pull.options.retry,
            resume: pull.options.resume,
            onProgress: (event) =>
              event._tag === "Progress"
                ? report(SyncEvent.Progress({ path, bytes: event.receivedBytes, size: event.totalBytes }))
                : Effect.void
          })
        ),
        Effect.tap((result) => Hashing.remember(pull.hashing, target, result.sha256)),
        Effect.map(
          (result): ReadonlyArray<Event> => [
            SyncEvent.Downloaded({ path, size: result.size, fileId: file.id, sha256: result.sha256 })
          ]
        ),
        Effect.catchAll((error) =>
          Effect.succeed<ReadonlyArray<Event>>([SyncEvent.Failed({ path, action: "download", error })])
        ),
        Effect.withSpan("FluidCloud.sync.pull.file", { attributes: { "fluidcloud.file_id": file.id } })
      )
    })

  const deleteOne = ({ path, size }: { readonly path: string; readonly size: number }): Effect.Effect<Event> =>
    fs.remove(localPath(pull, path)).pipe(
      Effect.match({
        onSuccess: () => SyncEvent.Deleted({ path, size, fileId: undefined }),
        onFailure: (cause) =>
          SyncEvent.Failed({
            path,
            action: "delete",
            error: pull.targetError(`could not remove ${path}: ${cause.message}`, cause)
          })
      })
    )

  return Execute.perDirectory(plan.directories, pull.jobs, makeDirectory).pipe(
    Stream.concat(
      Stream.suspend(() => Stream.flatMap(Stream.fromIterable(plan.downloads), downloadOne, { concurrency: pull.jobs }))
    ),
    Stream.concat(
      Stream.suspend(() => Stream.mapEffect(Stream.fromIterable(plan.deletions), deleteOne, { concurrency: pull.jobs }))
    )
  )
}
