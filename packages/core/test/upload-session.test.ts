/**
 * The server is not trusted blindly (DESIGN.md "Trust rules"): an upload session that breaks the
 * contract is a `DecodeError` before any part is sent, and the upload is aborted; parts too big
 * for one buffer are streamed from the source (here with the buffer limit lowered to 1 KiB, as
 * an internal reference), never a `RangeError` defect.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Layer, Option, Schedule, Schema, Stream } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Domain, Errors, FluidCloud } from "../src/index.js"
import * as Session from "../src/internal/session.js"
import * as Upload from "../src/internal/upload.js"
import { bytesOf, sha256 } from "./support/Bytes.js"
import { FILE_ID, fileWire, SPACE_ID } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

const UPLOAD_ID = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
const GiB = 1024 * 1024 * 1024

const part = (n: number, url = `https://storage.example.test/u/${n}?sig=x`) => ({
  part_number: n,
  url,
  method: "PUT",
  headers: {}
})

const sessionWire = (partSize: number, parts: ReadonlyArray<unknown>) => ({
  upload_id: UPLOAD_ID,
  file_id: FILE_ID,
  expires_at: "2030-01-01T00:00:00Z",
  part_size: partSize,
  parts
})

/** Initiate answers `session`; the abort answers 204; any part PUT answers 200 with an ETag. */
const server =
  (session: unknown): MockHttp.Handler =>
  (request, url) => {
    if (url.pathname.endsWith("/uploads/initiate")) return MockHttp.json(201, session)(request, url)
    if (request.method === "DELETE") return MockHttp.text(204, null)(request, url)
    if (request.method === "PUT") return MockHttp.text(200, null, { etag: '"e"' })(request, url)
    if (url.pathname.endsWith("/uploads/complete")) return MockHttp.json(200, fileWire())(request, url)
    return MockHttp.error(404, "not_found")(request, url)
  }

const hostile: ReadonlyArray<{
  readonly name: string
  readonly size: number
  readonly session: unknown
  readonly says: RegExp
}> = [
  {
    name: "part_size 1e12 (over 5 GiB)",
    size: 100,
    session: sessionWire(1e12, [part(1)]),
    says: /part_size 1000000000000 is not an integer from 1 to 5 GiB/
  },
  {
    name: "part_size 1 with 12,000 parts (over 10,000)",
    size: 12_000,
    session: sessionWire(
      1,
      Array.from({ length: 12_000 }, (_, i) => part(i + 1))
    ),
    says: /12000 parts; the contract allows at most 10000/
  },
  {
    name: "part_size 0",
    size: 100,
    session: sessionWire(0, [part(1)]),
    says: /part_size 0 is not/
  },
  {
    name: "fewer parts than the size needs",
    size: 10,
    session: sessionWire(4, [part(1), part(2)]),
    says: /has 2 parts; 10 bytes in parts of 4 need 3/
  },
  {
    name: "more parts than the size needs",
    size: 10,
    session: sessionWire(8, [part(1), part(2), part(3)]),
    says: /has 3 parts; 10 bytes in parts of 8 need 2/
  },
  {
    name: "a part number twice",
    size: 10,
    session: sessionWire(4, [part(1), part(1), part(3)]),
    says: /part numbers are not 1 to 3/
  },
  {
    name: "part numbers from 0",
    size: 10,
    session: sessionWire(4, [part(0), part(1), part(2)]),
    says: /part numbers are not 1 to 3/
  },
  {
    name: "a relative part URL",
    size: 10,
    session: sessionWire(8, [part(1), part(2, "/storage/u/2")]),
    says: /part 2's URL is not an absolute http\(s\) URL/
  },
  {
    name: "a file: part URL",
    size: 10,
    session: sessionWire(8, [part(1, "file:///etc/passwd"), part(2)]),
    says: /part 1's URL is not an absolute http\(s\) URL/
  }
]

describe("hostile upload sessions → DecodeError before any PUT, the upload aborted", () => {
  for (const c of hostile) {
    it.effect(c.name, () =>
      Effect.gen(function* () {
        const mock = MockHttp.make(server(c.session))
        const error = yield* MockHttp.run(mock, (fc) => fc.files.upload(bytesOf(c.size), SPACE_ID), {
          retry: Schedule.stop
        }).pipe(Effect.flip)
        expect(error).toBeInstanceOf(Errors.DecodeError)
        expect(error._tag === "DecodeError" ? error.description : "").toMatch(/^invalid_session: /)
        expect(error._tag === "DecodeError" ? error.description : "").toMatch(c.says)
        expect(mock.requests.map((request) => request.method)).toEqual(["POST", "DELETE"])
        expect(mock.requests[1]?.path).toContain(`/uploads/${UPLOAD_ID}`)
      })
    )
  }

  it.effect("a method other than PUT is refused by the session's schema", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(server(sessionWire(8, [{ ...part(1), method: "POST" }])))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.upload(bytesOf(5), SPACE_ID)).pipe(Effect.flip)
      expect(error._tag).toBe("DecodeError")
      expect(mock.requests.filter((request) => request.method === "PUT")).toHaveLength(0)
    })
  )

  it.effect("small part sizes the server chose are followed when consistent (100 parts of 1 byte)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        server(
          sessionWire(
            1,
            Array.from({ length: 100 }, (_, i) => part(i + 1))
          )
        )
      )
      yield* MockHttp.run(mock, (fc) => fc.files.upload(bytesOf(100), SPACE_ID, { concurrency: 8 })).pipe(
        // the mock's file has another sha256
        Effect.catchTag("IntegrityError", () => Effect.void)
      )
      expect(mock.requests.filter((request) => request.method === "PUT")).toHaveLength(100)
    })
  )

  it("the limits themselves are accepted: 10,000 parts, and a part of 5 GiB", () => {
    const session = (partSize: number, count: number) =>
      Schema.decodeUnknownSync(Domain.UploadSession)(
        sessionWire(
          partSize,
          Array.from({ length: count }, (_, i) => part(i + 1))
        )
      )
    expect(Either.isRight(Session.check(session(1, 10_000), 10_000, "u"))).toBe(true)
    expect(Either.isRight(Session.check(session(5 * GiB, 2), 6 * GiB, "u"))).toBe(true)
    expect(Either.isLeft(Session.check(session(5 * GiB + 1, 2), 6 * GiB, "u"))).toBe(true)
    expect(Either.isLeft(Session.check(session(1, 10_001), 10_001, "u"))).toBe(true)
  })

  it.effect("a 4.5 GiB part (allowed by the contract) is streamed: no RangeError, the storage's error instead", () =>
    Effect.gen(function* () {
      const size = 4.5 * GiB
      const mock = MockHttp.make((request, url) =>
        request.method === "PUT"
          ? // a storage that refuses the part without reading it
            MockHttp.error(503, "slow_down")(request, url)
          : server(sessionWire(size, [part(1)]))(request, url)
      )
      const exit = yield* MockHttp.run(
        mock,
        (fc) => fc.files.upload(Stream.never, SPACE_ID, { size, partSize: 5 * GiB }),
        { retry: Schedule.stop }
      ).pipe(Effect.exit)
      // a typed failure, not a defect
      expect(
        Exit.isFailure(exit) && Option.isSome(Exit.causeOption(exit).pipe(Option.flatMap(Cause.failureOption)))
      ).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error).toMatchObject({ _tag: "ApiError", status: 503 })
      const put = mock.requests.find((request) => request.method === "PUT")
      expect(put?.headers["content-length"]).toBe(String(size))
      expect(put?.request.body._tag).toBe("Stream")
    })
  )
})

/** The in-process emulator cutting 4 KiB parts, with parts over 1 KiB streamed; PUT bodies recorded. */
const streamedLayer = (bodies: Array<string>, emulator: Emulator.Options = {}) =>
  FluidCloudTest.layer({
    minPartSize: 1024,
    forcePartSize: 4096,
    scanDelay: 0,
    ...emulator,
    client: {
      retry: Schedule.recurs(3),
      transformClient: HttpClient.mapRequest((request: HttpClientRequest.HttpClientRequest) => {
        if (request.method === "PUT") bodies.push(request.body._tag)
        return request
      })
    }
  }).pipe(Layer.provide(Layer.succeed(Upload.PartBufferLimit, 1024)))

const download = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const url = yield* fc.files.downloadUrl(fileId)
    const client = FluidCloudTest.makeClient(yield* Emulator.Emulator)
    const response = yield* client.get(url)
    return new Uint8Array(yield* response.arrayBuffer)
  }).pipe(Effect.scoped, Effect.orDie)

/** `bytes` cut into chunks of 1000 bytes. */
const chunked = (bytes: Uint8Array<ArrayBuffer>) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.byteLength / 1000) }, (_, i) => bytes.slice(i * 1000, (i + 1) * 1000))
  )

describe("parts too big for one buffer are streamed from the source, one at a time", () => {
  const sources = [
    ["a Blob (slices)", (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes])],
    ["an Effect Stream (passed through)", chunked],
    ["a ReadableStream (passed through)", (bytes: Uint8Array<ArrayBuffer>) => Stream.toReadableStream(chunked(bytes))]
  ] as const

  for (const [name, make] of sources) {
    it.effect(`${name}: stored bytes and sha256 right, every PUT body a stream, one PUT at a time`, () => {
      const bodies: Array<string> = []
      return Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* fc.spaces.create("streamed")
        const bytes = bytesOf(4096 * 3 + 123)
        const file = yield* fc.files.upload(make(bytes), space.id, { size: bytes.byteLength, concurrency: 4 })
        expect(file.sha256).toEqual(Option.some(sha256(bytes)))
        expect(sha256(yield* download(file.id))).toBe(sha256(bytes))
        expect(bodies).toEqual(["Stream", "Stream", "Stream", "Stream"])
        expect(yield* emulator.maxConcurrentPartPuts).toBe(1)
      }).pipe(Effect.provide(streamedLayer(bodies)))
    })
  }

  it.effect("bytes in memory are never streamed: their parts are views, at full concurrency", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("views")
      const bytes = bytesOf(4096 * 2 + 5)
      const file = yield* fc.files.upload(bytes, space.id)
      expect(file.sha256).toEqual(Option.some(sha256(bytes)))
      expect(bodies).toEqual(["Uint8Array", "Uint8Array", "Uint8Array"])
    }).pipe(Effect.provide(streamedLayer(bodies)))
  })

  it.effect("a streamed Blob part that fails once is read again and retried", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("retried")
      yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
      yield* emulator.failPartPut({ partNumber: 3, attempt: 1, reset: true })
      const bytes = bytesOf(4096 * 3)
      const file = yield* fc.files.upload(new Blob([bytes]), space.id)
      expect(sha256(yield* download(file.id))).toBe(sha256(bytes))
      expect(bodies).toHaveLength(5)
    }).pipe(Effect.provide(streamedLayer(bodies)))
  })

  it.effect("a streamed part of a stream source cannot be read again: its failure fails the upload, aborted", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("once")
      yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
      const bytes = bytesOf(4096 * 3)
      const error = yield* fc.files.upload(chunked(bytes), space.id, { size: bytes.byteLength }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ApiError", status: 503 })
      expect(bodies).toHaveLength(2)
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(streamedLayer(bodies)))
  })

  it.effect("a stream source shorter than its size fails with SourceError while streaming, aborted", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("short")
      const bytes = bytesOf(4096 * 2)
      const error = yield* fc.files.upload(chunked(bytes), space.id, { size: 4096 * 3 }).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(yield* emulator.openUploads).toHaveLength(0)
    }).pipe(Effect.provide(streamedLayer(bodies)))
  })

  it.effect("a stream source longer than its size fails with SourceError, nothing completed", () => {
    const bodies: Array<string> = []
    return Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("long")
      const bytes = bytesOf(4096 * 2 + 10)
      const error = yield* fc.files.upload(chunked(bytes), space.id, { size: 4096 * 2 }).pipe(Effect.flip)
      expect(error._tag).toBe("SourceError")
      expect(yield* emulator.openUploads).toHaveLength(0)
      expect(yield* fc.files.list(space.id)).toHaveLength(0)
    }).pipe(Effect.provide(streamedLayer(bodies)))
  })
})
