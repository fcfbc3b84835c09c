// After `changeset version` (part of `pnpm version-packages`): moves the release notes that
// changesets wrote into packages/*/CHANGELOG.md into the project's CHANGELOG.md, as one section for
// the new version (the four packages share one version) with a subsection per package, or per set
// of packages for a changeset naming several ("All packages" for all four), and deletes those
// files. The project CHANGELOG.md is the one changelog; prepack copies it into every tarball.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { dir, manifest, names, root } from "./packages.mjs"

const version = manifest(names[0]).version
/** Each entry's text, with the packages whose notes hold it, in the order first seen. */
const entries = new Map()
for (const name of names) {
  const file = join(dir(name), "CHANGELOG.md")
  if (!existsSync(file)) continue
  // changesets' format: "# name", "## version", "### Minor Changes", "- hash: text" (indented
  // continuation lines), "- Updated dependencies [...]" with "  - dep@version" lines.
  const own = []
  let current
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("- ")) {
      current = line.startsWith("- Updated dependencies") ? undefined : [line.replace(/^- [0-9a-f]{7,40}: /, "- ")]
      if (current !== undefined) own.push(current)
    } else if (line.startsWith("#")) {
      current = undefined
    } else if (current !== undefined && line.trim() !== "") {
      current.push(line)
    }
  }
  rmSync(file)
  for (const entry of own.map((lines) => lines.join("\n"))) {
    entries.set(entry, [...(entries.get(entry) ?? []), manifest(name).name])
  }
}

const groups = new Map()
for (const [entry, packages] of entries) {
  const heading = packages.length === names.length ? "All packages" : packages.join(", ")
  groups.set(heading, [...(groups.get(heading) ?? []), entry])
}
const sections = [...groups]
  .sort(([a], [b]) => (a === "All packages" ? -1 : b === "All packages" ? 1 : 0))
  .map(([heading, list]) => `### ${heading}\n${list.join("\n")}`)

if (sections.length > 0) {
  const changelog = join(root, "CHANGELOG.md")
  const text = readFileSync(changelog, "utf8")
  const firstSection = text.indexOf("\n## ")
  const head = firstSection < 0 ? `${text.trimEnd()}\n` : text.slice(0, firstSection + 1)
  const rest = firstSection < 0 ? "" : text.slice(firstSection + 1)
  writeFileSync(changelog, `${head.trimEnd()}\n\n## ${version}\n\n${sections.join("\n\n")}\n\n${rest}`)
  console.log(`CHANGELOG.md: ${version}, ${sections.length} section(s)`)
}
