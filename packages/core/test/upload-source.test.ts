/**
 * The upload engine's pieces on their own: cutting sources into parts (rechunking with one copy
 * per byte into recycled buffers), the buffer pool's bound, and the sha256 abstraction.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, FastCheck as fc, Layer, Option, Schedule, Stream } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { FluidCloud, Upload } from "../src/index.js"
import * as Hash from "../src/internal/hash.js"
import * as Parts from "../src/internal/parts.js"
import * as Source from "../src/internal/source.js"
import { bytesOf, sha256 } from "./support/Bytes.js"

/** Splits `bytes` at the given cut lengths (cycled), keeping empty chunks. */
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let offset = 0
  let i = 0
  while (offset < bytes.byteLength) {
    const cut = cuts.length === 0 ? bytes.byteLength : (cuts[i++ % cuts.length] ?? 1)
    out.push(bytes.slice(offset, offset + cut))
    offset += cut
  }
  return out
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

describe("part arithmetic", () => {
  it("partCountOf / partLengthOf: one empty part for 0 bytes, an uneven tail", () => {
    expect(Parts.partCountOf(0, 10)).toBe(1)
    expect(Parts.partLengthOf(0, 10, 0)).toBe(0)
    expect(Parts.partCountOf(1, 10)).toBe(1)
    expect(Parts.partCountOf(10, 10)).toBe(1)
    expect(Parts.partCountOf(11, 10)).toBe(2)
    expect(Parts.partLengthOf(25, 10, 2)).toBe(5)
    expect(Parts.partLengthOf(25, 10, 1)).toBe(10)
  })

  it("basename: the last segment of / or \\ paths", () => {
    expect(Source.basename("/a/b/c.txt")).toBe("c.txt")
    expect(Source.basename("C:\\Users\\me\\photo.png")).toBe("photo.png")
    expect(Source.basename("dir/")).toBe("dir")
    expect(Source.basename("/")).toBe("")
  })
})

/** `Parts.rechunkPull`'s parts as a stream, the way the tests read them. */
const rechunk = (source: Stream.Stream<Uint8Array, unknown>, size: number, partSize: number, pool: Parts.BufferPool) =>
  Stream.unwrapScoped(Effect.map(Parts.rechunkPull(source, size, partSize, pool), Stream.repeatEffectOption))

describe("rechunk", () => {
  it.effect.prop(
    "parts are the source cut at partSize, each copied once into a pooled buffer",
    {
      size: fc.integer({ min: 0, max: 5000 }),
      partSize: fc.integer({ min: 8, max: 1500 }),
      cuts: fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 8 }),
      concurrency: fc.integer({ min: 1, max: 4 })
    },
    ({ size, partSize, cuts, concurrency }) =>
      Effect.gen(function* () {
        const bytes = bytesOf(size, size + partSize)
        const chunks = split(
          bytes,
          cuts.map((cut) => Math.max(cut, 1))
        )
        // empty chunks in between are skipped
        const withEmpties = chunks.flatMap((chunk) => [chunk, new Uint8Array(0)])
        const inputBuffers = new Set<ArrayBufferLike>(chunks.map((chunk) => chunk.buffer))
        const pool = yield* Parts.makeBufferPool(concurrency + 1, Math.min(partSize, size))
        const seen: Array<Uint8Array> = []
        yield* rechunk(Stream.fromIterable(withEmpties), size, partSize, pool).pipe(
          Stream.mapEffect(
            (part) =>
              Effect.sync(() => {
                seen.push(part.bytes.slice())
                expect(inputBuffers.has(part.bytes.buffer)).toBe(false)
              }).pipe(Effect.ensuring(part.release)),
            { concurrency }
          ),
          Stream.runDrain
        )
        expect(seen).toHaveLength(Parts.partCountOf(size, partSize))
        seen.forEach((part, index) => {
          expect(part.byteLength).toBe(Parts.partLengthOf(size, partSize, index))
        })
        expect(sha256(concat(seen))).toBe(sha256(bytes))
        expect(pool.allocated()).toBeLessThanOrEqual(concurrency + 1)
      }),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect("a stream shorter than size fails with SourceError", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2, 4)
      const error = yield* rechunk(Stream.make(bytesOf(10)), 11, 4, pool).pipe(
        Stream.tap((part) => part.release),
        Stream.runDrain,
        Effect.flip
      )
      expect(error._tag).toBe("SourceError")
      expect(error.description).toContain("ended after 10 bytes")
    })
  )

  it.effect("a stream longer than size fails before its last part is emitted", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2, 4)
      const emitted: Array<number> = []
      const error = yield* rechunk(Stream.make(bytesOf(8), bytesOf(1)), 8, 4, pool).pipe(
        Stream.tap((part) => Effect.sync(() => emitted.push(part.bytes.byteLength))),
        Stream.tap((part) => part.release),
        Stream.runDrain,
        Effect.flip
      )
      expect(error._tag).toBe("SourceError")
      expect(emitted).toEqual([4])
    })
  )

  it.effect("a source yielding something other than bytes fails with SourceError", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2, 4)
      const notBytes: Stream.Stream<Uint8Array> = Stream.fromIterable(JSON.parse('["text"]'))
      const error = yield* rechunk(notBytes, 4, 4, pool).pipe(Stream.runDrain, Effect.flip)
      expect(error._tag).toBe("SourceError")
    })
  )
})

describe("buffer pool", () => {
  it.effect("allocates at most `count` buffers; take waits until one is released", () =>
    Effect.gen(function* () {
      const pool = yield* Parts.makeBufferPool(2, 8)
      const a = yield* pool.take(8)
      const b = yield* pool.take(3)
      expect(b.bytes.byteLength).toBe(3)
      const waiting = yield* Effect.fork(pool.take(8))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      yield* a.release
      const c = yield* Fiber.join(waiting)
      expect(c.bytes.buffer).toBe(a.bytes.buffer)
      expect(pool.allocated()).toBe(2)
      yield* b.release
    })
  )
})

describe("sha256", () => {
  it.effect.prop(
    "noble and the hash-wasm default equal node:crypto, fed in any pieces",
    { size: fc.integer({ min: 0, max: 3000 }), cuts: fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 6 }) },
    ({ size, cuts }) =>
      Effect.gen(function* () {
        const bytes = bytesOf(size, size + 3)
        for (const factory of [Hash.noble, yield* Hash.wasm]) {
          const hash = factory.create()
          for (const piece of split(bytes, cuts)) hash.update(piece)
          expect(hash.digestHex()).toBe(sha256(bytes))
          expect(Hash.digestHex(factory, bytes)).toBe(sha256(bytes))
        }
      })
  )

  it.effect("hashes running at once over the one hash-wasm instance keep their own states", () =>
    Effect.gen(function* () {
      const factory = yield* Hash.wasm
      const inputs = [bytesOf(5000, 1), bytesOf(3, 2), bytesOf(0), bytesOf(70_000, 3)]
      const hashes = inputs.map(() => factory.create())
      // interleaved: each hash takes its turn on the instance between the others' updates
      for (let offset = 0; offset < 70_000; offset += 997) {
        inputs.forEach((bytes, i) => {
          if (offset < bytes.byteLength) hashes[i]?.update(bytes.subarray(offset, offset + 997))
        })
      }
      expect(hashes.map((hash) => hash.digestHex())).toEqual(inputs.map((bytes) => sha256(bytes)))
      const done = hashes[0]
      expect(() => done?.update(bytesOf(1))).toThrow()
    })
  )

  it.effect("where WebAssembly cannot be loaded, the default hashes with noble", () =>
    Effect.gen(function* () {
      const original = Object.getOwnPropertyDescriptor(globalThis, "WebAssembly")
      Object.defineProperty(globalThis, "WebAssembly", { value: undefined, configurable: true, writable: true })
      const factory = yield* Hash.wasm.pipe(
        Effect.ensuring(Effect.sync(() => original && Object.defineProperty(globalThis, "WebAssembly", original)))
      )
      expect(factory).toBe(Hash.noble)
      expect(typeof WebAssembly).toBe("object")
    })
  )

  it.effect("the Sha256 reference defaults to the standard one, which a client replaces; a provided one is kept", () =>
    Effect.gen(function* () {
      expect(yield* Upload.Sha256).toBe(Hash.standard)
      expect(Hash.digestHex(Hash.standard, bytesOf(100))).toBe(sha256(bytesOf(100)))
      const built = yield* Hash.make
      expect(built).not.toBe(Hash.standard)
      expect(Hash.digestHex(built, bytesOf(100))).toBe(sha256(bytesOf(100)))
      const own = { create: () => Hash.noble.create() }
      expect(yield* Hash.make.pipe(Effect.provideService(Upload.Sha256, own))).toBe(own)
    })
  )

  it.effect("the default hashes with noble until hash-wasm is loaded, then with it; the layer does not wait", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const created: Array<string> = []
      const recording: Upload.Sha256Factory = {
        create: () => {
          created.push("loaded")
          return Hash.noble.create()
        }
      }
      const factory = yield* Hash.loadingInBackground(Effect.as(Deferred.await(gate), recording))
      const before = factory.create()
      before.update(bytesOf(10))
      expect(created).toEqual([])
      yield* Deferred.succeed(gate, undefined)
      for (let turn = 0; turn < 10; turn++) yield* Effect.yieldNow()
      const after = factory.create()
      after.update(bytesOf(10))
      expect(created).toEqual(["loaded"])
      // a hash keeps the implementation it was created with
      expect(before.digestHex()).toBe(sha256(bytesOf(10)))
      expect(after.digestHex()).toBe(sha256(bytesOf(10)))
    })
  )

  it.effect(
    "the engine uses the Sha256 of the client's layer, fed in part order while parts complete out of order",
    () => {
      const fed: Array<Uint8Array> = []
      const recording: Upload.Sha256Factory = {
        create: () => {
          const inner = createHash("sha256")
          return {
            update: (bytes) => {
              fed.push(bytes.slice())
              inner.update(bytes)
            },
            digestHex: () => inner.digest("hex")
          }
        }
      }
      const layer = FluidCloudTest.layer({
        minPartSize: 1024,
        forcePartSize: 4096,
        scanDelay: 0,
        client: { retry: Schedule.recurs(3) }
      }).pipe(Layer.provide(Layer.succeed(Upload.Sha256, recording)))
      return Effect.gen(function* () {
        const client = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* client.spaces.create("hash order")
        // part 1 fails once, so it is stored after parts 2 and 3
        yield* emulator.failPartPut({ partNumber: 1, status: 500 })
        const bytes = bytesOf(4096 * 3 - 5)
        const events = yield* client.files
          .uploadStream(Stream.make(bytes), space.id, { size: bytes.byteLength, concurrency: 3 })
          .pipe(Stream.runCollect)
        const order = Chunk.toReadonlyArray(events).flatMap((event) =>
          event._tag === "PartUploaded" ? [event.partNumber] : []
        )
        expect(order[order.length - 1]).toBe(1)
        expect(fed.map((piece) => piece.byteLength)).toEqual([4096, 4096, 4096 - 5])
        expect(sha256(concat(fed))).toBe(sha256(bytes))
        const last = Chunk.last(events)
        expect(Option.isSome(last) && last.value._tag === "Completed").toBe(true)
      }).pipe(Effect.provide(layer))
    }
  )
})
