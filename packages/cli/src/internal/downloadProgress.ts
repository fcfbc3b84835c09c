/**
 * Download progress for `fluidcloud files download`, on stderr: the upload's bar redrawn in place
 * on a terminal; otherwise plain lines when the download starts, each time it resumes, and when it
 * ends (no line per chunk in a log).
 *
 * @internal
 */
import type { Download } from "@fluidcloud/core"
import { Clock, Effect, Ref } from "effect"
import * as Format from "./format.js"
import * as Progress from "./progress.js"
import * as Sanitize from "./sanitize.js"

/**
 * A progress reporter for a download to `target` (a path, or `stdout`): feed it every
 * `DownloadEvent` (as `onProgress`).
 *
 * @internal
 */
export const make = (
  options: Progress.Options,
  target: string
): Effect.Effect<(event: Download.DownloadEvent) => Effect.Effect<void>> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<Progress.Counts>({ startedAt: 0, totalBytes: 0, uploadedBytes: 0, baseBytes: 0 })
    const width = options.width ?? 30
    const redraw = (s: Progress.Counts, now: number, end = "") =>
      options.write(`\r\x1b[2K${Progress.bar(s, now, width)}${end}`)
    const received = (bytes: number) => Ref.updateAndGet(state, (s) => ({ ...s, uploadedBytes: bytes }))

    return (event) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        switch (event._tag) {
          case "Started": {
            const s: Progress.Counts = {
              startedAt: now,
              totalBytes: event.totalBytes,
              uploadedBytes: event.receivedBytes,
              baseBytes: event.receivedBytes
            }
            yield* Ref.set(state, s)
            if (options.tty) return yield* redraw(s, now)
            const resumed = event.receivedBytes > 0 ? `, resuming after ${Format.bytes(event.receivedBytes)}` : ""
            return yield* options.write(`download started: ${Format.bytes(event.totalBytes)}${resumed}\n`)
          }
          case "Progress": {
            const s = yield* received(event.receivedBytes)
            return options.tty ? yield* redraw(s, now) : undefined
          }
          case "Resuming": {
            const s = yield* received(event.receivedBytes)
            const line = `${Sanitize.text(event.error.message)}; resuming after ${Format.bytes(event.receivedBytes)} of ${Format.bytes(event.totalBytes)}\n`
            return yield* options.tty
              ? Effect.zipRight(options.write(`\r\x1b[2K${line}`), redraw(s, now))
              : options.write(line)
          }
          case "Completed": {
            const s = yield* received(event.totalBytes)
            const { elapsed, rate } = Progress.stats(s, now)
            const summary = `downloaded ${Format.bytes(event.totalBytes)} in ${Format.seconds(elapsed)} (${Format.rate(rate)}): ${Sanitize.text(target)}\n`
            return yield* options.tty
              ? Effect.zipRight(redraw(s, now, "\n"), options.write(summary))
              : options.write(summary)
          }
        }
      })
  })
