/**
 * Server text is never trusted: every string the server sends that ends up in an error or in the
 * response metadata (`detail`, request ids, validation issues, a redirect's target, the message of
 * a body that failed to decode) goes through one `ServerText`, built once per layer with the key:
 * control characters and bidirectional overrides removed, the key (and anything shaped like a
 * FluidCloud key) replaced by `[redacted]`, then capped in length.
 *
 * @internal
 */

/** The longest `detail` (and other server text) an error holds. @internal */
export const MAX_DETAIL = 1_000
/** The longest request id an error or the response metadata holds. @internal */
export const MAX_REQUEST_ID = 200

/** What replaces the key, or anything shaped like a key. @internal */
export const REDACTED = "[redacted]"

/** C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder a terminal line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
/** Anything shaped like a FluidCloud key. */
const KEY_SHAPED = /fck_(?:live|test)_[A-Za-z0-9]+/gi
/** Text that needs no work: printable ASCII without anything key-shaped. */
const PLAIN = /^[\u0020-\u007e]*$/

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
 * A `ServerText` for `apiKey`. Control characters are removed (not replaced), so a key the server
 * split with them is whole again, and scrubbed, before the text is capped.
 * @internal
 */
export const make = (apiKey: string): ServerText => {
  const clean = (text: string, max: number): string => {
    let out = PLAIN.test(text) && !text.toLowerCase().includes("fck_") ? text : text.replace(UNSAFE, "")
    if (apiKey.length > 0 && out.includes(apiKey)) out = out.split(apiKey).join(REDACTED)
    out = out.replace(KEY_SHAPED, REDACTED)
    return cap(out, max)
  }
  return {
    detail: (text) => clean(text, MAX_DETAIL),
    requestId: (text) => (text === undefined ? undefined : clean(text, MAX_REQUEST_ID))
  }
}
