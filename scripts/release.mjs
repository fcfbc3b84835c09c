// `pnpm release`: builds, checks the tarballs (pack:check) and publishes the versions that are not
// on the registry yet (`changeset publish`, which uses `pnpm publish`). Run `pnpm version-packages`
// (and commit) first; with changesets still pending it stops.
//
// `pnpm release --dry-run`: the whole release without publishing and without touching this
// repository: clones HEAD into a temporary folder (sharing this node_modules), applies the pending
// changesets there (versions, CHANGELOG.md), builds and packs, and leaves the tarballs that would be
// published in build/release/ with the new CHANGELOG section printed.
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { names, root } from "./packages.mjs"

const dryRun = process.argv.includes("--dry-run")
const bin = (name) => join(root, "node_modules", ".bin", name)
const sh = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: "inherit" })
const pending = (folder) =>
  readdirSync(join(folder, ".changeset")).filter((file) => file.endsWith(".md") && file !== "README.md")

if (!dryRun) {
  if (pending(root).length > 0) {
    console.error(`pending changesets (${pending(root).join(", ")}): run \`pnpm version-packages\` and commit first`)
    process.exit(1)
  }
  sh(process.execPath, [join(root, "scripts", "build.mjs")], root)
  sh(process.execPath, [join(root, "scripts", "pack.mjs")], root)
  sh(bin("changeset"), ["publish"], root)
  process.exit(0)
}

const work = mkdtempSync(join(tmpdir(), "fluidcloud-release-"))
try {
  execFileSync("git", ["clone", "--quiet", "--local", root, work], { stdio: "inherit" })
  // The clone shares this checkout's installed dependencies: tsc, esbuild and changesets run from
  // here, and the packages resolve effect & co. through their own node_modules links.
  for (const folder of ["", ...readdirSync(join(root, "packages")).map((name) => join("packages", name))]) {
    const modules = join(root, folder, "node_modules")
    if (existsSync(modules) && existsSync(join(work, folder))) symlinkSync(modules, join(work, folder, "node_modules"))
  }
  const changesets = pending(work)
  console.log(`::: release --dry-run in ${work}: ${changesets.length} changeset(s)`)
  if (changesets.length > 0) {
    sh(bin("changeset"), ["version"], work)
    sh(process.execPath, [join(work, "scripts", "changelog.mjs")], work)
    sh(process.execPath, [join(work, "scripts", "cli-version.mjs")], work)
  }
  sh(process.execPath, [join(work, "scripts", "build.mjs")], work)
  // the built CLI says the version it is released as
  const cliVersion = JSON.parse(readFileSync(join(work, "packages", "cli", "package.json"), "utf8")).version
  const printed = execFileSync(process.execPath, [join(work, "packages", "cli", "bin", "fluidcloud.js"), "--version"], {
    encoding: "utf8"
  }).trim()
  if (!printed.includes(cliVersion))
    throw new Error(`fluidcloud --version printed "${printed}", expected ${cliVersion}`)
  console.log(`::: fluidcloud --version: ${printed}`)
  const out = join(root, "build", "release")
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  for (const name of names) {
    execFileSync("pnpm", ["pack", "--pack-destination", out], { cwd: join(work, "packages", name), stdio: "ignore" })
  }
  const changelog = readFileSync(join(work, "CHANGELOG.md"), "utf8")
  const section = changelog.slice(changelog.indexOf("\n## ") + 1).split(/\n(?=## )/)[0]
  console.log(`\n${section.trim()}\n`)
  console.log(
    `would publish (not published; build/release/):\n${readdirSync(out)
      .map((f) => `  ${f}`)
      .join("\n")}`
  )
  cpSync(join(work, "CHANGELOG.md"), join(out, "CHANGELOG.md"))
} finally {
  rmSync(work, { recursive: true, force: true })
}
