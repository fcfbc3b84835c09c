/**
 * The API key reaches the API's `X-API-Key` header and nothing else: not an error's message,
 * JSON, string or inspection, and not a span attribute or event.
 */
import * as util from "node:util"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Fiber, Inspectable, Layer, Logger, Option, Schedule, TestClock } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Errors, FluidCloud } from "../src/index.js"
import { FILE_ID, fileWire, quotaWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import { API_KEY } from "./support/MockHttp.js"
import * as Operations from "./support/Operations.js"
import * as RecordingTracer from "./support/RecordingTracer.js"

/** Every way a user might print or ship an error. */
const renderings = (error: unknown): Record<string, string> => {
  const object = typeof error === "object" && error !== null ? error : {}
  return {
    message: error instanceof Error ? error.message : "",
    stack: error instanceof Error ? (error.stack ?? "") : "",
    json: JSON.stringify(error) ?? "",
    string: String(error),
    toString: object.toString(),
    inspect: util.inspect(error, { depth: Number.POSITIVE_INFINITY }),
    inspectHidden: util.inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    format: Inspectable.format(error),
    toStringUnknown: Inspectable.toStringUnknown(error),
    causePretty: Cause.pretty(Cause.fail(error)),
    causeJson: JSON.stringify(Cause.fail(error))
  }
}

/** The renderings that contain the key (expected: none). */
const leaks = (error: unknown) =>
  Object.entries(renderings(error))
    .filter(([, text]) => text.includes(API_KEY))
    .map(([how]) => how)

interface Case {
  readonly name?: string
  readonly tag: string
  readonly handlers: ReadonlyArray<MockHttp.Handler>
  readonly call: (fc: FluidCloud.Service) => Effect.Effect<unknown, unknown>
  readonly options?: Partial<FluidCloud.Options>
}

const cases: ReadonlyArray<Case> = [
  { tag: "AuthError", handlers: [MockHttp.error(401, "invalid_api_key")], call: (fc) => fc.quota.usage() },
  {
    tag: "QuotaExceededError",
    handlers: [MockHttp.error(402, "quota_exceeded", { extra: { resource: "links" } })],
    call: (fc) => fc.files.publicUrl(FILE_ID)
  },
  {
    tag: "PermissionError",
    handlers: [MockHttp.error(403, "insufficient_scope", { extra: { required_scope: "files:read" } })],
    call: (fc) => fc.files.get(FILE_ID)
  },
  { tag: "NotFoundError", handlers: [MockHttp.error(404, "not_found")], call: (fc) => fc.files.get(FILE_ID) },
  {
    tag: "ConflictError",
    handlers: [MockHttp.error(409, "file_infected")],
    call: (fc) => fc.files.downloadUrl(FILE_ID)
  },
  {
    tag: "RateLimitError",
    handlers: [MockHttp.error(429, "rate_limited", { headers: { "retry-after": "3" } })],
    call: (fc) => fc.spaces.list(),
    options: { retry: Schedule.stop }
  },
  { tag: "ApiError", handlers: [MockHttp.error(500, "internal_error")], call: (fc) => fc.spaces.create("x") },
  {
    name: "ApiError (422 with issues)",
    tag: "ApiError",
    handlers: [MockHttp.error(422, [{ loc: ["body", "name"], msg: "field required", type: "missing" }])],
    call: (fc) => fc.spaces.create("x")
  },
  {
    name: "TransportError (connection failed, with its low-level cause)",
    tag: "TransportError",
    handlers: [MockHttp.transportFailure],
    call: (fc) => fc.files.publicUrl(FILE_ID)
  },
  {
    name: "TransportError (Timeout)",
    tag: "TransportError",
    handlers: [MockHttp.never],
    call: (fc) => fc.spaces.create("x"),
    options: { timeout: "1 second" }
  },
  {
    tag: "DecodeError",
    handlers: [MockHttp.json(200, fileWire({ id: 42 }), { "x-request-id": "req-decode" })],
    call: (fc) => fc.files.get(FILE_ID)
  },
  {
    name: "TransportError (the connection failed while the response body was read)",
    tag: "TransportError",
    handlers: [
      (request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(
              new ReadableStream({
                start: (controller) => controller.error(new Error("connection reset"))
              }),
              { status: 200 }
            )
          )
        )
    ],
    call: (fc) => fc.files.get(FILE_ID),
    options: { retry: Schedule.stop }
  },
  { tag: "ValidationError", handlers: [MockHttp.json(200, {})], call: (fc) => fc.spaces.create("") },
  {
    name: "AuthError (a 401 body and request id that echo the key)",
    tag: "AuthError",
    handlers: [
      MockHttp.json(401, { detail: `invalid_api_key: ${API_KEY} is not valid` }, { "x-request-id": `req-${API_KEY}` })
    ],
    call: (fc) => fc.quota.usage()
  },
  {
    name: "AuthError (the key split by control characters)",
    tag: "AuthError",
    handlers: [MockHttp.json(401, { detail: `${API_KEY.slice(0, 12)}\u0000\u001b${API_KEY.slice(12)}` })],
    call: (fc) => fc.quota.usage()
  },
  {
    name: "ApiError (a 422 whose issues echo the key)",
    tag: "ApiError",
    handlers: [MockHttp.error(422, [{ loc: ["body", API_KEY], msg: `bad ${API_KEY}`, type: API_KEY }])],
    call: (fc) => fc.spaces.create("x")
  },
  {
    name: "PermissionError (required_scope echoing the key)",
    tag: "PermissionError",
    handlers: [MockHttp.error(403, "insufficient_scope", { extra: { required_scope: API_KEY } })],
    call: (fc) => fc.quota.usage()
  },
  {
    name: "ApiError (a redirect to a host named after the key)",
    tag: "ApiError",
    handlers: [MockHttp.text(302, null, { location: `https://${API_KEY}.evil.example/x` })],
    call: (fc) => fc.quota.usage()
  },
  {
    name: "DecodeError (a field of the wrong type holding the key)",
    tag: "DecodeError",
    handlers: [MockHttp.json(200, fileWire({ id: API_KEY }))],
    call: (fc) => fc.files.get(FILE_ID)
  },
  {
    name: "DecodeError (a body that is not JSON, holding the key)",
    tag: "DecodeError",
    handlers: [MockHttp.text(200, `{"detail": "${API_KEY}" oops`)],
    call: (fc) => fc.files.get(FILE_ID)
  },
  {
    name: "ConflictError (waitUntilClean on an infected file)",
    tag: "ConflictError",
    handlers: [MockHttp.json(200, fileWire({ scan_status: "infected" }))],
    call: (fc) => fc.files.waitUntilClean(FILE_ID)
  }
]

/** Runs the case to its failure, moving the test clock past any timeout. */
const failure = (c: Case) =>
  Effect.gen(function* () {
    const mock = MockHttp.make(...c.handlers)
    const fiber = yield* Effect.fork(MockHttp.run(mock, c.call, c.options ?? {}))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber).pipe(Effect.flip)
  })

describe("the key is absent from every error", () => {
  for (const c of cases) {
    it.effect(c.name ?? c.tag, () =>
      Effect.gen(function* () {
        const error = yield* failure(c)
        expect(Errors.isFluidCloudError(error)).toBe(true)
        expect(Errors.isFluidCloudError(error) ? error._tag : "not a FluidCloud error").toBe(c.tag)
        expect(leaks(error)).toStrictEqual([])
      })
    )
  }

  it.effect("nor from a logged failure", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.make(({ message, cause }) => {
        lines.push(Inspectable.format(message), Cause.pretty(cause))
      })
      const mock = MockHttp.make(MockHttp.transportFailure)
      yield* MockHttp.run(mock, (fc) => fc.spaces.create("x")).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("create failed", cause)),
        Effect.flip,
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(lines.length).toBeGreaterThan(0)
      expect(lines.filter((line) => line.includes(API_KEY))).toStrictEqual([])
    })
  )
})

const valuesWithKey = (spans: ReadonlyArray<RecordingTracer.RecordingSpan>) =>
  spans.flatMap((span) => [
    ...[...span.attributes]
      .filter(([, value]) => Inspectable.format(value).includes(API_KEY))
      .map(([name]) => `${span.name} ${name}`),
    ...span.events
      .filter((event) => Inspectable.format(event).includes(API_KEY))
      .map((event) => `${span.name} event ${event.name}`)
  ])

/** JSON without cycles or bigints. */
const json = (value: unknown): string => {
  const seen = new WeakSet<object>()
  return (
    JSON.stringify(value, (_, v: unknown) => {
      if (typeof v === "bigint") return v.toString()
      if (typeof v === "object" && v !== null) {
        if (seen.has(v)) return "[cycle]"
        seen.add(v)
      }
      return v
    }) ?? ""
  )
}

/** Which parts of a span, serialised with JSON.stringify or util.inspect (depth Infinity), hold the key. */
const serialisedWithKey =
  (key: string) =>
  (span: RecordingTracer.RecordingSpan): ReadonlyArray<string> => {
    const parts: Record<string, unknown> = {
      attributes: [...span.attributes],
      events: span.events,
      links: span.links.map((link) => ({ attributes: link.attributes, spanId: link.span.spanId })),
      exit: Option.getOrUndefined(span.exit)
    }
    return Object.entries(parts).flatMap(([part, value]) =>
      [json(value), util.inspect(value, { depth: Number.POSITIVE_INFINITY }), Inspectable.format(value)].some((text) =>
        text.includes(key)
      )
        ? [`${span.name} ${part}`]
        : []
    )
  }

describe("spans", () => {
  it.effect("every method runs in a span FluidCloud.<ns>.<method>, and no attribute holds the key", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      const mock = MockHttp.make(Operations.router)
      yield* MockHttp.run(mock, (fc) =>
        Effect.forEach(Operations.all, (operation) => operation.call(fc), { discard: true })
      ).pipe(Effect.withTracer(tracer))
      expect(mock.requests).toHaveLength(Operations.all.length)
      const names = new Set(spans.map((span) => span.name))
      for (const { span: name } of Operations.all) expect(names).toContain(name)
      // the HTTP client's own spans record the request headers, with the key redacted
      const withHeaders = spans.filter((span) => [...span.attributes.keys()].some((k) => k.includes("x-api-key")))
      expect(withHeaders.length).toBe(Operations.all.length)
      expect(valuesWithKey(spans)).toStrictEqual([])
      const get = spans.find((span) => span.name === "FluidCloud.files.get")
      expect(get?.attributes.get("fluidcloud.file_id")).toBe(FILE_ID)
    })
  )

  it.effect("failing calls (HTTP errors, transport failures) leave no key in spans either", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      for (const c of cases) {
        yield* failure(c).pipe(Effect.withTracer(tracer))
      }
      expect(spans.length).toBeGreaterThan(cases.length)
      expect(valuesWithKey(spans)).toStrictEqual([])
    })
  )

  it.effect(
    "no span's attributes, events, links or Exit holds the key, serialised any way (all methods, failures)",
    () =>
      Effect.gen(function* () {
        const { spans, tracer } = RecordingTracer.make()
        const mock = MockHttp.make(Operations.router)
        yield* MockHttp.run(mock, (fc) =>
          Effect.forEach(Operations.all, (operation) => operation.call(fc), { discard: true })
        ).pipe(Effect.withTracer(tracer))
        for (const c of cases) yield* failure(c).pipe(Effect.withTracer(tracer))
        const exits = spans.filter((span) => Option.isSome(span.exit))
        expect(exits.length).toBe(spans.length)
        expect(spans.filter((span) => span.name.startsWith("http.client")).length).toBeGreaterThan(cases.length)
        expect(spans.flatMap(serialisedWithKey(API_KEY))).toStrictEqual([])
      })
  )

  it.effect("nor over an upload, its retries and a failing public step (emulator)", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      const run = Effect.gen(function* () {
        const fc = yield* FluidCloud.FluidCloud
        const emulator = yield* Emulator.Emulator
        const space = yield* fc.spaces.create("spans")
        yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
        yield* emulator.failPartPut({ partNumber: 3, attempt: 1, reset: true })
        const file = yield* fc.files.upload(new Uint8Array(5 * 1024), space.id, { partSize: 1024, public: true })
        yield* fc.files.get(file.id)
        yield* fc.files.upload(new TextEncoder().encode(Emulator.eicar), space.id, { public: true }).pipe(Effect.flip)
        yield* fc.files.get(FILE_ID).pipe(Effect.flip)
        return emulator.apiKey
      }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0, minPartSize: 1024 })), Effect.withTracer(tracer))
      const fiber = yield* Effect.fork(run)
      yield* TestClock.adjust("1 minute")
      const key = yield* Fiber.join(fiber)
      expect(key.length).toBeGreaterThan(20)
      expect(spans.some((span) => span.name === "FluidCloud.files.upload.part")).toBe(true)
      expect(spans.filter((span) => span.name.startsWith("http.client")).length).toBeGreaterThan(5)
      expect(spans.flatMap(serialisedWithKey(key))).toStrictEqual([])
    })
  )

  it.effect("a tracer provided as a layer sees the spans too", () =>
    Effect.gen(function* () {
      const { spans, tracer } = RecordingTracer.make()
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      yield* MockHttp.run(mock, (fc) => fc.quota.usage()).pipe(Effect.provide(Layer.setTracer(tracer)))
      expect(spans.map((span) => span.name)).toContain("FluidCloud.quota.usage")
    })
  )
})
