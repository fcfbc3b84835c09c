/**
 * Terminal-safe text: what the `fluidcloud` command prints that came from a server or a file name
 * (names, ids, URLs, error details, request ids) goes through `text`, so it cannot move the
 * cursor, recolour or retitle the terminal, hide a hyperlink, rewrite the line (`\r`, backspace)
 * or reorder what is shown (bidi overrides).
 *
 * @internal
 */

/**
 * Escape sequences (ECMA-48), 7-bit and 8-bit:
 * - CSI (`ESC [` or U+009B) with its parameter, intermediate and final bytes: colours, cursor moves;
 * - string commands (OSC `ESC ]`, DCS `ESC P`, SOS `ESC X`, PM `ESC ^`, APC `ESC _`, or their C1
 *   forms) up to BEL or ST (`ESC \` or U+009C), or to the end when unterminated: titles, OSC 8
 *   hyperlinks, clipboard writes;
 * - any other `ESC` with its intermediate and final bytes (`ESC c` resets the terminal).
 */
const escapeSequence = new RegExp(
  [
    // CSI
    "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?",
    // OSC, DCS, SOS, PM, APC up to BEL or ST
    "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?",
    // any other ESC sequence
    "\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?"
  ].join("|"),
  "g"
)

/** Tab, line feed, vertical tab, form feed, carriage return, and the Unicode line separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose
const lineBreaking = /[\u0009-\u000d\u0085\u2028\u2029]/g

/** The other C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this module's purpose
const invisible = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * `raw` without escape sequences and control characters, on one line: each line-breaking
 * character becomes a space (so `safe.txt\revil` shows both names), every other control and
 * bidi character is dropped.
 *
 * @internal
 */
export const text = (raw: string): string =>
  raw.replace(escapeSequence, "").replace(lineBreaking, " ").replace(invisible, "")

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
