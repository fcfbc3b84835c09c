// After `changeset version` (part of `pnpm version-packages` and of `pnpm release --dry-run`):
// writes @fluidcloud/cli's package.json version into packages/cli/src/internal/version.ts, the
// version `fluidcloud --version` prints, so a release never ships the previous one.
// `--check` writes nothing and exits 1 while the two differ.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { dir, manifest } from "./packages.mjs"

const file = join(dir("cli"), "src", "internal", "version.ts")
const { version } = manifest("cli")
const text = readFileSync(file, "utf8")
const pattern = /^export const version = "([^"]*)"$/m
const current = text.match(pattern)?.[1]
if (current === undefined) {
  console.error(`${file}: no \`export const version = "..."\` line`)
  process.exit(1)
}
if (current !== version) {
  if (process.argv.includes("--check")) {
    console.error(`${file} says ${current}, packages/cli/package.json ${version}: run node scripts/cli-version.mjs`)
    process.exit(1)
  }
  writeFileSync(file, text.replace(pattern, `export const version = ${JSON.stringify(version)}`))
  console.log(`fluidcloud --version: ${current} → ${version}`)
}
