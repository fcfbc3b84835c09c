/**
 * Random-point interruption, over real sockets: uploads (some with `public: true`) interrupted at
 * a random moment of their run, from before initiate to after the link. An interrupted upload
 * must leave no live file and no open upload: once complete is sent, the SDK waits for its
 * answer and deletes a stored file (to trash). complete's answer is held back 15 ms after the
 * emulator handled it, so that interruptions land in the window where the server has stored the
 * file but the SDK has not heard yet. The figures are printed for CI's log; `FLUIDCLOUD_SOAK`
 * multiplies the tries.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { afterAll, expect, layer } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Clock, Effect, Exit, Fiber, Random } from "effect"
import { bytesOf } from "../../packages/core/test/support/Bytes.js"
import * as Env from "./support/env.js"

const TRIES = 40 * Env.scale
const PART = 4 * Env.KiB

/** Set when the SDK sends complete during the current try. */
let completeSent = false

const hooks = (client: HttpClient.HttpClient) =>
  HttpClient.transform(client, (response, request) =>
    request.method === "POST" && request.url.endsWith("/uploads/complete")
      ? Effect.zipRight(
          Effect.sync(() => {
            completeSent = true
          }),
          Effect.tap(response, () => Effect.sleep("15 millis"))
        )
      : response
  )

const figures = {
  tries: 0,
  interrupted: 0,
  interruptedAfterCompleteSent: 0,
  completedFirst: 0,
  liveFilesLeftByInterrupted: 0,
  filesDeletedByTheSdk: 0,
  openUploadsLeft: 0
}

layer(Env.layer({ partSize: PART, transformClient: hooks }), { timeout: "30 seconds", excludeTestServices: true })(
  "random-point interruption (real HTTP)",
  (it) => {
    it.effect(
      `${TRIES} uploads interrupted at random points: no live file and no open upload left by any`,
      () =>
        Effect.gen(function* () {
          const fc = yield* FluidCloud.FluidCloud
          const emulator = yield* Emulator.Emulator
          const space = yield* fc.spaces.create("interruptions")
          const random = Random.make(7)
          const upload = (i: number) =>
            fc.files.upload(bytesOf(PART * 6 + 100, i), space.id, { concurrency: 2, public: i % 3 === 0 })
          const counts = Effect.gen(function* () {
            const live = (yield* fc.files.list(space.id)).length
            const trashed = (yield* fc.files.list(space.id, { trash: true })).length
            return { live, trashed }
          })

          // how long an upload takes here (the median of 6, after a warm-up), to spread the
          // interruptions over all of it
          yield* upload(-1)
          const took: Array<number> = []
          for (let i = 0; i < 6; i++) {
            const start = yield* Clock.currentTimeMillis
            yield* upload(-2 - i)
            took.push((yield* Clock.currentTimeMillis) - start)
          }
          const span = (took.sort((a, b) => a - b)[3] ?? 50) + 5

          for (let i = 0; i < TRIES; i++) {
            const before = yield* counts
            completeSent = false
            const fiber = yield* Effect.fork(upload(i))
            yield* Effect.sleep(`${yield* random.nextIntBetween(0, span)} millis`)
            const exit = yield* Fiber.interrupt(fiber)
            const after = yield* counts
            figures.tries++
            if (Exit.isSuccess(exit)) {
              figures.completedFirst++
              expect(after.live - before.live).toBe(1)
            } else {
              expect(Exit.isInterrupted(exit)).toBe(true)
              figures.interrupted++
              if (completeSent) figures.interruptedAfterCompleteSent++
              figures.liveFilesLeftByInterrupted += after.live - before.live
              figures.filesDeletedByTheSdk += after.trashed - before.trashed
            }
            figures.openUploadsLeft += (yield* emulator.openUploads).length
          }
          expect(figures.liveFilesLeftByInterrupted).toBe(0)
          expect(figures.openUploadsLeft).toBe(0)
          expect(figures.interrupted).toBeGreaterThan(0)
        }),
      Env.timeout(60_000)
    )
  }
)

afterAll(() => {
  if (figures.tries === 0) return
  console.log(
    Env.table("random-point interruption", [
      {
        tries: figures.tries,
        "completed first": figures.completedFirst,
        interrupted: figures.interrupted,
        "interrupted after complete was sent": figures.interruptedAfterCompleteSent,
        "files deleted by the SDK (trash)": figures.filesDeletedByTheSdk,
        "live files left": figures.liveFilesLeftByInterrupted,
        "open uploads left": figures.openUploadsLeft
      }
    ])
  )
})
