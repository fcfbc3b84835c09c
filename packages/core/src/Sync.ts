/**
 * Options, events and errors of `sync.push` and `sync.pull`: mirror a local directory tree into a
 * Space folder and back, like `aws s3 sync` or `rclone sync`. Both are a `Stream` of `SyncEvent`s:
 * what is planned, then each file uploaded, downloaded, skipped or deleted, warnings, and
 * per-file failures (a failed file never stops the others), ending with a `Summary`.
 *
 * @example
 * ```ts
 * import { Console, Effect, Stream } from "effect"
 * import { type Domain, FluidCloud, Sync } from "@fluidcloud/core"
 *
 * const publish = (spaceId: Domain.SpaceId) =>
 *   Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
 *     fc.sync.push("./out", { spaceId, path: "results/job-7" }, { exclude: ["**\/*.tmp"], delete: true }).pipe(
 *       Stream.runForEach((event) =>
 *         Sync.SyncEvent.$is("Failed")(event)
 *           ? Console.error(`${event.path}: ${event.error.message}`)
 *           : Sync.SyncEvent.$is("Summary")(event)
 *             ? Console.log(`${event.uploaded} uploaded, ${event.skipped} unchanged`)
 *             : Effect.void
 *       )
 *     )
 *   )
 * ```
 * @since 0.2.0
 */
import { type Data, type Effect, Layer, type Option, type Schedule } from "effect"
import type { FileId, FluidFile, FolderId, SpaceId } from "./Domain.js"
import type { DownloadToError } from "./Download.js"
import type * as Errors from "./Errors.js"
import * as Events from "./internal/sync/events.js"
import * as internal from "./internal/sync/hashCache.js"
import type { UploadError } from "./Upload.js"

/**
 * The remote side of a sync: a Space, a folder in it (the Space root when absent), and optionally
 * a `/`-separated path of folder names below that folder (`"results/job-7"`). `sync.push` creates
 * the folders of `path` that are missing (not in a dry run); for `sync.pull` they must exist
 * (`NotFoundError` otherwise). When a folder holds several live folders of one name, the newest
 * is used.
 *
 * @since 0.2.0
 * @category models
 */
export interface SyncTarget {
  readonly spaceId: SpaceId
  readonly folderId?: FolderId | undefined
  readonly path?: string | undefined
}

/**
 * Options of both directions.
 *
 * Globs are matched (picomatch, with `dot: true`) against each file's relative, `/`-separated
 * path (`photos/2024/a.png`, so `*.png` matches top-level files only and `**\/*.png` every one):
 * a file is included when no `include` is given or one matches, then dropped when an `exclude`
 * matches. A directory (local) or folder (remote) whose relative path an `exclude` matches is
 * left out with everything under it (`node_modules`, `node_modules/**`). Files left out are never
 * compared, transferred or deleted.
 *
 * @since 0.2.0
 * @category models
 */
export interface SyncOptions {
  /** Globs of the files to include (default: every file). */
  readonly include?: ReadonlyArray<string> | undefined
  /** Globs of the files (and directories) to leave out. */
  readonly exclude?: ReadonlyArray<string> | undefined
  /**
   * Also delete on the destination the files absent from the source: push moves the remote
   * files to the trash (restorable), pull removes the local files. Folders and directories are
   * never deleted.
   */
  readonly delete?: boolean | undefined
  /**
   * Only plan: list the source and the destination, compare, and emit `Planned` and `Skipped`
   * events and the `Summary`, sending no write request and writing nothing locally.
   */
  readonly dryRun?: boolean | undefined
  /** Files transferred (or deleted) at once: 1 to 64, default 4. */
  readonly jobs?: number | undefined
  /**
   * Follow symbolic links to files and directories (a link that loops, loops back to a directory
   * it is in, or leads nowhere is skipped with a warning). Default `false`: each link is skipped
   * with a `Warning` (`reason: "symlink"`) and left alone (never replaced or deleted).
   */
  readonly followSymlinks?: boolean | undefined
  /** The retry schedule of each transfer (part PUTs, storage GETs); defaults to the client's. */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * Push: each upload is resumable (`files.upload`'s `resume`): a file that fails or is
   * interrupted keeps its upload on the server and its checkpoint, and the next push sends only
   * its missing parts. Needs an `UploadCheckpoints` store in the client's context
   * (`NodeFluidCloud.layer` has one); without it the run fails with `ValidationError` before
   * anything is sent. Pull: a `.part` left by an interrupted download is continued
   * (`files.downloadTo`'s `resume`). Default `false`.
   */
  readonly resume?: boolean | undefined
}

/**
 * Options of `sync.push`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PushOptions extends SyncOptions {
  /** Parts of one file uploaded at once: 1 to 64, default 4. */
  readonly concurrency?: number | undefined
  /**
   * Each uploaded file's client key is its relative `/`-separated path, under this prefix when
   * given (`"results/job-7"` → `results/job-7/out/a.png`).
   */
  readonly clientKeyPrefix?: string | undefined
}

/**
 * Options of `sync.pull`.
 *
 * @since 0.2.0
 * @category models
 */
export interface PullOptions extends SyncOptions {
  /**
   * How long to wait for a file still being scanned before downloading it (default:
   * `FluidCloud.defaultScanSchedule`, up to about two minutes). An infected file, or one still
   * pending when it ends, is a `Failed` event with a `ConflictError`.
   */
  readonly scanSchedule?: Schedule.Schedule<unknown, unknown> | undefined
}

/**
 * What a sync does to one path: `upload` (push), `download` (pull), `delete` (a remote file to
 * trash on push, a local file on pull) or `folder` (a remote folder created on push, a local
 * directory on pull).
 *
 * @since 0.2.0
 * @category models
 */
export type SyncAction = "upload" | "download" | "delete" | "folder"

/**
 * Why a path was skipped with a warning:
 * - `symlink`: a symbolic link, not followed (see `followSymlinks`), or, followed, one that loops
 *   or leads nowhere;
 * - `duplicate`: several live files (or folders) of one name in a folder: the newest counts, the
 *   others are left alone;
 * - `unsafeName`: a remote name that cannot be a local file name (`..`, a `/`, a `\`, a NUL): not
 *   pulled; a local name with a `\` (which a pull would never write back): not pushed, and left
 *   alone by a pull's `delete`;
 * - `conflict`: a remote folder and a remote file of one name, which cannot both exist locally
 *   (the folder wins); a remote file `x` beside a remote `x.part`, the name `x`'s download is
 *   written to until verified (`x.part` is pulled, `x` is not); a folder a server lists in two
 *   places of the tree (a cycle: walked once);
 * - `unsupported`: not a regular file or directory (a socket, a FIFO, a device).
 *
 * @since 0.2.0
 * @category models
 */
export type WarningReason = "symlink" | "duplicate" | "unsafeName" | "conflict" | "unsupported"

/**
 * The errors a single file's action can fail with (a `Failed` event): those of an upload and of a
 * download to a file. A local file or directory that could not be read is a `SourceError`
 * (push) or a `TargetError` (pull).
 *
 * @since 0.2.0
 * @category models
 */
export type SyncFileError = UploadError | DownloadToError

/**
 * Totals of a sync, in its last event. In a dry run, `uploaded`, `downloaded`, `deleted` and
 * `folders` count what would be done.
 *
 * @since 0.2.0
 * @category models
 */
export interface SyncSummary {
  readonly direction: "push" | "pull"
  readonly dryRun: boolean
  readonly uploaded: number
  readonly downloaded: number
  readonly skipped: number
  readonly deleted: number
  readonly folders: number
  readonly failed: number
  readonly warnings: number
  /** Bytes uploaded or downloaded (planned, in a dry run). */
  readonly bytes: number
}

/**
 * The events of a sync, in this order: `Warning`s found while listing, one `Planned` per action
 * and one `Skipped` per unchanged file; then, as the work is done (files at once, so
 * interleaved), `FolderCreated`, `Progress`, `Uploaded`, `Downloaded`, `Deleted`, `Warning` and
 * `Failed`; last, one `Summary`. A dry run emits no event of the work. Every `path` is relative
 * to the synced directory (and the target folder), `/`-separated.
 *
 * @since 0.2.0
 * @category models
 */
export type SyncEvent = Data.TaggedEnum<{
  /** An action the sync will take (or would, in a dry run); `fileId` is the remote file concerned. */
  readonly Planned: {
    readonly action: SyncAction
    readonly path: string
    readonly size: number | undefined
    readonly fileId: FileId | undefined
  }
  /** A folder (push) or directory (pull) was created; `folderId` is the remote folder's. */
  readonly FolderCreated: { readonly path: string; readonly folderId: FolderId | undefined }
  /** Bytes of one file transferred so far (at least once per part, or every 100 ms). */
  readonly Progress: { readonly path: string; readonly bytes: number; readonly size: number }
  /**
   * A file was uploaded. `replaced` is the live file of that name it replaced, which was then
   * moved to the trash (restorable).
   */
  readonly Uploaded: {
    readonly path: string
    readonly size: number
    readonly file: FluidFile
    readonly replaced: FileId | undefined
  }
  /** A file was downloaded, verified by its sha256, and renamed into place. */
  readonly Downloaded: {
    readonly path: string
    readonly size: number
    readonly fileId: FileId
    readonly sha256: string
  }
  /** A file is the same on both sides (name, size and sha256): nothing to do. */
  readonly Skipped: { readonly path: string; readonly size: number; readonly fileId: FileId }
  /** A file absent from the source was deleted: moved to the trash (push) or removed (pull). */
  readonly Deleted: { readonly path: string; readonly size: number | undefined; readonly fileId: FileId | undefined }
  /** A path left alone, and why. */
  readonly Warning: { readonly path: string; readonly reason: WarningReason; readonly detail: string }
  /**
   * One action failed; the others go on. `read`: a local file or directory could not be read
   * (a directory's remote counterpart is then never deleted).
   */
  readonly Failed: { readonly path: string; readonly action: SyncAction | "read"; readonly error: SyncFileError }
  /** The last event. */
  readonly Summary: SyncSummary
}>

/**
 * Constructors, guards and matchers for `SyncEvent`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const SyncEvent = Events.SyncEvent

/**
 * What stops a whole `sync.push` (a stream failure, not an event): bad options or target
 * (`ValidationError`), a local directory that is missing or unreadable, or no `FileSystem` /
 * `Path` in the client's context (`SourceError`), a target folder that does not exist
 * (`NotFoundError`), and the errors of listing the remote tree or creating the target `path`.
 *
 * @since 0.2.0
 * @category models
 */
export type PushError =
  | Errors.AuthError
  | Errors.PermissionError
  | Errors.NotFoundError
  | Errors.RateLimitError
  | Errors.ApiError
  | Errors.TransportError
  | Errors.DecodeError
  | Errors.ValidationError
  | Errors.SourceError

/**
 * What stops a whole `sync.pull`: as `PushError`, with a `TargetError` for a local directory
 * that cannot be created or read, or no `FileSystem` / `Path` in the client's context.
 *
 * @since 0.2.0
 * @category models
 */
export type PullError = Exclude<PushError, Errors.SourceError> | Errors.TargetError

/**
 * What identifies a local file's content for the hash cache: its absolute path, size and
 * modification time (milliseconds).
 *
 * @since 0.2.0
 * @category models
 */
export interface HashKey {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
}

/**
 * A store of local files' sha256s, so that an unchanged tree is not hashed again on every sync: a
 * hash is used only while the file's path, size and modification time are those it was stored
 * with. Neither operation fails: a store that cannot be read is a miss, one that cannot be
 * written is ignored.
 *
 * @since 0.2.0
 * @category models
 */
export interface HashCacheService {
  /** The sha256 stored for this path, if its size and modification time are `key`'s. */
  readonly get: (key: HashKey) => Effect.Effect<Option.Option<string>>
  /** Stores the sha256 of the file at `key.path` as of `key`'s size and modification time. */
  readonly set: (key: HashKey, sha256: string) => Effect.Effect<void>
}

/**
 * The hash cache of `sync.push` and `sync.pull`, read from the context the client is built in
 * (like `FileSystem`). Without one, the client keeps the hashes in its `UploadCheckpoints` store
 * when it has one (`NodeFluidCloud.layer` gives it the user's state directory, so the next run does
 * not hash an unchanged tree again), else in memory, for its lifetime.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { FluidCloud, Sync } from "@fluidcloud/core"
 *
 * // one cache shared by two clients
 * const cache = Sync.layerHashCacheMemory
 * const client = (apiKey: string) =>
 *   FluidCloud.layer({ apiKey: Redacted.make(apiKey) }).pipe(Layer.provide(cache))
 * ```
 * @since 0.2.0
 * @category tags
 */
export const HashCache = internal.HashCache

/**
 * The type of the `HashCache` tag.
 *
 * @since 0.2.0
 * @category tags
 */
export type HashCache = internal.HashCache

/**
 * A hash cache in memory, empty when made.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeHashCacheMemory: Effect.Effect<HashCacheService> = internal.makeMemory

/**
 * A layer of `makeHashCacheMemory`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHashCacheMemory: Layer.Layer<HashCache> = Layer.effect(internal.HashCache, makeHashCacheMemory)
