/**
 * Text building blocks of the `fluidcloud` command's human output: aligned tables and key/value
 * blocks (every cell made terminal-safe), byte sizes and rates in binary units, durations, dates.
 *
 * @internal
 */
import { DateTime, Option } from "effect"
import * as Sanitize from "./sanitize.js"

/**
 * Renders rows under headers, columns padded to their widest cell; `(none)` without rows. Every
 * cell is made terminal-safe and one line.
 *
 * @internal
 */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  if (rows.length === 0) return "(none)"
  const safe = rows.map((row) => row.map(Sanitize.text))
  const widths = headers.map((header, i) => Math.max(header.length, ...safe.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? cell.length)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...safe.map(line)].join("\n")
}

/**
 * Renders `key  value` lines with the keys aligned; every value is made terminal-safe and one line.
 *
 * @internal
 */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...pairs.map(([key]) => key.length))
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${Sanitize.text(value)}`).join("\n")
}

const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const

/** One decimal; in exponent form past 1e21 EiB, where `toFixed` would print every digit. */
const oneDecimal = (value: number): string => (value < 1e21 ? value.toFixed(1) : value.toExponential(1))

/**
 * A byte count with a binary unit: whole bytes below 1 KiB (`0 B`, `1023 B`), else one decimal
 * (`1.5 KiB`, `12.0 MiB`, `3.0 PiB`); a value that rounds up to 1024 of a unit is shown in the
 * next one. `-` for NaN, `unlimited` for an infinite limit.
 *
 * @internal
 */
export const bytes = (n: number): string => {
  if (Number.isNaN(n)) return "-"
  if (!Number.isFinite(n)) return "unlimited"
  let value = Math.abs(n)
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  let shown = unit === 0 ? Math.round(value).toString() : oneDecimal(value)
  if (Number(shown) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
    shown = oneDecimal(value)
  }
  const sign = n < 0 && Number(shown) !== 0 ? "-" : ""
  return `${sign}${shown} ${units[unit]}`
}

/**
 * A transfer rate, rounded like `bytes`: `75 B/s`, `21.3 MiB/s`; `-- B/s` when unknown (not a
 * finite, non-negative number).
 *
 * @internal
 */
export const rate = (bytesPerSecond: number): string =>
  Number.isFinite(bytesPerSecond) && bytesPerSecond >= 0 ? `${bytes(bytesPerSecond)}/s` : "-- B/s"

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

/**
 * A percentage of `part` in `whole`, floored to a whole number (`0%` of nothing is `100%`).
 *
 * @internal
 */
export const percent = (part: number, whole: number): string =>
  `${whole === 0 ? 100 : Math.floor((100 * part) / whole)}%`

/**
 * The marker of a missing value.
 *
 * @internal
 */
export const dash = "-"

/**
 * An optional value rendered with `f`, or `-`.
 *
 * @internal
 */
export const opt = <A>(value: Option.Option<A>, f: (a: A) => string = String): string =>
  Option.match(value, { onNone: () => dash, onSome: f })

/**
 * An optional timestamp as UTC ISO-8601 to the second, or `-`.
 *
 * @internal
 */
export const date = (value: Option.Option<DateTime.Utc>): string =>
  opt(value, (d) => DateTime.formatIso(d).replace(/\.\d{3}Z$/, "Z"))

/**
 * An age, in the largest whole unit: `45s`, `12m`, `3h`, `2d`.
 *
 * @internal
 */
export const age = (millis: number): string => {
  const s = Math.max(0, Math.floor(millis / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}
