/**
 * Load on one layer, over real sockets: 50 uploads (10 at a time) and 500 API calls (50 at a
 * time) at once, through one `NodeFluidCloud.layer`. Every call succeeds, every upload stores the
 * right bytes, nothing is left open. `FLUIDCLOUD_SOAK` multiplies both.
 */
import { afterAll, expect, layer } from "@effect/vitest"
import { type Errors, FluidCloud } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Effect, Option } from "effect"
import { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"
import * as Env from "./support/env.js"

const UPLOADS = 50 * Env.scale
const CALLS = 500 * Env.scale
const PART = 8 * Env.KiB

const figures = { uploads: 0, calls: 0, bytesStored: 0, openUploadsLeft: 0 }

layer(Env.layer({ partSize: PART }), { timeout: "30 seconds", excludeTestServices: true })(
  "load on one layer (real HTTP)",
  (it) => {
    it.effect(
      `${UPLOADS} uploads and ${CALLS} calls at once: all succeed, every file's bytes right`,
      () =>
        Effect.gen(function* () {
          const fc = yield* FluidCloud.FluidCloud
          const emulator = yield* Emulator.Emulator
          const space = yield* fc.spaces.create("load")
          const folder = yield* fc.folders.create("in", space.id)
          const seed = yield* fc.files.upload(bytesOf(100), space.id, { folderId: folder.id, clientKey: "load/seed" })

          const uploads = Effect.forEach(
            Array.from({ length: UPLOADS }, (_, i) => i),
            (i) => {
              const bytes = bytesOf(PART * 3 + i * 37, i + 1)
              return Effect.map(fc.files.upload(bytes, space.id, { concurrency: 2, name: `f${i}.bin` }), (file) => ({
                file,
                sha: sha256(bytes),
                size: bytes.byteLength
              }))
            },
            { concurrency: 10 }
          )
          const calls = Effect.forEach(
            Array.from({ length: CALLS }, (_, i) => i),
            (i): Effect.Effect<unknown, Errors.FluidCloudError> => {
              switch (i % 6) {
                case 0:
                  return fc.spaces.list()
                case 1:
                  return fc.quota.usage()
                case 2:
                  return fc.files.get(seed.id)
                case 3:
                  return fc.files.resolve("load/seed")
                case 4:
                  return fc.folders.list(space.id)
                default:
                  return fc.files.list(space.id, { folderId: folder.id })
              }
            },
            { concurrency: 50, discard: true }
          )
          const [stored] = yield* Effect.all([uploads, calls], { concurrency: "unbounded" })
          figures.calls = CALLS
          for (const { file, sha, size } of stored) {
            expect(Option.getOrUndefined(file.sha256)).toBe(sha)
            expect(file.size).toEqual(Option.some(size))
            figures.uploads++
            figures.bytesStored += size
          }
          const sample = stored.filter((_, i) => i % 10 === 0)
          for (const { file, sha } of sample) expect(sha256(yield* Env.download(file.id))).toBe(sha)
          figures.openUploadsLeft = (yield* emulator.openUploads).length
          expect(figures.openUploadsLeft).toBe(0)
          expect((yield* fc.files.list(space.id)).length).toBe(UPLOADS)
        }),
      Env.timeout(60_000)
    )
  }
)

afterAll(() => {
  if (figures.uploads === 0) return
  console.log(
    Env.table("load on one layer", [
      {
        uploads: figures.uploads,
        "API calls": figures.calls,
        "bytes stored": figures.bytesStored,
        "open uploads left": figures.openUploadsLeft
      }
    ])
  )
})
