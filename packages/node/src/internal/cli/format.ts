/**
 * Human output of the `fluidcloud` command (aligned tables and key/value blocks) and its
 * `--json` output (the API's snake_case wire shape, via `Schema.encode`).
 *
 * @internal
 */
import type { Domain } from "@fluidcloud/core"
import { Console, DateTime, Effect, Option, Schema } from "effect"

/**
 * Renders rows under headers, columns padded to their widest cell.
 *
 * @internal
 */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  if (rows.length === 0) return "(none)"
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? cell.length)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}

/**
 * Renders `key  value` lines with the keys aligned.
 *
 * @internal
 */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...pairs.map(([key]) => key.length))
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join("\n")
}

/**
 * A byte count with a binary unit: `512 B`, `1.5 KiB`, `12.0 MiB`.
 *
 * @internal
 */
export const bytes = (n: number): string => {
  if (!Number.isFinite(n)) return "unlimited"
  const units = ["B", "KiB", "MiB", "GiB", "TiB"] as const
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/**
 * A duration in seconds, compact: `850ms`, `12s`, `3m05s`.
 *
 * @internal
 */
export const seconds = (s: number): string => {
  if (!Number.isFinite(s)) return "--"
  if (s < 1) return `${Math.round(s * 1000)}ms`
  if (s < 60) return `${Math.round(s)}s`
  const m = Math.floor(s / 60)
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, "0")}s`
}

/**
 * A time left, rounded up to whole seconds: `3s`, `2m10s`, `--` when unknown.
 *
 * @internal
 */
export const eta = (s: number): string => {
  if (!Number.isFinite(s)) return "--"
  const whole = Math.ceil(s)
  return whole < 60 ? `${whole}s` : seconds(whole)
}

const dash = "-"
const opt = <A>(value: Option.Option<A>, f: (a: A) => string = String): string =>
  Option.match(value, { onNone: () => dash, onSome: f })
const date = (value: Option.Option<DateTime.Utc>): string =>
  opt(value, (d) => DateTime.formatIso(d).replace(/\.\d{3}Z$/, "Z"))

/**
 * Human renderings of the domain objects.
 *
 * @internal
 */
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
    ["parent", opt(f.parentId, String)],
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

/** @internal */
export const link = (l: Domain.Link): string =>
  Option.match(l.expiresAt, {
    onNone: () => l.url,
    onSome: (expires) => `${l.url}\n(${l.permission}, expires ${date(Option.some(expires))})`
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

/**
 * Writes a result: with `json`, its encoded form as one JSON document on stdout; otherwise
 * the human rendering.
 *
 * @internal
 */
export const emit = <A, I>(
  json: boolean,
  schema: Schema.Schema<A, I>,
  human: (a: A) => string,
  value: A
): Effect.Effect<void> =>
  json
    ? Schema.encode(schema)(value).pipe(
        Effect.orDie,
        Effect.flatMap((encoded) => Console.log(JSON.stringify(encoded, null, 2)))
      )
    : Console.log(human(value))
