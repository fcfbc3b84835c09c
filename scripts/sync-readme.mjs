// Rewrites every code block that follows `<!-- snippet: PATH -->` in README.md with the file at PATH.
// `test/readme.test.ts` fails when they differ; run `node scripts/sync-readme.mjs` to fix.
import { readFileSync, writeFileSync } from "node:fs"

const readme = readFileSync("README.md", "utf8")
const next = readme.replace(
  /(<!-- snippet: (\S+) -->\s*```ts\n)[\s\S]*?```/g,
  (_all, head, path) => `${head}${readFileSync(path, "utf8")}\`\`\``
)
if (next !== readme) writeFileSync("README.md", next)
