/**
 * Nothing is left half-done (DESIGN.md "Trust rules"): once `POST /uploads/complete` is sent, an
 * interruption waits for its answer (at most the client's timeout) and deletes the file if it
 * was stored; an interruption during the public step deletes it too. A failure of the public step
 * keeps the file and names it in the error's `fileId`. Against the in-process emulator, with its
 * latency moved by the `TestClock`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, type Duration, Effect, Exit, Fiber, FastCheck as fc, Option, Schedule, TestClock } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { type Domain, Errors, FluidCloud } from "../src/index.js"
import { bytesOf } from "./support/Bytes.js"

const KiB = 1024

const isComplete = (request: HttpClientRequest.HttpClientRequest) =>
  request.method === "POST" && request.url.endsWith("/uploads/complete")

interface ClientOptions {
  readonly timeout?: FluidCloud.Timeout
  /**
   * How long complete's answer takes to reach the SDK once the emulator has handled it (the
   * emulator's own latency comes before it handles a request, and in-process an interrupted
   * request is never handled).
   */
  readonly completeAnswerDelay?: Duration.DurationInput
}

/**
 * Client options whose `transformClient` completes `sent` when the SDK sends its first
 * `POST /uploads/complete`, and delays complete's answer by `completeAnswerDelay`.
 */
const clientOptions = (sent: Deferred.Deferred<void>, options: ClientOptions = {}) => ({
  retry: Schedule.recurs(2),
  ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  transformClient: (client: HttpClient.HttpClient) =>
    HttpClient.transform(client, (response, request) =>
      isComplete(request)
        ? Effect.zipRight(
            Deferred.succeed(sent, undefined),
            Effect.tap(response, () => Effect.sleep(options.completeAnswerDelay ?? 0))
          )
        : response
    )
})

/** The in-process emulator (4 KiB parts), the client built with `clientOptions`. */
const layer = (sent: Deferred.Deferred<void>, options: ClientOptions = {}) =>
  FluidCloudTest.layer({ minPartSize: KiB, forcePartSize: 4 * KiB, scanDelay: 0, client: clientOptions(sent, options) })

/** The files of a space: live, and in trash. */
const filesOf = (spaceId: Domain.SpaceId) =>
  Effect.gen(function* () {
    const client = yield* FluidCloud.FluidCloud
    const live = yield* client.files.list(spaceId)
    const trashed = yield* client.files.list(spaceId, { trash: true })
    return { live: live.length, trashed: trashed.length }
  })

describe("an interruption once complete is sent", () => {
  it.effect("waits for complete's answer, deletes the stored file, then the upload ends interrupted", () =>
    Effect.gen(function* () {
      const sent = yield* Deferred.make<void>()
      yield* Effect.gen(function* () {
        const client = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* client.spaces.create("interrupted")
        const upload = yield* Effect.fork(client.files.upload(bytesOf(10 * KiB), space.id))
        yield* Deferred.await(sent)
        const interrupter = yield* Effect.fork(Fiber.interrupt(upload))
        yield* TestClock.adjust("500 millis")
        // complete is still in flight: the interruption waits for it
        expect(Option.isNone(yield* Fiber.poll(interrupter))).toBe(true)
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.join(interrupter)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* filesOf(space.id)).toEqual({ live: 0, trashed: 1 })
        expect(yield* emulator.openUploads).toHaveLength(0)
        const log = yield* emulator.requestLog
        expect(log.filter((entry) => entry.path.endsWith("/uploads/complete")).map((entry) => entry.status)).toEqual([
          200
        ])
        expect(log.filter((entry) => entry.method === "DELETE" && entry.path.includes("/files/"))).toHaveLength(1)
      }).pipe(Effect.provide(layer(sent, { completeAnswerDelay: "1 second" })))
    })
  )

  it.effect("a complete that never answers holds the interruption for at most the timeout, then it is aborted", () =>
    Effect.gen(function* () {
      const sent = yield* Deferred.make<void>()
      yield* Effect.gen(function* () {
        const client = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* client.spaces.create("no answer")
        yield* emulator.setLatency("1 hour", { pathPrefix: "/api/v1/uploads/complete" })
        const upload = yield* Effect.fork(client.files.upload(bytesOf(10 * KiB), space.id))
        yield* Deferred.await(sent)
        const interrupter = yield* Effect.fork(Fiber.interrupt(upload))
        yield* TestClock.adjust("9 seconds")
        expect(Option.isNone(yield* Fiber.poll(interrupter))).toBe(true)
        yield* TestClock.adjust("2 seconds")
        const exit = yield* Fiber.join(interrupter)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect(yield* emulator.openUploads).toHaveLength(0)
        expect(yield* filesOf(space.id)).toEqual({ live: 0, trashed: 0 })
      }).pipe(Effect.provide(layer(sent, { timeout: "10 seconds" })))
    })
  )

  it.effect("an interruption while public: true waits for the scan deletes the stored file", () =>
    Effect.gen(function* () {
      const sent = yield* Deferred.make<void>()
      yield* Effect.gen(function* () {
        const client = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* client.spaces.create("public")
        const upload = yield* Effect.fork(
          client.files.upload(bytesOf(10 * KiB), space.id, { public: true, scanSchedule: Schedule.spaced("1 second") })
        )
        yield* Deferred.await(sent)
        // complete answers; the file is polled every second; each poll (and the delete) now takes 10 s
        yield* TestClock.adjust("10 millis")
        yield* emulator.setLatency("10 seconds", { pathPrefix: "/api/v1/files/" })
        yield* TestClock.adjust("3 seconds")
        const interrupter = yield* Effect.fork(Fiber.interrupt(upload))
        yield* TestClock.adjust("5 minutes")
        expect(Exit.isInterrupted(yield* Fiber.join(interrupter))).toBe(true)
        yield* emulator.clearFaults
        expect(yield* filesOf(space.id)).toEqual({ live: 0, trashed: 1 })
      }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: "1 hour", client: clientOptions(sent) })))
    })
  )

  it.effect.prop(
    "interrupted at any moment: either the upload returned its file, or no live file and no open upload remain",
    { at: fc.integer({ min: 0, max: 1_400 }), public: fc.boolean() },
    ({ at, public: isPublic }) =>
      Effect.gen(function* () {
        const sent = yield* Deferred.make<void>()
        return yield* Effect.gen(function* () {
          const client = yield* FluidCloud.FluidCloud
          const emulator = yield* Emulator.Emulator
          const space = yield* client.spaces.create("property")
          // every API request waits 100 ms before it is handled; complete's answer another 300 ms after
          yield* emulator.setLatency("100 millis", { pathPrefix: "/api/v1/" })
          const upload = yield* Effect.fork(
            client.files.upload(bytesOf(10 * KiB), space.id, { public: isPublic, scanSchedule: Schedule.recurs(3) })
          )
          yield* TestClock.adjust(`${at} millis`)
          const interrupter = yield* Effect.fork(Fiber.interrupt(upload))
          yield* TestClock.adjust("10 minutes")
          const exit = yield* Fiber.join(interrupter)
          yield* emulator.clearFaults
          const files = yield* filesOf(space.id)
          expect(yield* emulator.openUploads).toHaveLength(0)
          if (Exit.isSuccess(exit)) {
            expect(files).toEqual({ live: 1, trashed: 0 })
          } else {
            expect(Exit.isInterrupted(exit)).toBe(true)
            expect(files.live).toBe(0)
          }
        }).pipe(
          Effect.provide(
            FluidCloudTest.layer({ scanDelay: 0, client: clientOptions(sent, { completeAnswerDelay: "300 millis" }) })
          )
        )
      }),
    { fastCheck: { numRuns: 40 } }
  )
})

describe("public: true failing after the file was stored: the error names it (fileId), the file is kept", () => {
  const scan = { scanSchedule: Schedule.recurs(3) }

  it.effect("infected: ConflictError with fileId; catchTag still sees a ConflictError", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const space = yield* client.spaces.create("infected")
      const fileId = yield* client.files
        .upload(new TextEncoder().encode(Emulator.eicar), space.id, { public: true, ...scan })
        .pipe(
          Effect.as(undefined),
          Effect.catchTag("ConflictError", (error) => Effect.succeed(error.fileId))
        )
      assert(fileId !== undefined, "the ConflictError names the stored file")
      const stored = yield* client.files.get(fileId)
      expect(stored.scanStatus).toEqual(Option.some("infected"))
      expect(stored.isDeleted).toBe(false)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )

  it.effect("still pending when the scan schedule ends: ConflictError file_not_ready with fileId", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const space = yield* client.spaces.create("pending")
      const error = yield* client.files.upload(bytesOf(100), space.id, { public: true, ...scan }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ConflictError", detail: "file_not_ready", scanStatus: "pending" })
      assert(error._tag === "ConflictError" && error.fileId !== undefined)
      const stored = yield* client.files.get(error.fileId)
      expect(stored.isDeleted).toBe(false)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: "1 hour" })))
  )

  it.effect("the link cap: QuotaExceededError (links) with fileId", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      yield* emulator.setPlan("default", { linksLimit: 0 })
      const space = yield* client.spaces.create("capped")
      const error = yield* client.files.upload(bytesOf(100), space.id, { public: true, ...scan }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "QuotaExceededError", resource: "links" })
      assert(error._tag === "QuotaExceededError" && error.fileId !== undefined)
      expect((yield* client.files.get(error.fileId)).isClean).toBe(true)
      expect(JSON.stringify(error)).toContain(error.fileId)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )

  it.effect("any error after complete (a 500 minting the link): ApiError with fileId", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* client.spaces.create("5xx")
      yield* emulator.failRequests({ count: 10, status: 500, pathPrefix: "/api/v1/shares" })
      const fiber = yield* Effect.fork(
        client.files.upload(bytesOf(100), space.id, { public: true, ...scan }).pipe(Effect.flip)
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "ApiError", status: 500 })
      assert(error._tag === "ApiError" && error.fileId !== undefined)
      expect((yield* client.files.get(error.fileId)).isDeleted).toBe(false)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )

  it.effect("errors before the file was stored carry no fileId", () =>
    Effect.gen(function* () {
      const client = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* client.spaces.create("before")
      yield* emulator.setPlan("default", { bytesLimit: 10 })
      const error = yield* client.files.upload(bytesOf(100), space.id, { public: true }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.QuotaExceededError)
      expect(error._tag === "QuotaExceededError" ? error.fileId : "set").toBeUndefined()
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )
})
