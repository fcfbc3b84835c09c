/**
 * The client's methods: each one picks its operation from the table, gives it its input in wire
 * names (checked and encoded by the transport before anything is sent), and maps the decoded
 * result to what the method returns. Everything is built once, here, when the layer is built.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Path from "@effect/platform/Path"
import { Effect, Option, Redacted, Stream } from "effect"
import { UploadCheckpoints } from "../Checkpoints.js"
import type * as Domain from "../Domain.js"
import type { Options, Service } from "../FluidCloud.js"
import * as Download from "./download.js"
import * as DownloadTo from "./downloadTo.js"
import * as Hash from "./hash.js"
import { operations } from "./operations.js"
import * as Resume from "./resume.js"
import * as Steps from "./steps.js"
import * as HashCache from "./sync/hashCache.js"
import type * as Sync from "./sync/sync.js"
import * as Transport from "./transport/transport.js"
import * as Upload from "./upload.js"

/** A query flag: sent as `true` when set, left out otherwise (the service's default is `false`). */
const flag = (value: boolean | undefined): true | undefined => (value === true ? true : undefined)

/** @internal */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const transport = yield* Transport.make(options)
    const { execute } = transport
    const fileSystem = yield* Effect.serviceOption(FileSystem.FileSystem)
    const sha256 = yield* Hash.make
    const partBufferLimit = yield* Upload.PartBufferLimit
    const checkpoints = yield* Effect.serviceOption(UploadCheckpoints)
    const uploader = Upload.make({ transport, fileSystem, sha256, partBufferLimit, checkpoints })
    const downloader = Download.make({ transport, sha256 })
    const downloadTo = DownloadTo.make({ engine: downloader, fileSystem, sha256 })
    // the HashCache in context, else one in the checkpoint store, else one in memory
    const cache = yield* Option.match(yield* Effect.serviceOption(HashCache.HashCache), {
      onNone: () =>
        Option.match(checkpoints, {
          onNone: () => HashCache.makeMemory,
          onSome: (store) => Effect.succeed(HashCache.fromCheckpoints(store))
        }),
      onSome: Effect.succeed
    })
    const syncDependencies: Sync.Dependencies = {
      transport,
      uploader,
      downloadTo,
      fileSystem,
      path: yield* Effect.serviceOption(Path.Path),
      sha256,
      cache,
      resumable: Option.isSome(checkpoints)
    }
    // The sync engine (and its glob compiler) is loaded on the first sync call: an application that
    // never syncs, a browser app for one, neither parses nor (with a bundler that splits on
    // dynamic imports) downloads it. Loaded once per client.
    const syncEngine = yield* Effect.cached(
      Effect.map(
        Effect.promise(() => import("./sync/sync.js")),
        (module) => module.make(syncDependencies)
      )
    )
    const sync: Service["sync"] = {
      push: (localDir, target, options) =>
        Stream.unwrap(Effect.map(syncEngine, (engine) => engine.push(localDir, target, options))),
      pull: (target, localDir, options) =>
        Stream.unwrap(Effect.map(syncEngine, (engine) => engine.pull(target, localDir, options)))
    }

    const spaces: Service["spaces"] = {
      list: Effect.fn("FluidCloud.spaces.list")(function* () {
        return yield* execute(operations.listSpaces, undefined)
      }),
      create: Effect.fn("FluidCloud.spaces.create")(function* (name) {
        return yield* execute(operations.createSpace, { body: { name } })
      })
    }

    const folders: Service["folders"] = {
      list: Effect.fn("FluidCloud.folders.list")(function* (spaceId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.space_id", spaceId)
        return yield* execute(operations.listFolders, {
          query: { space_id: spaceId, parent_id: options?.parentId, trash: flag(options?.trash) }
        })
      }),
      create: Effect.fn("FluidCloud.folders.create")(function* (name, spaceId, options) {
        return yield* execute(operations.createFolder, {
          body: { name, space_id: spaceId, parent_id: options?.parentId }
        })
      }),
      rename: Effect.fn("FluidCloud.folders.rename")(function* (folderId, name) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* execute(operations.updateFolder, { path: { folder_id: folderId }, body: { name } })
      }),
      move: Effect.fn("FluidCloud.folders.move")(function* (folderId, parentId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* execute(operations.updateFolder, { path: { folder_id: folderId }, body: { parent_id: parentId } })
      }),
      delete: Effect.fn("FluidCloud.folders.delete")(function* (folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* execute(operations.deleteFolder, { path: { folder_id: folderId } })
      }),
      restore: Effect.fn("FluidCloud.folders.restore")(function* (folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.folder_id", folderId)
        return yield* execute(operations.restoreFolder, { path: { folder_id: folderId } })
      })
    }

    const files: Service["files"] = {
      upload: uploader.upload,
      uploadStream: uploader.uploadStream,
      list: Effect.fn("FluidCloud.files.list")(function* (spaceId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.space_id", spaceId)
        return yield* execute(operations.listFiles, {
          query: { space_id: spaceId, folder_id: options?.folderId, trash: flag(options?.trash) }
        })
      }),
      get: Effect.fn("FluidCloud.files.get")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* Steps.getFile(transport, fileId)
      }),
      resolve: Effect.fn("FluidCloud.files.resolve")(function* (clientKey) {
        return yield* execute(operations.resolveFile, { query: { client_key: clientKey } })
      }),
      rename: Effect.fn("FluidCloud.files.rename")(function* (fileId, name) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* execute(operations.updateFile, { path: { file_id: fileId }, body: { name } })
      }),
      move: Effect.fn("FluidCloud.files.move")(function* (fileId, folderId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* execute(operations.updateFile, { path: { file_id: fileId }, body: { folder_id: folderId } })
      }),
      delete: Effect.fn("FluidCloud.files.delete")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* Steps.deleteFile(transport, fileId)
      }),
      restore: Effect.fn("FluidCloud.files.restore")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* execute(operations.restoreFile, { path: { file_id: fileId } })
      }),
      downloadUrl: Effect.fn("FluidCloud.files.downloadUrl")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        const download = yield* execute(operations.getDownloadUrl, { path: { file_id: fileId } })
        return download.url
      }),
      publicUrl: Effect.fn("FluidCloud.files.publicUrl")(function* (fileId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* Steps.createShare(transport, { file_id: fileId })
      }),
      signedUrl: Effect.fn("FluidCloud.files.signedUrl")(function* (fileId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* Steps.createShare(transport, {
          file_id: fileId,
          expires_in_days: options?.expiresInDays ?? 7,
          permission: options?.permission ?? "view",
          max_downloads: options?.maxDownloads,
          password: options?.password === undefined ? undefined : Redacted.value(options.password)
        })
      }),
      waitUntilClean: Effect.fn("FluidCloud.files.waitUntilClean")(function* (fileId, options) {
        yield* Effect.annotateCurrentSpan("fluidcloud.file_id", fileId)
        return yield* Steps.waitUntilClean(transport, fileId, options?.schedule)
      }),
      download: (fileId, options = {}) =>
        Stream.unwrap(
          Effect.map(downloader.prepare(fileId, options.range), (prepared) => downloader.bytes(prepared, options))
        ).pipe(
          Stream.withSpan("FluidCloud.files.download", {
            attributes: {
              "fluidcloud.file_id": fileId,
              ...(options.range === undefined ? {} : { "fluidcloud.range.offset": options.range.offset }),
              ...(options.range?.length === undefined ? {} : { "fluidcloud.range.length": options.range.length })
            }
          })
        ),
      downloadTo: Effect.fn("FluidCloud.files.downloadTo")(function* (fileId, path, options) {
        yield* Effect.annotateCurrentSpan({
          "fluidcloud.file_id": fileId,
          "fluidcloud.resume": options?.resume === true
        })
        return yield* downloadTo(fileId, path, options)
      })
    }

    const uploads: Service["uploads"] = {
      abort: Effect.fn("FluidCloud.uploads.abort")(function* (uploadId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.upload_id", uploadId)
        yield* Steps.abortUpload(transport, uploadId)
        // its local checkpoint, if any, would only lead a resumed run to a gone upload
        const store = yield* Resume.store(checkpoints)
        if (Option.isSome(store)) yield* Resume.forget(store.value, uploadId)
      })
    }

    const shares: Service["shares"] = {
      list: Effect.fn("FluidCloud.shares.list")(function* (options) {
        return yield* execute(operations.listShares, {
          query: { file_id: options?.fileId, include_inactive: flag(options?.includeInactive) }
        })
      }),
      revoke: Effect.fn("FluidCloud.shares.revoke")(function* (shareId: Domain.ShareId) {
        yield* Effect.annotateCurrentSpan("fluidcloud.share_id", shareId)
        return yield* execute(operations.revokeShare, { path: { share_id: shareId } })
      })
    }

    const quota: Service["quota"] = {
      usage: Effect.fn("FluidCloud.quota.usage")(function* () {
        return yield* execute(operations.getQuota, undefined)
      })
    }

    return { spaces, folders, files, uploads, shares, quota, sync }
  })
