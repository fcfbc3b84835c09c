/**
 * Human renderings of the SDK's domain objects: one table per list, one `key  value` block per
 * object. They read the decoded domain values (camelCase, `Option`s), never the wire shape; the
 * `--json` output is the domain schema's encoding instead (see `output.ts`).
 *
 * @internal
 */
import type { Domain } from "@fluidcloud/core"
import { Option } from "effect"
import { age, bytes, date, fields, opt, table } from "./format.js"
import * as Sanitize from "./sanitize.js"

/** @internal */
export const spaces = (list: ReadonlyArray<Domain.Space>): string =>
  table(
    ["ID", "NAME", "CREATED"],
    list.map((s) => [s.id, s.name, date(s.createdAt)])
  )

/** @internal */
export const space = (s: Domain.Space): string =>
  fields([
    ["id", s.id],
    ["name", s.name],
    ["created", date(s.createdAt)]
  ])

/** @internal */
export const folders = (list: ReadonlyArray<Domain.Folder>): string =>
  table(
    ["ID", "NAME", "PARENT", "DELETED"],
    list.map((f) => [f.id, f.name, opt(f.parentId), date(f.deletedAt)])
  )

/** @internal */
export const folder = (f: Domain.Folder): string =>
  fields([
    ["id", f.id],
    ["name", f.name],
    ["space", opt(f.spaceId)],
    ["parent", opt(f.parentId)],
    ["deleted", date(f.deletedAt)],
    ["updated", date(f.updatedAt)]
  ])

/** @internal */
export const files = (list: ReadonlyArray<Domain.FluidFile>): string =>
  table(
    ["ID", "NAME", "SIZE", "SCAN", "STATUS", "CLIENT KEY"],
    list.map((f) => [f.id, f.originalName, opt(f.size, bytes), opt(f.scanStatus), opt(f.status), opt(f.clientKey)])
  )

/** @internal */
export const file = (f: Domain.FluidFile): string =>
  fields([
    ["id", f.id],
    ["name", f.originalName],
    ["space", opt(f.spaceId)],
    ["folder", opt(f.folderId)],
    ["size", opt(f.size, (n) => `${bytes(n)} (${n} bytes)`)],
    ["mime", opt(f.mime)],
    ["sha256", opt(f.sha256)],
    ["scan", opt(f.scanStatus)],
    ["status", opt(f.status)],
    ["client key", opt(f.clientKey)],
    ["created", date(f.createdAt)],
    ["deleted", date(f.deletedAt)],
    ...(Option.isSome(f.publicUrl) ? [["public url", f.publicUrl.value] as const] : [])
  ])

/** A URL alone on its line, so `$(fluidcloud files url ID)` is the URL. @internal */
export const url = (u: { readonly url: string }): string => Sanitize.text(u.url)

/** A link's URL, then `(permission, expires ...)` for an expiring one. @internal */
export const link = (l: Domain.Link): string =>
  Option.match(l.expiresAt, {
    onNone: () => url(l),
    onSome: (expires) => `${url(l)}\n(${l.permission}, expires ${date(Option.some(expires))})`
  })

/** @internal */
export const shares = (list: ReadonlyArray<Domain.Share>): string =>
  table(
    ["ID", "FILE", "PERMISSION", "EXPIRES", "DOWNLOADS", "REVOKED"],
    list.map((s) => [
      s.id,
      s.fileId,
      s.permission,
      Option.isNone(s.expiresAt) ? "never" : date(s.expiresAt),
      Option.match(s.maxDownloads, {
        onNone: () => String(s.downloadCount),
        onSome: (max) => `${s.downloadCount}/${max}`
      }),
      s.revoked ? "yes" : "no"
    ])
  )

/** @internal */
export const revoked = (r: { readonly id: Domain.ShareId }): string => `revoked ${r.id}`

/** `files download`: where the file went, its size and verified sha256. @internal */
export const downloaded = (d: { readonly path: string; readonly size: number; readonly sha256: string }): string =>
  fields([
    ["path", Sanitize.text(d.path)],
    ["size", bytes(d.size)],
    ["sha256", d.sha256]
  ])

/** A checkpoint held locally, as `uploads ls --json` writes it. @internal */
export interface Held {
  readonly upload_id: string
  readonly path: string
  readonly parts_done: number
  readonly parts_total: number
  readonly created_at: string
}

/** `uploads ls`: the checkpoints held locally, their age at `now` (epoch milliseconds). @internal */
export const held = (list: ReadonlyArray<Held>, now: number): string =>
  table(
    ["UPLOAD ID", "PATH", "PARTS", "AGE"],
    list.map((h) => [
      h.upload_id,
      Sanitize.text(h.path),
      `${h.parts_done}/${h.parts_total}`,
      age(now - Date.parse(h.created_at))
    ])
  )

/** @internal */
export const aborted = (a: { readonly upload_id: Domain.UploadId }): string => `aborted ${a.upload_id}`

const limit = (used: number, max: number, unit: (n: number) => string) =>
  max < 0
    ? `${unit(used)} of unlimited`
    : `${unit(used)} of ${unit(max)} (${((100 * used) / Math.max(max, 1)).toFixed(1)}%)`

/** @internal */
export const quota = (q: Domain.Quota): string =>
  fields([
    ["storage", limit(q.bytesUsed, q.bytesLimit, bytes)],
    ["links", limit(q.linksUsed, q.linksLimit, String)]
  ])
