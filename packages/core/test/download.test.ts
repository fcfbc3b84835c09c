/**
 * `files.download` against the in-process emulator: the bytes of 0 B, 1 B and multi-MiB files,
 * resets at random offsets resumed with `Range` + `If-Range` (a property), 5xx and storage 403
 * (a fresh URL) retried, a corrupted byte and a changed file caught, ranges, the timeout on
 * headers and stalls (not on the whole body), progress events, and the span.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, expect, it } from "@effect/vitest"
import { Chunk, type Duration, Effect, Fiber, FastCheck as fc, Option, Schedule, Stream, TestClock } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Domain, Download, Errors, FluidCloud } from "../src/index.js"
import { bytesOf, sha256 } from "./support/Bytes.js"
import * as RecordingTracer from "./support/RecordingTracer.js"

const KiB = 1024
const MiB = 1024 * KiB

interface TestLayerOptions {
  readonly retry?: Schedule.Schedule<unknown, unknown>
  readonly timeout?: FluidCloud.Timeout
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/** The in-process emulator; the client retries 3 times without waiting unless told otherwise. */
const testLayer = (options: TestLayerOptions = {}) =>
  FluidCloudTest.layer({
    minPartSize: KiB,
    forcePartSize: 256 * KiB,
    scanDelay: 0,
    client: {
      retry: options.retry ?? Schedule.recurs(3),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.transformClient === undefined ? {} : { transformClient: options.transformClient })
    }
  })

/** Stores `content` (scanned clean at once) and returns the file. */
const stored = (content: Uint8Array) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("downloads")
    return yield* fc.files.upload(content, space.id, { name: "data.bin" })
  })

const concat = (chunks: Chunk.Chunk<Uint8Array>): Uint8Array => Buffer.concat(Chunk.toReadonlyArray(chunks))

/** Downloads the whole stream into memory (tests only: the SDK never does). */
const downloadAll = (fileId: Domain.FileId, options?: Download.DownloadOptions) =>
  Effect.flatMap(FluidCloud.FluidCloud, (fc) => Stream.runCollect(fc.files.download(fileId, options))).pipe(
    Effect.map(concat)
  )

/** The storage GETs of a file: `[status, range, ifRange, reset]`. */
const gets = (fileId: string) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    Effect.map(emulator.storageGets({ fileId }), (log) => log.map((g) => [g.status, g.range, g.ifRange, g.reset]))
  )

const downloadUrlRequests = Effect.flatMap(Emulator.Emulator, (emulator) =>
  Effect.map(emulator.requestLog, (log) => log.filter((entry) => entry.operationId === "getDownloadUrl").length)
)

describe("files.download", () => {
  for (const size of [0, 1, 3 * MiB + 7]) {
    it.effect(`${size} bytes: exactly the file's bytes, from one GET without Range`, () =>
      Effect.gen(function* () {
        const content = bytesOf(size, size + 1)
        const file = yield* stored(content)
        const bytes = yield* downloadAll(file.id)
        expect(bytes.byteLength).toBe(size)
        expect(Buffer.from(bytes).equals(content)).toBe(true)
        expect(yield* gets(file.id)).toEqual([[200, null, null, false]])
        expect(yield* Effect.flatMap(Emulator.Emulator, (e) => e.apiKeySentOutsideApi)).toBe(false)
      }).pipe(Effect.provide(testLayer()))
    )
  }

  it.effect.prop(
    "resets at random offsets: the same bytes, each retry asking for the rest with If-Range",
    [fc.integer({ min: 1, max: 200 * KiB }), fc.array(fc.integer({ min: 1, max: 40 * KiB }), { maxLength: 6 })],
    ([size, cuts]) =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const content = bytesOf(size, size)
        const file = yield* stored(content)
        // keep the resets that fall inside the file: the attempt-th GET is cut after `cut` bytes
        const resets: Array<number> = []
        let at = 0
        for (const cut of cuts) {
          if (at + cut >= size) break
          resets.push(cut)
          at += cut
        }
        for (const [index, cut] of resets.entries()) {
          yield* emulator.failStorageGet({ fileId: file.id, attempt: index + 1, resetAfterBytes: cut })
        }

        // two retries at most: each resumed attempt brought bytes, so the schedule starts afresh
        const bytes = yield* downloadAll(file.id, { retry: Schedule.recurs(2) })

        expect(Buffer.from(bytes).equals(content)).toBe(true)
        expect(sha256(bytes)).toBe(Option.getOrThrow(file.sha256))
        const etag = `"${sha256(content)}"`
        const expected: Array<[number, string | null, string | null, boolean]> = [[200, null, null, resets.length > 0]]
        let offset = 0
        for (const [index, cut] of resets.entries()) {
          offset += cut
          expected.push([206, `bytes=${offset}-`, etag, index + 1 < resets.length])
        }
        expect(yield* gets(file.id)).toEqual(expected)
      }).pipe(Effect.provide(testLayer())),
    { fastCheck: { numRuns: 25 } }
  )

  it.effect("a 5xx before any byte is retried; attempts without bytes count against the schedule", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(10 * KiB, 3)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, status: 503 })
      expect(Buffer.from(yield* downloadAll(file.id)).equals(content)).toBe(true)
      expect(yield* gets(file.id)).toEqual([
        [503, null, null, false],
        [200, null, null, false]
      ])

      yield* emulator.failStorageGet({ fileId: file.id, attempt: "every", status: 500 })
      const error = yield* Effect.flip(downloadAll(file.id, { retry: Schedule.recurs(2) }))
      assert(error instanceof Errors.ApiError)
      expect(error.status).toBe(500)
      expect((yield* gets(file.id)).slice(2)).toHaveLength(3)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a storage 403 mid-download gets a fresh URL and resumes from the last byte", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(MiB, 4)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 300 * KiB })
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 2, status: 403 })
      const before = yield* downloadUrlRequests

      const bytes = yield* downloadAll(file.id)

      expect(Buffer.from(bytes).equals(content)).toBe(true)
      const etag = `"${sha256(content)}"`
      expect(yield* gets(file.id)).toEqual([
        [200, null, null, true],
        [403, `bytes=${300 * KiB}-`, etag, false],
        [206, `bytes=${300 * KiB}-`, etag, false]
      ])
      // the first URL, and a fresh one after the 403
      expect((yield* downloadUrlRequests) - before).toBe(2)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a corrupted byte: IntegrityError once the last byte arrived", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(100 * KiB, 5)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, corruptByteAt: 5000 })
      const error = yield* Effect.flip(downloadAll(file.id))
      assert(error instanceof Errors.IntegrityError)
      expect(error.fileId).toBe(file.id)
      expect(error.expected).toBe(sha256(content))
      expect(error.actual).not.toBe(sha256(content))
      expect(error.message).toContain("not the file's")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a range: exactly those bytes, resumed within the range, checked by its ETag only", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const content = bytesOf(600 * KiB, 6)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 10 * KiB })
      const bytes = yield* downloadAll(file.id, { range: { offset: 100 * KiB, length: 300 * KiB } })
      expect(Buffer.from(bytes).equals(content.subarray(100 * KiB, 400 * KiB))).toBe(true)
      const etag = `"${sha256(content)}"`
      const last = 400 * KiB - 1
      expect(yield* gets(file.id)).toEqual([
        [206, `bytes=${100 * KiB}-${last}`, null, true],
        [206, `bytes=${110 * KiB}-${last}`, etag, false]
      ])
      const tail = yield* downloadAll(file.id, { range: { offset: 599 * KiB } })
      expect(Buffer.from(tail).equals(content.subarray(599 * KiB))).toBe(true)

      // a corrupted byte inside a range is not detected: there is nothing to hash it against
      yield* emulator.failStorageGet({ fileId: file.id, corruptByteAt: 0 })
      const corrupted = yield* downloadAll(file.id, { range: { offset: 0, length: 10 } })
      expect(corrupted[0]).not.toBe(content[0])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("bad ranges and ids are ValidationErrors, before any request", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fileId = Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10")
      const before = (yield* emulator.requestLog).length
      const errors = yield* Effect.all(
        [
          Effect.flip(downloadAll(fileId, { range: { offset: -1 } })),
          Effect.flip(downloadAll(fileId, { range: { offset: 0, length: 0 } })),
          Effect.flip(downloadAll(fileId, { range: { offset: 1.5 } })),
          Effect.flip(downloadAll(Domain.FileId.make("nope", { disableValidation: true })))
        ],
        { concurrency: 1 }
      )
      expect(errors.map((e) => (e instanceof Errors.ValidationError ? e.field : e._tag))).toEqual([
        "range.offset",
        "range.length",
        "range.offset",
        "fileId"
      ])
      expect((yield* emulator.requestLog).length).toBe(before)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a file not scanned clean is a ConflictError; an unknown one a NotFoundError", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const file = yield* stored(bytesOf(10, 1))
      yield* emulator.setScanOutcome(file.id, "infected")
      expect((yield* Effect.flip(downloadAll(file.id)))._tag).toBe("ConflictError")
      expect((yield* Effect.flip(downloadAll(Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"))))._tag).toBe(
        "NotFoundError"
      )
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("progress: Started, Progress at most every 100 ms, Resuming, Completed with the sha256", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      const content = bytesOf(4 * MiB, 7)
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: MiB })
      const events: Array<[number, Download.DownloadEvent]> = []
      yield* fc.files
        .download(file.id, {
          onProgress: (event) =>
            Effect.map(TestClock.currentTimeMillis, (now) => {
              events.push([now, event])
            })
        })
        // a consumer taking 40 ms per chunk (of 256 KiB: the emulator's parts)
        .pipe(Stream.runForEach(() => TestClock.adjust("40 millis")))
      const tags = events.map(([, event]) => event._tag)
      expect(tags[0]).toBe("Started")
      expect(tags.at(-1)).toBe("Completed")
      expect(tags.filter((tag) => tag === "Resuming")).toHaveLength(1)
      const progress = events.filter(([, event]) => event._tag === "Progress")
      expect(progress.length).toBeGreaterThan(2)
      for (let i = 1; i < progress.length; i++) {
        expect((progress[i]?.[0] ?? 0) - (progress[i - 1]?.[0] ?? 0)).toBeGreaterThanOrEqual(100)
      }
      const received = progress.map(([, event]) => (event._tag === "Progress" ? event.receivedBytes : -1))
      expect(received).toEqual([...received].sort((a, b) => a - b))
      expect(events[0]?.[1]).toEqual(
        Download.DownloadEvent.Started({ fileId: file.id, totalBytes: 4 * MiB, receivedBytes: 0 })
      )
      expect(events.at(-1)?.[1]).toEqual(
        Download.DownloadEvent.Completed({ totalBytes: 4 * MiB, sha256: sha256(content) })
      )
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("the download is one span, FluidCloud.files.download, with the file id", () => {
    const recording = RecordingTracer.make()
    return Effect.gen(function* () {
      const file = yield* stored(bytesOf(10, 2))
      yield* downloadAll(file.id)
      const span = recording.spans.find((s) => s.name === "FluidCloud.files.download")
      assert(span !== undefined)
      expect(span.attributes.get("fluidcloud.file_id")).toBe(file.id)
      expect(span.attributes.get("fluidcloud.download.bytes")).toBe(10)
      expect(span.attributes.get("fluidcloud.download.attempts")).toBe(1)
    }).pipe(Effect.provide(testLayer()), Effect.withTracer(recording.tracer))
  })
})

/** A client whose storage GETs go to `storage` once `count` of them went to the emulator. */
const hostileAfter =
  (count: number, storage: (request: Parameters<HttpClient.HttpClient["execute"]>[0]) => Response) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient => {
    let seen = 0
    return HttpClient.make((request) => {
      if (request.method !== "GET" || !request.url.includes("/storage/files/")) return client.execute(request)
      seen += 1
      return seen <= count
        ? client.execute(request)
        : Effect.succeed(HttpClientResponse.fromWeb(request, storage(request)))
    })
  }

describe("storage answers the SDK does not take at face value", () => {
  it.effect("a redirect is never followed: ApiError redirect_not_followed, one request", () => {
    let requests = 0
    const redirecting = hostileAfter(0, () => {
      requests += 1
      return new Response(null, { status: 302, headers: { location: "https://elsewhere.test/file" } })
    })
    return Effect.gen(function* () {
      const file = yield* stored(bytesOf(10, 1))
      const error = yield* Effect.flip(downloadAll(file.id))
      assert(error instanceof Errors.ApiError)
      expect(error.detail).toMatch(/^redirect_not_followed: .* to https:\/\/elsewhere\.test;/)
      expect(requests).toBe(1)
    }).pipe(Effect.provide(testLayer({ transformClient: redirecting })))
  })

  it.effect("a 429 with Retry-After: the retry waits at least that long", () => {
    let requests = 0
    const limited = (client: HttpClient.HttpClient) => {
      const first = hostileAfter(0, () => new Response(null, { status: 429, headers: { "retry-after": "5" } }))(client)
      return HttpClient.make((request) => {
        if (!request.url.includes("/storage/files/")) return client.execute(request)
        requests += 1
        return requests === 1 ? first.execute(request) : client.execute(request)
      })
    }
    return Effect.gen(function* () {
      const content = bytesOf(10 * KiB, 2)
      const file = yield* stored(content)
      const fiber = yield* Effect.fork(downloadAll(file.id))
      yield* TestClock.adjust("4 seconds")
      expect((yield* fiber.poll)._tag).toBe("None")
      yield* TestClock.adjust("2 seconds")
      expect(Buffer.from(yield* Fiber.join(fiber)).equals(content)).toBe(true)
      expect(requests).toBe(2)
    }).pipe(Effect.provide(testLayer({ transformClient: limited })))
  })
})

describe("a resumed download never mixes two versions", () => {
  const content = bytesOf(512 * KiB, 8)
  const other = bytesOf(512 * KiB, 9)
  type Request = Parameters<HttpClient.HttpClient["execute"]>[0]

  /** A 206 of `body` as bytes `first`- of the 512 KiB file whose sha256 is `etag`. */
  const partial = (body: Uint8Array<ArrayBuffer>, first: number, etag: string, length?: number) =>
    new Response(body, {
      status: 206,
      headers: {
        etag: `"${etag}"`,
        "content-range": `bytes ${first}-${512 * KiB - 1}/${512 * KiB}`,
        ...(length === undefined ? {} : { "content-length": String(length) })
      }
    })

  /** Cut the first GET after 100 KiB; the resumed GET is answered by `storage`. */
  const resumedBy = (storage: (request: Request) => Response) => {
    const requests: Array<Record<string, string>> = []
    const hostile = hostileAfter(1, (request) => {
      requests.push({ ...request.headers })
      return storage(request)
    })
    return Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const fc = yield* FluidCloud.FluidCloud
      const file = yield* stored(content)
      yield* emulator.failStorageGet({ fileId: file.id, attempt: 1, resetAfterBytes: 100 * KiB })
      const received: Array<Uint8Array> = []
      const error = yield* fc.files.download(file.id).pipe(
        Stream.runForEach((chunk) => Effect.sync(() => void received.push(chunk))),
        Effect.flip
      )
      // the resumed GET asked for the rest of this version only
      expect(requests).toEqual([
        expect.objectContaining({ range: `bytes=${100 * KiB}-`, "if-range": `"${sha256(content)}"` })
      ])
      // and nothing of the other answer was delivered
      expect(Buffer.concat(received).equals(content.subarray(0, 100 * KiB))).toBe(true)
      return error
    }).pipe(Effect.provide(testLayer({ transformClient: hostile })))
  }

  it.effect("If-Range did not match (the file changed): the whole new file answered, IntegrityError", () =>
    Effect.gen(function* () {
      const error = yield* resumedBy(
        () => new Response(other, { status: 200, headers: { etag: `"${sha256(other)}"` } })
      )
      assert(error instanceof Errors.IntegrityError)
      expect(error.description).toMatch(/changed|another version/)
    })
  )

  it.effect("a storage that ignores If-Range and answers another version's range: IntegrityError", () =>
    Effect.gen(function* () {
      const rest = other.subarray(100 * KiB)
      const error = yield* resumedBy(() => partial(rest, 100 * KiB, sha256(other), rest.byteLength))
      assert(error instanceof Errors.IntegrityError)
    })
  )

  it.effect("a resumed range from another offset: DecodeError, no byte of it", () =>
    Effect.gen(function* () {
      const error = yield* resumedBy(() => partial(content.subarray(50 * KiB), 50 * KiB, sha256(content)))
      expect(error._tag).toBe("DecodeError")
    })
  )

  it.effect("a body longer than asked for: DecodeError, nothing past the end delivered", () =>
    Effect.gen(function* () {
      const rest = Buffer.concat([content.subarray(100 * KiB), other])
      const error = yield* resumedBy(() => partial(rest, 100 * KiB, sha256(content)))
      expect(error._tag).toBe("DecodeError")
    })
  )
})

/**
 * A client whose storage GETs are answered by the emulator, then changed by `change` (the n-th
 * GET, from 1): its body is re-streamed through a `ReadableStream` run on the test's runtime, so
 * that `Effect.sleep` in it follows the `TestClock`.
 */
const reshaped =
  (
    change: (
      n: number,
      body: Stream.Stream<Uint8Array, unknown>
    ) => { readonly before?: Duration.DurationInput; readonly body: Stream.Stream<Uint8Array, unknown> }
  ) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient => {
    let seen = 0
    return HttpClient.make((request) => {
      if (request.method !== "GET" || !request.url.includes("/storage/files/")) return client.execute(request)
      seen += 1
      const n = seen
      return Effect.gen(function* () {
        const original = yield* client.execute(request)
        const shaped = change(n, original.stream)
        if (shaped.before !== undefined) yield* Effect.sleep(shaped.before)
        const stream = yield* Stream.toReadableStreamEffect(shaped.body)
        return HttpClientResponse.fromWeb(
          request,
          new Response(stream, { status: original.status, headers: new Headers({ ...original.headers }) })
        )
      })
    })
  }

/** Runs `self` in a fiber, moving the `TestClock` by `step` until it is done. */
const withClockRunning = <A, E, R>(self: Effect.Effect<A, E, R>, step: Duration.DurationInput = "1 second") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(self)
    for (let i = 0; i < 600 && (yield* fiber.poll)._tag === "None"; i++) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("the timeout bounds the wait for headers and each stall, not the whole body", () => {
  const content = bytesOf(MiB, 10)

  it.effect("a body slower than the timeout in all, but never stalling, arrives in one GET", () =>
    Effect.gen(function* () {
      const file = yield* stored(content)
      // 4 chunks of 256 KiB, 4 s apart: 16 s in all, with a 5 s timeout
      const bytes = yield* withClockRunning(downloadAll(file.id))
      expect(Buffer.from(bytes).equals(content)).toBe(true)
      expect(yield* gets(file.id)).toEqual([[200, null, null, false]])
    }).pipe(
      Effect.provide(
        testLayer({
          timeout: "5 seconds",
          transformClient: reshaped((_, body) => ({ body: Stream.tap(body, () => Effect.sleep("4 seconds")) }))
        })
      )
    )
  )

  it.effect("a body that stalls longer than the timeout is resumed from the last byte", () =>
    Effect.gen(function* () {
      const file = yield* stored(content)
      const bytes = yield* withClockRunning(downloadAll(file.id))
      expect(Buffer.from(bytes).equals(content)).toBe(true)
      const etag = `"${sha256(content)}"`
      // the emulator saw both GETs complete; the SDK gave up on the first after its first chunk
      expect((yield* gets(file.id)).map(([status, range, ifRange]) => [status, range, ifRange])).toEqual([
        [200, null, null],
        [206, `bytes=${256 * KiB}-`, etag]
      ])
    }).pipe(
      Effect.provide(
        testLayer({
          timeout: "5 seconds",
          transformClient: reshaped((n, body) => ({
            body: n === 1 ? Stream.concat(Stream.take(body, 1), Stream.never) : body
          }))
        })
      )
    )
  )

  it.effect("headers later than the timeout: the GET is retried", () =>
    Effect.gen(function* () {
      const file = yield* stored(content)
      const bytes = yield* withClockRunning(downloadAll(file.id))
      expect(Buffer.from(bytes).equals(content)).toBe(true)
      expect((yield* gets(file.id)).map(([status, range]) => [status, range])).toEqual([
        [200, null],
        [200, null]
      ])
    }).pipe(
      Effect.provide(
        testLayer({
          timeout: "5 seconds",
          transformClient: reshaped((n, body) => (n === 1 ? { before: "10 seconds", body } : { body }))
        })
      )
    )
  )
})
