import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

// Every code block in the README and the guides that follows `<!-- snippet: PATH -->` must be
// that file, verbatim: the files are type-checked by `pnpm typecheck` (and `*.test.ts` ones run),
// so the docs cannot rot. `node scripts/sync-readme.mjs` copies them in.
const root = join(import.meta.dirname, "..")
const documents = ["README.md", "docs/testing.md"]

describe.each(documents)("%s snippets", (document) => {
  const text = readFileSync(join(root, document), "utf8")
  const snippets = [...text.matchAll(/<!-- snippet: (\S+) -->\s*```ts\n([\s\S]*?)```/g)]
  it.each(snippets.map((match) => [match[1] ?? "", match[2] ?? ""] as const))(
    "%s is quoted verbatim",
    (path, block) => {
      expect(block).toBe(readFileSync(join(root, path), "utf8"))
    }
  )
})

it("the README quotes type-checked files", () => {
  expect(readFileSync(join(root, "README.md"), "utf8")).toMatch(/<!-- snippet: docs\/examples\/client\.ts -->/)
})
