/**
 * The file a download is written to until it is verified: `path.part`, shortened for a name too
 * long for that. `Download.partPath` declares it; `downloadTo` and `sync.pull` use it.
 *
 * @internal
 */
/** The suffix of the file a download is written to until it is verified. @internal */
export const PART_SUFFIX = ".part"

/** The longest file name most file systems take, in UTF-8 bytes. */
const MAX_NAME_BYTES = 255

const utf8 = new TextEncoder()

/** A 32-bit FNV-1a of `text`, as 8 hex digits: a short, stable stand-in for a name's tail. */
const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, "0")
}

/**
 * The file a download to `path` is written to until verified: `path.part`; when that name would
 * pass 255 bytes (a name of 251 bytes or more), the name is cut and a hash of it added instead
 * (`<start of the name>~<hash>.part`), the same on every run, so a resumed download finds it.
 * @internal
 */
export const partPathOf = (path: string): string => {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1
  const name = path.slice(cut)
  if (utf8.encode(name).byteLength + PART_SUFFIX.length <= MAX_NAME_BYTES) return `${path}${PART_SUFFIX}`
  const tail = `~${fnv1a(name)}${PART_SUFFIX}`
  let start = ""
  for (const char of name) {
    if (utf8.encode(start + char).byteLength + tail.length > MAX_NAME_BYTES) break
    start += char
  }
  return `${path.slice(0, cut)}${start}${tail}`
}
