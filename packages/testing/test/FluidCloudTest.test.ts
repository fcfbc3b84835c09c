import { describe, expect, it } from "@effect/vitest"
import { FluidCloud } from "@fluidcloud/core"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, TestClock } from "effect"

describe("FluidCloudTest.layer", () => {
  it.effect("drives the SDK against the in-process emulator", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* client.spaces.create("docs")
      const file = yield* client.files.upload(new TextEncoder().encode("hello"), space.id, { name: "hello.txt" })
      expect(typeof file.id).toBe("string")
      expect(yield* emulator.storedParts).toEqual({ count: 1, bytes: 5 })
      expect(yield* emulator.openUploads).toEqual([])
      const listed = yield* client.spaces.list()
      expect(listed.map((s) => s.name)).toEqual(["docs"])
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
      expect((yield* emulator.requestLog).some((e) => e.origin === "storage")).toBe(true)
    }).pipe(Effect.provide(FluidCloudTest.layer()))
  )

  it.effect("the guide's example: upload, settle the scan with TestClock, share", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* client.spaces.create("reports")
      const file = yield* client.files.upload(new TextEncoder().encode("q3"), space.id, { name: "q3.txt" })
      yield* TestClock.adjust("1 second")
      const link = yield* client.files.publicUrl(file.id)
      expect(link.url.startsWith(`${emulator.filesUrl}/s/`)).toBe(true)
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
    }).pipe(Effect.provide(FluidCloudTest.layer()))
  )
})
