/**
 * Uploads: initiate (the File in `uploading` state and one presigned PUT URL per part), complete
 * (every part once, ascending, with matching ETags; the sha256 check; idempotent) and abort, and
 * the expiry of uploads not completed in time. The part PUTs themselves are `storage.ts`.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import mime from "mime"
import type { StoredBlob } from "../blobs.js"
import * as Faults from "../faults.js"
import * as Scanning from "../scanning.js"
import * as Signing from "../signing.js"
import type { FileRec, State, UploadRec } from "../state.js"
import * as Trash from "../trash.js"
import { checkObject, checkValue, type Issue, isRecord } from "../validation.js"
import * as View from "../views.js"
import { type ApiHandler, badRequest, fail, invalid, iso, json, notFound, param, readJson } from "../wire.js"
import * as Quota from "./quota.js"
import * as Spaces from "./spaces.js"

const MiB = 1024 * 1024
const MAX_PART = 5 * 1024 * MiB
const DEFAULT_PART = 8 * MiB
const MAX_SIZE = 5 * 1024 * 1024 * MiB
const MAX_PARTS = 10_000

/** The content type of a name: by its extension, `application/octet-stream` without a known one. @internal */
export const contentTypeOf = (name: string): string =>
  (/\.[^./\\]+$/.test(name) ? mime.getType(name) : null) ?? "application/octet-stream"

/** The exact size of part `n` of an upload. @internal */
export const partSizeOf = (upload: UploadRec, n: number): number =>
  n < upload.partCount ? upload.partSize : upload.size - upload.partSize * (upload.partCount - 1)

/** An upload's state read afresh (not narrowed by an earlier check across a yield). @internal */
export const stateOf = (upload: { readonly state: string }): string => upload.state

/** Free an upload's stored parts. @internal */
export const freeParts = (state: State, upload: UploadRec) =>
  Effect.suspend(() => {
    const parts = [...upload.parts.values()]
    upload.parts.clear()
    return Effect.forEach(parts, (blob) => state.blobs.remove(blob.key), { discard: true })
  })

/** Discard the uploads whose time ran out, with their Files. @internal */
export const expire = (state: State, now: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    const effects: Array<Effect.Effect<void>> = []
    for (const upload of state.uploads.values()) {
      if (upload.state !== "open" || now < upload.expiresAt) continue
      upload.state = "expired"
      effects.push(freeParts(state, upload))
      const file = state.files.get(upload.fileId)
      if (file !== undefined) {
        state.files.delete(file.id)
        effects.push(Effect.forEach(file.blobs, (b) => state.blobs.remove(b.key), { discard: true }))
      }
    }
    return Effect.all(effects, { discard: true })
  })

/** The `parts` list of a complete body, with the issues of its entries. */
const readParts = (body: unknown) => {
  const issues: Array<Issue> = []
  const parts: Array<{ readonly partNumber: number; readonly etag: string }> = []
  if (!isRecord(body) || !Array.isArray(body.parts)) return { issues, parts }
  body.parts.forEach((p: unknown, i: number) => {
    if (!isRecord(p)) {
      issues.push({ loc: ["body", "parts", i], msg: "Input should be a valid dictionary", type: "dict_type" })
      return
    }
    const a =
      p.part_number === undefined
        ? { loc: ["body", "parts", i, "part_number"], msg: "Field required", type: "missing" }
        : checkValue(["body", "parts", i, "part_number"], { kind: "int", min: 1 }, p.part_number)
    const b =
      p.etag === undefined
        ? { loc: ["body", "parts", i, "etag"], msg: "Field required", type: "missing" }
        : checkValue(["body", "parts", i, "etag"], { kind: "string" }, p.etag)
    if (a !== undefined) issues.push(a)
    if (b !== undefined) issues.push(b)
    if (a === undefined && b === undefined) parts.push({ partNumber: Number(p.part_number), etag: String(p.etag) })
  })
  return { issues, parts }
}

/** @internal */
export const handlers = (state: State) => {
  const { config } = state

  const initiateUpload: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        space_id: { kind: "uuid", required: true },
        folder_id: { kind: "uuid", nullable: true },
        name: { kind: "string", required: true, minLength: 1, maxLength: 255 },
        content_type: { kind: "string", nullable: true, minLength: 1 },
        size: { kind: "int", required: true, min: 0 },
        client_key: { kind: "string", nullable: true, minLength: 1, maxLength: 1024 },
        sha256: { kind: "string", nullable: true, pattern: /^[0-9a-f]{64}$/ },
        part_size: { kind: "int", nullable: true, min: 1 }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const space = yield* Spaces.find(state, ctx.tenant.id, String(body.space_id))
      const folderId = typeof body.folder_id === "string" ? body.folder_id : null
      yield* Trash.requireFolderIn(state, ctx.tenant.id, space.id, folderId)
      const size = Number(body.size)
      if (size > MAX_SIZE) return yield* fail(413, { detail: "file_too_large" })
      const limit = ctx.tenant.plan.bytesLimit
      if (limit >= 0 && Quota.bytesUsed(state, ctx.tenant.id) + size > limit) {
        return yield* fail(402, { detail: "quota_exceeded", resource: "storage" })
      }
      const hint = typeof body.part_size === "number" ? body.part_size : DEFAULT_PART
      const partSize = Math.max(
        config.forcePartSize ?? Math.min(Math.max(hint, config.minPartSize), MAX_PART),
        Math.ceil(size / MAX_PARTS),
        1
      )
      const partCount = size === 0 ? 1 : Math.ceil(size / partSize)
      const name = String(body.name)
      const contentType = typeof body.content_type === "string" ? body.content_type : contentTypeOf(name)
      const file: FileRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        spaceId: space.id,
        folderId,
        name,
        mime: contentType,
        size,
        sha256: null,
        scanStatus: null,
        scanDueAt: null,
        infected: false,
        forcedScan: null,
        completed: false,
        blobs: [],
        clientKey: typeof body.client_key === "string" ? body.client_key : null,
        deletedAt: null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      const upload: UploadRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        fileId: file.id,
        size,
        partSize,
        partCount,
        expiresAt: ctx.now + config.uploadTtlMs,
        sha256: typeof body.sha256 === "string" ? body.sha256 : null,
        parts: new Map(),
        attempts: new Map(),
        state: "open"
      }
      state.files.set(file.id, file)
      state.uploads.set(upload.id, upload)
      const parts = []
      for (let n = 1; n <= partCount; n++) {
        parts.push({
          part_number: n,
          url: Signing.signedUrl(config, `/storage/uploads/${upload.id}/parts/${n}`, upload.expiresAt),
          method: "PUT",
          headers: partCount === 1 ? { "Content-Type": contentType } : {}
        })
      }
      return json(201, {
        upload_id: upload.id,
        file_id: file.id,
        expires_at: iso(upload.expiresAt),
        part_size: partSize,
        parts
      })
    })

  /** The File of a completed upload, answered again (complete is idempotent). */
  const completed = (upload: UploadRec) => {
    const file = state.files.get(upload.fileId)
    return file === undefined ? notFound() : Effect.succeed(json(200, View.file(file)))
  }

  const completeUpload: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        upload_id: { kind: "uuid", required: true },
        parts: { kind: "array", required: true }
      })
      const { issues: partIssues, parts } = readParts(body)
      if (issues.length > 0 || partIssues.length > 0 || !isRecord(body))
        return yield* invalid([...issues, ...partIssues])
      const upload = state.uploads.get(String(body.upload_id))
      if (upload === undefined || upload.tenantId !== ctx.tenant.id) return yield* notFound()
      if (upload.state === "completed") return yield* completed(upload)
      if (upload.state !== "open") return yield* notFound()
      const file = state.files.get(upload.fileId)
      if (file === undefined) return yield* notFound()
      if (parts.length !== upload.partCount) return yield* badRequest("invalid_parts")
      const ordered: Array<StoredBlob> = []
      for (const [i, p] of parts.entries()) {
        const stored = upload.parts.get(i + 1)
        if (p.partNumber !== i + 1 || stored === undefined) return yield* badRequest("invalid_parts")
        if (p.etag.replace(/^"|"$/g, "").toLowerCase() !== stored.md5) return yield* badRequest("invalid_parts")
        ordered.push(stored)
      }
      const fault = Faults.takeCompleteFault(state)
      if (fault !== undefined && !fault.commit) return yield* fail(fault.status, { detail: "internal_error" })
      // Reading the parts yields: a concurrent complete, abort or expiry may change the upload meanwhile
      // (and an abort frees the blobs being read). A read of a freed part dies (ENOENT on disk): keep
      // the whole exit and look at the state first.
      const scanned = yield* Effect.exit(Scanning.scanAndHash(state, ordered))
      const now = stateOf(upload)
      // a concurrent complete won the race: answer idempotently with the File as it is now
      if (now === "completed") return yield* completed(upload)
      // aborted or expired while the parts were being read: the contract answers 404
      if (now !== "open") return yield* notFound()
      if (scanned._tag === "Failure") return yield* Effect.failCause(scanned.cause)
      const { infected, sha256 } = scanned.value
      if (upload.sha256 !== null && upload.sha256 !== sha256) {
        upload.state = "aborted"
        yield* freeParts(state, upload)
        state.files.delete(file.id)
        return yield* badRequest("checksum_mismatch")
      }
      upload.state = "completed"
      upload.parts.clear()
      file.blobs = ordered
      file.sha256 = sha256
      file.infected = infected
      file.completed = true
      file.scanStatus = "pending"
      file.scanDueAt = ctx.now + config.scanDelayMs
      file.updatedAt = ctx.now
      if (fault !== undefined) return yield* fail(fault.status, { detail: "internal_error" })
      return json(200, View.file(file))
    })

  const abortUpload: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const upload = state.uploads.get(param(ctx, "upload_id"))
      if (upload !== undefined && upload.tenantId === ctx.tenant.id && upload.state === "open") {
        upload.state = "aborted"
        yield* freeParts(state, upload)
        state.files.delete(upload.fileId)
      }
      return HttpServerResponse.empty({ status: 204 })
    })

  return { initiateUpload, completeUpload, abortUpload }
}
