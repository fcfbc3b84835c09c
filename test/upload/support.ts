import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schedule } from "effect"

export { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"

export const KiB = 1024
export const PART = 4 * KiB

/** The emulator cuts parts of `partSize` whatever the SDK's hint. */
const emulatorOptions = (partSize: number) => ({ minPartSize: KiB, forcePartSize: partSize, scanDelay: 0 })

/** `NodeFluidCloud.layer` (undici, Node FileSystem, node:crypto) against a real emulator server. */
export const layerHttp = (partSize = PART) =>
  Layer.provideMerge(
    Layer.unwrapEffect(
      Effect.map(Emulator.Emulator, (emulator) =>
        NodeFluidCloud.layer({
          apiKey: Redacted.make(emulator.apiKey),
          baseUrl: emulator.baseUrl,
          retry: Schedule.recurs(3)
        })
      )
    ),
    EmulatorServer.layer({ port: 0, ...emulatorOptions(partSize) })
  )

/** The in-process emulator with the Node FileSystem. */
export const layerInProcess = (partSize = PART) =>
  FluidCloudTest.layer({
    ...emulatorOptions(partSize),
    client: { retry: Schedule.recurs(3) }
  }).pipe(Layer.provide(NodeFileSystem.layer))

export const transports = [
  ["real HTTP", layerHttp],
  ["in-process", layerInProcess]
] as const

export const setup = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const emulator = yield* Emulator.Emulator
  const space = yield* fc.spaces.create("node uploads")
  return { fc, emulator, spaceId: space.id }
})

export const partPuts = (emulator: Emulator.Service) =>
  Effect.map(emulator.requestLog, (log) => log.filter((entry) => entry.origin === "storage" && entry.method === "PUT"))

/** A temporary directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-upload-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Writes `bytes` to `name` in a temporary directory of the scope; returns the path. */
export const tempFile = (name: string, bytes: Uint8Array) =>
  Effect.map(tempDir, (dir) => {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    return path
  })
