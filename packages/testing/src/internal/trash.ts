/**
 * Folders and files alike: the two kinds of item of a Space's tree, and their trash. One
 * implementation serves both for visibility (items below a folder in trash are hidden: 404
 * everywhere, left out of listings), listing (live items of a folder, or the Space's trash),
 * rename/move (PATCH), soft delete and restore (to the Space root when the parent is not live).
 *
 * @internal
 */
import { Effect } from "effect"
import * as Spaces from "./resources/spaces.js"
import type { FolderRec, ItemRec, State } from "./state.js"
import { checkObject, type FieldSpec, isRecord } from "./validation.js"
import {
  type ApiContext,
  type ApiFailure,
  type ApiHandler,
  badRequest,
  checkQuery,
  invalid,
  json,
  notFound,
  param,
  queryFlag,
  readJson
} from "./wire.js"

/** Whether the folder `folderId` or one of its ancestors is in trash. @internal */
export const underTrash = (state: State, folderId: string | null): boolean => {
  let id = folderId
  let guard = 0
  while (id !== null && guard++ < 100_000) {
    const f = state.folders.get(id)
    if (f === undefined) return false
    if (f.deletedAt !== null) return true
    id = f.parentId
  }
  return false
}

/** A live folder of the tenant, not hidden: a valid listing scope or destination. @internal */
export const liveFolder = (state: State, tenantId: string, id: string): FolderRec | undefined => {
  const f = state.folders.get(id)
  if (f === undefined || f.tenantId !== tenantId || f.deletedAt !== null || underTrash(state, f.parentId))
    return undefined
  return f
}

/**
 * Check a folder given as a scope or destination in a Space: absent (`null`, the Space root) or a
 * live folder of that Space, else 404.
 *
 * @internal
 */
export const requireFolderIn = (
  state: State,
  tenantId: string,
  spaceId: string,
  folderId: string | null
): Effect.Effect<void, ApiFailure> => {
  if (folderId === null) return Effect.void
  const folder = liveFolder(state, tenantId, folderId)
  return folder === undefined || folder.spaceId !== spaceId ? notFound() : Effect.void
}

/** What differs between folders and files. @internal */
export interface ItemKind<R extends ItemRec> {
  readonly items: (state: State) => Map<string, R>
  /** The path parameter of the item's id. */
  readonly idParam: "folder_id" | "file_id"
  /** The wire name of the folder holding the item (in queries and PATCH bodies). */
  readonly parentField: "parent_id" | "folder_id"
  readonly parentOf: (item: R) => string | null
  readonly setParent: (item: R, folderId: string | null) => void
  /** The `name` field of PATCH bodies. */
  readonly nameSpec: FieldSpec
  /** Checks of a move into `target` beyond "live, same Space" (a folder cannot move into itself). */
  readonly checkMove: (state: State, item: R, target: FolderRec) => Effect.Effect<void, ApiFailure>
  readonly toJson: (item: R) => unknown
}

/** Whether an item that is not itself in trash sits below a folder that is (hidden). @internal */
export const hidden = <R extends ItemRec>(state: State, kind: ItemKind<R>, item: R): boolean =>
  item.deletedAt === null && underTrash(state, kind.parentOf(item))

/** The tenant's item by id, in trash or live but not hidden; else 404. @internal */
export const find = <R extends ItemRec>(
  state: State,
  kind: ItemKind<R>,
  tenantId: string,
  id: string
): Effect.Effect<R, ApiFailure> => {
  const item = kind.items(state).get(id)
  return item === undefined || item.tenantId !== tenantId || hidden(state, kind, item)
    ? notFound()
    : Effect.succeed(item)
}

/**
 * The list, rename/move, delete and restore handlers of a kind of item.
 *
 * @internal
 */
export const handlers = <R extends ItemRec>(state: State, kind: ItemKind<R>) => {
  /**
   * GET /folders and GET /files: the Space's items in trash (`trash=true`, the folder scope
   * ignored), or its live items directly in the scope folder (absent = the Space root), which
   * must be a live folder of that Space.
   */
  const list: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      yield* checkQuery(ctx.url, {
        space_id: { kind: "uuid", required: true },
        [kind.parentField]: { kind: "uuid" },
        trash: { kind: "bool" }
      })
      const space = yield* Spaces.find(state, ctx.tenant.id, ctx.url.searchParams.get("space_id") ?? "")
      const inSpace = [...kind.items(state).values()].filter((item) => item.spaceId === space.id)
      if (queryFlag(ctx.url, "trash")) {
        return json(200, inSpace.filter((item) => item.deletedAt !== null).map(kind.toJson))
      }
      const scope = ctx.url.searchParams.get(kind.parentField)
      yield* requireFolderIn(state, ctx.tenant.id, space.id, scope)
      return json(
        200,
        inSpace.filter((item) => kind.parentOf(item) === scope && item.deletedAt === null).map(kind.toJson)
      )
    })

  /** PATCH: rename and/or move (the presence of the parent key, even `null`, means "move"). */
  const update: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(
        body,
        { name: kind.nameSpec, [kind.parentField]: { kind: "uuid", nullable: true } },
        { forbidExtra: true, minProperties: 1 }
      )
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const item = yield* find(state, kind, ctx.tenant.id, param(ctx, kind.idParam))
      let destination: string | null | undefined
      if (kind.parentField in body) {
        const targetId = body[kind.parentField]
        if (typeof targetId === "string") {
          const target = liveFolder(state, ctx.tenant.id, targetId)
          if (target === undefined) return yield* notFound()
          if (target.spaceId !== item.spaceId) return yield* badRequest("cross_space_move")
          yield* kind.checkMove(state, item, target)
          destination = target.id
        } else {
          destination = null
        }
      }
      if (typeof body.name === "string") item.name = body.name
      if (destination !== undefined) kind.setParent(item, destination)
      item.updatedAt = ctx.now
      return json(200, kind.toJson(item))
    })

  /** DELETE: soft delete (idempotent). */
  const remove: ApiHandler = (ctx) =>
    Effect.map(find(state, kind, ctx.tenant.id, param(ctx, kind.idParam)), (item) => {
      if (item.deletedAt === null) {
        item.deletedAt = ctx.now
        item.updatedAt = ctx.now
      }
      return json(200, kind.toJson(item))
    })

  /** POST …/restore: back from trash, to the Space root when the parent is not live (idempotent). */
  const restore: ApiHandler = (ctx: ApiContext) =>
    Effect.map(find(state, kind, ctx.tenant.id, param(ctx, kind.idParam)), (item) => {
      if (item.deletedAt !== null) {
        item.deletedAt = null
        const parent = kind.parentOf(item)
        if (parent !== null && liveFolder(state, item.tenantId, parent) === undefined) kind.setParent(item, null)
        item.updatedAt = ctx.now
      }
      return json(200, kind.toJson(item))
    })

  return { list, update, remove, restore }
}
