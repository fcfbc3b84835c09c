// `pnpm pack:check [OUT]`: packs every package with pnpm and with npm (each runs the package's
// prepack), and checks the tarballs a user would install:
// - npm's and pnpm's tarballs hold the same files with the same bytes (package.json: the same
//   manifest, apart from the lifecycle scripts pnpm drops);
// - every declaration names only files inside its package and other packages' public modules;
// - `publint --strict` and `attw` (are the types wrong: node10, node16 from CJS and ESM, bundler).
// Prints each tarball's packed and unpacked size. Tarballs: OUT/pnpm and OUT/npm (default build/pack).
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, normalize, resolve } from "node:path"
import { dir, names, root } from "./packages.mjs"

const out = resolve(process.argv[2] ?? join(root, "build", "pack"))
rmSync(out, { recursive: true, force: true })
const tools = ["pnpm", "npm"]
for (const tool of tools) mkdirSync(join(out, tool), { recursive: true })

const failures = []
const bin = (name) => join(root, "node_modules", ".bin", name)

/** Unpacks a tarball into a fresh folder and returns the path of its `package/`. */
const unpack = (tarball) => {
  const into = mkdtempSync(join(tmpdir(), "fluidcloud-pack-"))
  execFileSync("tar", ["-xzf", tarball, "-C", into])
  return join(into, "package")
}
const filesIn = (folder) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort()

const rows = []
for (const name of names) {
  const tarballs = {}
  for (const tool of tools) {
    const args =
      tool === "pnpm"
        ? ["pack", "--pack-destination", join(out, tool)]
        : ["pack", "--pack-destination", join(out, tool), "--loglevel=error"]
    const printed = execFileSync(tool, args, { cwd: dir(name), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    const file = printed
      .trim()
      .split("\n")
      .filter((line) => line.endsWith(".tgz"))
      .pop()
    tarballs[tool] = join(out, tool, file.slice(file.lastIndexOf("/") + 1))
  }
  const [pnpmDir, npmDir] = tools.map((tool) => unpack(tarballs[tool]))
  const pnpmFiles = filesIn(pnpmDir)
  const npmFiles = filesIn(npmDir)
  if (pnpmFiles.join("\n") !== npmFiles.join("\n")) {
    failures.push(`${name}: npm pack and pnpm pack hold different files`)
  }
  for (const file of pnpmFiles.filter((file) => npmFiles.includes(file))) {
    const [a, b] = [readFileSync(join(pnpmDir, file)), readFileSync(join(npmDir, file))]
    if (file === "package.json") {
      const [pa, pb] = [JSON.parse(a), JSON.parse(b)]
      delete pa.scripts
      delete pb.scripts
      if (JSON.stringify(pa) !== JSON.stringify(pb)) failures.push(`${name}: npm's and pnpm's package.json differ`)
    } else if (!a.equals(b)) {
      failures.push(`${name}: ${file} differs between npm pack and pnpm pack`)
    }
  }

  // Declarations may name files of their own package and the public modules of others.
  for (const file of pnpmFiles.filter((file) => /\.d\.c?ts$/.test(file))) {
    const text = readFileSync(join(pnpmDir, file), "utf8")
    for (const [, specifier] of text.matchAll(/(?:from |import\()\s*["']([^"']+)["']/g)) {
      if (specifier.startsWith(".")) {
        const target = normalize(join(dirname(file), specifier))
        if (target.startsWith("..")) failures.push(`${name}: ${file} imports ${specifier}, outside the package`)
        continue
      }
      const match = /^@fluidcloud\/([^/]+)(?:\/(.+))?$/.exec(specifier)
      if (match === null || match[2] === undefined) continue
      const manifest = JSON.parse(readFileSync(join(dir(match[1]), "package.json"), "utf8"))
      if (!(`./${match[2]}` in manifest.exports)) {
        failures.push(`${name}: ${file} imports ${specifier}, which @fluidcloud/${match[1]} does not export`)
      }
    }
  }

  const manifest = JSON.parse(readFileSync(join(pnpmDir, "package.json"), "utf8"))
  const unpacked = pnpmFiles.reduce((sum, file) => sum + statSync(join(pnpmDir, file)).size, 0)
  rows.push([manifest.name, manifest.version, statSync(tarballs.pnpm).size, unpacked, pnpmFiles.length])
  rmSync(dirname(pnpmDir), { recursive: true, force: true })
  rmSync(dirname(npmDir), { recursive: true, force: true })

  for (const [label, command, args] of [
    ["publint --strict", bin("publint"), ["run", tarballs.pnpm, "--strict"]],
    ["attw", bin("attw"), [tarballs.pnpm, "--format", "table-flipped", "--no-emoji", "--no-color"]]
  ]) {
    const run = spawnSync(command, args, { encoding: "utf8" })
    console.log(`::: ${label} ${manifest.name}\n${(run.stdout + run.stderr).trim()}`)
    if (run.status !== 0) failures.push(`${name}: ${label} failed`)
  }
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`
console.log("\n| package | version | packed | unpacked | files |\n| --- | --- | --- | --- | --- |")
for (const [name, version, packed, unpacked, count] of rows) {
  console.log(`| ${name} | ${version} | ${kB(packed)} | ${kB(unpacked)} | ${count} |`)
}
if (failures.length > 0) {
  console.error(`\n${failures.join("\n")}`)
  process.exit(1)
}
console.log(`\n${rows.length} tarballs packed by npm and pnpm alike; declarations, publint and attw clean (${out})`)
