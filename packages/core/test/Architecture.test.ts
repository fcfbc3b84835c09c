/**
 * The layout's rules, checked on the sources: `internal/` implements what the public modules
 * declare and never imports a value from the public service module (`import type` is fine). The
 * size rule for every package's sources is in test/layout.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src")
const files = readdirSync(src, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => ({ file: relative(src, join(src, file)), text: readFileSync(join(src, file), "utf8") }))

describe("layout", () => {
  it("internal/ imports only types from FluidCloud.ts (no arrow back up into the public service)", () => {
    const offending = files
      .filter(({ file }) => file.startsWith("internal"))
      .flatMap(({ file, text }) =>
        // each import statement, from `import` to the nearest `from "..."`
        [...text.matchAll(/^import\s[\s\S]*?\sfrom\s+"([^"]+)"/gm)]
          .filter((match) => /^(\.\.\/)+FluidCloud\.js$/.test(match[1] ?? "") && !/^import\s+type\s/.test(match[0]))
          .map((match) => `${file}: ${match[0]}`)
      )
    expect(files.filter(({ file }) => file.startsWith("internal")).length).toBeGreaterThan(10)
    expect(offending).toEqual([])
  })

  it("the sync engine is loaded on the first sync call: nothing imports internal/sync/sync.ts as a value", () => {
    // a static import would put the engine and picomatch in every bundle that builds a client
    const importers = files.filter(({ text }) =>
      /^import\s+(?!type\s)[^"]*?from\s+"(?:\.\.?\/)+(?:internal\/)?sync\/sync\.js"/m.test(text)
    )
    const lazy = files.filter(({ text }) => text.includes('import("./sync/sync.js")'))
    expect(importers.map(({ file }) => file)).toEqual([])
    expect(lazy.map(({ file }) => file)).toEqual(["internal/fluidCloud.ts"])
  })
})
