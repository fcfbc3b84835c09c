// `pnpm docs`: the API reference in docs/api/, generated from the JSDoc by @effect/docgen (per
// package, configured by packages/<name>/docgen.json). docgen fails on a public export without
// `@since`, and type-checks and runs every `@example` (imports of our packages resolve to their
// src/, so no build is needed). `pnpm docs --check` (CI) fails when docgen fails or docs/api/ is
// not what the sources give.
//
// docgen runs on a copy of src/ in packages/<name>/build/docgen/, where two JSDoc forms that
// docgen's parser cannot read are rewritten, and listed so that the source can be fixed:
// - a one-line `/** Text. @since 0.1.0 @category ids */` (doctrine reads tags only at the start
//   of a line) becomes a block with one tag per line;
// - a JSDoc on `export { A, type B } from "..."` documents each of A and B (docgen wants a
//   comment on every specifier).
import { execFile } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { dir, manifest, modules, names, root } from "./packages.mjs"

const check = process.argv.includes("--check")
const target = check ? mkdtempSync(join(tmpdir(), "fluidcloud-docs-")) : join(root, "docs", "api")
const notes = []

/** The two rewrites above, on one source file. */
const normalise = (file, text) => {
  let out = text.replace(/^([ \t]*)\/\*\*[ \t]+([^\n]*?)[ \t]*\*\/[ \t]*$/gm, (line, indent, body, offset) => {
    // block tags: "@since", "@category", ... (not "@fluidcloud/core" in the text)
    const tag = /\s+(?=@[a-z]+(?![\w/]))/
    if (!tag.test(` ${body}`)) return line
    const parts = ` ${body}`
      .split(tag)
      .filter((part) => part.trim() !== "")
      .map((part) => part.trim())
    if (!body.startsWith("@")) notes.push(`${file}:${text.slice(0, offset).split("\n").length}: one-line JSDoc`)
    return [`${indent}/**`, ...parts.map((part) => `${indent} * ${part}`), `${indent} */`].join("\n")
  })
  out = out.replace(
    /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)(\s*\nexport (?:type )?\{)([^}]*)\}/g,
    (match, doc, head, list, offset) => {
      if (list.includes("/*")) return match
      const specifiers = list
        .split(",")
        .map((specifier) => specifier.trim())
        .filter((specifier) => specifier !== "")
      notes.push(
        `${file}:${out.slice(0, offset).split("\n").length}: JSDoc on a grouped export { ${specifiers.join(", ")} }`
      )
      return `${doc}${head}\n${specifiers.map((specifier) => `  ${doc}\n  ${specifier}`).join(",\n")}\n}`
    }
  )
  return out
}

/**
 * `paths` for parsing the modules and type-checking the examples: every public module of every
 * package, at its source (absolute), so that the output does not depend on whether dist/ is built.
 */
const sourcePaths = () => {
  const paths = {}
  for (const name of names) {
    for (const module of modules(name)) {
      const specifier = module === "index" ? `@fluidcloud/${name}` : `@fluidcloud/${name}/${module}`
      paths[specifier] = [join(dir(name), "src", `${module}.ts`)]
    }
  }
  return paths
}
const base = JSON.parse(readFileSync(join(root, "tsconfig.base.json"), "utf8")).compilerOptions

const docgen = join(root, "node_modules", "@effect", "docgen", "bin.cjs")
const env = { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` }

const generate = async (name) => {
  const staging = join(dir(name), "build", "docgen")
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  cpSync(join(dir(name), "package.json"), join(staging, "package.json"))
  const src = join(dir(name), "src")
  for (const file of readdirSync(src, { recursive: true })) {
    if (!file.endsWith(".ts")) continue
    mkdirSync(join(staging, "src", file, ".."), { recursive: true })
    const text = readFileSync(join(src, file), "utf8")
    // docgen reads the public modules only (docgen.json excludes internal/ and bin/)
    const isPublic = !file.includes("/")
    writeFileSync(join(staging, "src", file), isPublic ? normalise(`packages/${name}/src/${file}`, text) : text)
  }
  const config = JSON.parse(readFileSync(join(dir(name), "docgen.json"), "utf8"))
  config.$schema = undefined
  config.parseCompilerOptions = { ...base, paths: sourcePaths() }
  config.examplesCompilerOptions.paths = sourcePaths()
  writeFileSync(join(staging, "docgen.json"), JSON.stringify(config, null, 2))
  try {
    await promisify(execFile)(process.execPath, [docgen], { cwd: staging, env, maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    throw new Error(`docgen failed for @fluidcloud/${name}:\n${error.stdout}${error.stderr}`)
  }
  const out = join(target, name)
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const generated = join(staging, "docs", "modules")
  for (const file of readdirSync(generated).filter((file) => file.endsWith(".md") && file !== "index.md")) {
    // Without docgen's Jekyll front matter (which it prints as "***" … "---"): plain Markdown.
    const page = readFileSync(join(generated, file), "utf8").replace(/^(?:\*\*\*|---)\n[\s\S]*?\n---\n+/, "")
    writeFileSync(join(out, file), page)
  }
  rmSync(staging, { recursive: true, force: true })
  return name
}

// Two at a time (each is mostly one tsc run over its examples).
const queue = [...names]
await Promise.all(
  [0, 1].map(async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await generate(name)
      console.log(`docs/api/${name}: ${readdirSync(join(target, name)).length} module page(s)`)
    }
  })
)

const index = [
  "# API reference",
  "",
  "Generated from the JSDoc by `pnpm docs:api` (@effect/docgen); do not edit by hand.",
  "",
  ...names.flatMap((name) => [
    `## ${manifest(name).name}`,
    "",
    ...readdirSync(join(target, name))
      .sort()
      .map((file) => `- [${file.replace(/\.ts\.md$/, "")}](${name}/${file})`),
    ""
  ])
].join("\n")
writeFileSync(join(target, "README.md"), index)

if (notes.length > 0) {
  console.log(
    `JSDoc that docgen cannot read as written (rewritten for it; fix in the source):\n  ${notes.join("\n  ")}`
  )
}

if (check) {
  const current = join(root, "docs", "api")
  const list = (folder) =>
    existsSync(folder)
      ? readdirSync(folder, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
      : []
  const read = (file) => (existsSync(file) ? readFileSync(file, "utf8") : undefined)
  const stale = [...new Set([...list(target), ...list(current)])]
    .sort()
    .filter((file) => read(join(target, file)) !== read(join(current, file)))
  rmSync(target, { recursive: true, force: true })
  if (stale.length > 0) {
    console.error(`docs/api/ is stale (run \`pnpm docs\`): ${stale.join(", ")}`)
    process.exit(1)
  }
  console.log("docs/api/ is up to date")
}
