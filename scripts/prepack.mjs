// A package's prepack (npm pack/publish and pnpm pack/publish both run it, in the package's folder):
// builds the package (incrementally; `pnpm build` is the clean build) and copies the project's
// CHANGELOG.md into it, so every tarball carries the changelog. `--clean` (postpack) removes the copy.
import { execFileSync } from "node:child_process"
import { copyFileSync, rmSync } from "node:fs"
import { basename, join } from "node:path"
import { names, root } from "./packages.mjs"

const name = basename(process.cwd())
if (!names.includes(name)) throw new Error(`prepack runs in a package folder, not ${process.cwd()}`)
const changelog = join(process.cwd(), "CHANGELOG.md")

if (process.argv.includes("--clean")) {
  rmSync(changelog, { force: true })
} else {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), name], { stdio: "inherit" })
  copyFileSync(join(root, "CHANGELOG.md"), changelog)
}
