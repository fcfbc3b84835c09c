import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

// Every code block in the README that follows `<!-- snippet: PATH -->` must be that file,
// verbatim: the files are type-checked by `pnpm typecheck`, so the README cannot rot.
const root = join(import.meta.dirname, "..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const snippets = [...readme.matchAll(/<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)```/g)]

describe("README snippets", () => {
  it("quotes at least one type-checked file", () => {
    expect(snippets.length).toBeGreaterThan(0)
  })
  it.each(snippets.map((match) => [match[1] ?? "", match[2] ?? ""] as const))(
    "%s is quoted verbatim",
    (path, block) => {
      expect(block).toBe(readFileSync(join(root, path), "utf8"))
    }
  )
})
