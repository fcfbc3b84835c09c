/**
 * Terminal-safe text, the one implementation: escape sequences removed whole, line breaks made
 * spaces, the other controls and the bidirectional characters dropped. `ServerText` (the server
 * text in errors) and the CLI's output build on it; `TerminalText.ts` declares it.
 *
 * @internal
 */

/**
 * Escape sequences (ECMA-48), 7-bit and 8-bit, removed whole (not just their `ESC`, which would
 * leave `[2J` behind):
 * - CSI (`ESC [` or U+009B) with its parameter, intermediate and final bytes: colours, cursor moves;
 * - string commands (OSC `ESC ]`, DCS `ESC P`, SOS `ESC X`, PM `ESC ^`, APC `ESC _`, or their C1
 *   forms) up to BEL or ST (`ESC \` or U+009C), or to the end when unterminated: titles, OSC 8
 *   hyperlinks, clipboard writes;
 * - any other `ESC` with its intermediate and final bytes (`ESC c` resets the terminal).
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?",
    "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?",
    "\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?"
  ].join("|"),
  "g"
)

/** Tab, line feed, vertical tab, form feed, carriage return, NEL and the Unicode separators: each run becomes one space. */
const LINE_BREAKING = /[\t\n\v\f\r\u0085\u2028\u2029]+/g

/** The other C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates: removed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** Printable ASCII: nothing to remove. */
const PLAIN = /^[\u0020-\u007e]*$/

/** @internal */
export const sanitize = (raw: string): string =>
  PLAIN.test(raw) ? raw : raw.replace(ESCAPE_SEQUENCE, "").replace(LINE_BREAKING, " ").replace(INVISIBLE, "")
