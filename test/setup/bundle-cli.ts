/**
 * Vitest global setup: bundles the `fluidcloud` CLI from source once with esbuild, so the tests
 * that drive it as a subprocess start a plain `node` process (about 0.3 s) instead of compiling
 * TypeScript on every spawn (about 2.5 s). The bundle is the same source the bin runs.
 *
 * A second bundle leaves `@fluidcloud/testing` out (a bare `import()` that cannot resolve from the
 * temporary directory), as when a user installed `@fluidcloud/cli` without its optional peer.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    readonly fluidcloudCliBundle: string
    readonly fluidcloudCliBundleWithoutTesting: string
  }
}

const bundle = (outfile: string, external: Array<string>) =>
  build({
    entryPoints: [fileURLToPath(new URL("../../packages/cli/src/bin/fluidcloud.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    external,
    logLevel: "warning",
    // CommonJS dependencies bundled into ESM still call `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
    }
  })

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "fluidcloud-cli-bundle-"))
  const outfile = join(dir, "fluidcloud.mjs")
  const withoutTesting = join(dir, "fluidcloud-without-testing.mjs")
  await Promise.all([bundle(outfile, []), bundle(withoutTesting, ["@fluidcloud/testing"])])
  project.provide("fluidcloudCliBundle", outfile)
  project.provide("fluidcloudCliBundleWithoutTesting", withoutTesting)
  return () => {
    rmSync(dir, { recursive: true, force: true })
    // the run's state directory (vitest.config.ts)
    rmSync(join(tmpdir(), `fluidcloud-test-state-${process.pid}`), { recursive: true, force: true })
  }
}
