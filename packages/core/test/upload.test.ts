/**
 * The upload engine against the in-process emulator: every source kind, part boundaries,
 * concurrency, retries, aborts, integrity, progress and `public: true`.
 */
import { createHash } from "node:crypto"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Deferred,
  Effect,
  Exit,
  Fiber,
  FastCheck as fc,
  HashSet,
  Layer,
  Logger,
  LogLevel,
  Option,
  Predicate,
  Ref,
  Schedule,
  Stream,
  TestClock,
  TestServices
} from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { type Domain, Errors, FluidCloud, type Upload } from "../src/index.js"

const KiB = 1024
const PART = 4 * KiB

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Deterministic pseudo-random bytes. */
const bytesOf = (size: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/**
 * The emulator honours any `part_size` hint above its `minPartSize`, but the SDK rejects hints
 * under 5 MiB; this transform sets the hint on the wire so tests get small parts.
 */
const serverPartSize =
  (partSize: number) =>
  (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    HttpClient.mapRequest(client, (request) => {
      if (
        request.method !== "POST" ||
        !request.url.endsWith("/uploads/initiate") ||
        request.body._tag !== "Uint8Array"
      ) {
        return request
      }
      const parsed: unknown = JSON.parse(new TextDecoder().decode(request.body.body))
      return Predicate.isRecord(parsed)
        ? HttpClientRequest.bodyUnsafeJson(request, { ...parsed, part_size: partSize })
        : request
    })

interface TestLayerOptions {
  readonly partSize?: number
  readonly emulator?: Emulator.Options
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  readonly fileSystem?: FileSystem.FileSystem
}

const testLayer = (options: TestLayerOptions = {}) => {
  const partSize = serverPartSize(options.partSize ?? PART)
  const transform = options.transformClient
  const base = FluidCloudTest.layer({
    minPartSize: KiB,
    scanDelay: 0,
    ...options.emulator,
    client: {
      retry: Schedule.recurs(3),
      transformClient: transform === undefined ? partSize : (client) => transform(partSize(client))
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

const partPuts = (emulator: Emulator.Emulator) =>
  Effect.map(emulator.requestLog, (log) => log.filter((entry) => entry.origin === "storage" && entry.method === "PUT"))

/** Downloads a file's stored bytes through the API and storage. */
const download = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    yield* fc.files.waitUntilClean(fileId, { schedule: Schedule.recurs(3) })
    const url = yield* fc.files.downloadUrl(fileId)
    const client = yield* HttpClient.HttpClient
    const response = yield* client.get(url)
    return new Uint8Array(yield* response.arrayBuffer)
  }).pipe(Effect.scoped)

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
