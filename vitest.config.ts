import { tmpdir } from "node:os"
import { join } from "node:path"
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
    // the SDK's local state (upload checkpoints, sync's hash cache) goes to a directory of this
    // run, never the user's ~/.local/state; test/setup/bundle-cli.ts removes it at the end
    env: { FLUIDCLOUD_STATE_DIR: join(tmpdir(), `fluidcloud-test-state-${process.pid}`) },
    sequence: { concurrent: false }
  }
})
