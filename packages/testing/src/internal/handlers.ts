/**
 * The handler of every operation of the contract, by operation id: the table the router
 * dispatches on. The type requires one entry per `Contract.OperationId`, and each entry says
 * which origin it serves (a test checks both against `Contract.routes`).
 *
 * @internal
 */
import type { Contract } from "@fluidcloud/core"
import * as Files from "./resources/files.js"
import * as Folders from "./resources/folders.js"
import * as Quota from "./resources/quota.js"
import * as Shares from "./resources/shares.js"
import * as Spaces from "./resources/spaces.js"
import * as Uploads from "./resources/uploads.js"
import * as ShareServing from "./shareServing.js"
import type { State } from "./state.js"
import * as Storage from "./storage.js"
import type { ApiHandler, OpenHandler } from "./wire.js"

/** @internal */
export type Handler =
  | { readonly origin: "api"; readonly handle: ApiHandler }
  | { readonly origin: "storage" | "files"; readonly handle: OpenHandler }

/** @internal */
export type Handlers = { readonly [K in Contract.OperationId]: Handler }

const api = (handle: ApiHandler): Handler => ({ origin: "api", handle })
const storage = (handle: OpenHandler): Handler => ({ origin: "storage", handle })
const files = (handle: OpenHandler): Handler => ({ origin: "files", handle })

/** @internal */
export const make = (state: State): Handlers => {
  const spaces = Spaces.handlers(state)
  const folders = Folders.handlers(state)
  const fileOps = Files.handlers(state)
  const uploads = Uploads.handlers(state)
  const shares = Shares.handlers(state)
  const quota = Quota.handlers(state)
  const objects = Storage.handlers(state)
  const links = ShareServing.handlers(state)
  return {
    listSpaces: api(spaces.listSpaces),
    createSpace: api(spaces.createSpace),
    listFolders: api(folders.listFolders),
    createFolder: api(folders.createFolder),
    updateFolder: api(folders.updateFolder),
    deleteFolder: api(folders.deleteFolder),
    restoreFolder: api(folders.restoreFolder),
    listFiles: api(fileOps.listFiles),
    resolveFile: api(fileOps.resolveFile),
    getFile: api(fileOps.getFile),
    updateFile: api(fileOps.updateFile),
    deleteFile: api(fileOps.deleteFile),
    restoreFile: api(fileOps.restoreFile),
    getDownloadUrl: api(fileOps.getDownloadUrl),
    initiateUpload: api(uploads.initiateUpload),
    completeUpload: api(uploads.completeUpload),
    abortUpload: api(uploads.abortUpload),
    putUploadPart: storage(objects.putUploadPart),
    getStorageObject: storage(objects.getStorageObject),
    createShare: api(shares.createShare),
    listShares: api(shares.listShares),
    revokeShare: api(shares.revokeShare),
    getQuota: api(quota.getQuota),
    serveShare: files(links.serveShare)
  }
}
