/**
 * Resumable uploads against the in-process emulator, with the in-memory checkpoint store: a
 * failed or interrupted upload keeps its session and checkpoint, and running it again PUTs only
 * the missing parts; a changed source, an expired upload and an upload gone from the server each
 * start afresh; once complete is sent, resume no longer applies. Progress within parts is
 * throttled to one event per 100 ms (TestClock).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Deferred, Effect, Exit, Fiber, Layer, Option, Schedule, Stream, TestClock } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Checkpoints, Domain, FluidCloud, type Upload } from "../src/index.js"
import { bytesOf, sha256 } from "./support/Bytes.js"

const KiB = 1024
const MiB = 1024 * KiB
const PART = 4 * KiB

/** The in-process emulator cutting parts of `partSize`, with the client's retries short. */
const emulatorLayer = (
  options: {
    readonly partSize?: number
    readonly transformClient?: (c: HttpClient.HttpClient) => HttpClient.HttpClient
  } = {}
) =>
  FluidCloudTest.layer({
    minPartSize: KiB,
    forcePartSize: options.partSize ?? PART,
    scanDelay: 0,
    client: {
      retry: Schedule.recurs(3),
      ...(options.transformClient === undefined ? {} : { transformClient: options.transformClient })
    }
  })

/** The emulator, and the in-memory store in the context of every call. */
const Env = Layer.merge(emulatorLayer(), Checkpoints.layerMemory)

const setup = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const emulator = yield* Emulator.Emulator
  const space = yield* fc.spaces.create("resumable")
  return { fc, emulator, spaceId: space.id }
})

const checkpoints = Effect.flatMap(Checkpoints.UploadCheckpoints, (store) => store.uploads.list).pipe(
  Effect.map((entries) => entries.map(([, checkpoint]) => checkpoint)),
  Effect.orDie
)

/** The part numbers PUT to `uploadId` since the log was last cleared, in order. */
const partNumbersPut = (emulator: Emulator.Service, uploadId: string) =>
  Effect.map(emulator.partPuts({ uploadId }), (puts) => puts.map((put) => put.partNumber))

const download = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    return yield* fc.files.download(fileId).pipe(
      Stream.runCollect,
      Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
    )
  })

const startedOf = (events: ReadonlyArray<Upload.UploadEvent>) =>
  events.filter((event): event is Extract<Upload.UploadEvent, { _tag: "Started" }> => event._tag === "Started")

const completedOf = (events: ReadonlyArray<Upload.UploadEvent>) => {
  const last = events[events.length - 1]
  if (last?._tag !== "Completed") throw new Error(`the upload ended with ${last?._tag}`)
  return last.file
}

/** Part 4 fails every attempt: parts 1 to 3 are stored (one part at a time), then the upload fails. */
const failAtPartFour = (emulator: Emulator.Service) =>
  emulator.failPartPut({ partNumber: 4, attempt: "every", status: 500 })

const SIX_PARTS = PART * 5 + 100

describe("resume: a failure keeps the upload, and running it again sends only the missing parts", () => {
  const sources: ReadonlyArray<readonly [string, (bytes: Uint8Array<ArrayBuffer>) => Upload.UploadSource]> = [
    ["Uint8Array", (bytes) => bytes],
    ["Blob", (bytes) => new Blob([bytes])]
  ]
  for (const [kind, sourceOf] of sources) {
    it.effect(`${kind}: parts 4 to 6 only, Started says 3 parts were held, the bytes are right`, () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const bytes = bytesOf(SIX_PARTS, 3)
        const options = { resume: true, concurrency: 1, name: "big.bin" } as const
        yield* failAtPartFour(emulator)

        const error = yield* fc.files.upload(sourceOf(bytes), spaceId, options).pipe(Effect.flip)
        expect(error._tag).toBe("ApiError")
        const [open] = yield* emulator.openUploads
        expect(open?.partsStored).toBe(3)
        const [checkpoint] = yield* checkpoints
        expect(checkpoint?.uploadId).toBe(open?.uploadId)
        expect(checkpoint?.partsDone).toBe(3)
        expect(checkpoint?.source).toEqual({ _tag: "Bytes", size: SIX_PARTS, sha256: sha256(bytes) })

        yield* emulator.clearFaults
        yield* emulator.clearRequestLog
        const events = Chunk.toReadonlyArray(
          yield* fc.files.uploadStream(sourceOf(bytes), spaceId, options).pipe(Stream.runCollect)
        )
        const [started, ...more] = startedOf(events)
        expect(more).toEqual([])
        expect(started).toMatchObject({
          uploadId: open?.uploadId,
          partCount: 6,
          resumedParts: 3,
          resumedBytes: 3 * PART
        })
        expect(yield* partNumbersPut(emulator, open?.uploadId ?? "")).toEqual([4, 5, 6])
        const uploaded = events.filter((event) => event._tag === "PartUploaded")
        expect(uploaded.map((event) => event.uploadedBytes)).toEqual([4 * PART, 5 * PART, SIX_PARTS])
        const file = completedOf(events)
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(sha256(yield* download(file.id))).toBe(sha256(bytes))
        expect(yield* checkpoints).toEqual([])
        expect(yield* emulator.openUploads).toEqual([])
      }).pipe(Effect.provide(Env))
    )
  }

  it.effect("an interruption keeps the upload; the checkpoint is saved as parts land, not only at the end", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const bytes = bytesOf(SIX_PARTS, 4)
      const twoParts = yield* Deferred.make<void>()
      const fiber = yield* fc.files
        .upload(bytes, spaceId, {
          resume: true,
          concurrency: 1,
          onProgress: (event) =>
            event._tag === "PartUploaded" && event.partNumber === 2
              ? Effect.zipRight(
                  // every later PUT now hangs (the TestClock does not move on its own)
                  emulator.setLatency("1 hour", { pathPrefix: "/storage/" }),
                  Deferred.succeed(twoParts, undefined)
                )
              : Effect.void
        })
        .pipe(Effect.fork)
      yield* Deferred.await(twoParts)
      // the saver writes at most once a second: a second later, both parts are in the checkpoint
      yield* TestClock.adjust("1 second")
      yield* Effect.yieldNow()
      const [saved] = yield* checkpoints
      expect(saved?.partsDone).toBe(2)

      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      const [open] = yield* emulator.openUploads
      expect(open?.partsStored).toBe(2)

      yield* emulator.clearFaults
      yield* emulator.clearRequestLog
      const file = yield* fc.files.upload(bytes, spaceId, { resume: true, concurrency: 1 })
      expect(yield* partNumbersPut(emulator, open?.uploadId ?? "")).toEqual([3, 4, 5, 6])
      expect(file.id).toBe(open?.fileId)
      expect(sha256(yield* download(file.id))).toBe(sha256(bytes))
    }).pipe(Effect.provide(Env))
  )

  it.effect("without resume, a failure aborts the upload and writes no checkpoint", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* failAtPartFour(emulator)
      yield* fc.files.upload(bytesOf(SIX_PARTS), spaceId, { concurrency: 1 }).pipe(Effect.flip)
      expect(yield* emulator.openUploads).toEqual([])
      expect(yield* checkpoints).toEqual([])
    }).pipe(Effect.provide(Env))
  )
})

describe("resume: what starts afresh", () => {
  /** A first run that fails at part 4, leaving its upload open; its id. */
  const failedRun = (
    bytes: Uint8Array,
    provide: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = (e) => e
  ) =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* failAtPartFour(emulator)
      yield* fc.files
        .upload(bytes, spaceId, { resume: true, concurrency: 1, name: "same.bin" })
        .pipe(provide, Effect.flip)
      yield* emulator.clearFaults
      yield* emulator.clearRequestLog
      const [open] = yield* emulator.openUploads
      if (open === undefined) return yield* Effect.dieMessage("no open upload")
      return { fc, emulator, spaceId, stale: open }
    })

  const aborted = (emulator: Emulator.Service, uploadId: string) =>
    Effect.map(emulator.requestLog, (log) =>
      log.some((entry) => entry.method === "DELETE" && entry.path === `/api/v1/uploads/${uploadId}`)
    )

  it.effect("a changed source: the stale upload is aborted, every part is sent, the new bytes are stored", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId, stale } = yield* failedRun(bytesOf(SIX_PARTS, 5))
      const changed = bytesOf(SIX_PARTS, 6)
      const events = Chunk.toReadonlyArray(
        yield* fc.files
          .uploadStream(changed, spaceId, { resume: true, concurrency: 1, name: "same.bin" })
          .pipe(Stream.runCollect)
      )
      const [started] = startedOf(events)
      expect(started?.uploadId).not.toBe(stale.uploadId)
      expect(started).toMatchObject({ resumedParts: 0, resumedBytes: 0 })
      expect(yield* aborted(emulator, stale.uploadId)).toBe(true)
      expect(yield* partNumbersPut(emulator, started?.uploadId ?? "")).toEqual([1, 2, 3, 4, 5, 6])
      expect(completedOf(events).sha256).toEqual(Option.some(sha256(changed)))
      expect(yield* emulator.openUploads).toEqual([])
      expect(yield* checkpoints).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.effect("an expired upload (24 h later): aborted, dropped, started afresh", () =>
    Effect.gen(function* () {
      const bytes = bytesOf(SIX_PARTS, 7)
      const { fc, emulator, spaceId, stale } = yield* failedRun(bytes)
      yield* TestClock.adjust("24 hours")
      const events = Chunk.toReadonlyArray(
        yield* fc.files
          .uploadStream(bytes, spaceId, { resume: true, concurrency: 1, name: "same.bin" })
          .pipe(Stream.runCollect)
      )
      const [started, ...more] = startedOf(events)
      expect(more).toEqual([])
      expect(started?.uploadId).not.toBe(stale.uploadId)
      expect(started?.resumedParts).toBe(0)
      expect(yield* aborted(emulator, stale.uploadId)).toBe(true)
      expect(yield* partNumbersPut(emulator, stale.uploadId)).toEqual([])
      expect(completedOf(events).sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* checkpoints).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.effect("an upload gone from the server (a part PUT answers 404): a second Started, afresh, and it completes", () =>
    Effect.gen(function* () {
      const bytes = bytesOf(SIX_PARTS, 8)
      // the store only where the uploads run, so the abort below leaves the checkpoint behind
      const store = yield* Layer.build(Checkpoints.layerMemory)
      const { fc, emulator, spaceId, stale } = yield* failedRun(bytes, Effect.provide(store))
      yield* fc.uploads.abort(Domain.UploadId.make(stale.uploadId))
      const events = Chunk.toReadonlyArray(
        yield* fc.files
          .uploadStream(bytes, spaceId, { resume: true, concurrency: 1, name: "same.bin" })
          .pipe(Stream.runCollect, Effect.provide(store))
      )
      const [resumed, fresh, ...more] = startedOf(events)
      expect(more).toEqual([])
      expect(resumed).toMatchObject({ uploadId: stale.uploadId, resumedParts: 3 })
      expect(fresh).toMatchObject({ resumedParts: 0, resumedBytes: 0 })
      expect(fresh?.uploadId).not.toBe(stale.uploadId)
      expect((yield* emulator.partPuts({ uploadId: stale.uploadId })).map((put) => put.status)).toEqual([404])
      expect(yield* partNumbersPut(emulator, fresh?.uploadId ?? "")).toEqual([1, 2, 3, 4, 5, 6])
      expect(completedOf(events).sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* Effect.provide(checkpoints, store)).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(emulatorLayer()))
  )
})

describe("resume: a checkpoint that does not match its upload", () => {
  it.effect(
    "an edited part size (same part count): the storage refuses a part, the upload starts afresh, and completes",
    () =>
      Effect.gen(function* () {
        const bytes = bytesOf(SIX_PARTS, 11)
        const { fc, emulator, spaceId } = yield* setup
        yield* emulator.failPartPut({ partNumber: 4, attempt: "every", status: 500 })
        yield* fc.files.upload(bytes, spaceId, { resume: true, concurrency: 1, name: "same.bin" }).pipe(Effect.flip)
        yield* emulator.clearFaults
        const store = yield* Checkpoints.UploadCheckpoints
        const [entry] = yield* store.uploads.list
        if (entry === undefined) return yield* Effect.dieMessage("no checkpoint")
        const [key, checkpoint] = entry
        // still 6 parts for this size, but not the size the upload was made with
        yield* store.uploads.set(key, new Checkpoints.UploadCheckpoint({ ...checkpoint, partSize: PART - 96 }))

        const events = Chunk.toReadonlyArray(
          yield* fc.files
            .uploadStream(bytes, spaceId, { resume: true, concurrency: 1, name: "same.bin" })
            .pipe(Stream.runCollect)
        )
        const [resumed, fresh, ...more] = startedOf(events)
        expect(more).toEqual([])
        expect(resumed?.uploadId).toBe(checkpoint.uploadId)
        expect(fresh?.uploadId).not.toBe(checkpoint.uploadId)
        expect(completedOf(events).sha256).toEqual(Option.some(sha256(bytes)))
        expect(new Uint8Array(yield* download(completedOf(events).id))).toEqual(bytes)
        expect(yield* checkpoints).toEqual([])
        expect(yield* emulator.openUploads).toEqual([])
      }).pipe(Effect.provide(Env))
  )
})

describe("resume: its limits", () => {
  it.effect("once complete is sent, resume no longer applies: a failed complete aborts and drops the checkpoint", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failRequests({ count: 10, status: 500, pathPrefix: "/api/v1/uploads/complete" })
      const error = yield* fc.files.upload(bytesOf(SIX_PARTS), spaceId, { resume: true }).pipe(Effect.flip)
      expect(error._tag).toBe("ApiError")
      expect(yield* emulator.openUploads).toEqual([])
      expect(yield* checkpoints).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.effect("uploads.abort drops the local checkpoint of the upload it aborts", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* failAtPartFour(emulator)
      yield* fc.files.upload(bytesOf(SIX_PARTS), spaceId, { resume: true, concurrency: 1 }).pipe(Effect.flip)
      const [checkpoint] = yield* checkpoints
      expect(checkpoint).toBeDefined()
      if (checkpoint === undefined) return
      yield* fc.uploads.abort(checkpoint.uploadId)
      expect(yield* checkpoints).toEqual([])
      expect(yield* emulator.openUploads).toEqual([])
    }).pipe(Effect.provide(Env))
  )

  it.effect("no store: ValidationError on resume, nothing sent", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.clearRequestLog
      const error = yield* fc.files.upload(bytesOf(10), spaceId, { resume: true }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ValidationError", field: "resume" })
      expect(yield* emulator.requestLog).toEqual([])
    }).pipe(Effect.provide(emulatorLayer()))
  )

  it.effect("a stream source cannot be resumed: ValidationError, nothing sent", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.clearRequestLog
      const bytes = bytesOf(10)
      const error = yield* fc.files
        .upload(Stream.make(bytes), spaceId, { resume: true, size: bytes.byteLength })
        .pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ValidationError", field: "resume" })
      expect(yield* emulator.requestLog).toEqual([])
    }).pipe(Effect.provide(Env))
  )
})

describe("progress within parts", () => {
  /** Each slice of a part body the storage takes moves the clock on by 50 ms. */
  const slowStorage = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.mapRequest(client, (request) => {
      const body = request.body
      if (request.method !== "PUT" || body._tag !== "Stream") return request
      return HttpClientRequest.bodyStream(
        request,
        Stream.tap(body.stream, () => TestClock.adjust("50 millis")),
        {
          contentType: body.contentType,
          contentLength: body.contentLength
        }
      )
    })

  it.effect("Progress events at most every 100 ms, sentBytes ahead of uploadedBytes, PartUploaded as before", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      // the last part (1 MiB + 123 bytes) is over one slice, so it is counted as it goes too
      const size = 9 * MiB + 123
      const seen: Array<{ readonly at: number; readonly event: Upload.UploadEvent }> = []
      const file = yield* fc.files.upload(bytesOf(size), spaceId, {
        concurrency: 1,
        onProgress: (event) =>
          Effect.map(Clock.currentTimeMillis, (at) => {
            seen.push({ at, event })
          })
      })
      expect(file.size).toEqual(Option.some(size))
      const progress = seen.filter(({ event }) => event._tag === "Progress")
      // 10 slices of 1 MiB (or less) at 50 ms each: 500 ms, so 4 events 100 ms apart
      expect(progress.length).toBeGreaterThanOrEqual(4)
      for (let i = 1; i < progress.length; i++) {
        expect((progress[i]?.at ?? 0) - (progress[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100)
      }
      let before = 0
      for (const { event } of progress) {
        if (event._tag !== "Progress") continue
        expect(event.totalBytes).toBe(size)
        expect(event.sentBytes).toBeGreaterThanOrEqual(event.uploadedBytes)
        expect(event.sentBytes).toBeGreaterThanOrEqual(before)
        expect(event.sentBytes).toBeLessThanOrEqual(size)
        before = event.sentBytes
      }
      // some event shows bytes in flight that no PartUploaded counted yet
      expect(progress.some(({ event }) => event._tag === "Progress" && event.sentBytes > event.uploadedBytes)).toBe(
        true
      )
      const uploaded = seen.flatMap(({ event }) => (event._tag === "PartUploaded" ? [event.uploadedBytes] : []))
      expect(uploaded).toEqual([2 * MiB, 4 * MiB, 6 * MiB, 8 * MiB, size])
    }).pipe(Effect.provide(emulatorLayer({ partSize: 2 * MiB, transformClient: slowStorage })))
  )

  /** Records the kind of body (`Uint8Array`, `Stream`) of every part PUT. */
  const partBodies = () => {
    const bodies: Array<string> = []
    const recording = (client: HttpClient.HttpClient) =>
      HttpClient.mapRequest(client, (request) => {
        if (request.method === "PUT") bodies.push(request.body._tag)
        return request
      })
    return { bodies, recording }
  }

  it.effect("with onProgress, a file of one slice or less is sent as one buffer, with no Progress event", () =>
    Effect.gen(function* () {
      const { bodies, recording } = partBodies()
      const events: Array<Upload.UploadEvent> = []
      const run = Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        yield* fc.files.upload(bytesOf(1024), spaceId, {
          onProgress: (event) => Effect.sync(() => events.push(event))
        })
      })
      yield* Effect.provide(run, emulatorLayer({ transformClient: recording }))
      expect(bodies).toEqual(["Uint8Array"])
      expect(events.map((event) => event._tag)).toEqual(["Started", "PartUploaded", "Completed"])
      expect(events[1]).toMatchObject({ partNumber: 1, partBytes: 1024, uploadedBytes: 1024, totalBytes: 1024 })
    })
  )

  it.effect("without onProgress, upload sends each part as one buffer (nothing is counted)", () =>
    Effect.gen(function* () {
      const { bodies, recording } = partBodies()
      const run = Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        yield* fc.files.upload(bytesOf(PART * 2), spaceId)
      })
      yield* Effect.provide(run, emulatorLayer({ transformClient: recording }))
      expect(bodies).toEqual(["Uint8Array", "Uint8Array"])
    })
  )
})
