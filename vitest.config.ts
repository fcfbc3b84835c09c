import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// The workspace runs the packages from source: `@fluidcloud/<name>` and `@fluidcloud/<name>/<Module>`
// resolve to `packages/<name>/src` (as tsconfig.base.json's `paths` do for tsc and tsx), while the
// packages' `exports` point at the built `dist/` that gets published.
const packages = fileURLToPath(new URL("./packages/", import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@fluidcloud\/(core|node|cli|testing)$/, replacement: `${packages}$1/src/index.ts` },
      { find: /^@fluidcloud\/(core|node|cli|testing)\/(\w+)$/, replacement: `${packages}$1/src/$2.ts` }
    ]
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "docs/examples/**/*.test.ts"],
    globalSetup: ["test/setup/bundle-cli.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    sequence: { concurrent: false }
  }
})
