/**
 * The repository's layout rules, over every package's sources: no source file grows past about
 * 600 lines (a file holds one concern; past that it is split into modules a newcomer finds by
 * name), and no package's `internal/` is reachable through its `exports`.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const packages = readdirSync(join(root, "packages"))

const sources = packages.flatMap((name) => {
  const src = join(root, "packages", name, "src")
  return readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => ({
      file: relative(root, join(src, file)),
      lines: readFileSync(join(src, file), "utf8").split("\n")
    }))
})

describe("layout", () => {
  it("reads the sources of all four packages", () => {
    expect(packages.sort()).toEqual(["cli", "core", "node", "testing"])
    expect(sources.length).toBeGreaterThan(60)
  })

  it("no source file is over 600 lines", () => {
    expect(sources.filter(({ lines }) => lines.length > 600).map(({ file }) => file)).toEqual([])
  })

  it("no package exports internal/ or a wildcard", () => {
    for (const name of packages) {
      const manifest: { readonly exports: Record<string, unknown> } = JSON.parse(
        readFileSync(join(root, "packages", name, "package.json"), "utf8")
      )
      const text = JSON.stringify(manifest.exports)
      expect(text, name).not.toMatch(/internal|\*/)
    }
  })
})
