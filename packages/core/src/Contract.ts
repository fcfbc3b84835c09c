/**
 * The wire contract as data: every operation of the FluidCloud Partner API (`openapi.yaml`) with
 * its id, method, path template, origin, required scopes and documented statuses. The client is
 * wiring over this table and the emulator (`@fluidcloud/testing`) routes by it; a user can read
 * which scopes a call needs.
 *
 * @example
 * ```ts
 * import { Contract } from "@fluidcloud/core"
 *
 * // the scopes a key needs to mint a share link
 * const needed = Contract.routes.createShare.scopes // ["shares:write", "files:read"]
 * ```
 * @since 0.2.0
 */
import * as internal from "./internal/routes.js"

/**
 * The `operationId`s of the contract: 21 on the API origin, 2 on the storage origin
 * (presigned part PUTs and downloads) and 1 on the share-link origin.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationId =
  | "listSpaces"
  | "createSpace"
  | "listFolders"
  | "createFolder"
  | "updateFolder"
  | "deleteFolder"
  | "restoreFolder"
  | "listFiles"
  | "resolveFile"
  | "getFile"
  | "updateFile"
  | "deleteFile"
  | "restoreFile"
  | "getDownloadUrl"
  | "initiateUpload"
  | "completeUpload"
  | "abortUpload"
  | "putUploadPart"
  | "getStorageObject"
  | "createShare"
  | "listShares"
  | "revokeShare"
  | "getQuota"
  | "serveShare"

/**
 * An API-key scope.
 *
 * @since 0.2.0
 * @category models
 */
export type Scope =
  | "spaces:read"
  | "spaces:write"
  | "folders:read"
  | "folders:write"
  | "files:read"
  | "files:write"
  | "shares:read"
  | "shares:write"
  | "quota:read"

/**
 * Which origin serves an operation: the API (`/api/v1`, with `X-API-Key`), the storage origin
 * (presigned URLs, never the key) or the share-link origin (`/s/{token}`, public).
 *
 * @since 0.2.0
 * @category models
 */
export type Origin = "api" | "storage" | "files"

/**
 * One operation of the contract.
 *
 * @since 0.2.0
 * @category models
 */
export interface Route<Id extends OperationId = OperationId> {
  readonly id: Id
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  /** The path template below the origin's base (`/api/v1` for the API), e.g. `/files/{file_id}`. */
  readonly path: string
  readonly origin: Origin
  /** The scopes the key needs (all of them); empty off the API origin. */
  readonly scopes: ReadonlyArray<Scope>
  /** Every status the contract documents for the operation, ascending (`5XX` as 500 and 503). */
  readonly statuses: ReadonlyArray<number>
  /** Whether a 5xx or a transport error may be retried (GET, DELETE, storage PUTs, `completeUpload`). */
  readonly idempotent: boolean
}

/**
 * Every operation, by id.
 *
 * @since 0.2.0
 * @category constants
 */
export const routes: { readonly [K in OperationId]: Route<K> } = internal.routes

/**
 * Every scope, in contract order.
 *
 * @since 0.2.0
 * @category constants
 */
export const scopes: ReadonlyArray<Scope> = internal.scopes

/**
 * A method of the client (`FluidCloud.Service`), as `namespace.method`.
 *
 * @since 0.2.0
 * @category models
 */
export type Method =
  | "spaces.list"
  | "spaces.create"
  | "folders.list"
  | "folders.create"
  | "folders.rename"
  | "folders.move"
  | "folders.delete"
  | "folders.restore"
  | "files.upload"
  | "files.uploadStream"
  | "files.list"
  | "files.get"
  | "files.resolve"
  | "files.rename"
  | "files.move"
  | "files.delete"
  | "files.restore"
  | "files.downloadUrl"
  | "files.publicUrl"
  | "files.signedUrl"
  | "files.waitUntilClean"
  | "files.download"
  | "files.downloadTo"
  | "uploads.abort"
  | "shares.list"
  | "shares.revoke"
  | "quota.usage"
  | "sync.push"
  | "sync.pull"

/**
 * The operations each method of the client sends. `files.upload` and `files.uploadStream` list
 * their own steps (initiate, part PUTs, complete, and the abort or delete after a failure); with
 * `public: true` they also send what `files.waitUntilClean` and `files.publicUrl` send.
 * `files.download` and `files.downloadTo` get the file (for its size and sha256) and a presigned
 * URL (again after a refused one), then GET the storage object. `sync.push` lists, creates
 * folders, uploads and moves replaced or deleted files to trash; `sync.pull` lists, waits for a
 * clean scan where one is pending, and downloads.
 *
 * @since 0.2.0
 * @category constants
 */
export const methods: { readonly [M in Method]: ReadonlyArray<OperationId> } = internal.methods

/**
 * The scopes a key needs to call all of `methods`, in contract order.
 *
 * @example
 * ```ts
 * import { Contract } from "@fluidcloud/core"
 *
 * // a job that uploads its outputs and publishes them
 * Contract.requiredScopes("files.upload", "files.waitUntilClean", "files.publicUrl")
 * // ["files:read", "files:write", "shares:write"]
 * ```
 * @since 0.2.0
 * @category utils
 */
export const requiredScopes: (...methods: ReadonlyArray<Method>) => ReadonlyArray<Scope> = internal.requiredScopes
