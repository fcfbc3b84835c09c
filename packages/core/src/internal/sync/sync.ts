/**
 * The client's `sync` namespace: checks the input, finds the platform's `FileSystem` and `Path`,
 * resolves the target folder, lists both trees at once, then plans (`push.ts` / `pull.ts`) and,
 * unless it is a dry run, does the work; every event is counted into the final `Summary`.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Option, Stream } from "effect"
import type * as Domain from "../../Domain.js"
import * as Errors from "../../Errors.js"
import type { Service } from "../../FluidCloud.js"
import type { HashCacheService, SyncOptions, SyncTarget } from "../../Sync.js"
import type * as DownloadTo from "../downloadTo.js"
import type * as Hash from "../hash.js"
import type { Transport } from "../transport/transport.js"
import type { Uploader } from "../upload.js"
import * as Check from "../validation.js"
import * as Execute from "./execute.js"
import * as Filter from "./filter.js"
import * as Local from "./local.js"
import * as Pull from "./pull.js"
import * as Push from "./push.js"
import * as Remote from "./remote.js"

/** What the sync engine needs, built once with the client. @internal */
export interface Dependencies {
  readonly transport: Transport
  readonly uploader: Uploader
  readonly downloadTo: ReturnType<typeof DownloadTo.make>
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly path: Option.Option<Path.Path>
  readonly sha256: Hash.Sha256Factory
  readonly cache: HashCacheService
  /** Whether the client has an `UploadCheckpoints` store (what `resume` needs on a push). */
  readonly resumable: boolean
}

const checks = {
  spaceId: Check.check(Check.SpaceId, "spaceId"),
  folderId: Check.check(Check.FolderId, "folderId"),
  folderName: Check.check(Check.FolderName, "path"),
  clientKeyPrefix: Check.check(Check.ClientKey, "clientKeyPrefix"),
  jobs: Check.check(Check.integerIn(1, Execute.MAX_JOBS, `must be an integer from 1 to ${Execute.MAX_JOBS}`), "jobs"),
  concurrency: Check.check(Check.integerIn(1, 64, "must be an integer from 1 to 64"), "concurrency")
}

const optional = <A>(value: A | undefined, check: (a: A) => Effect.Effect<void, Errors.ValidationError>) =>
  value === undefined ? Effect.void : check(value)

/** Checks what both directions take, before anything is read or sent; the compiled filter. */
const validate = (localDir: string, target: SyncTarget, options: SyncOptions) =>
  Effect.gen(function* () {
    if (typeof localDir !== "string" || localDir.length === 0) {
      return yield* new Errors.ValidationError({ field: "localDir", description: "must be a non-empty path" })
    }
    yield* checks.spaceId(target.spaceId)
    yield* optional(target.folderId, checks.folderId)
    for (const name of (target.path ?? "").split("/").filter((name) => name !== "")) yield* checks.folderName(name)
    yield* optional(options.jobs, checks.jobs)
    return yield* Filter.make(options.include, options.exclude)
  })

const noPlatform = "needs a FileSystem and a Path: provide NodeFluidCloud.layer (or @effect/platform's) to the client"

const isNotFound = (error: PlatformError.PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "NotFound"

/** @internal */
export const make = (deps: Dependencies): Service["sync"] => {
  const { transport } = deps
  const platform = Option.all({ fs: deps.fileSystem, path: deps.path })
  /** Hashing through the cache; a dry run reads it but stores nothing (it writes nothing locally). */
  const hashingWith = (fs: FileSystem.FileSystem, dryRun: boolean) => ({
    fs,
    sha256: deps.sha256,
    cache: dryRun ? { get: deps.cache.get, set: () => Effect.void } : deps.cache
  })
  const emptyTree = (root: Domain.FolderId | undefined): Remote.RemoteTree => ({
    folders: new Map([["", root]]),
    files: new Map(),
    unsafe: [],
    events: []
  })
  const sourceError = (description: string, cause?: unknown) =>
    new Errors.SourceError(cause === undefined ? { description } : { description, cause })
  const targetError = (description: string, cause?: unknown) =>
    new Errors.TargetError(cause === undefined ? { description } : { description, cause })
  const attributes = (target: SyncTarget, options: SyncOptions) => ({
    "fluidcloud.space_id": target.spaceId,
    "fluidcloud.dry_run": options.dryRun === true,
    "fluidcloud.delete": options.delete === true
  })

  const push: Service["sync"]["push"] = (localDir, target, options = {}) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const filter = yield* validate(localDir, target, options)
        yield* optional(options.concurrency, checks.concurrency)
        if (options.resume === true && !deps.resumable) {
          return yield* new Errors.ValidationError({
            field: "resume",
            description:
              "needs an UploadCheckpoints store in the client's context (NodeFluidCloud.layer has one, or Checkpoints.layerMemory)"
          })
        }
        if (options.clientKeyPrefix !== undefined && options.clientKeyPrefix !== "") {
          yield* checks.clientKeyPrefix(options.clientKeyPrefix)
        }
        const { fs, path } = yield* Option.match(platform, {
          onNone: () => Effect.fail(sourceError(`sync.push ${noPlatform}`)),
          onSome: Effect.succeed
        })
        const root = path.resolve(localDir)
        const info = yield* Effect.mapError(fs.stat(root), (cause) =>
          sourceError(
            isNotFound(cause) ? `no such directory: ${localDir}` : `could not read ${localDir}: ${cause.message}`,
            cause
          )
        )
        if (info.type !== "Directory") return yield* sourceError(`not a directory: ${localDir}`)
        const dryRun = options.dryRun === true
        const remote = { transport, spaceId: target.spaceId }
        const resolved = yield* Remote.resolveTarget(remote, target.folderId, target.path, dryRun ? "plan" : "create")
        const walk = { fs, path, filter, followSymlinks: options.followSymlinks === true, problem: sourceError }
        const [local, tree] = yield* Effect.all(
          [
            Local.walk(walk, root),
            resolved.missing.length > 0
              ? Effect.succeed(emptyTree(resolved.folderId))
              : Remote.walk(remote, resolved.folderId, filter)
          ],
          { concurrency: 2 }
        )
        if (local.unreadable.has("")) return yield* sourceError(`could not read the directory ${localDir}`)
        const run: Push.Push = {
          transport,
          uploader: deps.uploader,
          hashing: hashingWith(fs, dryRun),
          spaceId: target.spaceId,
          options,
          jobs: options.jobs ?? Execute.DEFAULT_JOBS,
          unreadable: sourceError
        }
        const plan = yield* Push.plan(run, local, tree)
        const planned = Stream.fromIterable(plan.events)
        return (dryRun ? planned : Stream.concat(planned, Push.execute(run, plan, tree))).pipe(
          Execute.summarized("push", dryRun)
        )
      })
    ).pipe(Stream.withSpan("FluidCloud.sync.push", { attributes: attributes(target, options) }))

  const pull: Service["sync"]["pull"] = (target, localDir, options = {}) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const filter = yield* validate(localDir, target, options)
        const { fs, path } = yield* Option.match(platform, {
          onNone: () => Effect.fail(targetError(`sync.pull ${noPlatform}`)),
          onSome: Effect.succeed
        })
        const root = path.resolve(localDir)
        const dryRun = options.dryRun === true
        const info = yield* fs.stat(root).pipe(
          Effect.map(Option.some),
          Effect.catchIf(isNotFound, () => Effect.succeedNone),
          Effect.mapError((cause) => targetError(`could not read ${localDir}: ${cause.message}`, cause))
        )
        if (Option.isSome(info) && info.value.type !== "Directory") {
          return yield* targetError(`not a directory: ${localDir}`)
        }
        const remote = { transport, spaceId: target.spaceId }
        const resolved = yield* Remote.resolveTarget(remote, target.folderId, target.path, "require")
        if (Option.isNone(info) && !dryRun) {
          yield* Effect.mapError(fs.makeDirectory(root, { recursive: true }), (cause) =>
            targetError(`could not create ${localDir}: ${cause.message}`, cause)
          )
        }
        const walk = { fs, path, filter, followSymlinks: options.followSymlinks === true, problem: targetError }
        const emptyLocal: Local.LocalTree = {
          directories: [],
          files: new Map(),
          untouchable: new Set(),
          unreadable: new Set(),
          events: []
        }
        const [local, tree] = yield* Effect.all(
          [
            Option.isNone(info) ? Effect.succeed(emptyLocal) : Local.walk(walk, root),
            Remote.walk(remote, resolved.folderId, filter)
          ],
          { concurrency: 2 }
        )
        if (local.unreadable.has("")) return yield* targetError(`could not read the directory ${localDir}`)
        const run: Pull.Pull = {
          transport,
          downloadTo: deps.downloadTo,
          hashing: hashingWith(fs, dryRun),
          fs,
          path,
          root,
          options,
          jobs: options.jobs ?? Execute.DEFAULT_JOBS,
          scanSchedule: options.scanSchedule,
          targetError
        }
        const plan = yield* Pull.plan(run, local, tree)
        const planned = Stream.fromIterable(plan.events)
        return (dryRun ? planned : Stream.concat(planned, Pull.execute(run, plan, tree))).pipe(
          Execute.summarized("pull", dryRun)
        )
      })
    ).pipe(Stream.withSpan("FluidCloud.sync.pull", { attributes: attributes(target, options) }))

  return { push, pull }
}
