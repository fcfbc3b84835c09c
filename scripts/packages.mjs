// The published packages and their public modules, in one place for the scripts that build, pack,
// document and test them. A package's public modules are the top-level files of its src/ (index.ts
// is the package root); src/internal/ and src/bin/ are never exported. Adding a module: create
// packages/<name>/src/<Module>.ts, then run `pnpm exports` (CI fails while package.json lags).
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** Folder names under packages/, in dependency order (a package comes after what it imports). */
export const names = ["core", "testing", "node", "cli"]

export const dir = (name) => join(root, "packages", name)

export const manifest = (name) => JSON.parse(readFileSync(join(dir(name), "package.json"), "utf8"))

/** The public modules of a package: `index` first, then the other top-level src/*.ts, sorted. */
export const modules = (name) =>
  readdirSync(join(dir(name), "src"), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => entry.name.slice(0, -".ts".length))
    .sort((a, b) => (a === "index" ? -1 : b === "index" ? 1 : a.localeCompare(b)))
