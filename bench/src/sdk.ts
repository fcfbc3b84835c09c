/**
 * The SDK side of the comparisons: `NodeFluidCloud.layer` against the sink, as a user would.
 *
 * - `upload BASE_URL PATH`: `files.upload(path, space, { partSize: 8 MiB, concurrency: 4 })`.
 *   Prints an `UploadResult` (the SDK checks the stored sha256 itself: a mismatch fails).
 * - `get BASE_URL FILE_ID WARMUP N`: `files.get`, one after another inside one Effect. Prints a
 *   `LatencyResult`.
 */
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Effect, Redacted } from "effect"
import { timeCalls } from "./calls.js"
import { maxRssMiB, phase, report } from "./measure.js"
import { API_KEY, SPACE_ID } from "./wire.js"

const MiB = 1024 * 1024
const [mode, baseUrl = "", ...rest] = process.argv.slice(2)
const run = <A, E>(effect: Effect.Effect<A, E, FluidCloud.FluidCloud>) =>
  Effect.runPromise(Effect.provide(effect, NodeFluidCloud.layer({ apiKey: Redacted.make(API_KEY), baseUrl })))

if (mode === "upload") {
  const path = rest[0] ?? ""
  const spaceId = Domain.SpaceId.make(SPACE_ID)
  const { value, seconds, cpuSeconds } = await phase(() =>
    run(
      Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
        fc.files.upload(path, spaceId, { partSize: 8 * MiB, concurrency: 4 })
      )
    )
  )
  report({ seconds, cpuSeconds, maxRssMiB: maxRssMiB(), verified: value.sha256._tag === "Some" })
} else if (mode === "get") {
  const [id = "", warmup = "0", n = "0"] = rest
  const fileId = Domain.FileId.make(id)
  const result = await run(
    Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
      timeCalls(fc.files.get(fileId), (file) => file.id === fileId, Number(warmup), Number(n))
    )
  )
  report(result)
} else {
  throw new Error(`unknown mode ${mode}`)
}
