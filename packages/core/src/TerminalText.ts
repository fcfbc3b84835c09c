/**
 * Text made safe to print on a terminal. A name, an id or a message that came from a server (or
 * from a file name) may hold escape sequences that recolour, retitle or clear the terminal, hide a
 * hyperlink, or move the cursor; a carriage return or a backspace can rewrite what was printed; a
 * bidirectional override can make `invoice\u202Egpj.exe` show as `invoiceexe.jpg`.
 *
 * The SDK already cleans the server text its errors carry (`detail`, request ids) this way. The
 * data it returns (a file's `originalName`, a folder's `name`) is kept as the service stored it:
 * pass what you print through `sanitize`, as the `fluidcloud` command does.
 *
 * @since 0.2.0
 */
import * as internal from "./internal/terminalText.js"

/**
 * `raw` without escape sequences (ECMA-48 CSI, OSC, DCS, SOS, PM, APC and the other `ESC`
 * sequences, in their 7-bit and 8-bit forms, removed whole), each run of line-breaking characters
 * (`\t`, `\n`, `\v`, `\f`, `\r`, NEL, U+2028, U+2029) made one space, and every other C0 or C1
 * control, DEL and bidirectional mark, embedding, override or isolate removed. Printable text,
 * Unicode included, is kept as it is.
 *
 * @example
 * ```ts
 * import { TerminalText } from "@fluidcloud/core"
 *
 * assert.strictEqual(TerminalText.sanitize("\u001b[31mred\u001b[0m.txt"), "red.txt")
 * assert.strictEqual(TerminalText.sanitize("safe.txt\revil.sh"), "safe.txt evil.sh")
 * assert.strictEqual(TerminalText.sanitize("invoice\u202egpj.exe"), "invoicegpj.exe")
 * ```
 *
 * @since 0.2.0
 * @category text
 */
export const sanitize: (raw: string) => string = internal.sanitize
