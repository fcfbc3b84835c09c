/**
 * The fault matrix, over real sockets (`NodeFluidCloud.layer` against `EmulatorServer`): part PUTs
 * failing at 10 % and 30 %, with a 500, a connection reset, or a mix of 500, 503 and resets. Each
 * cell runs uploads (bytes, whose sha256 the server checks, and streams, whose sha256 the SDK
 * checks) and counts: ok with the right bytes (downloaded and compared), a typed failure, silent
 * corruption (must be 0), defects (must be 0), and uploads left open on the server (must be 0).
 * The table is printed for CI's log. `FLUIDCLOUD_SOAK` multiplies the uploads per cell.
 */
import { afterAll, expect, layer } from "@effect/vitest"
import { Errors, FluidCloud } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Cause, Effect, Exit, Option, Random, Stream } from "effect"
import { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"
import * as Env from "./support/env.js"

type Kind = "500" | "reset" | "mixed"

interface Cell {
  readonly rate: number
  readonly kind: Kind
  uploads: number
  ok: number
  typed: number
  corrupt: number
  defects: number
  openLeft: number
  filesLeftByFailures: number
  partFailures: number
}

const UPLOADS_PER_CELL = 8 * Env.scale
const PART = 4 * Env.KiB
const cells: Array<Cell> = []

/** For `mixed`: faults on each part's attempts 1..4, each a 500, a 503 or a reset, seeded. */
const mixedFaults = (emulator: Emulator.Service, rate: number, parts: number, random: Random.Random) =>
  Effect.forEach(
    Array.from({ length: parts * 4 }, (_, i) => ({ partNumber: Math.floor(i / 4) + 1, attempt: (i % 4) + 1 })),
    ({ partNumber, attempt }) =>
      Effect.gen(function* () {
        if ((yield* random.next) >= rate) return
        const pick = yield* random.nextIntBetween(0, 3)
        yield* emulator.failPartPut(
          pick === 0
            ? { partNumber, attempt, status: 500 }
            : pick === 1
              ? { partNumber, attempt, status: 503 }
              : { partNumber, attempt, reset: true }
        )
      }),
    { discard: true }
  )

const runCell = (rate: number, kind: Kind, seed: number) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const emulator = yield* Emulator.Emulator
    const random = Random.make(seed)
    const cell: Cell = {
      rate,
      kind,
      uploads: 0,
      ok: 0,
      typed: 0,
      corrupt: 0,
      defects: 0,
      openLeft: 0,
      filesLeftByFailures: 0,
      partFailures: 0
    }
    const space = yield* fc.spaces.create(`faults ${rate} ${kind}`)
    yield* emulator.clearFaults
    yield* emulator.clearRequestLog
    if (kind !== "mixed") {
      yield* emulator.setPartFailureRate(kind === "500" ? { rate, seed, status: 500 } : { rate, seed, reset: true })
    }
    for (let i = 0; i < UPLOADS_PER_CELL; i++) {
      const size = PART * (yield* random.nextIntBetween(2, 7)) + (yield* random.nextIntBetween(0, PART))
      const bytes = bytesOf(size, seed * 1000 + i)
      const parts = Math.ceil(size / PART)
      if (kind === "mixed") {
        yield* emulator.clearFaults
        yield* mixedFaults(emulator, rate, parts, random)
      }
      const fromStream = i % 2 === 1
      const exit = yield* (
        fromStream
          ? fc.files.upload(Stream.fromIterable([bytes.subarray(0, 1000), bytes.subarray(1000)]), space.id, {
              size,
              concurrency: 3
            })
          : fc.files.upload(bytes, space.id, { concurrency: 3 })
      ).pipe(Effect.exit)
      cell.uploads++
      if (Exit.isSuccess(exit)) {
        const stored = yield* Env.download(exit.value.id)
        if (sha256(stored) === sha256(bytes) && Option.getOrUndefined(exit.value.sha256) === sha256(bytes)) cell.ok++
        else cell.corrupt++
      } else if (Option.isSome(Cause.failureOption(exit.cause)) && Errors.isFluidCloudError(Cause.squash(exit.cause))) {
        cell.typed++
      } else {
        cell.defects++
      }
      cell.openLeft += (yield* emulator.openUploads).length
    }
    const live = yield* fc.files.list(space.id)
    cell.filesLeftByFailures = live.length - cell.ok - cell.corrupt
    const log = yield* emulator.requestLog
    cell.partFailures = log.filter((entry) => entry.origin === "storage" && entry.status !== 200).length
    yield* emulator.clearFaults
    cells.push(cell)
    return cell
  })

layer(Env.layer({ partSize: PART }), { timeout: "30 seconds", excludeTestServices: true })(
  "fault matrix (real HTTP)",
  (it) => {
    let seed = 1
    for (const rate of [0.1, 0.3]) {
      for (const kind of ["500", "reset", "mixed"] as const) {
        const cellSeed = seed++
        it.effect(
          `${rate * 100} % of part PUTs fail with ${kind}: no corruption, no defect, nothing left open`,
          () =>
            Effect.gen(function* () {
              const cell = yield* runCell(rate, kind, cellSeed)
              expect(cell.uploads).toBe(UPLOADS_PER_CELL)
              expect(cell.corrupt).toBe(0)
              expect(cell.defects).toBe(0)
              expect(cell.openLeft).toBe(0)
              expect(cell.filesLeftByFailures).toBe(0)
              expect(cell.ok + cell.typed).toBe(cell.uploads)
              expect(cell.ok).toBeGreaterThan(0)
            }),
          Env.timeout(60_000)
        )
      }
    }
  }
)

afterAll(() => {
  if (cells.length === 0) return
  console.log(
    Env.table(
      `fault matrix: ${UPLOADS_PER_CELL} uploads per cell, parts of ${PART} bytes, 4 attempts per part`,
      cells.map((cell) => ({
        "part failures": `${cell.rate * 100} %`,
        kind: cell.kind,
        uploads: cell.uploads,
        "ok, bytes right": cell.ok,
        "typed failure": cell.typed,
        "silent corruption": cell.corrupt,
        defects: cell.defects,
        "open uploads left": cell.openLeft,
        "failed PUTs": cell.partFailures
      }))
    )
  )
})
