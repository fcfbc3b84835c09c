/**
 * Sizes and rates are rounded everywhere they are printed: whole bytes below 1 KiB, one decimal
 * above, up to PiB/EiB; never a raw float such as `(74.82993197278913 B/s)`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Domain, Upload } from "@fluidcloud/core"
import { Effect, Option, TestClock } from "effect"
import * as Format from "../src/internal/format.js"
import * as Progress from "../src/internal/progress.js"

const KiB = 1024
const MiB = 1024 * KiB
const TiB = MiB * MiB
const PiB = TiB * KiB

/** A raw float: a number with more than one decimal. */
const rawFloat = /\d\.\d{2,}/

describe("Format.bytes", () => {
  it("rounds tiny values to whole bytes", () => {
    expect([0, 0.3, 0.5, 74.82993197278913, 512, 1023].map(Format.bytes)).toEqual([
      "0 B",
      "0 B",
      "1 B",
      "75 B",
      "512 B",
      "1023 B"
    ])
  })

  it("carries a value that rounds to 1024 into the next unit", () => {
    expect([1023.6, 1024, MiB - 1, 1024 * MiB - 1].map(Format.bytes)).toEqual([
      "1.0 KiB",
      "1.0 KiB",
      "1.0 MiB",
      "1.0 GiB"
    ])
  })

  it("has one decimal from KiB to EiB, and huge values stay in EiB", () => {
    expect(
      [1536, 5 * MiB, 3 * KiB * MiB, 1.5 * TiB, 3 * PiB, Number.MAX_SAFE_INTEGER, 2 * KiB * PiB].map(Format.bytes)
    ).toEqual(["1.5 KiB", "5.0 MiB", "3.0 GiB", "1.5 TiB", "3.0 PiB", "8.0 PiB", "2.0 EiB"])
    expect(Format.bytes(KiB * KiB * PiB)).toBe("1024.0 EiB")
    expect(Format.bytes(Number.MAX_VALUE)).toBe("1.6e+290 EiB")
  })

  it("guards NaN and infinity", () => {
    expect(Format.bytes(Number.NaN)).toBe("-")
    expect(Format.bytes(Number.POSITIVE_INFINITY)).toBe("unlimited")
  })
})

describe("Format.rate", () => {
  it("rounds like bytes, per second", () => {
    expect([0, 0.3, 74.8, 74.82993197278913, 1023.7, 21.3 * MiB, 2.5 * TiB].map(Format.rate)).toEqual([
      "0 B/s",
      "0 B/s",
      "75 B/s",
      "75 B/s",
      "1.0 KiB/s",
      "21.3 MiB/s",
      "2.5 TiB/s"
    ])
  })

  it("is unknown for NaN, infinity and negative rates", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, -1].map(Format.rate)).toEqual(["-- B/s", "-- B/s", "-- B/s"])
  })
})

describe("progress of a slow upload", () => {
  const fileId = Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10")
  const file = new Domain.FluidFile({
    id: fileId,
    originalName: "small.txt",
    spaceId: Option.none(),
    folderId: Option.none(),
    mime: Option.none(),
    size: Option.some(110),
    sha256: Option.none(),
    scanStatus: Option.none(),
    status: Option.none(),
    clientKey: Option.none(),
    deletedAt: Option.none(),
    createdAt: Option.none(),
    updatedAt: Option.none(),
    publicUrl: Option.none()
  })

  it.effect("prints rounded rates (110 bytes in 1.47 s is 75 B/s), never a raw float", () =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const onEvent = yield* Progress.make({ tty: false, write: (text) => Effect.sync(() => void written.push(text)) })
      yield* onEvent(
        Upload.UploadEvent.Started({
          uploadId: Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
          fileId,
          totalBytes: 110,
          partSize: 110,
          partCount: 1,
          resumedParts: 0,
          resumedBytes: 0
        })
      )
      yield* TestClock.adjust("1470 millis")
      yield* onEvent(
        Upload.UploadEvent.PartUploaded({ partNumber: 1, partBytes: 110, uploadedBytes: 110, totalBytes: 110 })
      )
      yield* onEvent(Upload.UploadEvent.Completed({ file }))
      expect(written).toEqual([
        "upload started: 110 B in 1 part of 110 B\n",
        "part 1 uploaded (1/1): 110 B / 110 B (100%), 75 B/s, ETA 0s\n",
        `uploaded 110 B in 1s (75 B/s): ${fileId}\n`
      ])
      for (const line of written) expect(line).not.toMatch(rawFloat)
    })
  )

  it.effect("a stalled upload on a terminal shows 0 B/s and an unknown ETA", () =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const onEvent = yield* Progress.make({
        tty: true,
        width: 4,
        write: (text) => Effect.sync(() => void written.push(text))
      })
      yield* onEvent(
        Upload.UploadEvent.Started({
          uploadId: Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
          fileId,
          totalBytes: 3 * TiB,
          partSize: 5 * MiB,
          partCount: 629146,
          resumedParts: 0,
          resumedBytes: 0
        })
      )
      yield* TestClock.adjust("3 seconds")
      expect(written).toEqual(["\r\x1b[2K[░░░░]   0%  0 B / 3.0 TiB  0 B/s  ETA --"])
    })
  )
})
