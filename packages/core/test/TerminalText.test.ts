/**
 * `TerminalText.sanitize`: nothing it returns can move the cursor, recolour, retitle or clear a
 * terminal, hide a hyperlink, rewrite the line or reorder what is shown; printable text is kept.
 * The SDK's errors (`ServerText.test.ts`) and the CLI's output use this one implementation.
 */
import { describe, expect, it } from "@effect/vitest"
import { TerminalText } from "../src/index.js"

/** What must never come out: C0 controls, DEL, C1 controls, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

const ESC = "\u001b"
const BEL = "\u0007"

describe("TerminalText.sanitize", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["SGR colour (ESC [ 31m)", `${ESC}[31mred${ESC}[0m.txt`, "red.txt"],
    ["cursor moves and screen clear", `a${ESC}[2J${ESC}[1;1H${ESC}[?25lb`, "ab"],
    ["OSC 8 hyperlink (ST-terminated)", `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, "click"],
    ["OSC 0 window title (BEL-terminated)", `${ESC}]0;pwned${BEL}report.pdf`, "report.pdf"],
    ["unterminated OSC", `ok${ESC}]0;forever and ever`, "ok"],
    ["DCS string", `${ESC}Pq#0;2;0;0;0${ESC}\\x`, "x"],
    ["terminal reset (ESC c)", `${ESC}cname`, "name"],
    ["8-bit CSI (C1 U+009B)", "\u009b31mred", "red"],
    ["8-bit OSC up to 8-bit ST", "\u009d0;title\u009cname", "name"],
    ["other C1 controls (NEL is a line break)", "a\u0085b\u0084c\u008ed", "a bcd"],
    ["right-to-left override", "invoice\u202egpj.exe", "invoicegpj.exe"],
    ["bidi isolates and marks", "\u2067abc\u2069\u200f\u061c", "abc"],
    ["carriage return", "safe.txt\revil.sh", "safe.txt evil.sh"],
    ["a run of line breaks is one space", "a\r\n\r\n\tb\u2028c", "a b c"],
    ["backspaces", "abc\b\b\bxyz", "abcxyz"],
    ["line feed and tab", "a\nb\tc", "a b c"],
    ["NUL, BEL and DEL", "a\u0000b\u0007c\u007fd", "abcd"],
    ["plain ASCII is returned as it is, spaces included", "  a  b  ", "  a  b  "],
    ["plain Unicode is kept", "résumé 日本語 🚀.txt", "résumé 日本語 🚀.txt"]
  ]
  for (const [what, raw, shown] of cases) {
    it(what, () => {
      const text = TerminalText.sanitize(raw)
      expect(text).toBe(shown)
      expect(text).not.toMatch(unsafe)
    })
  }
})
