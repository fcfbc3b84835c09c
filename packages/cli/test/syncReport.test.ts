/**
 * The pieces of `fluidcloud sync` that need no emulator: SRC/DST parsing, and the aggregate
 * progress bar on a terminal (files and bytes, rate, ETA), cleared before each line.
 */
import { describe, expect, it } from "@effect/vitest"
import { Errors, Sync } from "@fluidcloud/core"
import { Effect, Either, TestClock } from "effect"
import * as SyncCommand from "../src/internal/sync.js"
import * as SyncReport from "../src/internal/syncReport.js"

describe("fluidcloud sync: pieces", () => {
  it("SRC and DST: exactly one side is fc://SPACE_ID[/folder/path]", () => {
    const id = "41540e35-5731-4e3e-8675-8a1c1a08f177"
    expect(Either.getOrThrow(SyncCommand.sidesOf("./out", `fc://${id}/a//b/`))).toEqual({
      direction: "push",
      local: "./out",
      target: { spaceId: id, path: "a/b" }
    })
    expect(Either.getOrThrow(SyncCommand.sidesOf(`fc://${id}`, "in"))).toEqual({
      direction: "pull",
      local: "in",
      target: { spaceId: id }
    })
    expect(SyncCommand.sidesOf(`fc://${id}`, `fc://${id}`)._tag).toBe("Left")
  })

  it.effect("on a terminal: one aggregate bar (files and bytes, rate, ETA), cleared before each line", () =>
    Effect.gen(function* () {
      let stderr = ""
      const report = yield* SyncReport.make({
        json: false,
        dryRun: false,
        stderr: {
          tty: true,
          width: 10,
          write: (text) =>
            Effect.sync(() => {
              stderr += text
            })
        }
      })
      const lastDraw = () => stderr.split("\r\x1b[2K").at(-1) ?? ""
      yield* report.onEvent(Sync.SyncEvent.Planned({ action: "upload", path: "a", size: 1000, fileId: undefined }))
      yield* report.onEvent(Sync.SyncEvent.Planned({ action: "upload", path: "b", size: 3000, fileId: undefined }))
      yield* TestClock.adjust("1 second")
      yield* report.onEvent(Sync.SyncEvent.Progress({ path: "b", bytes: 1000, size: 3000 }))
      expect(lastDraw()).toMatch(/^\[█+░+\] {2}25% {2}1000 B \/ 3\.9 KiB {2}1000 B\/s {2}ETA 3s {2}0\/2 files$/)

      yield* TestClock.adjust("1 second")
      const error = new Errors.SourceError({ description: "gone \u001b[31mred" })
      yield* report.onEvent(Sync.SyncEvent.Failed({ path: "a", action: "upload", error }))
      expect(stderr).toContain("\r\x1b[2Kfluidcloud: upload a failed: SourceError: gone red\n")
      expect(lastDraw()).toMatch(/^\[█+░+\] {2}50% {2}2\.0 KiB \/ 3\.9 KiB {2}1000 B\/s {2}ETA 2s {2}1\/2 files$/)

      const { document } = yield* report.finish
      expect(lastDraw()).toBe("")
      expect(document.failed).toEqual([{ path: "a", tag: "SourceError", detail: "SourceError: gone \u001b[31mred" }])
    })
  )
})
