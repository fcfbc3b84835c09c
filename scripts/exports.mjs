// Writes each package's entry points into its package.json from its public modules
// (scripts/packages.mjs): `exports` (ESM and CommonJS, each with its own declarations, plus
// ./package.json), `main`/`module`/`types` and `typesVersions` for tools that predate `exports`;
// and the same modules, mapped to their source, as the `paths` of tsconfig.base.json, so that the
// workspace can import exactly what a user can (and a declaration naming an internal module of
// another package fails the build instead of shipping).
// `node scripts/exports.mjs --check` fails instead of writing when a file is out of date.
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { dir, modules, names, root } from "./packages.mjs"

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

/** package.json as npm, pnpm and changesets write it. */
const formatManifest = (value) => `${JSON.stringify(value, null, 2)}\n`

/** tsconfig JSON as we write it by hand: two-space indent, arrays of strings on one line. */
const format = (value) =>
  `${JSON.stringify(value, null, 2).replace(/\[\s+("[^"\]]*"(?:,\s+"[^"\]]*")*)\s+\]/g, (_, items) => `[${items.split(/,\s+/).join(", ")}]`)}\n`

const stale = []
const update = (file, next) => {
  const text = readFileSync(file, "utf8")
  const out = next(text)
  if (out === text) return
  if (check) stale.push(file.slice(root.length + 1))
  else writeFileSync(file, out)
}

for (const name of names) {
  update(join(dir(name), "package.json"), (text) => formatManifest(withEntryPoints(JSON.parse(text), modules(name))))
}

update(join(root, "tsconfig.base.json"), (text) => {
  const config = JSON.parse(text)
  const paths = {}
  for (const name of names) {
    for (const module of modules(name)) {
      const specifier = module === "index" ? `@fluidcloud/${name}` : `@fluidcloud/${name}/${module}`
      paths[specifier] = [`./packages/${name}/src/${module}.ts`]
    }
  }
  config.compilerOptions.paths = paths
  return format(config)
})
if (stale.length > 0) {
  console.error(`out of date with src/ (run \`pnpm exports\`): ${stale.join(", ")}`)
  process.exit(1)
}
