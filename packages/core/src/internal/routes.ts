/**
 * The route of every `operationId` of the wire contract (`docs/openapi.yaml`): method, path
 * template, origin, required scopes, documented statuses and idempotency, published as
 * `Contract.routes`. The emulator routes by it; the typed operation table (`operations.ts`) adds
 * each API operation's schemas; a test checks both against the contract.
 *
 * @internal
 */
import type { Method, OperationId, Origin, Route, Scope } from "../Contract.js"

/** Every scope, in contract order. @internal */
export const scopes: ReadonlyArray<Scope> = [
  "spaces:read",
  "spaces:write",
  "folders:read",
  "folders:write",
  "files:read",
  "files:write",
  "shares:read",
  "shares:write",
  "quota:read"
]

/** The statuses every API operation documents besides its own. */
const API_STATUSES = [401, 403, 429, 500, 503]

const route = <K extends OperationId>(
  id: K,
  method: Route["method"],
  path: string,
  origin: Origin,
  scopes: ReadonlyArray<Scope>,
  statuses: ReadonlyArray<number>,
  idempotent: boolean
): Route<K> => ({
  id,
  method,
  path,
  origin,
  scopes,
  statuses: [...statuses, ...(origin === "api" ? API_STATUSES : [])].sort((a, b) => a - b),
  idempotent
})

// biome-ignore format: one line per operation reads as a table
/** Every operation of the contract, in contract order. @internal */
export const routes: { readonly [K in OperationId]: Route<K> } = {
  listSpaces: route("listSpaces", "GET", "/spaces", "api", ["spaces:read"], [200], true),
  createSpace: route("createSpace", "POST", "/spaces", "api", ["spaces:write"], [201, 422], false),
  listFolders: route("listFolders", "GET", "/folders", "api", ["folders:read"], [200, 404, 422], true),
  createFolder: route("createFolder", "POST", "/folders", "api", ["folders:write"], [201, 404, 422], false),
  updateFolder: route("updateFolder", "PATCH", "/folders/{folder_id}", "api", ["folders:write"], [200, 400, 404, 422], false),
  deleteFolder: route("deleteFolder", "DELETE", "/folders/{folder_id}", "api", ["folders:write"], [200, 404, 422], true),
  restoreFolder: route("restoreFolder", "POST", "/folders/{folder_id}/restore", "api", ["folders:write"], [200, 404, 422], false),
  listFiles: route("listFiles", "GET", "/files", "api", ["files:read"], [200, 404, 422], true),
  resolveFile: route("resolveFile", "GET", "/files/resolve", "api", ["files:read"], [200, 404, 422], true),
  getFile: route("getFile", "GET", "/files/{file_id}", "api", ["files:read"], [200, 404, 422], true),
  updateFile: route("updateFile", "PATCH", "/files/{file_id}", "api", ["files:write"], [200, 400, 404, 422], false),
  deleteFile: route("deleteFile", "DELETE", "/files/{file_id}", "api", ["files:write"], [200, 404, 422], true),
  restoreFile: route("restoreFile", "POST", "/files/{file_id}/restore", "api", ["files:write"], [200, 404, 422], false),
  getDownloadUrl: route("getDownloadUrl", "GET", "/files/{file_id}/download", "api", ["files:read"], [200, 404, 409, 422], true),
  initiateUpload: route("initiateUpload", "POST", "/uploads/initiate", "api", ["files:write"], [201, 402, 404, 413, 422], false),
  completeUpload: route("completeUpload", "POST", "/uploads/complete", "api", ["files:write"], [200, 400, 404, 422], true),
  abortUpload: route("abortUpload", "DELETE", "/uploads/{upload_id}", "api", ["files:write"], [204, 422], true),
  putUploadPart: route("putUploadPart", "PUT", "/storage/uploads/{upload_id}/parts/{part_number}", "storage", [], [200, 400, 403, 404, 500, 503], true),
  getStorageObject: route("getStorageObject", "GET", "/storage/files/{file_id}", "storage", [], [200, 206, 403, 404, 416, 500, 503], true),
  createShare: route("createShare", "POST", "/shares", "api", ["shares:write", "files:read"], [201, 402, 404, 409, 422], false),
  listShares: route("listShares", "GET", "/shares", "api", ["shares:read"], [200, 422], true),
  revokeShare: route("revokeShare", "DELETE", "/shares/{share_id}", "api", ["shares:write"], [204, 404, 422], true),
  getQuota: route("getQuota", "GET", "/quota", "api", ["quota:read"], [200], true),
  serveShare: route("serveShare", "GET", "/s/{token}", "files", [], [200, 404, 429, 500, 503], true)
}

/** The operations each method of the client sends (`files.upload` without `public: true`). @internal */
export const methods: { readonly [M in Method]: ReadonlyArray<OperationId> } = {
  "spaces.list": ["listSpaces"],
  "spaces.create": ["createSpace"],
  "folders.list": ["listFolders"],
  "folders.create": ["createFolder"],
  "folders.rename": ["updateFolder"],
  "folders.move": ["updateFolder"],
  "folders.delete": ["deleteFolder"],
  "folders.restore": ["restoreFolder"],
  "files.upload": ["initiateUpload", "putUploadPart", "completeUpload", "abortUpload", "deleteFile"],
  "files.uploadStream": ["initiateUpload", "putUploadPart", "completeUpload", "abortUpload", "deleteFile"],
  "files.list": ["listFiles"],
  "files.get": ["getFile"],
  "files.resolve": ["resolveFile"],
  "files.rename": ["updateFile"],
  "files.move": ["updateFile"],
  "files.delete": ["deleteFile"],
  "files.restore": ["restoreFile"],
  "files.downloadUrl": ["getDownloadUrl"],
  "files.publicUrl": ["createShare"],
  "files.signedUrl": ["createShare"],
  "files.waitUntilClean": ["getFile"],
  "files.download": ["getFile", "getDownloadUrl", "getStorageObject"],
  "files.downloadTo": ["getFile", "getDownloadUrl", "getStorageObject"],
  "uploads.abort": ["abortUpload"],
  "shares.list": ["listShares"],
  "shares.revoke": ["revokeShare"],
  "quota.usage": ["getQuota"],
  "sync.push": [
    "listFolders",
    "listFiles",
    "createFolder",
    "initiateUpload",
    "putUploadPart",
    "completeUpload",
    "abortUpload",
    "deleteFile"
  ],
  "sync.pull": ["listFolders", "listFiles", "getFile", "getDownloadUrl", "getStorageObject"]
}

/** The scopes of `methods`, in contract order. @internal */
export const requiredScopes = (...names: ReadonlyArray<Method>): ReadonlyArray<Scope> => {
  const needed = new Set(names.flatMap((name) => methods[name].flatMap((id) => routes[id].scopes)))
  return scopes.filter((scope) => needed.has(scope))
}
