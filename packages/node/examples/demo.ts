/**
 * `pnpm demo`: the SDK reference's "Full worked example" in TypeScript, step by step.
 *
 * Create a Space and a folder, upload a generated file in several parts (with a progress bar),
 * tag it with a client key, wait for the virus scan, mint a permanent hotlink and fetch it,
 * find the file again by its client key, check the quota, then soft-delete and restore it.
 *
 * Target: the real API when `FLUIDCLOUD_API_KEY` is set (`NodeFluidCloud.layerConfig()`, which
 * also reads `FLUIDCLOUD_BASE_URL`); otherwise the FluidCloud emulator, started in this process
 * on a free port and spoken to over real HTTP — nothing to set up.
 *
 * @since 0.1.0
 */
import { createHash, randomBytes } from "node:crypto"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Path from "@effect/platform/Path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FluidCloud, type Upload } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Clock, Config, Console, Effect, Layer, Option, Redacted } from "effect"

const MiB = 1024 * 1024

/** How big a file to upload, and the part size to ask for. */
interface Sizes {
  readonly fileSize: number
  readonly partSize: number
}

const say = (line: string) => Console.log(`   ${line}`)
const step = (n: number, title: string) => Console.log(`\n${n}. ${title}`)
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/** A progress bar for `files.upload`'s `onProgress`: redrawn on a terminal, a line per part otherwise. */
const progressBar = Effect.gen(function* () {
  const tty = process.stdout.isTTY === true
  let startedAt = 0
  return (event: Upload.UploadEvent): Effect.Effect<void> =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (event._tag === "Started") {
        startedAt = now
        return yield* say(`${event.partCount} parts of ${mib(event.partSize)} (upload ${event.uploadId})`)
      }
      if (event._tag === "PartUploaded") {
        const ratio = event.uploadedBytes / event.totalBytes
        const rate = event.uploadedBytes / Math.max((now - startedAt) / 1000, 0.001)
        const bar = `${"█".repeat(Math.round(ratio * 24)).padEnd(24, "░")}`
        const line = `[${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${mib(event.uploadedBytes)} / ${mib(event.totalBytes)}  ${mib(rate)}/s  (part ${event.partNumber})`
        return yield* tty ? Effect.sync(() => void process.stdout.write(`\r\x1b[2K   ${line}`)) : say(line)
      }
      if (tty) yield* Effect.sync(() => void process.stdout.write("\n"))
    })
})

/** The worked example: needs the client, a file system and an HTTP client (to fetch the hotlink). */
const demo = ({ fileSize, partSize }: Sizes) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const stamp = new Date().toISOString().slice(0, 19).replace("T", " ")

    // 1. Create a Space and a folder.
    yield* step(1, "Create a Space and a folder")
    const space = yield* fc.spaces.create(`Job Outputs ${stamp}`)
    const folder = yield* fc.folders.create("job-7", space.id)
    yield* say(`space  "${space.name}"  ${space.id}`)
    yield* say(`folder "${folder.name}"  ${folder.id}`)

    // 2. Upload a generated file in parts, tagged with our own logical key.
    const bytes = new Uint8Array(randomBytes(fileSize))
    const file = path.join(yield* fs.makeTempDirectoryScoped(), "out.bin")
    yield* fs.writeFile(file, bytes)
    const clientKey = "results/job-7/out.bin"
    yield* step(2, `Upload out.bin (${mib(fileSize)}, part size hint ${mib(partSize)}), client key "${clientKey}"`)
    const asset = yield* fc.files.upload(file, space.id, {
      folderId: folder.id,
      clientKey,
      partSize,
      concurrency: 4,
      onProgress: yield* progressBar
    })
    yield* say(`stored as ${asset.id}, scan: ${Option.getOrElse(asset.scanStatus, () => "none")}`)
    yield* say(`sha256 ${Option.getOrElse(asset.sha256, () => "-")}`)

    // 3. Wait for the virus scan: only a clean file can be shared or downloaded.
    yield* step(3, "Wait for the virus scan")
    const scanStart = yield* Clock.currentTimeMillis
    const clean = yield* fc.files.waitUntilClean(asset.id)
    const scanTook = (yield* Clock.currentTimeMillis) - scanStart
    yield* say(`scan: ${Option.getOrElse(clean.scanStatus, () => "none")} (after ${(scanTook / 1000).toFixed(1)} s)`)

    // 4. Mint a permanent public hotlink for embedding, and fetch it.
    yield* step(4, "Mint a permanent hotlink")
    const link = yield* fc.files.publicUrl(asset.id)
    yield* say(`hotlink: ${link.url}`)
    const response = yield* HttpClient.get(link.url)
    const served = new Uint8Array(yield* response.arrayBuffer)
    const same = served.length === bytes.length && sha256(served) === sha256(bytes)
    yield* say(
      `GET → ${response.status}, ${mib(served.length)}, ${same ? "same bytes as uploaded" : "DIFFERENT bytes"}`
    )

    // 5. Later, in another process: find the file by its client key — no stored id needed.
    yield* step(5, "Resolve by client key")
    const resolved = yield* fc.files.resolve(clientKey)
    yield* say(`${clientKey} → ${resolved.id}${resolved.id === asset.id ? " (the same file)" : ""}`)

    // 6. Check usage.
    yield* step(6, "Check the quota")
    const q = yield* fc.quota.usage()
    const of = (used: string, limit: number, unit: (n: number) => string) =>
      `${used} of ${limit < 0 ? "unlimited" : unit(limit)}`
    yield* say(
      `storage ${of(mib(q.bytesUsed), q.bytesLimit, mib)}, links ${of(String(q.linksUsed), q.linksLimit, String)}`
    )

    // 7. Clean up: soft-delete (to trash), then restore.
    yield* step(7, "Soft-delete and restore")
    const deleted = yield* fc.files.delete(asset.id)
    const trash = yield* fc.files.list(space.id, { folderId: folder.id, trash: true })
    yield* say(`deleted: status ${Option.getOrElse(deleted.status, () => "-")}, ${trash.length} file(s) in trash`)
    const restored = yield* fc.files.restore(asset.id)
    const live = yield* fc.files.list(space.id, { folderId: folder.id })
    yield* say(`restored: status ${Option.getOrElse(restored.status, () => "-")}, ${live.length} file(s) in job-7`)

    yield* Console.log("\nDone.")
  }).pipe(Effect.scoped)

/** Node's file system, path and HTTP client, for the demo's own needs. */
const platform = Layer.merge(NodeContext.layer, NodeHttpClient.layerUndici)

/** Against the real API: parts of at least 5 MiB. */
const againstApi = Effect.gen(function* () {
  const baseUrl = yield* Config.option(Config.string("FLUIDCLOUD_BASE_URL"))
  yield* Console.log(
    `FluidCloud demo — target: the API at ${Option.getOrElse(baseUrl, () => "https://api-cloud.fluidvip.com")} (FLUIDCLOUD_API_KEY is set)`
  )
  yield* demo({ fileSize: 12 * MiB, partSize: 5 * MiB }).pipe(Effect.provide(NodeFluidCloud.layerConfig()))
})

/** Against the emulator, in process over real HTTP (the same part-size rules as the API). */
const againstEmulator = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  yield* Console.log(
    `FluidCloud demo — target: the embedded emulator at ${emulator.baseUrl} (set FLUIDCLOUD_API_KEY to use the real API)`
  )
  const client = NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  yield* demo({ fileSize: 12 * MiB, partSize: 5 * MiB }).pipe(Effect.provide(client))
}).pipe(Effect.provide(EmulatorServer.layer({ port: 0, scanDelay: "400 millis" })))

const main = Effect.gen(function* () {
  const apiKey = yield* Config.option(Config.redacted("FLUIDCLOUD_API_KEY"))
  const useApi = Option.exists(apiKey, (key) => Redacted.value(key).length > 0)
  yield* useApi ? againstApi : againstEmulator
})

main.pipe(
  Effect.tapError((e) => Console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`)),
  Effect.provide(platform),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
