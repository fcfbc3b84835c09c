// After `changeset version` (part of `pnpm version-packages`): moves the release notes that
// changesets wrote into packages/*/CHANGELOG.md into the project's CHANGELOG.md, as one section for
// the new version (the four packages share one version) with a subsection per package, or per set
// of packages for a changeset naming several ("All packages" for all four), and deletes those
// files. A section "## <version> — unreleased" written by hand for the same version takes the
// entries instead (into its subsections of the same heading) and loses " — unreleased".
// The project CHANGELOG.md is the one changelog; prepack copies it into every tarball.
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
      current = line.startsWith("- Updated dependencies") ? undefined : [line.replace(/^- [0-9a-f]{7,40}: ?/, "- ")]
      if (current !== undefined) own.push(current)
    } else if (line.startsWith("#")) {
      current = undefined
    } else if (current !== undefined && line.trim() !== "") {
      current.push(line)
    }
  }
  rmSync(file)
  // a changeset with no text only bumps the version
  for (const entry of own.map((lines) => lines.join("\n")).filter((entry) => entry.trim() !== "-")) {
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
  const head = firstSection < 0 ? text : text.slice(0, firstSection + 1)
  const rest = firstSection < 0 ? "" : text.slice(firstSection + 1)
  const [top, ...older] = rest.split(/\n(?=## )/)
  const unreleased = top?.match(/^## (\S+) — unreleased\n/)
  if (top !== undefined && unreleased?.[1] === version) {
    // Notes written by hand for this version: the changesets' entries join them, each in the
    // subsection of the same heading, or in a new one; the version is released.
    let section = top.replace(" — unreleased", "").trimEnd()
    for (const block of sections) {
      const [heading, ...lines] = block.split("\n")
      const at = section.indexOf(`\n${heading}\n`)
      if (at < 0) {
        section = `${section}\n\n${block}`
        continue
      }
      const next = section.indexOf("\n### ", at + heading.length + 1)
      const end = next < 0 ? section.length : next
      section = `${section.slice(0, end).trimEnd()}\n${lines.join("\n")}\n${section.slice(end)}`.trimEnd()
    }
    writeFileSync(changelog, `${head.trimEnd()}\n\n${[section, ...older].join("\n\n").trimEnd()}\n`)
  } else {
    writeFileSync(changelog, `${head.trimEnd()}\n\n## ${version}\n\n${sections.join("\n\n")}\n\n${rest}`)
  }
  console.log(`CHANGELOG.md: ${version}, ${sections.length} section(s)`)
}
