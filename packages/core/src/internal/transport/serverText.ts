/**
 * Server text is never trusted: every string the server sends that ends up in an error or in the
 * response metadata (`detail`, request ids, validation issues, a redirect's target, the message of
 * a body that failed to decode) goes through one `ServerText`, built once per layer with the key:
 * terminal escape sequences and control characters removed (line breaks become spaces), the key
 * (and anything shaped like a FluidCloud key) replaced by `[redacted]`, then capped in length.
 *
 * @internal
 */

/** The longest `detail` (and other server text) an error holds. @internal */
export const MAX_DETAIL = 1_000
/** The longest request id an error or the response metadata holds. @internal */
export const MAX_REQUEST_ID = 200

/** What replaces the key, or anything shaped like a key. @internal */
export const REDACTED = "[redacted]"

/**
 * Escape sequences (ECMA-48), 7-bit and 8-bit, removed whole (not just their `ESC`, which would
 * leave `[2J` behind): CSI with its parameters; OSC, DCS, SOS, PM and APC up to BEL or ST (or the
 * end); any other `ESC` with its intermediate and final bytes.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?",
    "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?",
    "\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?"
  ].join("|"),
  "g"
)
/** Line-breaking controls and separators: each run becomes one space. */
const LINE_BREAKING = /[\t\n\v\f\r\u0085\u2028\u2029]+/g
/** The other C0 and C1 controls, DEL, and the bidirectional marks, overrides and isolates: removed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
/** Anything shaped like a FluidCloud key. */
const KEY_SHAPED = /fck_(?:live|test)_[A-Za-z0-9]+/gi
/** Printable ASCII: no escape sequence or control to remove. */
const PLAIN = /^[\u0020-\u007e]*$/

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** @internal */
export interface ServerText {
  /** A `detail` or other server text: at most `MAX_DETAIL` characters. */
  readonly detail: (text: string) => string
  /** A request id: at most `MAX_REQUEST_ID` characters; `undefined` stays `undefined`. */
  readonly requestId: (text: string | undefined) => string | undefined
}

const cap = (text: string, max: number): string => {
  if (text.length <= max) return text
  // never cut a surrogate pair in half
  const end = /[\ud800-\udbff]/.test(text[max - 1] ?? "") ? max - 1 : max
  return `${text.slice(0, end)}…`
}

/**
 * A `ServerText` for `apiKey`. Escape sequences and invisible controls are removed, line breaks
 * become spaces, then the key is replaced wherever it appears, even split by what was removed or
 * by spaces, and the text is capped.
 * @internal
 */
export const make = (apiKey: string): ServerText => {
  const key =
    apiKey.length === 0 ? undefined : new RegExp(Array.from(apiKey, (char) => escapeRegExp(char)).join(" *"), "g")
  const clean = (text: string, max: number): string => {
    let out = PLAIN.test(text)
      ? text
      : text.replace(ESCAPE_SEQUENCE, "").replace(LINE_BREAKING, " ").replace(INVISIBLE, "").trim()
    if (key !== undefined) out = out.replace(key, REDACTED)
    return cap(out.replace(KEY_SHAPED, REDACTED), max)
  }
  return {
    detail: (text) => clean(text, MAX_DETAIL),
    requestId: (text) => (text === undefined ? undefined : clean(text, MAX_REQUEST_ID))
  }
}
