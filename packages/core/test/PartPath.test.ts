/**
 * The file a download is written to until verified: `path.part`, or, for a name too long for that
 * (over 250 bytes), a shortened name with a hash, the same on every run so a resume finds it.
 */
import { describe, expect, it } from "@effect/vitest"
import { partPathOf } from "../src/internal/partPath.js"

const bytes = (text: string) => new TextEncoder().encode(text).byteLength
const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1)

describe("partPathOf", () => {
  it("a usual name: path.part", () => {
    expect(partPathOf("/tmp/out/report.pdf")).toBe("/tmp/out/report.pdf.part")
    expect(partPathOf(`/tmp/${"n".repeat(250)}`)).toBe(`/tmp/${"n".repeat(250)}.part`)
  })

  it("a name of 251 bytes or more: at most 255 bytes, in the same directory, stable, distinct", () => {
    for (const name of ["n".repeat(251), "n".repeat(255), "é".repeat(127), `${"日".repeat(84)}x`]) {
      const part = partPathOf(`/tmp/out/${name}`)
      expect(part.startsWith("/tmp/out/")).toBe(true)
      expect(bytes(nameOf(part))).toBeLessThanOrEqual(255)
      expect(nameOf(part)).toMatch(/~[0-9a-f]{8}\.part$/)
      // no character cut in half
      expect(nameOf(part)).not.toContain("\ufffd")
      expect(partPathOf(`/tmp/out/${name}`)).toBe(part)
    }
    expect(partPathOf(`/x/${"a".repeat(254)}b`)).not.toBe(partPathOf(`/x/${"a".repeat(254)}c`))
  })
})
