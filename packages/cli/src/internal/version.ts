/**
 * The version of `@fluidcloud/cli`, as its package.json says. `pnpm version-packages` rewrites
 * this file from package.json (scripts/cli-version.mjs) when it bumps the version, and a test
 * fails while the two differ.
 *
 * @internal
 */
export const version = "0.1.0"
