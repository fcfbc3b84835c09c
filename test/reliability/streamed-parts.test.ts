/**
 * Parts too big for one buffer, from a path, over real sockets: with the buffer limit lowered to
 * 16 KiB (an internal reference) and 64 KiB parts, each part is streamed from its byte range of
 * the file while it is PUT, read again when its PUT is retried, and hashed once, in order.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Option, Redacted, Schedule } from "effect"
import * as Upload from "../../packages/core/src/internal/upload.js"
import { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"
import { tempDir } from "../upload/support.js"

const KiB = 1024

const layer = (bodies: Array<string>) =>
  Layer.provideMerge(
    Layer.unwrapEffect(
      Effect.map(Emulator.Emulator, (emulator) =>
        NodeFluidCloud.layer({
          apiKey: Redacted.make(emulator.apiKey),
          baseUrl: emulator.baseUrl,
          retry: Schedule.recurs(3),
          transformClient: HttpClient.tapRequest((request) =>
            Effect.sync(() => {
              if (request.method === "PUT") bodies.push(request.body._tag)
            })
          )
        })
      )
    ).pipe(Layer.provide(Layer.succeed(Upload.PartBufferLimit, 16 * KiB))),
    EmulatorServer.layer({ port: 0, minPartSize: KiB, forcePartSize: 64 * KiB, scanDelay: 0 })
  )

describe("streamed parts of a path (real HTTP)", () => {
  it.scopedLive("each part streamed from its byte range, retried parts read again, the sha256 right", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const dir = yield* tempDir
      const bytes = bytesOf(64 * KiB * 4 + 999, 7)
      const path = join(dir, "big.bin")
      writeFileSync(path, bytes)
      const space = yield* fc.spaces.create("streamed")
      yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
      yield* emulator.failPartPut({ partNumber: 3, attempt: 1, reset: true })
      const file = yield* fc.files.upload(path, space.id, { concurrency: 4 })
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(bodies.every((body) => body === "Stream")).toBe(true)
      expect(bodies).toHaveLength(7)
      expect(yield* emulator.maxConcurrentPartPuts).toBe(1)
      const url = yield* fc.files.downloadUrl(file.id)
      const stored = yield* HttpClient.get(url).pipe(
        Effect.flatMap((response) => response.arrayBuffer),
        Effect.provide(NodeHttpClient.layerUndici)
      )
      expect(sha256(new Uint8Array(stored))).toBe(sha256(bytes))
    }).pipe(Effect.provide(layer(bodies)))
  })
})
