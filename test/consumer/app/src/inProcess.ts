// ESM (NodeNext): an app's program run against the in-process emulator, no sockets.
import { Domain, FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Option } from "effect"

const program = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const emulator = yield* Emulator.Emulator
  const space = yield* fc.spaces.create("consumer")
  const file = yield* fc.files.upload(new TextEncoder().encode("hello from an ESM consumer"), space.id, {
    name: "hello.txt",
    clientKey: "consumer/hello.txt"
  })
  const clean = yield* fc.files.waitUntilClean(file.id)
  const same = yield* fc.files.resolve("consumer/hello.txt")
  const missing = yield* fc.files.get(Domain.FileId.make("00000000-0000-4000-8000-000000000000")).pipe(
    Effect.as("found"),
    Effect.catchTag("NotFoundError", (error) => Effect.succeed(`NotFoundError ${error.status}`))
  )
  const open = yield* emulator.openUploads
  if (same.id !== file.id || !clean.isClean || open.length !== 0 || missing !== "NotFoundError 404") {
    throw new Error(`unexpected: ${JSON.stringify({ same: same.id, file: file.id, open: open.length, missing })}`)
  }
  return { mime: Option.getOrNull(clean.mime), size: Option.getOrNull(clean.size), missing }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(FluidCloudTest.layer())))
console.log(`ESM, in-process emulator: ${JSON.stringify(result)}`)
