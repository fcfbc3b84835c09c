/**
 * Bundles each process the benchmarks start (the sink, the clients, the cold starts, the emulator
 * and the bare store under it) into one plain-JavaScript file under bench/build/ (git-ignored), so
 * each runs on plain node: no TypeScript loader in its memory, start-up or CPU figures.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"

export const benchDir = join(import.meta.dirname, "..")
export const buildDir = join(benchDir, "build")

const entries = {
  sink: join(benchDir, "src", "sink.ts"),
  raw: join(benchDir, "src", "raw.ts"),
  sdk: join(benchDir, "src", "sdk.ts"),
  platform: join(benchDir, "src", "platform.ts"),
  "cold-raw": join(benchDir, "entries", "cold-raw.ts"),
  "cold-sdk": join(benchDir, "entries", "cold-sdk.ts"),
  "cold-platform": join(benchDir, "entries", "cold-platform.ts"),
  emulator: join(benchDir, "..", "packages", "testing", "src", "bin", "fluidcloud-emulator.ts"),
  store: join(benchDir, "src", "store.ts")
} as const

export type Entry = keyof typeof entries

/** The path of an entry's bundle. */
export const bundlePath = (entry: Entry): string => join(buildDir, entry, `${entry}.mjs`)

/**
 * Each entry is bundled on its own, into a directory of its own, with splitting: what a process
 * loads with `import()` (the SDK's sync engine and `hash-wasm`, loaded on first use) stays in a
 * chunk of its own, unread until called, as it is when the process runs from `node_modules`. An
 * unsplit bundle would inline it and make every start parse it. Separate builds share no chunks, so
 * each process loads what a bundle of it alone holds.
 */
export const buildAll = async (): Promise<void> => {
  rmSync(buildDir, { recursive: true, force: true })
  await Promise.all(
    Object.entries(entries).map(([out, input]) =>
      build({
        entryPoints: [{ in: input, out }],
        outdir: join(buildDir, out),
        outExtension: { ".js": ".mjs" },
        bundle: true,
        splitting: true,
        platform: "node",
        format: "esm",
        target: "node20",
        logLevel: "warning",
        // CommonJS dependencies bundled into ESM still call `require` for Node built-ins
        banner: {
          js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
        }
      })
    )
  )
}

export const cleanBuild = (): void => rmSync(buildDir, { recursive: true, force: true })
