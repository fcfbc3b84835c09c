/**
 * Files: list, resolve by client key, get, rename/move, delete, restore, and the presigned
 * download URL. Listing and trash are shared with folders (`trash.ts`); files are created by
 * uploads (`uploads.ts`).
 *
 * @internal
 */
import { Effect } from "effect"
import * as Signing from "../signing.js"
import type { FileRec, State } from "../state.js"
import * as Trash from "../trash.js"
import * as View from "../views.js"
import { type ApiFailure, type ApiHandler, checkQuery, fail, iso, json, notFound, param } from "../wire.js"

/** Files as an item kind of the Space tree. @internal */
export const kind: Trash.ItemKind<FileRec> = {
  items: (state) => state.files,
  idParam: "file_id",
  parentField: "folder_id",
  parentOf: (file) => file.folderId,
  setParent: (file, id) => {
    file.folderId = id
  },
  nameSpec: { kind: "string", minLength: 1, maxLength: 255 },
  checkMove: () => Effect.void,
  toJson: View.file
}

/** Whether a file's content can be reached: not in trash and not hidden below a folder in trash. @internal */
export const contentReachable = (state: State, file: FileRec): boolean =>
  file.deletedAt === null && !Trash.hidden(state, kind, file)

/** The tenant's file, live and not hidden, else 404. @internal */
export const readable = (state: State, tenantId: string, id: string): Effect.Effect<FileRec, ApiFailure> =>
  Trash.find(state, kind, tenantId, id).pipe(Effect.filterOrElse((f) => f.deletedAt === null, notFound))

/** 409 unless the file is scanned clean (`file_infected`, or `file_not_ready` while pending or errored). @internal */
export const requireClean = (file: FileRec): Effect.Effect<void, ApiFailure> =>
  file.scanStatus === "clean"
    ? Effect.void
    : fail(409, { detail: file.scanStatus === "infected" ? "file_infected" : "file_not_ready" })

/** @internal */
export const handlers = (state: State) => {
  const items = Trash.handlers(state, kind)

  const resolveFile: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      yield* checkQuery(ctx.url, { client_key: { kind: "string", required: true, minLength: 1, maxLength: 1024 } })
      const clientKey = ctx.url.searchParams.get("client_key")
      let found: FileRec | undefined
      for (const f of state.files.values()) {
        if (f.tenantId !== ctx.tenant.id || f.clientKey !== clientKey || !contentReachable(state, f)) continue
        if (found === undefined || f.createdAt >= found.createdAt) found = f
      }
      return found === undefined ? yield* notFound() : json(200, View.file(found))
    })

  const getFile: ApiHandler = (ctx) =>
    Effect.map(Trash.find(state, kind, ctx.tenant.id, param(ctx, "file_id")), (file) => json(200, View.file(file)))

  const getDownloadUrl: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const file = yield* readable(state, ctx.tenant.id, param(ctx, "file_id"))
      yield* requireClean(file)
      const expiresAt = ctx.now + state.config.downloadTtlMs
      return json(200, {
        url: Signing.signedUrl(state.config, `/storage/files/${file.id}`, expiresAt),
        expires_at: iso(Math.floor(expiresAt / 1000) * 1000)
      })
    })

  return {
    listFiles: items.list,
    resolveFile,
    getFile,
    updateFile: items.update,
    deleteFile: items.remove,
    restoreFile: items.restore,
    getDownloadUrl
  }
}
