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
