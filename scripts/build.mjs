// `pnpm build`: what gets published, in each package's dist/:
// - ESM: `tsc -b` over the packages' tsconfig.build.json (X.js, X.d.ts and their maps);
// - CommonJS: esbuild compiles the same src/ file by file (X.cjs + map), and each declaration is
//   copied as X.d.cts with its relative imports pointing at the .cjs/.d.cts twins, so that a
//   `require()` gets CommonJS types under `moduleResolution: node16`/`nodenext`.
// The bins (src/bin/) are ESM only and have no declarations: they are run, never imported. Maps
// point at ../src, which is published with the package. tsc's build info goes to build/, not dist/.
//
// `node scripts/build.mjs` builds every package from scratch. `node scripts/build.mjs NAME...`
// (each package's prepack) builds those incrementally: tsc -b skips what is up to date.
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join, relative, sep } from "node:path"
import { build } from "esbuild"
import { dir, names, root } from "./packages.mjs"

/** The files under `folder` (recursively) whose name passes `test`, outside its bin/ folder. */
const libraryFiles = (folder, test) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(folder, file).startsWith(`bin${sep}`))

/** `./X.js` / `../X.js` specifiers in emitted code or declarations, pointed at their CommonJS twin. */
const toCommonJs = (text) =>
  text.replace(/((?:from |import\(|require\()\s*)(["'])(\.{1,2}\/[^"']+)\.js\2/g, "$1$2$3.cjs$2")

/**
 * esbuild gives an ES module in a `"type": "module"` package Node's interop (`default` = the whole
 * `module.exports`). Our CommonJS output should honour `__esModule` instead, as Babel and tsc do:
 * `require()` of an ES module with a default export (`mime`) returns its namespace with
 * `__esModule: true`, and `import mime from "mime"` must be that namespace's `default`.
 */
const honourEsModule = (text) => text.replace(/__toESM\((require\("[^"]+"\)), 1\)/g, "__toESM($1)")

const selected = process.argv.slice(2)
const unknown = selected.filter((name) => !names.includes(name))
if (unknown.length > 0) throw new Error(`not a package: ${unknown.join(", ")}`)
const targets = selected.length > 0 ? selected : names

if (selected.length === 0) {
  for (const name of names) {
    rmSync(join(dir(name), "dist"), { recursive: true, force: true })
    rmSync(join(dir(name), "build"), { recursive: true, force: true })
  }
}

const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
const projects = targets.map((name) => `packages/${name}/tsconfig.build.json`)
execFileSync(process.execPath, [tsc, "-b", ...projects], { cwd: root, stdio: "inherit" })

for (const name of targets) {
  const src = join(dir(name), "src")
  const dist = join(dir(name), "dist")
  for (const file of readdirSync(dist, { recursive: true })) {
    if (file.startsWith(`bin${sep}`) && file.includes(".d.ts")) rmSync(join(dist, file))
  }
  await build({
    entryPoints: libraryFiles(src, (file) => file.endsWith(".ts")),
    outdir: dist,
    outbase: src,
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: true,
    sourcesContent: false,
    logLevel: "warning"
  })
  for (const file of libraryFiles(dist, (file) => file.endsWith(".cjs"))) {
    writeFileSync(file, honourEsModule(toCommonJs(readFileSync(file, "utf8"))))
  }
  for (const file of libraryFiles(dist, (file) => file.endsWith(".d.ts"))) {
    const cts = file.replace(/\.d\.ts$/, ".d.cts")
    const declaration = toCommonJs(readFileSync(file, "utf8")).replace(
      /^\/\/# sourceMappingURL=.*$/m,
      `//# sourceMappingURL=${basename(cts)}.map`
    )
    writeFileSync(cts, declaration)
    const map = JSON.parse(readFileSync(`${file}.map`, "utf8"))
    writeFileSync(`${cts}.map`, JSON.stringify({ ...map, file: basename(cts) }))
  }
}
