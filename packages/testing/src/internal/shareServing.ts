/**
 * The share-link origin (`/s/{token}`, public): serves a live file scanned clean for an active
 * link within its `max_downloads`, with the file's `Content-Type`, `Cache-Control: public,
 * max-age=3600` and a `Content-Disposition` by permission, and counts the download; 404 otherwise.
 * The password is stored but not enforced, as in production.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import * as Files from "./resources/files.js"
import * as Shares from "./resources/shares.js"
import type { State } from "./state.js"
import { attachment, fileBytes, servedContentType } from "./storage.js"
import { json, type OpenHandler, param } from "./wire.js"

/** @internal */
export const handlers = (state: State) => {
  const serveShare: OpenHandler = (ctx) =>
    Effect.sync(() => {
      const share = state.sharesByToken.get(param(ctx, "token"))
      const file = share === undefined ? undefined : state.files.get(share.fileId)
      if (
        share === undefined ||
        file === undefined ||
        !Shares.active(share, ctx.now) ||
        (share.maxDownloads !== null && share.downloadCount >= share.maxDownloads) ||
        !Files.contentReachable(state, file) ||
        file.scanStatus !== "clean"
      ) {
        return json(404, { detail: "not_found" })
      }
      share.downloadCount += 1
      return HttpServerResponse.stream(fileBytes(state, file, 0, file.size), {
        contentType: servedContentType(file.mime),
        headers: Headers.fromInput({
          "content-length": String(file.size),
          "cache-control": "public, max-age=3600",
          "content-disposition": share.permission === "download" ? attachment(file.name) : "inline"
        })
      })
    })

  return { serveShare }
}
