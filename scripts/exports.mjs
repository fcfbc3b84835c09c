// Writes each package's entry points into its package.json from its public modules
// (scripts/packages.mjs): `exports` (ESM and CommonJS, each with its own declarations, plus
// ./package.json), `main`/`module`/`types` and `typesVersions` for tools that predate `exports`.
// `node scripts/exports.mjs --check` fails instead of writing when a package.json is out of date.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { dir, modules, names } from "./packages.mjs"

const check = process.argv.includes("--check")

const entry = (module) => ({
  import: { types: `./dist/${module}.d.ts`, default: `./dist/${module}.js` },
  require: { types: `./dist/${module}.d.cts`, default: `./dist/${module}.cjs` }
})

/** The manifest with its entry-point fields replaced, keeping every other field and the key order. */
const withEntryPoints = (pkg, publicModules) => {
  const exports = { "./package.json": "./package.json" }
  const typesVersions = {}
  for (const module of publicModules) {
    exports[module === "index" ? "." : `./${module}`] = entry(module)
    if (module !== "index") typesVersions[module] = [`./dist/${module}.d.cts`]
  }
  const fields = {
    main: "./dist/index.cjs",
    module: "./dist/index.js",
    types: "./dist/index.d.cts",
    exports,
    typesVersions: { "*": typesVersions }
  }
  const out = {}
  for (const [key, value] of Object.entries(pkg)) {
    if (key === "main") Object.assign(out, fields)
    else if (!(key in fields)) out[key] = value
  }
  if (!("main" in out)) Object.assign(out, fields)
  return out
}

const stale = []
for (const name of names) {
  const file = join(dir(name), "package.json")
  const text = readFileSync(file, "utf8")
  const next = `${JSON.stringify(withEntryPoints(JSON.parse(text), modules(name)), null, 2)}\n`
  if (next === text) continue
  if (check) stale.push(`packages/${name}/package.json`)
  else writeFileSync(file, next)
}
if (stale.length > 0) {
  console.error(`out of date with src/ (run \`pnpm exports\`): ${stale.join(", ")}`)
  process.exit(1)
}
