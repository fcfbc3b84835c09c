/**
 * The browser bundle: the SDK's client over `FetchHttpClient` bundled with esbuild for the browser
 * (minified, ESM, split on dynamic imports as Vite, Rollup and webpack do; gzip -9), three ways:
 * - `own`: with `effect` and `@effect/platform` left out (external): what the SDK adds above them,
 *   its own code and its own dependencies (the budget's figure);
 * - `total`: everything;
 * - `baseline`: an app on `effect` + `@effect/platform` alone (an HTTP call decoded with Schema).
 *
 * Each is split into what the app loads when it builds the client and makes a call (the entry, the
 * chunks it imports, and the chunks the client imports when it is built: the WebAssembly sha256)
 * and what only the `sync` namespace loads, on its first call (`deferred`: the sync engine and its
 * glob compiler). `single` is the same app bundled into one file, without splitting.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { gzipSync } from "node:zlib"
import { build, type Metafile } from "esbuild"
import { benchDir } from "./build.js"

/** A chunk only `sync` loads: one that holds the sync engine. */
const deferredChunk = (output: Metafile["outputs"][string]) =>
  Object.keys(output.inputs).some((input) => /packages\/core\/src\/internal\/sync\/sync\.ts$/.test(input))

const bundle = async (entry: string, external: ReadonlyArray<string>, splitting: boolean) => {
  const outdir = mkdtempSync(join(tmpdir(), "fluidcloud-bench-browser-"))
  try {
    const result = await build({
      entryPoints: [join(benchDir, "entries", entry)],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      splitting,
      outdir,
      write: false,
      external: [...external],
      metafile: true,
      logLevel: "warning"
    })
    const contents = new Map(result.outputFiles.map((file) => [file.path, file.contents]))
    let loaded = 0
    let deferred = 0
    const byPackage = new Map<string, number>()
    for (const [path, output] of Object.entries(result.metafile.outputs)) {
      if (path.endsWith(".map")) continue
      // the metafile names outputs relative to the working directory, outputFiles by absolute path
      const bytes = contents.get(resolve(path))
      if (bytes === undefined) throw new Error(`esbuild wrote no file for ${path}`)
      const gzip = gzipSync(bytes, { level: 9 }).byteLength / 1024
      if (deferredChunk(output)) {
        deferred += gzip
        continue
      }
      loaded += gzip
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const pkg =
          /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? "(workspace)"
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput)
      }
    }
    return { gzip: loaded, deferred, byPackage }
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

export const browserBundle = async () => {
  const platform = ["effect", "effect/*", "@effect/platform", "@effect/platform/*"]
  const own = await bundle("browser-sdk.ts", platform, true)
  const single = await bundle("browser-sdk.ts", platform, false)
  const total = await bundle("browser-sdk.ts", [], true)
  const baseline = await bundle("browser-baseline.ts", [], true)
  return { own, single, total, baseline }
}
