// ESM (NodeNext): the same kind of program over real HTTP, against `npx fluidcloud-emulator`, with
// the Node layer read from the environment (FLUIDCLOUD_API_KEY, FLUIDCLOUD_BASE_URL), uploading a
// file from a path and reading it back through its public link.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Effect } from "effect"

const content = "hello over HTTP\n".repeat(1000)
const dir = mkdtempSync(join(tmpdir(), "fluidcloud-consumer-upload-"))
const path = join(dir, "report.txt")
writeFileSync(path, content)

const program = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const space = yield* fc.spaces.create("consumer over HTTP")
  const file = yield* fc.files.upload(path, space.id, { clientKey: "consumer/report.txt" })
  yield* fc.files.waitUntilClean(file.id)
  const link = yield* fc.files.publicUrl(file.id)
  const served = yield* Effect.promise(() => fetch(link.url).then((response) => response.text()))
  if (served !== content) throw new Error("the public link served other bytes")
  const quota = yield* fc.quota.usage()
  return { name: file.originalName, bytes: served.length, quota: quota.bytesUsed }
})

const result = await Effect.runPromise(program.pipe(Effect.provide(NodeFluidCloud.layerConfig()))).finally(() =>
  rmSync(dir, { recursive: true, force: true })
)
console.log(`ESM, fluidcloud-emulator over HTTP: ${JSON.stringify(result)}`)
