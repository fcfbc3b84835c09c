/**
 * The result objects of the FluidCloud Partner API, decoded from the snake_case wire into
 * camelCase `Schema.Class`es. Ids are branded; nullable or missing fields are `Option`s;
 * timestamps are `DateTime.Utc`; unknown wire fields are ignored.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const Timestamp = Schema.optionalWith(Schema.DateTimeUtc, { as: "Option", nullable: true })
/** A lowercase hex sha256, as the contract's `Sha256Hex`. */
const Sha256Hex = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))
const nullable = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(schema, { as: "Option", nullable: true })

/**
 * The id of a Space (a UUID). Use `SpaceId.make(value)` for ids read from your own storage.
 *
 * @example
 * ```ts
 * import { Domain } from "@fluidcloud/core"
 * const id = Domain.SpaceId.make("0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10")
 * ```
 * @since 0.1.0
 * @category ids
 */
export const SpaceId = Schema.UUID.pipe(Schema.brand("@fluidcloud/SpaceId"))
/**
 * @since 0.1.0
 * @category ids
 */
export type SpaceId = typeof SpaceId.Type

/**
 * The id of a Folder (a UUID).
 *
 * @since 0.1.0
 * @category ids
 */
export const FolderId = Schema.UUID.pipe(Schema.brand("@fluidcloud/FolderId"))
/**
 * @since 0.1.0
 * @category ids
 */
export type FolderId = typeof FolderId.Type

/**
 * The id of a File (a UUID).
 *
 * @since 0.1.0
 * @category ids
 */
export const FileId = Schema.UUID.pipe(Schema.brand("@fluidcloud/FileId"))
/**
 * @since 0.1.0
 * @category ids
 */
export type FileId = typeof FileId.Type

/**
 * The id of a share link (a UUID), as passed to `shares.revoke`.
 *
 * @since 0.1.0
 * @category ids
 */
export const ShareId = Schema.UUID.pipe(Schema.brand("@fluidcloud/ShareId"))
/**
 * @since 0.1.0
 * @category ids
 */
export type ShareId = typeof ShareId.Type

/**
 * The id of an upload session (a UUID).
 *
 * @since 0.1.0
 * @category ids
 */
export const UploadId = Schema.UUID.pipe(Schema.brand("@fluidcloud/UploadId"))
/**
 * @since 0.1.0
 * @category ids
 */
export type UploadId = typeof UploadId.Type

/**
 * Virus-scan state: `pending` after upload, then `clean`, `infected` or `error`.
 * Only a `clean` file can be shared or downloaded.
 *
 * @since 0.1.0
 * @category models
 */
export const ScanStatus = Schema.Literal("pending", "clean", "infected", "error")
/**
 * @since 0.1.0
 * @category models
 */
export type ScanStatus = typeof ScanStatus.Type

/**
 * Lifecycle status: `uploading` until the upload completes, `ready` after, `deleted` while in trash.
 *
 * @since 0.1.0
 * @category models
 */
export const FileStatus = Schema.Literal("uploading", "ready", "deleted")
/**
 * @since 0.1.0
 * @category models
 */
export type FileStatus = typeof FileStatus.Type

/**
 * Share-link permission: `view` serves inline (the default), `download` as an attachment.
 *
 * @since 0.1.0
 * @category models
 */
export const Permission = Schema.Literal("view", "download")
/**
 * @since 0.1.0
 * @category models
 */
export type Permission = typeof Permission.Type

/**
 * A Space: the top-level container for files and folders.
 *
 * @since 0.1.0
 * @category models
 */
export class Space extends Schema.Class<Space>("@fluidcloud/Space")({
  id: SpaceId,
  name: Schema.String,
  createdAt: Timestamp.pipe(Schema.fromKey("created_at")),
  updatedAt: Timestamp.pipe(Schema.fromKey("updated_at"))
}) {}

/**
 * A Folder within a Space. `parentId` is `None` at the Space root; `deletedAt` is set while
 * the folder is in trash.
 *
 * @since 0.1.0
 * @category models
 */
export class Folder extends Schema.Class<Folder>("@fluidcloud/Folder")({
  id: FolderId,
  name: Schema.String,
  spaceId: nullable(SpaceId).pipe(Schema.fromKey("space_id")),
  parentId: nullable(FolderId).pipe(Schema.fromKey("parent_id")),
  deletedAt: Timestamp.pipe(Schema.fromKey("deleted_at")),
  createdAt: Timestamp.pipe(Schema.fromKey("created_at")),
  updatedAt: Timestamp.pipe(Schema.fromKey("updated_at"))
}) {
  /**
   * Whether the folder is in trash.
   *
   * @since 0.1.0
   */
  get isDeleted(): boolean {
    return this.deletedAt._tag === "Some"
  }
}

/**
 * A stored file (the API's `File`; named so as not to shadow the global `File`).
 * `publicUrl` is set only by `files.upload(..., { public: true })`.
 *
 * @since 0.1.0
 * @category models
 */
export class FluidFile extends Schema.Class<FluidFile>("@fluidcloud/FluidFile")({
  id: FileId,
  originalName: Schema.String.pipe(Schema.propertySignature, Schema.fromKey("original_name")),
  spaceId: nullable(SpaceId).pipe(Schema.fromKey("space_id")),
  folderId: nullable(FolderId).pipe(Schema.fromKey("folder_id")),
  mime: nullable(Schema.String),
  size: nullable(Schema.NonNegativeInt),
  sha256: nullable(Sha256Hex),
  scanStatus: nullable(ScanStatus).pipe(Schema.fromKey("scan_status")),
  status: nullable(FileStatus),
  clientKey: nullable(Schema.String).pipe(Schema.fromKey("client_key")),
  deletedAt: Timestamp.pipe(Schema.fromKey("deleted_at")),
  createdAt: Timestamp.pipe(Schema.fromKey("created_at")),
  updatedAt: Timestamp.pipe(Schema.fromKey("updated_at")),
  publicUrl: nullable(Schema.String).pipe(Schema.fromKey("public_url"))
}) {
  /**
   * Whether the file has been scanned clean, so it can be shared and downloaded.
   *
   * @since 0.1.0
   */
  get isClean(): boolean {
    return this.scanStatus._tag === "Some" && this.scanStatus.value === "clean"
  }
  /**
   * Whether the file is in trash.
   *
   * @since 0.1.0
   */
  get isDeleted(): boolean {
    return this.deletedAt._tag === "Some"
  }
}

/**
 * A newly minted share link (the result of `files.publicUrl` / `files.signedUrl`).
 * `expiresAt` is `None` for a permanent public link.
 *
 * @since 0.1.0
 * @category models
 */
export class Link extends Schema.Class<Link>("@fluidcloud/Link")({
  url: Schema.String,
  id: ShareId,
  permission: Permission,
  expiresAt: Timestamp.pipe(Schema.fromKey("expires_at"))
}) {}

/**
 * A listed share link (from `shares.list`); the token itself is never returned.
 * `hasPassword`: a password may be set but is not enforced when the link is served (a known
 * limitation of the service).
 *
 * @since 0.1.0
 * @category models
 */
export class Share extends Schema.Class<Share>("@fluidcloud/Share")({
  id: ShareId,
  fileId: FileId.pipe(Schema.propertySignature, Schema.fromKey("file_id")),
  permission: Permission,
  expiresAt: Timestamp.pipe(Schema.fromKey("expires_at")),
  maxDownloads: nullable(Schema.Int).pipe(Schema.fromKey("max_downloads")),
  downloadCount: Schema.NonNegativeInt.pipe(Schema.propertySignature, Schema.fromKey("download_count")),
  revoked: Schema.Boolean,
  hasPassword: Schema.Boolean.pipe(Schema.propertySignature, Schema.fromKey("has_password")),
  createdAt: Timestamp.pipe(Schema.fromKey("created_at")),
  updatedAt: Timestamp.pipe(Schema.fromKey("updated_at"))
}) {}

/**
 * Storage and share-link usage against the plan's limits. A limit of `-1` means unlimited.
 *
 * @since 0.1.0
 * @category models
 */
export class Quota extends Schema.Class<Quota>("@fluidcloud/Quota")({
  bytesUsed: Schema.NonNegativeInt.pipe(Schema.propertySignature, Schema.fromKey("bytes_used")),
  bytesLimit: Schema.Int.pipe(Schema.propertySignature, Schema.fromKey("bytes_limit")),
  linksUsed: Schema.NonNegativeInt.pipe(Schema.propertySignature, Schema.fromKey("links_used")),
  linksLimit: Schema.Int.pipe(Schema.propertySignature, Schema.fromKey("links_limit"))
}) {
  /**
   * Bytes left before the storage cap, or `Infinity` when unlimited.
   *
   * @since 0.1.0
   */
  get bytesRemaining(): number {
    return this.bytesLimit < 0 ? Number.POSITIVE_INFINITY : Math.max(0, this.bytesLimit - this.bytesUsed)
  }
  /**
   * Share links left before the cap, or `Infinity` when unlimited.
   *
   * @since 0.1.0
   */
  get linksRemaining(): number {
    return this.linksLimit < 0 ? Number.POSITIVE_INFINITY : Math.max(0, this.linksLimit - this.linksUsed)
  }
}

/**
 * One presigned part of an upload session.
 *
 * @since 0.1.0
 * @category uploads
 */
export class UploadPart extends Schema.Class<UploadPart>("@fluidcloud/UploadPart")({
  partNumber: Schema.Int.pipe(Schema.propertySignature, Schema.fromKey("part_number")),
  url: Schema.String,
  method: Schema.Literal("PUT"),
  headers: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}

/**
 * The response of `POST /uploads/initiate`: where to PUT each part.
 *
 * @since 0.1.0
 * @category uploads
 */
export class UploadSession extends Schema.Class<UploadSession>("@fluidcloud/UploadSession")({
  uploadId: UploadId.pipe(Schema.propertySignature, Schema.fromKey("upload_id")),
  fileId: FileId.pipe(Schema.propertySignature, Schema.fromKey("file_id")),
  expiresAt: Schema.DateTimeUtc.pipe(Schema.propertySignature, Schema.fromKey("expires_at")),
  partSize: Schema.Int.pipe(Schema.propertySignature, Schema.fromKey("part_size")),
  parts: Schema.Array(UploadPart)
}) {}

/**
 * The response of `GET /files/{file_id}/download` (the SDK returns only `url`).
 *
 * @since 0.1.0
 * @category models
 */
export class DownloadUrl extends Schema.Class<DownloadUrl>("@fluidcloud/DownloadUrl")({
  url: Schema.String,
  expiresAt: Schema.DateTimeUtc.pipe(Schema.propertySignature, Schema.fromKey("expires_at"))
}) {}
