/**
 * The remote side of a sync: the target folder (with a path of folder names below it, found or,
 * on push, created), and a walk of its tree through the operation table (`GET /folders` and
 * `GET /files` per folder), collecting live folders and ready files by relative `/`-separated
 * path. When a folder holds several live files (or folders) of one name, the newest counts and a
 * warning names the others. Names that cannot be local file names are set apart.
 *
 * @internal
 */
import { DateTime, Effect, Option } from "effect"
import type * as Domain from "../../Domain.js"
import * as Errors from "../../Errors.js"
import { operations } from "../operations.js"
import type { Transport } from "../transport/transport.js"
import { type PathEvent, SyncEvent } from "./events.js"
import type { Filter } from "./filter.js"
import { byPath, join } from "./local.js"

/** @internal */
export interface RemoteTree {
  /** Every folder by relative path, the target itself as `""` (`undefined`: the Space root). */
  readonly folders: ReadonlyMap<string, Domain.FolderId | undefined>
  /** The file that counts for each relative path. */
  readonly files: ReadonlyMap<string, Domain.FluidFile>
  /** Folders and files whose names cannot be local names (`..`, a `/`, a NUL, ...): path and kind. */
  readonly unsafe: ReadonlyArray<{ readonly path: string; readonly kind: "folder" | "file" }>
  readonly events: ReadonlyArray<PathEvent>
}

/** What the walk reads with. @internal */
export interface Remote {
  readonly transport: Transport
  readonly spaceId: Domain.SpaceId
}

const listFolders = (remote: Remote, parentId: Domain.FolderId | undefined) =>
  remote.transport.execute(operations.listFolders, {
    query: { space_id: remote.spaceId, parent_id: parentId, trash: undefined }
  })

const listFiles = (remote: Remote, folderId: Domain.FolderId | undefined) =>
  remote.transport.execute(operations.listFiles, {
    query: { space_id: remote.spaceId, folder_id: folderId, trash: undefined }
  })

/** A name that cannot be created as one local path segment. @internal */
export const isUnsafeName = (name: string): boolean =>
  name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\\") || name.includes("\0")

const createdAt = (item: { readonly createdAt: Option.Option<DateTime.Utc> }): number =>
  Option.match(item.createdAt, { onNone: () => Number.NEGATIVE_INFINITY, onSome: DateTime.toEpochMillis })

/**
 * The newest item of each name (by `createdAt`, then id), and a warning for each name held by
 * several.
 */
const newestByName = <A extends { readonly id: string; readonly createdAt: Option.Option<DateTime.Utc> }>(
  items: ReadonlyArray<A>,
  nameOf: (a: A) => string,
  parent: string,
  noun: string,
  events: Array<PathEvent>
): Map<string, A> => {
  const groups = new Map<string, Array<A>>()
  for (const item of items) {
    const group = groups.get(nameOf(item))
    if (group === undefined) groups.set(nameOf(item), [item])
    else group.push(item)
  }
  const chosen = new Map<string, A>()
  for (const [name, group] of groups) {
    group.sort((a, b) => createdAt(b) - createdAt(a) || byPath(b.id, a.id))
    const [newest, ...others] = group
    if (newest === undefined) continue
    chosen.set(name, newest)
    if (others.length > 0) {
      events.push(
        SyncEvent.Warning({
          path: join(parent, name),
          reason: "duplicate",
          detail: `${group.length} live ${noun}s of this name: using the newest (${newest.id}), leaving ${others.map((o) => o.id).join(", ")} alone`
        })
      )
    }
  }
  return chosen
}

/**
 * Finds the folder at `path` (folder names, `/`-separated) below `folderId`. Missing folders are
 * created when `create` is `"create"`, reported as `missing` when `"plan"` (a dry run), and a
 * `NotFoundError` when `"require"`.
 * @internal
 */
export const resolveTarget = (
  remote: Remote,
  folderId: Domain.FolderId | undefined,
  path: string | undefined,
  mode: "create" | "plan" | "require"
) =>
  Effect.gen(function* () {
    const names = (path ?? "").split("/").filter((name) => name !== "")
    let current = folderId
    const created: Array<{ readonly path: string; readonly folderId: Domain.FolderId }> = []
    for (const [index, name] of names.entries()) {
      const found = newestByName(
        (yield* listFolders(remote, current)).filter((folder) => !folder.isDeleted && folder.name === name),
        (folder) => folder.name,
        "",
        "folder",
        []
      ).get(name)
      if (found !== undefined) {
        current = found.id
        continue
      }
      const at = names.slice(0, index + 1).join("/")
      if (mode === "require") {
        return yield* new Errors.NotFoundError({ status: 404, detail: `not_found: no folder at ${at}` })
      }
      if (mode === "plan") return { folderId: current, missing: names.slice(index), created }
      const folder = yield* remote.transport.execute(operations.createFolder, {
        body: { name, space_id: remote.spaceId, parent_id: current ?? null }
      })
      created.push({ path: at, folderId: folder.id })
      current = folder.id
    }
    return { folderId: current, missing: [] as ReadonlyArray<string>, created }
  })

/**
 * Walks the tree under `root` (the Space root when `undefined`). A folder or file the filter
 * leaves out is not listed (nor anything under it).
 * @internal
 */
export const walk = (remote: Remote, root: Domain.FolderId | undefined, filter: Filter) =>
  Effect.gen(function* () {
    const folders = new Map<string, Domain.FolderId | undefined>([["", root]])
    /** The folders listed or to be listed: one met again (a cycle a server made) is not walked twice. */
    const seen = new Set<string>(root === undefined ? [] : [root])
    const files = new Map<string, Domain.FluidFile>()
    const unsafe: Array<{ readonly path: string; readonly kind: "folder" | "file" }> = []
    const events: Array<PathEvent> = []
    /** Lists one folder; the folders below it to list next. */
    const visit = (rel: string, folderId: Domain.FolderId | undefined) =>
      Effect.gen(function* () {
        const [subfolders, contents] = yield* Effect.all([listFolders(remote, folderId), listFiles(remote, folderId)], {
          concurrency: 2
        })
        // a file whose upload is in progress is not there yet: neither compared nor deleted
        const ready = contents.filter((file) => !file.isDeleted && Option.getOrUndefined(file.status) !== "uploading")
        for (const [name, file] of newestByName(ready, (file) => file.originalName, rel, "file", events)) {
          const path = join(rel, name)
          if (isUnsafeName(name)) unsafe.push({ path, kind: "file" })
          else if (filter.file(path)) files.set(path, file)
        }
        const live = newestByName(
          subfolders.filter((folder) => !folder.isDeleted),
          (folder) => folder.name,
          rel,
          "folder",
          events
        )
        const below: Array<readonly [string, Domain.FolderId]> = []
        for (const [name, folder] of live) {
          const path = join(rel, name)
          if (isUnsafeName(name)) unsafe.push({ path, kind: "folder" })
          else if (seen.has(folder.id)) {
            events.push(
              SyncEvent.Warning({
                path,
                reason: "conflict",
                detail: `the folder ${folder.id} is listed here and elsewhere in the tree (a cycle): walked once`
              })
            )
          } else if (filter.directory(path)) {
            seen.add(folder.id)
            folders.set(path, folder.id)
            below.push([path, folder.id])
          }
        }
        return below
      })

    // a level of the tree at a time, a bounded number of folders listed at once within it
    let level: ReadonlyArray<readonly [string, Domain.FolderId | undefined]> = [["", root]]
    while (level.length > 0) {
      level = (yield* Effect.forEach(level, ([rel, id]) => visit(rel, id), { concurrency: 8 })).flat()
    }
    events.sort((a, b) => byPath(a.path, b.path))
    unsafe.sort((a, b) => byPath(a.path, b.path))
    return { folders, files, unsafe, events } satisfies RemoteTree
  })
