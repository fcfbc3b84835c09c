/**
 * Upload progress for the `fluidcloud` command: a redrawn bar with bytes, rate and ETA on a
 * terminal (moving within parts, with the SDK's `Progress` events), plain lines otherwise (one
 * per part, none per `Progress`), written on stderr. A resumed upload's bar starts at the bytes
 * the server held, which do not count in the rate.
 *
 * @internal
 */
import type { Upload } from "@fluidcloud/core"
import { Clock, Context, Effect, Ref } from "effect"
import * as Format from "./format.js"
import * as Sanitize from "./sanitize.js"

/**
 * Where progress is written and how.
 *
 * @internal
 */
export interface Options {
  /** Redraw one bar in place (`\r`) instead of printing a line per event. */
  readonly tty: boolean
  /** Writes raw text (the caller adds no newline). */
  readonly write: (text: string) => Effect.Effect<void>
  /** Width of the bar in characters (default 30). */
  readonly width?: number | undefined
}

/**
 * Where progress goes: `process.stderr`, redrawn in place when it is a terminal. A reference, so
 * that a program running `Cli.run` in process (a test) can capture it.
 *
 * @internal
 */
export class Stderr extends Context.Reference<Stderr>()("@fluidcloud/cli/Stderr", {
  defaultValue: (): Options => ({
    tty: process.stderr.isTTY === true,
    write: (text) => Effect.sync(() => void process.stderr.write(text))
  })
}) {}

interface State {
  readonly startedAt: number
  readonly totalBytes: number
  readonly partCount: number
  readonly partsDone: number
  /** What the bar shows: stored bytes, or sent ones while parts are in flight. */
  readonly uploadedBytes: number
  /** Bytes the server held when the upload started (a resumed upload). */
  readonly baseBytes: number
}

/**
 * What a bar shows: bytes done of a total since `startedAt`, `baseBytes` of them done before
 * (a resumed download's `.part`), which do not count in the rate.
 *
 * @internal
 */
export interface Counts {
  readonly startedAt: number
  readonly totalBytes: number
  readonly uploadedBytes: number
  readonly baseBytes?: number | undefined
}

/**
 * The numbers shown for a state at time `now` (milliseconds).
 *
 * @internal
 */
export const stats = (state: Counts, now: number) => {
  const elapsed = Math.max((now - state.startedAt) / 1000, 0.001)
  const rate = (state.uploadedBytes - (state.baseBytes ?? 0)) / elapsed
  const remaining = state.totalBytes - state.uploadedBytes
  const eta = remaining <= 0 ? 0 : rate > 0 ? remaining / rate : Number.POSITIVE_INFINITY
  const ratio = state.totalBytes === 0 ? 1 : state.uploadedBytes / state.totalBytes
  return { elapsed, rate, eta, ratio }
}

/**
 * A progress bar line: `[██████░░░░]  60%  6.0 MiB / 10.0 MiB  12.3 MiB/s  ETA 1s`.
 *
 * @internal
 */
export const bar = (state: Counts, now: number, width = 30): string => {
  const { eta, rate, ratio } = stats(state, now)
  const filled = Math.round(ratio * width)
  const percent = Format.percent(state.uploadedBytes, state.totalBytes).padStart(4)
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${percent}  ${Format.bytes(state.uploadedBytes)} / ${Format.bytes(state.totalBytes)}  ${Format.rate(rate)}  ETA ${Format.eta(eta)}`
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

/**
 * A progress reporter: feed it every `UploadEvent` (as `onProgress`). With a `label` (the path,
 * when several files are uploaded), each plain line starts with it.
 *
 * @internal
 */
export const make = (
  options: Options,
  label?: string
): Effect.Effect<(event: Upload.UploadEvent) => Effect.Effect<void>> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<State>({
      startedAt: 0,
      totalBytes: 0,
      partCount: 0,
      partsDone: 0,
      uploadedBytes: 0,
      baseBytes: 0
    })
    const width = options.width ?? 30
    const prefix = label === undefined ? "" : `${Sanitize.text(label)}: `
    const redraw = (s: State, now: number, end = "") => options.write(`\r\x1b[2K${bar(s, now, width)}${end}`)

    return (event) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        switch (event._tag) {
          case "Started": {
            const s: State = {
              startedAt: now,
              totalBytes: event.totalBytes,
              partCount: event.partCount,
              partsDone: event.resumedParts,
              uploadedBytes: event.resumedBytes,
              baseBytes: event.resumedBytes
            }
            yield* Ref.set(state, s)
            if (options.tty) return yield* redraw(s, now)
            const resumed =
              event.resumedParts > 0
                ? `; resuming: ${plural(event.resumedParts, "part")} (${Format.bytes(event.resumedBytes)}) already stored`
                : ""
            return yield* options.write(
              `${prefix}upload started: ${Format.bytes(event.totalBytes)} in ${plural(event.partCount, "part")} of ${Format.bytes(event.partSize)}${resumed}\n`
            )
          }
          case "Progress": {
            if (!options.tty) return
            const s = yield* Ref.updateAndGet(state, (s) => ({ ...s, uploadedBytes: event.sentBytes }))
            return yield* redraw(s, now)
          }
          case "PartUploaded": {
            const s = yield* Ref.updateAndGet(state, (s) => ({
              ...s,
              partsDone: s.partsDone + 1,
              uploadedBytes: options.tty ? Math.max(s.uploadedBytes, event.uploadedBytes) : event.uploadedBytes,
              totalBytes: event.totalBytes
            }))
            if (options.tty) return yield* redraw(s, now)
            const { eta, rate } = stats(s, now)
            return yield* options.write(
              `${prefix}part ${event.partNumber} uploaded (${s.partsDone}/${s.partCount}): ${Format.bytes(event.uploadedBytes)} / ${Format.bytes(s.totalBytes)} (${Format.percent(event.uploadedBytes, s.totalBytes)}), ${Format.rate(rate)}, ETA ${Format.eta(eta)}\n`
            )
          }
          case "Completed": {
            const s = yield* Ref.updateAndGet(state, (s) => ({ ...s, uploadedBytes: s.totalBytes }))
            const { elapsed, rate } = stats(s, now)
            const summary = `${prefix}uploaded ${Format.bytes(s.totalBytes)} in ${Format.seconds(elapsed)} (${Format.rate(rate)}): ${Sanitize.text(event.file.id)}\n`
            return yield* options.tty
              ? Effect.zipRight(redraw(s, now, "\n"), options.write(summary))
              : options.write(summary)
          }
        }
      })
  })
