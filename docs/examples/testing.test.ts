import { expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, TestClock } from "effect"

// Your code under test: it only needs a FluidCloud client.
const publishReport = (text: string) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("reports")
    const file = yield* fc.files.upload(new TextEncoder().encode(text), space.id, { name: "q3.txt" })
    yield* fc.files.waitUntilClean(file.id)
    return yield* fc.files.publicUrl(file.id)
  })

it.effect("publishes a report behind a public link", () =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    // the scan settles on the emulator's Clock: here the TestClock, moved by hand
    const fiber = yield* Effect.fork(publishReport("q3 numbers"))
    yield* TestClock.adjust("1 minute")
    const link = yield* fiber
    expect(link.url.startsWith(`${emulator.filesUrl}/s/`)).toBe(true)
    expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
  }).pipe(Effect.provide(FluidCloudTest.layer()))
)

it.effect("survives a flaky storage origin", () =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    // the first attempt of part 1 answers 503: the SDK retries it
    yield* emulator.failPartPut({ partNumber: 1, attempt: 1, status: 503 })
    const fiber = yield* Effect.fork(publishReport("q4 numbers"))
    yield* TestClock.adjust("1 minute")
    yield* fiber
    const log = yield* emulator.requestLog
    expect(log.filter((entry) => entry.origin === "storage" && entry.status === 503)).toHaveLength(1)
    expect(yield* emulator.openUploads).toHaveLength(0)
  }).pipe(Effect.provide(FluidCloudTest.layer()))
)
