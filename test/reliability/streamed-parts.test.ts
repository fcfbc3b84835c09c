/**
 * Parts too big for one buffer, from a path, over real sockets: with the buffer limit lowered to
 * 16 KiB (an internal reference) and 64 KiB parts, each part is streamed from its byte range of
 * the file while it is PUT, read again when its PUT is retried, and hashed once, in order.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Effect, Layer, Option } from "effect"
import * as Upload from "../../packages/core/src/internal/upload.js"
import { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"
import { tempDir } from "../upload/support.js"
import * as Env from "./support/env.js"

const KiB = Env.KiB

/** The suite's layer, parts of 64 KiB, parts over 16 KiB streamed, each PUT's body kind recorded. */
const layer = (bodies: Array<string>) =>
  Env.layer({
    partSize: 64 * KiB,
    transformClient: HttpClient.tapRequest((request) =>
      Effect.sync(() => {
        if (request.method === "PUT") bodies.push(request.body._tag)
      })
    )
  }).pipe(Layer.provide(Layer.succeed(Upload.PartBufferLimit, 16 * KiB)))

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
      expect(sha256(yield* Env.download(file.id))).toBe(sha256(bytes))
    }).pipe(Effect.provide(layer(bodies)))
  })
})
