/**
 * Terminal-safe text: what the `fluidcloud` command prints that came from a server or a file name
 * (names, ids, URLs, error details, request ids) goes through `text`, so it cannot move the
 * cursor, recolour or retitle the terminal, hide a hyperlink, rewrite the line (`\r`, backspace)
 * or reorder what is shown (bidi overrides).
 *
 * @internal
 */
import { TerminalText } from "@fluidcloud/core"

/**
 * `raw` without escape sequences and control characters, on one line: each run of line-breaking
 * characters becomes a space (so `safe.txt\revil` shows both names), every other control and
 * bidi character is dropped. The SDK's own `TerminalText.sanitize`, which also cleans the server
 * text in its errors.
 *
 * @internal
 */
export const text = (raw: string): string => TerminalText.sanitize(raw)

/**
 * `text` applied to each line of a multi-line rendering, keeping its line feeds.
 *
 * @internal
 */
export const lines = (raw: string): string => raw.split("\n").map(text).join("\n")

/** The characters `JSON.stringify` leaves raw that a terminal may still act on. */
const jsonUnsafe = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g

/**
 * A JSON document with DEL, the C1 controls, the bidi characters and the line separators written
 * as `\uXXXX` escapes (`JSON.stringify` escapes C0 controls, `ESC` included, but not those). They
 * can only occur inside strings, so the document decodes to the same value.
 *
 * @internal
 */
export const json = (document: string): string =>
  document.replace(jsonUnsafe, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** Path separators (POSIX and Windows). */
const separators = /[/\\]/

/**
 * A server-provided file name made safe to create in the current directory: its last path
 * segment only (so `../x`, `/etc/passwd` and `a\b` cannot leave the directory), made
 * terminal-safe by `text` (escape sequences, control and bidi characters, NUL included, removed);
 * `fallback` when nothing usable is left (empty, `.`, `..`).
 *
 * @internal
 */
export const fileName = (raw: string, fallback: string): string => {
  const base = text(raw.split(separators).at(-1) ?? "").trim()
  return base === "" || base === "." || base === ".." ? fallback : base
}
