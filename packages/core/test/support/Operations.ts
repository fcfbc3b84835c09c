/**
 * The client's 23 methods that send one API request (`waitUntilClean` one per poll), each with its
 * span name and HTTP method, and a mock handler answering every one of them with a plausible body.
 */
import type { Effect } from "effect"
import type { FluidCloud } from "../../src/index.js"
import {
  FILE_ID,
  FOLDER_ID,
  fileWire,
  folderWire,
  linkWire,
  quotaWire,
  SHARE_ID,
  SPACE_ID,
  shareWire,
  spaceWire,
  UPLOAD_ID
} from "./Fixtures.js"
import * as MockHttp from "./MockHttp.js"

/** Answers every operation (by method and path) with a success body. */
export const router: MockHttp.Handler = (request, url) => {
  const path = url.pathname.replace("/api/v1", "")
  const key = `${request.method} ${path}`
  if (key === "GET /spaces") return MockHttp.json(200, [spaceWire()])(request, url)
  if (key === "POST /spaces") return MockHttp.json(201, spaceWire())(request, url)
  if (key === "GET /folders") return MockHttp.json(200, [folderWire()])(request, url)
  if (key === "POST /folders") return MockHttp.json(201, folderWire())(request, url)
  if (path.startsWith("/folders/")) return MockHttp.json(200, folderWire())(request, url)
  if (key === "GET /files") return MockHttp.json(200, [fileWire()])(request, url)
  if (path.endsWith("/download")) {
    return MockHttp.json(200, { url: "https://storage.example.test/f?sig=1", expires_at: "2025-01-01T00:00:00Z" })(
      request,
      url
    )
  }
  if (path.startsWith("/files/")) return MockHttp.json(200, fileWire())(request, url)
  if (key === "POST /shares") return MockHttp.json(201, linkWire())(request, url)
  if (key === "GET /shares") return MockHttp.json(200, [shareWire()])(request, url)
  if (key.startsWith("DELETE /shares/")) return MockHttp.text(204, null)(request, url)
  if (key.startsWith("DELETE /uploads/")) return MockHttp.text(204, null)(request, url)
  if (key === "GET /quota") return MockHttp.json(200, quotaWire())(request, url)
  return MockHttp.error(418, `unexpected ${key}`)(request, url)
}

export interface Operation {
  readonly span: string
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  readonly call: (fc: FluidCloud.Service) => Effect.Effect<unknown, unknown>
}

export const all: ReadonlyArray<Operation> = [
  { span: "FluidCloud.spaces.list", method: "GET", call: (fc) => fc.spaces.list() },
  { span: "FluidCloud.spaces.create", method: "POST", call: (fc) => fc.spaces.create("Brand Assets") },
  { span: "FluidCloud.folders.list", method: "GET", call: (fc) => fc.folders.list(SPACE_ID) },
  { span: "FluidCloud.folders.create", method: "POST", call: (fc) => fc.folders.create("inbox", SPACE_ID) },
  { span: "FluidCloud.folders.rename", method: "PATCH", call: (fc) => fc.folders.rename(FOLDER_ID, "outbox") },
  { span: "FluidCloud.folders.move", method: "PATCH", call: (fc) => fc.folders.move(FOLDER_ID, null) },
  { span: "FluidCloud.folders.delete", method: "DELETE", call: (fc) => fc.folders.delete(FOLDER_ID) },
  { span: "FluidCloud.folders.restore", method: "POST", call: (fc) => fc.folders.restore(FOLDER_ID) },
  { span: "FluidCloud.files.list", method: "GET", call: (fc) => fc.files.list(SPACE_ID) },
  { span: "FluidCloud.files.get", method: "GET", call: (fc) => fc.files.get(FILE_ID) },
  { span: "FluidCloud.files.resolve", method: "GET", call: (fc) => fc.files.resolve("results/job-7/out.png") },
  { span: "FluidCloud.files.rename", method: "PATCH", call: (fc) => fc.files.rename(FILE_ID, "final.png") },
  { span: "FluidCloud.files.move", method: "PATCH", call: (fc) => fc.files.move(FILE_ID, null) },
  { span: "FluidCloud.files.delete", method: "DELETE", call: (fc) => fc.files.delete(FILE_ID) },
  { span: "FluidCloud.files.restore", method: "POST", call: (fc) => fc.files.restore(FILE_ID) },
  { span: "FluidCloud.files.downloadUrl", method: "GET", call: (fc) => fc.files.downloadUrl(FILE_ID) },
  { span: "FluidCloud.files.publicUrl", method: "POST", call: (fc) => fc.files.publicUrl(FILE_ID) },
  { span: "FluidCloud.files.signedUrl", method: "POST", call: (fc) => fc.files.signedUrl(FILE_ID) },
  { span: "FluidCloud.files.waitUntilClean", method: "GET", call: (fc) => fc.files.waitUntilClean(FILE_ID) },
  { span: "FluidCloud.uploads.abort", method: "DELETE", call: (fc) => fc.uploads.abort(UPLOAD_ID) },
  { span: "FluidCloud.shares.list", method: "GET", call: (fc) => fc.shares.list() },
  { span: "FluidCloud.shares.revoke", method: "DELETE", call: (fc) => fc.shares.revoke(SHARE_ID) },
  { span: "FluidCloud.quota.usage", method: "GET", call: (fc) => fc.quota.usage() }
]
