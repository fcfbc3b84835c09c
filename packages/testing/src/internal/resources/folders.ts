/**
 * Folders: list, create, rename/move (with the cycle check), delete and restore. Listing and
 * trash are shared with files (`trash.ts`).
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { FolderRec, State } from "../state.js"
import * as Trash from "../trash.js"
import { checkObject, isRecord } from "../validation.js"
import * as View from "../views.js"
import { type ApiHandler, badRequest, invalid, json, readJson } from "../wire.js"
import * as Spaces from "./spaces.js"

const NAME_NO_SLASH = /^[^/]+$/

/** Folders as an item kind of the Space tree. @internal */
export const kind: Trash.ItemKind<FolderRec> = {
  items: (state) => state.folders,
  idParam: "folder_id",
  parentField: "parent_id",
  parentOf: (folder) => folder.parentId,
  setParent: (folder, id) => {
    folder.parentId = id
  },
  nameSpec: { kind: "string", minLength: 1, maxLength: 255, pattern: NAME_NO_SLASH },
  checkMove: (state, folder, target) => {
    // the destination must not be the folder itself or below it
    let cursor: FolderRec | undefined = target
    while (cursor !== undefined) {
      if (cursor.id === folder.id) return badRequest("folder_cycle")
      cursor = cursor.parentId === null ? undefined : state.folders.get(cursor.parentId)
    }
    return Effect.void
  },
  toJson: View.folder
}

/** @internal */
export const handlers = (state: State) => {
  const items = Trash.handlers(state, kind)

  const createFolder: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        name: { kind: "string", required: true, minLength: 1, maxLength: 255, pattern: NAME_NO_SLASH },
        space_id: { kind: "uuid", required: true },
        parent_id: { kind: "uuid", nullable: true }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const space = yield* Spaces.find(state, ctx.tenant.id, String(body.space_id))
      const parentId = typeof body.parent_id === "string" ? body.parent_id : null
      yield* Trash.requireFolderIn(state, ctx.tenant.id, space.id, parentId)
      const folder: FolderRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        spaceId: space.id,
        parentId,
        name: String(body.name),
        deletedAt: null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      state.folders.set(folder.id, folder)
      return json(201, View.folder(folder))
    })

  return {
    listFolders: items.list,
    createFolder,
    updateFolder: items.update,
    deleteFolder: items.remove,
    restoreFolder: items.restore
  }
}
