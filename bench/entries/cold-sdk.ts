/** Cold start, SDK: import the SDK, build `NodeFluidCloud.layer`, one `files.get`, print the id. */
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Effect, Redacted } from "effect"

const [baseUrl = "", fileId = "", key = ""] = process.argv.slice(2)
const file = await Effect.runPromise(
  Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.files.get(Domain.FileId.make(fileId))).pipe(
    Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(key), baseUrl }))
  )
)
process.stdout.write(`${file.id}\n`)
process.exit(0)
