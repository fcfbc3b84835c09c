/**
 * Byte ranges of the storage GET, as object stores serve them (RFC 9110): one
 * `bytes=first-last`, `bytes=first-` or `bytes=-suffix` range; a start at or past the end is
 * unsatisfiable (416); a malformed or multi-range header is ignored (the whole file); `If-Range`
 * with anything but the current `ETag` asks for the whole file.
 *
 * @internal
 */

/** @internal */
export type Selection =
  | { readonly _tag: "Whole" }
  /** Bytes `start` (inclusive) to `end` (exclusive). */
  | { readonly _tag: "Partial"; readonly start: number; readonly end: number }
  | { readonly _tag: "Unsatisfiable" }

const whole: Selection = { _tag: "Whole" }
const unsatisfiable: Selection = { _tag: "Unsatisfiable" }

/** What to send of a file of `size` bytes whose `ETag` is `etag`, given the request's headers. @internal */
export const select = (
  range: string | undefined,
  ifRange: string | undefined,
  etag: string,
  size: number
): Selection => {
  if (range === undefined || (ifRange !== undefined && ifRange !== etag)) return whole
  const m = /^bytes=(\d*)-(\d*)$/i.exec(range.trim())
  if (m === null) return whole
  const [, first = "", last = ""] = m
  if (first === "" && last === "") return whole
  if (first === "") {
    const suffix = Number(last)
    if (suffix === 0) return unsatisfiable
    // a 206 cannot describe an empty range: an empty file is sent whole
    return size === 0 ? whole : { _tag: "Partial", start: Math.max(0, size - suffix), end: size }
  }
  const start = Number(first)
  if (last !== "" && Number(last) < start) return whole
  if (start >= size) return unsatisfiable
  return { _tag: "Partial", start, end: last === "" ? size : Math.min(Number(last), size - 1) + 1 }
}

/** The `Content-Range` of a partial response. @internal */
export const contentRange = (start: number, end: number, size: number): string => `bytes ${start}-${end - 1}/${size}`

/** The `Content-Range` of a 416. @internal */
export const unsatisfiedRange = (size: number): string => `bytes */${size}`
