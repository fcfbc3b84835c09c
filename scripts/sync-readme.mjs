// Rewrites every code block that follows `<!-- snippet: PATH -->` in the README and the guides with
// the file at PATH (files that `pnpm typecheck` checks). `test/readme.test.ts` fails when they
// differ; run `node scripts/sync-readme.mjs` to fix.
import { readFileSync, writeFileSync } from "node:fs"

export const documents = ["README.md", "docs/testing.md"]

for (const document of documents) {
  const text = readFileSync(document, "utf8")
  const next = text.replace(
    /(<!-- snippet: (\S+) -->\s*```ts\n)[\s\S]*?```/g,
    (_all, head, path) => `${head}${readFileSync(path, "utf8")}\`\`\``
  )
  if (next !== text) writeFileSync(document, next)
}
