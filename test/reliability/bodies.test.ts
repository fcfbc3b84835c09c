/**
 * Every body is bounded (DESIGN.md "Trust rules"), on real loopback sockets, with the Node client
 * (undici, `NodeFluidCloud.layer`) and with `fetch`: a 2 GiB success body, a never-ending chunked
 * one, a never-ending error body, never-ending storage responses and a slow drip each give a typed
 * error; the connection is dropped (the server sees the client hang up long before the end); and
 * the process's resident memory grows by less than 100 MiB.
 */
import * as Zlib from "node:zlib"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Domain, Errors, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Effect, Layer, Redacted, Schedule } from "effect"
import { quotaWire } from "../../packages/core/test/support/Fixtures.js"
import * as Env from "./support/env.js"
import * as Hostile from "./support/hostile.js"

const API_KEY = "fck_test_BODYLIMITSBODYLIMITS000001"
const RSS_BOUND = 100 * Hostile.MiB

const clients = [
  [
    "undici (NodeFluidCloud.layer)",
    (options: Omit<FluidCloud.Options, "apiKey">) =>
      NodeFluidCloud.layer({ apiKey: Redacted.make(API_KEY), ...options })
  ],
  [
    "fetch (FetchHttpClient.layer)",
    (options: Omit<FluidCloud.Options, "apiKey">) =>
      FluidCloud.layer({ apiKey: Redacted.make(API_KEY), ...options }).pipe(Layer.provide(FetchHttpClient.layer))
  ]
] as const

const SPACE_ID = Domain.SpaceId.make("0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10")
const UPLOAD_ID = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
const FILE_ID = "3e9c6f41-9d42-4d8a-8d88-704e8f9e5c43"

/** An initiate answer whose one part goes to this server's `/storage/part`. */
const session = (url: string) => ({
  upload_id: UPLOAD_ID,
  file_id: FILE_ID,
  expires_at: "2030-01-01T00:00:00Z",
  part_size: 5 * Hostile.MiB,
  parts: [{ part_number: 1, url: `${url}/storage/part?sig=abc`, method: "PUT", headers: {} }]
})

/** Runs `call` on a client of `layer` over `server`; its failure, and the peak RSS growth while it ran. */
const failureOf = <A, E>(
  makeLayer: (options: Omit<FluidCloud.Options, "apiKey">) => Layer.Layer<FluidCloud.FluidCloud>,
  server: Hostile.Server,
  call: (fc: FluidCloud.Service) => Effect.Effect<A, E>,
  options: Omit<FluidCloud.Options, "apiKey" | "baseUrl"> = {}
) =>
  Hostile.peakRssGrowth(
    Effect.flatMap(FluidCloud.FluidCloud, call).pipe(
      Effect.flip,
      Effect.provide(makeLayer({ baseUrl: server.url, retry: Schedule.stop, timeout: "30 seconds", ...options }))
    )
  )

/** `size` zero bytes, gzipped as a stream (so they are never all in memory): a few hundred KiB. */
const gzipBomb = (size: number): Promise<Uint8Array> =>
  new Promise((resolve, reject) => {
    const gzip = Zlib.createGzip({ level: 1 })
    const out: Array<Buffer> = []
    gzip.on("data", (chunk: Buffer) => out.push(chunk))
    gzip.on("end", () => resolve(Buffer.concat(out)))
    gzip.on("error", reject)
    const zeros = Buffer.alloc(Hostile.MiB)
    let written = 0
    const write = () => {
      while (written < size) {
        written += zeros.byteLength
        if (!gzip.write(zeros)) return void gzip.once("drain", write)
      }
      gzip.end()
    }
    write()
  })

const peaks: Array<{ readonly client: string; readonly body: string; readonly growth: number; readonly peak: number }> =
  []

for (const [name, makeLayer] of clients) {
  describe(`bounded bodies: ${name}`, () => {
    const record = (body: string, measured: { readonly growth: number; readonly peak: number }) => {
      peaks.push({ client: name, body, growth: measured.growth, peak: measured.peak })
      expect(measured.growth).toBeLessThan(RSS_BOUND)
    }

    it.scopedLive("a 2 GiB success body (Content-Length: 2 GiB) → DecodeError, connection dropped, RSS bounded", () =>
      Effect.gen(function* () {
        const server = yield* Hostile.serve((_, response, server) =>
          Hostile.generated(server, response, { status: 200, total: 2 * Hostile.GiB, contentLength: 2 * Hostile.GiB })
        )
        const { value: error, ...measured } = yield* failureOf(makeLayer, server, (fc) => fc.quota.usage())
        expect(error).toBeInstanceOf(Errors.DecodeError)
        expect(error._tag === "DecodeError" ? error.description : "").toMatch(/^response_too_large: /)
        yield* Effect.sleep("50 millis") // the server sees the hang-up
        expect(server.sent[0]?.dropped).toBe(true)
        expect(server.sent[0]?.bytes).toBeLessThan(256 * Hostile.MiB)
        record("2 GiB Content-Length", measured)
      })
    )

    it.scopedLive(
      "a never-ending chunked success body → DecodeError past 16 MiB, connection dropped, RSS bounded",
      () =>
        Effect.gen(function* () {
          const server = yield* Hostile.serve((_, response, server) =>
            Hostile.generated(server, response, { status: 200, total: Number.POSITIVE_INFINITY })
          )
          const { value: error, ...measured } = yield* failureOf(makeLayer, server, (fc) => fc.files.list(SPACE_ID))
          expect(error).toBeInstanceOf(Errors.DecodeError)
          expect(error._tag === "DecodeError" ? error.description : "").toContain(`over ${16 * Hostile.MiB} bytes`)
          yield* Effect.sleep("50 millis")
          expect(server.sent[0]?.dropped).toBe(true)
          record("never-ending chunked", measured)
        })
    )

    it.scopedLive(
      "a gzip body whose small Content-Length unpacks to 256 MiB → DecodeError, RSS bounded (fetch unpacks it)",
      () =>
        Effect.gen(function* () {
          const bomb = yield* Effect.promise(() => gzipBomb(256 * Hostile.MiB))
          const server = yield* Hostile.serve((_, response) => {
            response.writeHead(200, {
              "content-type": "application/json",
              "content-encoding": "gzip",
              "content-length": String(bomb.byteLength)
            })
            response.end(bomb)
          })
          const { value: error, ...measured } = yield* failureOf(makeLayer, server, (fc) => fc.quota.usage())
          // fetch unpacks it and the count stops it at the cap; undici hands over the gzip bytes, not JSON
          expect(error).toBeInstanceOf(Errors.DecodeError)
          record("gzip bomb", measured)
        })
    )

    it.scopedLive("a never-ending error body → the status's typed error (ApiError 500), connection dropped", () =>
      Effect.gen(function* () {
        const server = yield* Hostile.serve((_, response, server) =>
          Hostile.generated(server, response, {
            status: 500,
            total: Number.POSITIVE_INFINITY,
            headers: { "x-request-id": "req-endless" }
          })
        )
        const { value: error, ...measured } = yield* failureOf(makeLayer, server, (fc) => fc.quota.usage())
        expect(error).toMatchObject({ _tag: "ApiError", status: 500, detail: "http_500", requestId: "req-endless" })
        yield* Effect.sleep("50 millis")
        expect(server.sent[0]?.dropped).toBe(true)
        expect(server.sent[0]?.bytes).toBeLessThan(16 * Hostile.MiB)
        record("never-ending error body", measured)
      })
    )

    for (const status of [200, 503]) {
      it.scopedLive(
        `a never-ending storage response to a part PUT (${status}) → a typed error, the upload aborted`,
        () =>
          Effect.gen(function* () {
            const server = yield* Hostile.serve((request, response, server) => {
              if (request.url?.startsWith("/api/v1/uploads/initiate"))
                return Hostile.json(response, 201, session(server.url))
              if (request.method === "DELETE") return Hostile.json(response, 204, undefined)
              if (request.url?.startsWith("/storage/")) {
                return Hostile.generated(server, response, {
                  status,
                  total: Number.POSITIVE_INFINITY,
                  headers: { etag: '"abc"' }
                })
              }
              Hostile.json(response, 404, { detail: "not_found" })
            })
            const { value: error, ...measured } = yield* failureOf(makeLayer, server, (fc) =>
              fc.files.upload(new Uint8Array(10), SPACE_ID)
            )
            if (status === 200) {
              expect(error).toBeInstanceOf(Errors.DecodeError)
              expect(error._tag === "DecodeError" ? error.description : "").toMatch(/^response_too_large: the storage/)
            } else {
              expect(error).toMatchObject({ _tag: "ApiError", status: 503 })
            }
            yield* Effect.sleep("50 millis")
            expect(server.sent[0]?.dropped).toBe(true)
            expect(server.sent[0]?.bytes).toBeLessThan(16 * Hostile.MiB)
            expect(server.requests.map((r) => r.method)).toEqual(["POST", "PUT", "DELETE"])
            record(`never-ending storage ${status}`, measured)
          })
      )
    }

    it.scopedLive("a slow drip (one byte every 20 ms, forever) → TransportError (Timeout), connection dropped", () =>
      Effect.gen(function* () {
        const server = yield* Hostile.serve((_, response, server) =>
          Hostile.drip(server, response, { status: 200, everyMillis: 20 })
        )
        const { value: error } = yield* failureOf(makeLayer, server, (fc) => fc.quota.usage(), {
          timeout: "1 second"
        })
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
        yield* Effect.sleep("50 millis")
        expect(server.sent[0]?.dropped).toBe(true)
      })
    )

    it.scopedLive("a slow drip within a declared Content-Length → TransportError (Timeout), connection dropped", () =>
      Effect.gen(function* () {
        const server = yield* Hostile.serve((_, response, server) =>
          Hostile.drip(server, response, { status: 200, everyMillis: 20, headers: { "content-length": "100000" } })
        )
        const { value: error } = yield* failureOf(makeLayer, server, (fc) => fc.quota.usage(), {
          timeout: "1 second"
        })
        expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
        yield* Effect.sleep("50 millis")
        expect(server.sent[0]?.dropped).toBe(true)
      })
    )

    it.scopedLive("maxResponseBytes is the cap: a body just under it decodes, one just over fails", () =>
      Effect.gen(function* () {
        const cap = 256 * 1024
        const body = (size: number) => {
          const text = JSON.stringify(quotaWire())
          return `${text}${" ".repeat(size - text.length)}`
        }
        const server = yield* Hostile.serve((request, response) => {
          const size = request.url?.includes("over") === true ? cap + 1 : cap
          response.writeHead(200, { "content-type": "application/json" })
          response.end(body(size))
        })
        const layer = makeLayer({ baseUrl: server.url, retry: Schedule.stop, maxResponseBytes: cap })
        const under = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(Effect.provide(layer))
        expect(under.bytesUsed).toBe(1000)
        const over = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.files.resolve("over")).pipe(
          Effect.flip,
          Effect.provide(layer)
        )
        expect(over).toBeInstanceOf(Errors.DecodeError)
        expect(over._tag === "DecodeError" ? over.description : "").toContain(`over ${cap} bytes`)
      })
    )
  })
}

describe("maxResponseBytes", () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    it.effect(`${bad} is refused at layer construction`, () =>
      Effect.gen(function* () {
        const exit = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage()).pipe(
          Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(API_KEY), maxResponseBytes: bad })),
          Effect.exit
        )
        expect(exit._tag).toBe("Failure")
        expect(String(exit)).toContain("maxResponseBytes")
      })
    )
  }
})

// the RSS of each case, for CI's log
afterAll(() => {
  if (peaks.length === 0) return
  const mib = (bytes: number) => (bytes / Hostile.MiB).toFixed(1)
  console.log(
    Env.table(
      "bounded bodies: resident set size while the client met each hostile body",
      peaks.map(({ body, client, growth, peak }) => ({
        client,
        body,
        "RSS growth (MiB)": mib(growth),
        "peak RSS (MiB)": mib(peak)
      }))
    )
  )
})
