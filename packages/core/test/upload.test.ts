import { inspect } from "node:util"
import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Deferred,
  Effect,
  Exit,
  Fiber,
  FastCheck as fc,
  HashSet,
  Layer,
  Logger,
  Option,
  Ref,
  Schedule,
  Stream,
  TestClock,
  TestServices,
  Tracer
} from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Domain, Errors, FluidCloud, type Upload } from "../src/index.js"
import { bytesOf, sha256 } from "./support/Bytes.js"

const KiB = 1024
const PART = 4 * KiB

interface TestLayerOptions {
  readonly partSize?: number
  readonly timeout?: FluidCloud.Timeout
  readonly emulator?: Emulator.Options
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  readonly fileSystem?: FileSystem.FileSystem
}

/** The in-process emulator cutting parts of `partSize` (default 4 KiB) whatever the SDK's hint. */
const testLayer = (options: TestLayerOptions = {}) => {
  const transform = options.transformClient
  const base = FluidCloudTest.layer({
    minPartSize: KiB,
    forcePartSize: options.partSize ?? PART,
    scanDelay: 0,
    ...options.emulator,
    client: {
      retry: Schedule.recurs(3),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(transform === undefined ? {} : { transformClient: transform })
    }
  })
  return options.fileSystem === undefined
    ? base
    : Layer.provide(base, Layer.succeed(FileSystem.FileSystem, options.fileSystem))
}

const SpaceName = "uploads"

const setup = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const emulator = yield* Emulator.Emulator
  const space = yield* fc.spaces.create(SpaceName)
  return { fc, emulator, spaceId: space.id }
})

const partPuts = (emulator: Emulator.Service) =>
  Effect.map(emulator.requestLog, (log) => log.filter((entry) => entry.origin === "storage" && entry.method === "PUT"))

/** Downloads a file's stored bytes through the API and storage. */
const download = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    yield* fc.files.waitUntilClean(fileId, { schedule: Schedule.recurs(3) })
    const url = yield* fc.files.downloadUrl(fileId)
    const client = FluidCloudTest.makeClient(yield* Emulator.Emulator)
    const response = yield* client.get(url)
    return new Uint8Array(yield* response.arrayBuffer)
  }).pipe(Effect.scoped, Effect.orDie)

describe("upload: sizes and part boundaries", () => {
  const cases: ReadonlyArray<readonly [string, number, number]> = [
    ["0 bytes: one empty part", 0, 1],
    ["1 byte", 1, 1],
    ["exactly one part", PART, 1],
    ["one part and one byte", PART + 1, 2],
    ["many parts with an uneven tail", PART * 5 + 123, 6]
  ]
  for (const [name, size, parts] of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        const bytes = bytesOf(size, size + 7)
        const events = yield* fc.files.uploadStream(bytes, spaceId, { name: "data.bin" }).pipe(Stream.runCollect)
        const all = Chunk.toReadonlyArray(events)
        const started = all[0]
        expect(started?._tag).toBe("Started")
        if (started?._tag === "Started") expect(started).toMatchObject({ totalBytes: size, partCount: parts })
        const uploaded = all.filter((event) => event._tag === "PartUploaded")
        expect(uploaded).toHaveLength(parts)
        const last = all[all.length - 1]
        expect(last?._tag).toBe("Completed")
        if (last?._tag !== "Completed") return
        expect(last.file.size).toEqual(Option.some(size))
        expect(last.file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(last.file.originalName).toBe("data.bin")
        expect(yield* emulator.openUploads).toHaveLength(0)
        expect(yield* partPuts(emulator)).toHaveLength(parts)
        const stored = yield* download(last.file.id)
        expect(sha256(stored)).toBe(sha256(bytes))
        expect(stored.byteLength).toBe(size)
      }).pipe(Effect.provide(testLayer()))
    )
  }
})

/** Every string reachable from `root` through object properties (own and inherited getters excluded). */
const reachableStrings = (root: unknown): Array<string> => {
  const seen = new Set<object>()
  const out: Array<string> = []
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string") out.push(value)
    else if (value instanceof URL) out.push(value.href)
    else if (typeof value === "object" && value !== null && depth < 30 && !seen.has(value)) {
      seen.add(value)
      for (const key of Reflect.ownKeys(value)) visit(Reflect.get(value, key), depth + 1)
    }
  }
  visit(root, 0)
  return out
}

/** Polls `condition` in real time (the emulator and the SDK run on their own fibers). */
const eventually = (condition: Effect.Effect<boolean>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000; i++) {
      if (yield* condition) return
      yield* TestServices.provideLive(Effect.sleep("2 millis"))
    }
    return yield* Effect.dieMessage("condition not reached")
  })

const SIZE = PART * 2 + 100

const chunksOf = (bytes: Uint8Array, chunk: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let offset = 0; offset < bytes.byteLength; offset += chunk) out.push(bytes.slice(offset, offset + chunk))
  return out
}

const webStreamOf = (bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> => {
  const pieces = chunksOf(bytes, chunk)
  return new ReadableStream<Uint8Array>({
    pull: (controller) => {
      const next = pieces.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    }
  })
}

async function* asyncIterableOf(bytes: Uint8Array, chunk: number): AsyncGenerator<Uint8Array> {
  for (const piece of chunksOf(bytes, chunk)) yield piece
}

describe("upload: source kinds", () => {
  const bytes = bytesOf(SIZE, 42)
  const kinds: ReadonlyArray<readonly [string, () => Upload.UploadSource, Upload.UploadOptions]> = [
    ["Uint8Array", () => bytes, {}],
    ["ArrayBuffer", () => bytes.slice().buffer, {}],
    ["Blob", () => new Blob([bytes]), {}],
    ["web ReadableStream", () => webStreamOf(bytes, 1000), { size: SIZE }],
    ["Effect Stream", () => Stream.fromIterable(chunksOf(bytes, 777)), { size: SIZE }],
    ["AsyncIterable", () => asyncIterableOf(bytes, 3000), { size: SIZE }],
    ["Effect Stream of one big chunk", () => Stream.make(bytes), { size: SIZE }]
  ]
  for (const [name, source, options] of kinds) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const file = yield* fc.files.upload(source(), spaceId, options)
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(file.size).toEqual(Option.some(SIZE))
        expect(file.originalName).toBe("upload.bin")
        expect(file.mime).toEqual(Option.some("application/octet-stream"))
      }).pipe(Effect.provide(testLayer()))
    )
  }

  it.effect("a File: its name, and the content type guessed from it", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const file = yield* fc.files.upload(new File([bytes], "photo.png"), spaceId)
      expect(file.originalName).toBe("photo.png")
      expect(file.mime).toEqual(Option.some("image/png"))
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("name, contentType, folderId and clientKey pass through", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const folder = yield* fc.folders.create("inbox", spaceId)
      const file = yield* fc.files.upload(bytes, spaceId, {
        name: "report.pdf",
        contentType: "application/x-custom",
        folderId: folder.id,
        clientKey: "order-17/report"
      })
      expect(file).toMatchObject({ originalName: "report.pdf" })
      expect(file.mime).toEqual(Option.some("application/x-custom"))
      expect(file.folderId).toEqual(Option.some(folder.id))
      expect(file.clientKey).toEqual(Option.some("order-17/report"))
      const resolved = yield* fc.files.resolve("order-17/report")
      expect(resolved.id).toBe(file.id)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a path without a FileSystem is a SourceError naming NodeFluidCloud.layer, before any request", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.clearRequestLog
      const error = yield* fc.files.upload("/tmp/some-file.txt", spaceId).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(error.message).toContain("NodeFluidCloud.layer")
      expect(yield* emulator.requestLog).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a stream yielding fewer bytes than size → SourceError, upload aborted", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const error = yield* fc.files
        .upload(Stream.fromIterable(chunksOf(bytes, 1000)), spaceId, { size: SIZE + 10 })
        .pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(error.message).toContain("fewer")
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect((yield* emulator.storedParts).count).toBe(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a stream yielding more bytes than size → SourceError, upload aborted, nothing completed", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const error = yield* fc.files.upload(asyncIterableOf(bytes, 1000), spaceId, { size: SIZE - 1 }).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(error.message).toContain("more bytes")
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect((yield* emulator.storedParts).count).toBe(0)
      const log = yield* emulator.requestLog
      expect(log.some((entry) => entry.path.endsWith("/uploads/complete"))).toBe(false)
      expect(log.some((entry) => entry.method === "DELETE")).toBe(true)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a failing source stream → SourceError with its cause, upload aborted", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const failing = Stream.concat(Stream.make(bytes.subarray(0, PART + 5)), Stream.fail("disk on fire"))
      const error = yield* fc.files.upload(failing, spaceId, { size: SIZE }).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      if (error._tag === "SourceError") expect(error.cause).toBe("disk on fire")
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: validation before any request", () => {
  const bytes = bytesOf(100)
  const cases: ReadonlyArray<readonly [string, () => Upload.UploadSource, Upload.UploadOptions, string]> = [
    ["negative size", () => Stream.make(bytes), { size: -1 }, "size"],
    ["non-integer size", () => Stream.make(bytes), { size: 1.5 }, "size"],
    ["a web stream without size", () => webStreamOf(bytes, 10), {}, "size"],
    ["an Effect stream without size", () => Stream.make(bytes), {}, "size"],
    ["an AsyncIterable without size", () => asyncIterableOf(bytes, 10), {}, "size"],
    ["bytes whose size differs", () => bytes, { size: 99 }, "size"],
    ["a Blob whose size differs", () => new Blob([bytes]), { size: 101 }, "size"],
    ["partSize 0", () => bytes, { partSize: 0 }, "partSize"],
    ["partSize 1.5", () => bytes, { partSize: 1.5 }, "partSize"],
    ["partSize over 5 GiB", () => bytes, { partSize: 5 * 1024 * 1024 * 1024 + 1 }, "partSize"],
    ["concurrency 0", () => bytes, { concurrency: 0 }, "concurrency"],
    ["concurrency 65", () => bytes, { concurrency: 65 }, "concurrency"],
    ["non-integer concurrency", () => bytes, { concurrency: 2.5 }, "concurrency"],
    ["an empty name", () => bytes, { name: "" }, "name"],
    ["a name over 255 characters", () => bytes, { name: "n".repeat(256) }, "name"],
    ["an empty clientKey", () => bytes, { clientKey: "" }, "clientKey"],
    ["a clientKey over 1024 characters", () => bytes, { clientKey: "k".repeat(1025) }, "clientKey"],
    ["a name of 256 emoji", () => bytes, { name: "😀".repeat(256) }, "name"],
    ["an empty contentType", () => bytes, { contentType: "" }, "contentType"]
  ]
  for (const [name, source, options, field] of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        yield* emulator.clearRequestLog
        const error = yield* fc.files.upload(source(), spaceId, options).pipe(Effect.flip)
        expect(error).toBeInstanceOf(Errors.ValidationError)
        if (error._tag === "ValidationError") expect(error.field).toBe(field)
        expect(yield* emulator.requestLog).toHaveLength(0)
      }).pipe(Effect.provide(testLayer()))
    )
  }

  it.effect("the limits themselves are accepted: partSize 1, concurrency 1 and 64, 255 / 1024 characters", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      yield* fc.files.upload(bytes, spaceId, {
        partSize: 1,
        concurrency: 64,
        name: "n".repeat(255),
        clientKey: "k".repeat(1024)
      })
      yield* fc.files.upload(bytes, spaceId, { partSize: 5 * 1024 * 1024 * 1024, concurrency: 1 })
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: part size hint", () => {
  it.effect("partSize is sent as the part_size hint and the parts follow the size the server returns", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("hint")
      const source = bytesOf(5000)
      const events = yield* fc.files
        .uploadStream(source, space.id, { partSize: 2048 })
        .pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
      const started = events[0]
      expect(started?._tag === "Started" ? [started.partSize, started.partCount] : []).toEqual([2048, 3])
      const puts = (yield* emulator.requestLog).filter((entry) => entry.origin === "storage" && entry.method === "PUT")
      expect(puts).toHaveLength(3)
      const last = events[events.length - 1]
      expect(last?._tag === "Completed" ? last.file.sha256 : Option.none()).toEqual(Option.some(sha256(source)))
    }).pipe(Effect.provide(FluidCloudTest.layer({ minPartSize: 1024, scanDelay: 0 })))
  )
})

describe("upload: concurrency", () => {
  for (const concurrency of [1, 3, 6]) {
    it.live(`the emulator's high-water mark of part PUTs equals concurrency ${concurrency}`, () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        yield* emulator.setLatency("15 millis", { pathPrefix: "/storage/" })
        const bytes = bytesOf(PART * 12 + 1)
        const file = yield* fc.files.upload(bytes, spaceId, { concurrency })
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(yield* emulator.maxConcurrentPartPuts).toBe(concurrency)
      }).pipe(Effect.provide(testLayer()))
    )
  }
})

describe("upload: retries", () => {
  it.effect("a 500 and a connection reset on chosen parts are retried; the stored sha256 is right", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failPartPut({ partNumber: 2, status: 500 })
      yield* emulator.failPartPut({ partNumber: 2, attempt: 2, status: 503 })
      yield* emulator.failPartPut({ partNumber: 4, reset: true })
      const bytes = bytesOf(PART * 5 + 9, 3)
      const file = yield* fc.files.upload(bytes, spaceId, { retry: Schedule.recurs(3) })
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      const puts = yield* partPuts(emulator)
      expect(puts.length).toBe(6 + 3)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a part failing on every attempt fails the upload once the schedule ends, and aborts it", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failPartPut({ partNumber: 1, attempt: "every", status: 500 })
      const error = yield* fc.files.upload(bytesOf(PART), spaceId, { retry: Schedule.recurs(2) }).pipe(Effect.flip)
      expect(error._tag).toBe("ApiError")
      if (error._tag === "ApiError") expect(error.status).toBe(500)
      expect(yield* partPuts(emulator)).toHaveLength(3)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect(
    "a storage 4xx (other than 408 / 429) is not retried; a storage 403 is an ApiError, not a PermissionError",
    () =>
      Effect.gen(function* () {
        const { fc, emulator, spaceId } = yield* setup
        yield* emulator.failPartPut({ partNumber: 1, status: 403 })
        const error = yield* fc.files.upload(bytesOf(PART), spaceId, { retry: Schedule.recurs(3) }).pipe(Effect.flip)
        // a refused presigned URL says nothing about the key's scopes (the key never goes to storage)
        expect(error._tag).toBe("ApiError")
        if (error._tag === "ApiError") {
          expect(error.status).toBe(403)
          expect(error.detail).toContain("presigned URL was refused")
        }
        expect(yield* partPuts(emulator)).toHaveLength(1)
        expect(yield* emulator.openUploads).toHaveLength(0)
      }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a connection reset on every attempt is a TransportError without the URL's signature", () =>
    Effect.gen(function* () {
      const { fc, spaceId, emulator } = yield* setup
      yield* emulator.failPartPut({ partNumber: 1, attempt: "every", reset: true })
      const error = yield* fc.files.upload(bytesOf(10), spaceId, { retry: Schedule.recurs(1) }).pipe(Effect.flip)
      expect(error._tag).toBe("TransportError")
      if (error._tag === "TransportError") {
        expect(error.method).toBe("PUT")
        expect(error.url).not.toContain("?")
      }
      // nothing reachable from the error (its cause included) shows the presigned signature
      expect(inspect(error, { depth: 50 })).not.toContain("signature=")
      expect(JSON.stringify(error)).not.toContain("signature=")
      expect(String(error)).not.toContain("signature=")
      expect(reachableStrings(error).filter((text) => text.includes("signature="))).toEqual([])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a 429 on a part waits for its Retry-After (TestClock)", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.rateLimitBurst({ count: 1, retryAfter: 30, pathPrefix: "/storage/" })
      const bytes = bytesOf(PART + 1)
      const fiber = yield* fc.files
        .upload(bytes, spaceId, { concurrency: 1, retry: Schedule.recurs(3) })
        .pipe(Effect.fork)
      // the retry's sleep is registered for 30 s from now (per-request timeouts sleep on the clock too)
      const now = yield* TestClock.currentTimeMillis
      yield* eventually(
        Effect.map(
          TestClock.sleeps(),
          Chunk.some((at) => at === now + 30_000)
        )
      )
      expect((yield* partPuts(emulator)).map((entry) => entry.status)).toEqual([429])
      yield* TestClock.adjust("29 seconds")
      expect(yield* partPuts(emulator)).toHaveLength(1)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const file = yield* Fiber.join(fiber)
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect((yield* partPuts(emulator)).map((entry) => entry.status)).toEqual([429, 200, 200])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a 503 on complete is retried (complete is idempotent)", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failNextComplete()
      const bytes = bytesOf(PART * 2)
      const file = yield* fc.files.upload(bytes, spaceId)
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      const completes = (yield* emulator.requestLog).filter((entry) => entry.path.endsWith("/uploads/complete"))
      expect(completes.map((entry) => entry.status)).toEqual([503, 200])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("complete follows the upload's own retry schedule, not the client's", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failNextComplete()
      const error = yield* Effect.flip(fc.files.upload(bytesOf(PART * 2), spaceId, { retry: Schedule.stop }))
      assert(error._tag === "ApiError")
      expect(error.status).toBe(503)
      const completes = (yield* emulator.requestLog).filter((entry) => entry.path.endsWith("/uploads/complete"))
      expect(completes.map((entry) => entry.status)).toEqual([503])
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: scope, abort and interruption", () => {
  it.effect("interruption after the first part: no open upload and no stored parts remain", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const firstPart = yield* Deferred.make<void>()
      const fiber = yield* fc.files
        .upload(bytesOf(PART * 8), spaceId, {
          concurrency: 2,
          onProgress: (event) =>
            event._tag === "PartUploaded"
              ? Effect.zipRight(
                  // every later PUT now hangs (the TestClock never moves)
                  emulator.setLatency("1 hour", { pathPrefix: "/storage/" }),
                  Deferred.succeed(firstPart, undefined)
                )
              : Effect.void
        })
        .pipe(Effect.fork)
      yield* Deferred.await(firstPart)
      expect(yield* emulator.openUploads).toHaveLength(1)
      expect((yield* emulator.storedParts).count).toBeGreaterThanOrEqual(1)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect(yield* emulator.storedParts).toEqual({ count: 0, bytes: 0 })
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("an interruption is not held up by a server that never answers the abort: it ends within 30 s", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const firstPart = yield* Deferred.make<void>()
      const fiber = yield* fc.files
        .upload(bytesOf(PART * 4), spaceId, {
          concurrency: 1,
          onProgress: (event) =>
            event._tag === "PartUploaded"
              ? Effect.zipRight(
                  // every later request, the abort (DELETE /uploads/{id}) included, now hangs
                  emulator.setLatency("1 hour"),
                  Deferred.succeed(firstPart, undefined)
                )
              : Effect.void
        })
        .pipe(Effect.fork)
      yield* Deferred.await(firstPart)
      const interrupter = yield* Effect.fork(Fiber.interrupt(fiber))
      yield* TestClock.adjust("29 seconds")
      expect(Option.isNone(yield* Fiber.poll(interrupter))).toBe(true) // still trying to abort
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.join(interrupter)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a consumer stopping uploadStream early aborts the upload", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const events = yield* fc.files
        .uploadStream(bytesOf(PART * 6), spaceId, { concurrency: 1 })
        .pipe(Stream.take(2), Stream.runCollect)
      expect(Chunk.toReadonlyArray(events).map((event) => event._tag)).toEqual(["Started", "PartUploaded"])
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect(yield* emulator.storedParts).toEqual({ count: 0, bytes: 0 })
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a failing abort is logged at warning level; the upload fails with the original error", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const logs = yield* Ref.make<ReadonlyArray<{ level: string; message: string }>>([])
      const logger = Logger.make(({ logLevel, message }) => {
        const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
        Effect.runSync(Ref.update(logs, (all) => [...all, { level: logLevel.label, message: text }]))
      })
      yield* emulator.failPartPut({ partNumber: 1, status: 403 })
      yield* emulator.failRequests({ count: 20, status: 500, pathPrefix: "/api/v1/uploads/", method: "DELETE" })
      const error = yield* fc.files
        .upload(bytesOf(PART), spaceId)
        .pipe(Effect.flip, Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(error).toMatchObject({ _tag: "ApiError", status: 403 })
      const warnings = (yield* Ref.get(logs)).filter((log) => log.level === "WARN")
      expect(warnings).toHaveLength(1)
      expect(warnings[0]?.message).toContain("could not abort upload")
      expect(yield* emulator.openUploads).toHaveLength(1)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("quota exceeded at initiate → QuotaExceededError and zero part PUTs", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.setPlan("default", { bytesLimit: 1000 })
      const error = yield* fc.files.upload(bytesOf(5000), spaceId).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.QuotaExceededError)
      if (error._tag === "QuotaExceededError") expect(error.resource).toBe("storage")
      expect(yield* partPuts(emulator)).toHaveLength(0)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("an unknown space → NotFoundError", () =>
    Effect.gen(function* () {
      const { fc } = yield* setup
      const error = yield* fc.files
        .upload(bytesOf(10), Domain.SpaceId.make("00000000-0000-4000-8000-000000000000"))
        .pipe(Effect.flip)
      expect(error._tag).toBe("NotFoundError")
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: the key and the storage origin", () => {
  it.effect("the API key never reaches the storage origin, retries included", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.failPartPut({ partNumber: 1, status: 500 })
      yield* fc.files.upload(bytesOf(PART * 3), spaceId, { retry: Schedule.recurs(2) })
      const log = yield* emulator.requestLog
      const storage = log.filter((entry) => entry.origin === "storage")
      expect(storage.length).toBe(4)
      expect(storage.every((entry) => !entry.hadApiKey)).toBe(true)
      expect(log.filter((entry) => entry.origin === "api").every((entry) => entry.hadApiKey)).toBe(true)
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: progress", () => {
  it.effect("events: Started, one PartUploaded per part summing to the size, Completed; onProgress sees the same", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const size = PART * 4 + 77
      const seen = yield* Ref.make<ReadonlyArray<Upload.UploadEvent>>([])
      const events = Chunk.toReadonlyArray(
        yield* fc.files
          .uploadStream(bytesOf(size), spaceId, {
            concurrency: 3,
            onProgress: (event) => Ref.update(seen, (all) => [...all, event])
          })
          .pipe(Stream.runCollect)
      )
      expect(yield* Ref.get(seen)).toEqual(events)
      const parts = events.filter((event) => event._tag === "PartUploaded")
      expect(parts.reduce((sum, event) => sum + event.partBytes, 0)).toBe(size)
      expect(parts.map((event) => event.uploadedBytes)).toEqual(
        parts.map((_, index) => parts.slice(0, index + 1).reduce((sum, event) => sum + event.partBytes, 0))
      )
      expect(parts.at(-1)?.uploadedBytes).toBe(size)
      expect(parts.every((event) => event.totalBytes === size)).toBe(true)
      expect(HashSet.size(HashSet.fromIterable(parts.map((event) => event.partNumber)))).toBe(5)
      expect(events[0]?._tag).toBe("Started")
      expect(events.at(-1)?._tag).toBe("Completed")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("upload with onProgress: the same events, ending with Completed", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const file = yield* fc.files.upload(bytesOf(PART + 1), spaceId, {
        onProgress: (event) => Ref.update(seen, (all) => [...all, event._tag])
      })
      expect(yield* Ref.get(seen)).toEqual(["Started", "PartUploaded", "PartUploaded", "Completed"])
      expect(file.size).toEqual(Option.some(PART + 1))
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("upload: public and integrity", () => {
  it.effect("public: true waits for a clean scan and sets publicUrl", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const file = yield* fc.files.upload(bytesOf(100), spaceId, { public: true, scanSchedule: Schedule.recurs(3) })
      expect(file.isClean).toBe(true)
      expect(Option.isSome(file.publicUrl)).toBe(true)
      expect(Option.getOrThrow(file.publicUrl).startsWith(emulator.filesUrl)).toBe(true)
      const shares = yield* fc.shares.list({ fileId: file.id })
      expect(shares).toHaveLength(1)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("public: true on an infected file fails with ConflictError (the file is kept)", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const error = yield* fc.files
        .upload(new TextEncoder().encode(Emulator.eicar), spaceId, { public: true, scanSchedule: Schedule.recurs(3) })
        .pipe(Effect.flip)
      expect(error._tag).toBe("ConflictError")
    }).pipe(Effect.provide(testLayer({ emulator: { scanDelay: 0 } })))
  )

  const flipFirstByte = (bytes: Uint8Array) => {
    const corrupted = Uint8Array.from(bytes)
    corrupted[0] = (corrupted[0] ?? 0) ^ 0xff
    return corrupted
  }

  /**
   * Flips the first byte of part 1 on its way to storage, whether its body is one buffer or a
   * stream (`uploadStream` counts a part's bytes as they are sent, so it streams them).
   */
  const corruptPartOne = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.mapRequest(client, (request) => {
      if (request.method !== "PUT" || !/\/parts\/1(\?|$)/.test(request.url)) return request
      const body = request.body
      if (body._tag === "Uint8Array") {
        return HttpClientRequest.bodyUint8Array(request, flipFirstByte(body.body), body.contentType)
      }
      if (body._tag !== "Stream") return request
      const stream = Stream.mapAccum(body.stream, true, (first, chunk) => [false, first ? flipFirstByte(chunk) : chunk])
      return HttpClientRequest.bodyStream(request, stream, {
        contentType: body.contentType,
        contentLength: body.contentLength
      })
    })

  it.effect("a stream source whose stored sha256 differs → IntegrityError and the file is deleted", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const bytes = bytesOf(PART * 2 + 5)
      const events = yield* fc.files
        .uploadStream(Stream.make(bytes), spaceId, { size: bytes.byteLength })
        .pipe(Stream.runCollect, Effect.either)
      expect(events._tag).toBe("Left")
      if (events._tag !== "Left") return
      const error = events.left
      expect(error).toBeInstanceOf(Errors.IntegrityError)
      if (error._tag !== "IntegrityError") return
      const corrupted = Uint8Array.from(bytes)
      corrupted[0] = (corrupted[0] ?? 0) ^ 0xff
      expect(error.expected).toBe(sha256(bytes))
      expect(error.actual).toBe(sha256(corrupted))
      const file = yield* fc.files.get(Domain.FileId.make(error.fileId))
      expect(file.isDeleted).toBe(true)
    }).pipe(Effect.provide(testLayer({ transformClient: corruptPartOne })))
  )

  it.effect("bytes (sha256 sent at initiate) corrupted in transit → the server rejects complete → IntegrityError", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const bytes = bytesOf(PART * 2 + 5)
      const error = yield* fc.files.upload(bytes, spaceId).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Errors.IntegrityError)
      if (error._tag === "IntegrityError") {
        expect(error.expected).toBe(sha256(bytes))
        const gone = yield* fc.files.get(Domain.FileId.make(error.fileId)).pipe(Effect.flip)
        expect(gone._tag).toBe("NotFoundError")
      }
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer({ transformClient: corruptPartOne })))
  )
})

describe("upload: property", () => {
  it.effect.prop(
    "the stored bytes equal the source for any size, part size, concurrency and chunking",
    {
      size: fc.integer({ min: 0, max: PART * 6 }),
      partSize: fc.integer({ min: KiB, max: 3 * KiB }),
      concurrency: fc.integer({ min: 1, max: 8 }),
      chunk: fc.integer({ min: 1, max: 5000 }),
      kind: fc.constantFrom("bytes", "blob", "stream", "web", "iterable")
    },
    ({ size, partSize, concurrency, chunk, kind }) =>
      Effect.gen(function* () {
        const { fc: client, emulator, spaceId } = yield* setup
        const bytes = bytesOf(size, size + chunk)
        const source: Upload.UploadSource =
          kind === "bytes"
            ? bytes
            : kind === "blob"
              ? new Blob([bytes])
              : kind === "stream"
                ? Stream.fromIterable(chunksOf(bytes, chunk))
                : kind === "web"
                  ? webStreamOf(bytes, chunk)
                  : asyncIterableOf(bytes, chunk)
        const file = yield* client.files.upload(source, spaceId, { size, concurrency })
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(file.size).toEqual(Option.some(size))
        const expectedParts = size === 0 ? 1 : Math.ceil(size / partSize)
        expect(yield* partPuts(emulator)).toHaveLength(expectedParts)
        expect(yield* emulator.maxConcurrentPartPuts).toBeLessThanOrEqual(concurrency)
        const stored = yield* emulator.storedParts
        expect(stored.bytes).toBe(size)
      }).pipe(Effect.provide(testLayer({ partSize }))),
    { fastCheck: { numRuns: 40 } }
  )
})

describe("upload: the path source reads byte ranges through FileSystem", () => {
  it.effect("a path on a FileSystem", () =>
    Effect.gen(function* () {
      const { fc, spaceId } = yield* setup
      const file = yield* fc.files.upload("/data/clips/take-1.mp4", spaceId)
      expect(file.originalName).toBe("take-1.mp4")
      expect(file.mime).toEqual(Option.some("video/mp4"))
      expect(file.sha256).toEqual(Option.some(sha256(memoryFile)))
    }).pipe(Effect.provide(testLayer({ fileSystem: memoryFileSystem("/data/clips/take-1.mp4", memoryFile) })))
  )
  it.effect("a missing path → SourceError before any request", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.clearRequestLog
      const error = yield* fc.files.upload("/nope", spaceId).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(yield* emulator.requestLog).toHaveLength(0)
    }).pipe(Effect.provide(testLayer({ fileSystem: memoryFileSystem("/data/clips/take-1.mp4", memoryFile) })))
  )
})

const memoryFile = bytesOf(PART * 3 + 17, 9)

/** A FileSystem holding one file, whose `read` returns at most 1000 bytes per call (short reads). */
function memoryFileSystem(path: string, content: Uint8Array): FileSystem.FileSystem {
  const notFound = (method: string, target: string) =>
    new PlatformError.SystemError({ reason: "NotFound", module: "FileSystem", method, pathOrDescriptor: target })
  const info: FileSystem.File.Info = {
    type: "File",
    mtime: Option.none(),
    atime: Option.none(),
    birthtime: Option.none(),
    dev: 0,
    ino: Option.none(),
    mode: 0o644,
    nlink: Option.none(),
    uid: Option.none(),
    gid: Option.none(),
    rdev: Option.none(),
    size: FileSystem.Size(content.byteLength),
    blksize: Option.none(),
    blocks: Option.none()
  }
  return FileSystem.makeNoop({
    stat: (target) => (target === path ? Effect.succeed(info) : Effect.fail(notFound("stat", target))),
    open: (target) =>
      target !== path
        ? Effect.fail(notFound("open", target))
        : Effect.sync(() => {
            let position = 0
            const file: FileSystem.File = {
              [FileSystem.FileTypeId]: FileSystem.FileTypeId,
              fd: FileSystem.FileDescriptor(7),
              stat: Effect.succeed(info),
              seek: (offset, from) =>
                Effect.sync(() => {
                  position = (from === "start" ? 0 : position) + Number(offset)
                }),
              sync: Effect.void,
              read: (buffer) =>
                Effect.sync(() => {
                  const slice = content.subarray(
                    position,
                    Math.min(content.byteLength, position + 1000, position + buffer.byteLength)
                  )
                  buffer.set(slice)
                  position += slice.byteLength
                  return FileSystem.Size(slice.byteLength)
                }),
              readAlloc: () => Effect.succeed(Option.none()),
              truncate: () => Effect.void,
              write: () => Effect.succeed(FileSystem.Size(0)),
              writeAll: () => Effect.void
            }
            return file
          })
  })
}

describe("upload: storage 503 with Retry-After, timeouts, spans", () => {
  /** Answers the first part PUT with a 503 and `Retry-After: 20`, without reaching the emulator. */
  const first503 = (client: HttpClient.HttpClient): HttpClient.HttpClient => {
    let answered = false
    return HttpClient.transform(client, (effect, request) => {
      if (request.method !== "PUT" || answered) return effect
      answered = true
      return Effect.succeed(
        HttpClientResponse.fromWeb(request, new Response(null, { status: 503, headers: { "retry-after": "20" } }))
      )
    })
  }

  it.effect("a storage 503 with Retry-After waits for it (TestClock)", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const bytes = bytesOf(100)
      const fiber = yield* fc.files.upload(bytes, spaceId, { retry: Schedule.recurs(2) }).pipe(Effect.fork)
      const now = yield* TestClock.currentTimeMillis
      yield* eventually(
        Effect.map(
          TestClock.sleeps(),
          Chunk.some((at) => at === now + 20_000)
        )
      )
      yield* TestClock.adjust("19 seconds")
      expect(yield* partPuts(emulator)).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      const file = yield* Fiber.join(fiber)
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(yield* partPuts(emulator)).toHaveLength(1)
    }).pipe(Effect.provide(testLayer({ transformClient: first503 })))
  )

  it.effect("a storage 503 once the schedule ends: ApiError with status 503", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const error = yield* fc.files.upload(bytesOf(100), spaceId, { retry: Schedule.stop }).pipe(Effect.flip)
      expect(error._tag).toBe("ApiError")
      if (error._tag === "ApiError") expect(error.status).toBe(503)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer({ transformClient: first503 })))
  )

  it.effect("a storage redirect is not followed: ApiError with its status, no retry, upload aborted", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      const error = yield* fc.files.upload(bytesOf(100), spaceId, { retry: Schedule.recurs(3) }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 307 })
      expect(error._tag === "ApiError" ? error.detail : "").toContain("redirect_not_followed")
      expect(yield* partPuts(emulator)).toHaveLength(0)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(
      Effect.provide(
        testLayer({
          transformClient: (client) =>
            HttpClient.transform(client, (effect, request) =>
              request.method === "PUT"
                ? Effect.succeed(
                    HttpClientResponse.fromWeb(
                      request,
                      new Response(null, { status: 307, headers: { location: "http://elsewhere.example/part" } })
                    )
                  )
                : effect
            )
        })
      )
    )
  )

  it.effect("a part PUT without a response within the client's timeout → TransportError (Timeout), aborted", () =>
    Effect.gen(function* () {
      const { fc, emulator, spaceId } = yield* setup
      yield* emulator.setLatency("1 hour", { pathPrefix: "/storage/" })
      const fiber = yield* fc.files.upload(bytesOf(100), spaceId, { retry: Schedule.stop }).pipe(Effect.fork)
      const now = yield* TestClock.currentTimeMillis
      yield* eventually(
        Effect.map(
          TestClock.sleeps(),
          Chunk.some((at) => at === now + 5_000)
        )
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error._tag).toBe("TransportError")
      if (error._tag === "TransportError") {
        expect(error.reason).toBe("Timeout")
        expect(error.method).toBe("PUT")
      }
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(testLayer({ timeout: "5 seconds" })))
  )

  it.effect(
    "spans: FluidCloud.files.upload with size, part count and concurrency; a child span per part PUT; no URL",
    () =>
      Effect.gen(function* () {
        const { fc, spaceId } = yield* setup
        const base = yield* Effect.tracer
        const spans: Array<Tracer.Span> = []
        const recording = Tracer.make({
          span: (...args) => {
            const span = base.span(...args)
            spans.push(span)
            return span
          },
          context: (f, fiber) => base.context(f, fiber)
        })
        yield* fc.files
          .upload(bytesOf(PART * 3 + 1), spaceId, { concurrency: 2, clientKey: "k" })
          .pipe(Effect.withTracer(recording))
        const upload = spans.find((span) => span.name === "FluidCloud.files.upload")
        expect(upload).toBeDefined()
        if (upload === undefined) return
        expect(upload.attributes.get("fluidcloud.size")).toBe(PART * 3 + 1)
        expect(upload.attributes.get("fluidcloud.part_count")).toBe(4)
        expect(upload.attributes.get("fluidcloud.part_size")).toBe(PART)
        expect(upload.attributes.get("fluidcloud.concurrency")).toBe(2)
        const parts = spans.filter((span) => span.name === "FluidCloud.files.upload.part")
        expect(parts.map((span) => span.attributes.get("fluidcloud.part_number")).sort()).toEqual([1, 2, 3, 4])
        expect(parts.every((span) => Option.isSome(span.parent) && span.parent.value.spanId === upload.spanId)).toBe(
          true
        )
        // no span (ours or the HTTP client's) carries a presigned URL, its signature, or the key
        expect(parts).toHaveLength(4)
        for (const span of spans) {
          for (const value of span.attributes.values()) {
            expect(String(value)).not.toMatch(/signature=|storage\.fluidcloud\.test|fck_/i)
          }
        }
      }).pipe(Effect.provide(testLayer()))
  )
})
