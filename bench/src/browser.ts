/**
 * The browser bundle: the SDK's client over `FetchHttpClient` bundled with esbuild for the browser
 * (minified, gzip -9), three ways:
 * - `own`: with `effect` and `@effect/platform` left out (external): what the SDK adds above them,
 *   its own code and its own dependencies (the budget's figure);
 * - `total`: everything;
 * - `baseline`: an app on `effect` + `@effect/platform` alone (an HTTP call decoded with Schema).
 */
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { build } from "esbuild"
import { benchDir } from "./build.js"

const gzipKiB = async (entry: string, external: ReadonlyArray<string>) => {
  const result = await build({
    entryPoints: [join(benchDir, "entries", entry)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: [...external],
    metafile: true,
    logLevel: "warning"
  })
  const output = result.outputFiles[0]?.contents ?? new Uint8Array()
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {}
  const byPackage = new Map<string, number>()
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(workspace)"
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput)
  }
  return { gzip: gzipSync(output, { level: 9 }).byteLength / 1024, minified: output.byteLength / 1024, byPackage }
}

export const browserBundle = async () => {
  const own = await gzipKiB("browser-sdk.ts", ["effect", "effect/*", "@effect/platform", "@effect/platform/*"])
  const total = await gzipKiB("browser-sdk.ts", [])
  const baseline = await gzipKiB("browser-baseline.ts", [])
  return { own, total, baseline }
}
