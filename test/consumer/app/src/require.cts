// CommonJS (a .cts under NodeNext): every package and a subpath load with require(), typed by
// their CommonJS declarations, and a program runs on the CommonJS builds, sharing the app's `effect`.
import effect = require("effect")
import core = require("@fluidcloud/core")
import Errors = require("@fluidcloud/core/Errors")
import node = require("@fluidcloud/node")
import cli = require("@fluidcloud/cli")
import testing = require("@fluidcloud/testing")

const { Effect, Option } = effect
const { FluidCloud } = core

const loaded = {
  core: typeof FluidCloud.layer,
  errors: typeof Errors.NotFoundError,
  node: typeof node.NodeFluidCloud.layerConfig,
  cli: typeof cli.Cli.run,
  testing: typeof testing.FluidCloudTest.layer
}
if (Object.values(loaded).some((type) => type !== "function")) throw new Error(`not loaded: ${JSON.stringify(loaded)}`)
if (!require.resolve("@fluidcloud/core").endsWith(".cjs")) throw new Error("require() did not get the CommonJS build")

// Only the public modules and package.json are reachable: not internal/, not the bins, not dist/.
for (const hidden of [
  "@fluidcloud/core/internal/upload",
  "@fluidcloud/cli/bin/fluidcloud",
  "@fluidcloud/testing/dist/index.cjs"
]) {
  try {
    require.resolve(hidden)
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") continue
    throw error
  }
  throw new Error(`${hidden} can be required`)
}
const manifest: unknown = require("@fluidcloud/core/package.json")
if (typeof manifest !== "object" || manifest === null || !("version" in manifest)) throw new Error("no package.json")

const program = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const space = yield* fc.spaces.create("commonjs")
  const file = yield* fc.files.upload(new TextEncoder().encode("hello from CommonJS"), space.id, { name: "hello.txt" })
  const missing = yield* Effect.flip(fc.files.get(core.Domain.FileId.make("00000000-0000-4000-8000-000000000000")))
  return { mime: Option.getOrNull(file.mime), missing: missing instanceof Errors.NotFoundError }
})

Effect.runPromise(program.pipe(Effect.provide(testing.FluidCloudTest.layer()))).then(
  (result) => {
    if (result.mime !== "text/plain" || !result.missing) throw new Error(`unexpected: ${JSON.stringify(result)}`)
    console.log(`CommonJS, in-process emulator: ${JSON.stringify(result)}`)
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
