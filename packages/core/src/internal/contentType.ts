/**
 * The content type an upload is given when the caller sets none and the source carries none: by the
 * name's extension, from a table of the common types (the same types the `mime` package gives for
 * them; a test checks each). An extension outside the table gives `null`, and the upload is sent
 * without a content type, as before for unknown extensions: the service decides. A table of ~100
 * entries instead of `mime`'s whole database keeps ~39 KB (minified) out of browser bundles.
 *
 * @internal
 */

/** Each type, and the extensions (lowercase, space separated) that have it. */
const table: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpg jpeg jpe",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/avif": "avif",
  "image/svg+xml": "svg svgz",
  "image/vnd.microsoft.icon": "ico",
  "image/bmp": "bmp",
  "image/tiff": "tif tiff",
  "image/heic": "heic",
  "image/heif": "heif",
  "image/jxl": "jxl",
  "image/apng": "apng",
  "image/vnd.adobe.photoshop": "psd",
  "video/mp4": "mp4",
  "video/x-m4v": "m4v",
  "video/quicktime": "mov",
  "video/webm": "webm",
  "video/x-matroska": "mkv",
  "video/x-msvideo": "avi",
  "video/mpeg": "mpeg mpg",
  "video/ogg": "ogv",
  "video/3gpp": "3gp",
  "video/3gpp2": "3g2",
  "video/mp2t": "ts",
  "video/x-ms-wmv": "wmv",
  "video/x-flv": "flv",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "audio/aac": "aac",
  "audio/wav": "wav",
  "audio/x-flac": "flac",
  "audio/ogg": "oga ogg opus",
  "audio/webm": "weba",
  "audio/midi": "mid midi",
  "audio/x-aiff": "aif aiff",
  "application/pdf": "pdf",
  "text/plain": "txt text log",
  "text/markdown": "md markdown",
  "text/csv": "csv",
  "text/tab-separated-values": "tsv",
  "application/json": "json",
  "application/ld+json": "jsonld",
  "application/xml": "xml",
  "text/html": "html htm",
  "application/xhtml+xml": "xhtml",
  "text/css": "css",
  "text/javascript": "js mjs",
  "text/yaml": "yaml yml",
  "text/calendar": "ics",
  "text/x-vcard": "vcf",
  "application/rtf": "rtf",
  "application/sql": "sql",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/vnd.ms-powerpoint": "ppt",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
  "application/vnd.oasis.opendocument.text": "odt",
  "application/vnd.oasis.opendocument.spreadsheet": "ods",
  "application/vnd.oasis.opendocument.presentation": "odp",
  "application/epub+zip": "epub",
  "application/vnd.apple.pages": "pages",
  "application/vnd.apple.keynote": "key",
  "application/vnd.apple.numbers": "numbers",
  "application/postscript": "ai eps",
  "application/zip": "zip",
  "application/gzip": "gz",
  "application/x-tar": "tar",
  "application/x-bzip2": "bz2",
  "application/x-xz": "xz",
  "application/x-7z-compressed": "7z",
  "application/vnd.rar": "rar",
  "application/java-archive": "jar",
  "application/vnd.android.package-archive": "apk",
  "application/x-redhat-package-manager": "rpm",
  "application/wasm": "wasm",
  "application/octet-stream": "bin exe dmg iso deb msi",
  "font/woff": "woff",
  "font/woff2": "woff2",
  "font/ttf": "ttf",
  "font/otf": "otf",
  "application/vnd.ms-fontobject": "eot"
}

const byExtension: ReadonlyMap<string, string> = new Map(
  Object.entries(table).flatMap(([type, extensions]) => extensions.split(" ").map((ext) => [ext, type] as const))
)

/** The extensions the table knows. @internal */
export const extensions = (): ReadonlyArray<string> => [...byExtension.keys()]

/**
 * The type of a file name or path by its extension, or `null`; reads a name as `mime.getType`
 * does (the last path segment; its text after the last dot, case-insensitive; a bare extension
 * such as `"pdf"` counts, a path segment without a dot does not).
 * @internal
 */
export const getType = (path: string): string | null => {
  const last = path.replace(/^.*[/\\]/s, "").toLowerCase()
  const ext = last.replace(/^.*\./s, "")
  const hasPath = last.length < path.length
  const hasDot = ext.length < last.length - 1
  if (!hasDot && hasPath) return null
  return byExtension.get(ext) ?? null
}
