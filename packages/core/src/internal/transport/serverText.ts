/**
 * Server text is never trusted: every string the server sends that ends up in an error or in the
 * response metadata (`detail`, request ids, validation issues, a redirect's target, the message of
 * a body that failed to decode) goes through one `ServerText`, built once per layer with the key:
 * made terminal-safe (`terminalText.ts`: escape sequences and control characters removed, line
 * breaks made spaces), the key (and anything shaped like a FluidCloud key) replaced by
 * `[redacted]`, then capped in length.
 *
 * @internal
 */
import * as TerminalText from "../terminalText.js"

/** The longest `detail` (and other server text) an error holds. @internal */
export const MAX_DETAIL = 1_000
/** The longest request id an error or the response metadata holds. @internal */
export const MAX_REQUEST_ID = 200

/** What replaces the key, or anything shaped like a key. @internal */
export const REDACTED = "[redacted]"

/** Anything shaped like a FluidCloud key. */
const KEY_SHAPED = /fck_(?:live|test)_[A-Za-z0-9]+/gi

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
    let out = TerminalText.sanitize(text).trim()
    if (key !== undefined) out = out.replace(key, REDACTED)
    return cap(out.replace(KEY_SHAPED, REDACTED), max)
  }
  return {
    detail: (text) => clean(text, MAX_DETAIL),
    requestId: (text) => (text === undefined ? undefined : clean(text, MAX_REQUEST_ID))
  }
}
