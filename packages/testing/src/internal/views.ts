/**
 * The result objects of the API as the wire carries them (snake_case, every listed field, `null`
 * when empty), one function per object of the contract. Each is typed by the wire side of core's
 * schema of the object (`Domain`), with every field required: a field missing, misspelt or of the
 * wrong type does not compile, so the shape is written once, in core.
 *
 * @internal
 */
import type { Domain } from "@fluidcloud/core"
import type { Schema } from "effect"
import type { FileRec, FolderRec, ShareRec, SpaceRec } from "./state.js"
import { iso } from "./wire.js"

/** The wire form of `S` with every field present (`null` when empty), as the contract sends it. */
type Wire<S extends Schema.Schema.Any> = {
  readonly [K in keyof Schema.Schema.Encoded<S>]-?: Exclude<Schema.Schema.Encoded<S>[K], undefined>
}

/** @internal */
export const space = (s: SpaceRec): Wire<typeof Domain.Space> => ({
  id: s.id,
  name: s.name,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt)
})

/** @internal */
export const folder = (f: FolderRec): Wire<typeof Domain.Folder> => ({
  id: f.id,
  name: f.name,
  space_id: f.spaceId,
  parent_id: f.parentId,
  deleted_at: iso(f.deletedAt),
  created_at: iso(f.createdAt),
  updated_at: iso(f.updatedAt)
})

/** @internal */
export const file = (f: FileRec): Wire<typeof Domain.FluidFile> => ({
  id: f.id,
  original_name: f.name,
  space_id: f.spaceId,
  folder_id: f.folderId,
  mime: f.mime,
  size: f.size,
  sha256: f.sha256,
  scan_status: f.scanStatus,
  status: f.deletedAt !== null ? "deleted" : f.completed ? "ready" : "uploading",
  client_key: f.clientKey,
  deleted_at: iso(f.deletedAt),
  created_at: iso(f.createdAt),
  updated_at: iso(f.updatedAt),
  public_url: null
})

/** @internal */
export const share = (s: ShareRec): Wire<typeof Domain.Share> => ({
  id: s.id,
  file_id: s.fileId,
  permission: s.permission,
  expires_at: iso(s.expiresAt),
  max_downloads: s.maxDownloads,
  download_count: s.downloadCount,
  revoked: s.revoked,
  has_password: s.password !== null,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt)
})
