/**
 * `FluidCloud.layerConfig` reads FLUIDCLOUD_API_KEY, FLUIDCLOUD_BASE_URL and FLUIDCLOUD_TIMEOUT.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  ConfigError,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Redacted,
  Schedule,
  TestClock
} from "effect"
import { FluidCloud } from "../src/index.js"
import { quotaWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

const KEY = "fck_test_CONFIGCONFIGCONFIGCONFIG99"

const withConfig = (mock: MockHttp.Mock, env: Record<string, string>) =>
  FluidCloud.layerConfig({ retry: Schedule.stop }).pipe(
    Layer.provide(mock.layer),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )

const usage = Effect.flatMap(FluidCloud.FluidCloud, (fc) => fc.quota.usage())

describe("layerConfig", () => {
  it.effect("uses FLUIDCLOUD_API_KEY and FLUIDCLOUD_BASE_URL", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const quota = yield* usage.pipe(
        Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY, FLUIDCLOUD_BASE_URL: "http://127.0.0.1:8787" }))
      )
      expect(quota.bytesUsed).toBe(1000)
      expect(mock.requests).toHaveLength(1)
      expect(mock.requests[0]?.url).toBe("http://127.0.0.1:8787/api/v1/quota")
      expect(mock.requests[0]?.headers["x-api-key"]).toBe(KEY)
    })
  )

  it.effect("defaults the base URL to the production API when FLUIDCLOUD_BASE_URL is unset", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      yield* usage.pipe(Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY })))
      expect(mock.requests[0]?.url).toBe("https://api-cloud.fluidvip.com/api/v1/quota")
    })
  )

  it.effect("FLUIDCLOUD_TIMEOUT in seconds (2.5)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never)
      const fiber = yield* Effect.fork(
        usage.pipe(Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY, FLUIDCLOUD_TIMEOUT: "2.5" })))
      )
      yield* TestClock.adjust("2499 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" ? error.reason : undefined).toBe("Timeout")
    })
  )

  it.effect("FLUIDCLOUD_TIMEOUT as a duration (5 minutes)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.never)
      const fiber = yield* Effect.fork(
        usage.pipe(Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY, FLUIDCLOUD_TIMEOUT: "5 minutes" })))
      )
      yield* TestClock.adjust("299 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber).pipe(Effect.flip)
      expect(error._tag === "TransportError" ? error.reason : error._tag).toBe("Timeout")
    })
  )

  it.effect("a missing FLUIDCLOUD_API_KEY fails the layer with a ConfigError naming it, sending nothing", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const error = yield* usage.pipe(
        Effect.provide(withConfig(mock, { FLUIDCLOUD_BASE_URL: "http://127.0.0.1:8787" })),
        Effect.flip
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(ConfigError.isConfigError(error) && ConfigError.isMissingData(error)).toBe(true)
      expect(String(error)).toContain("FLUIDCLOUD_API_KEY")
      expect(mock.requests).toHaveLength(0)
    })
  )

  it.effect.each(["soon", "0", "0 seconds"])("FLUIDCLOUD_TIMEOUT %j fails with a ConfigError", (timeout) =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const error = yield* usage.pipe(
        Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY, FLUIDCLOUD_TIMEOUT: timeout })),
        Effect.flip
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("FLUIDCLOUD_TIMEOUT")
      expect(mock.requests).toHaveLength(0)
    })
  )

  it.effect("an error from the config-built client does not print the configured key", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(401, "revoked_api_key"))
      const error = yield* usage.pipe(Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: KEY })), Effect.flip)
      expect(error._tag).toBe("AuthError")
      expect(JSON.stringify(error)).not.toContain(KEY)
      expect(String(error)).not.toContain(KEY)
    })
  )
})

describe("a key an HTTP header cannot carry is refused when the layer is built, without showing it", () => {
  const bad = [
    "fck_live_SECRETPART1\nSECRETPART2",
    `${KEY}\n`,
    `${KEY} `,
    "fck_live_SECRET\u0000PART",
    "fck_live_SECRÉT"
  ]

  it.effect.each(bad)("FluidCloud.layer with %j: a defect, nothing sent", (key) =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const exit = yield* usage.pipe(
        Effect.provide(FluidCloud.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(mock.layer))),
        Effect.exit
      )
      expect(mock.requests).toHaveLength(0)
      const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
      expect(defect).toBeInstanceOf(Cause.IllegalArgumentException)
      expect(String(defect)).toContain("the API key holds a character an HTTP header cannot carry")
      expect(`${String(defect)} ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""}`).not.toContain("SECRET")
    })
  )

  it.effect.each(bad)("layerConfig with FLUIDCLOUD_API_KEY %j: a ConfigError, nothing sent", (key) =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const error = yield* usage.pipe(Effect.provide(withConfig(mock, { FLUIDCLOUD_API_KEY: key })), Effect.flip)
      expect(mock.requests).toHaveLength(0)
      expect(ConfigError.isConfigError(error) && ConfigError.isInvalidData(error)).toBe(true)
      expect(String(error)).toContain("FLUIDCLOUD_API_KEY")
      expect(String(error)).not.toContain("SECRET")
    })
  )
})

describe("Options.timeout: a bare number is refused, with what to write instead", () => {
  const build = (timeout: unknown) =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const exit = yield* usage.pipe(
        Effect.provide(
          FluidCloud.layer({
            apiKey: Redacted.make(KEY),
            // @ts-expect-error: the type refuses a bare number (or anything that is not a duration)
            timeout
          }).pipe(Layer.provide(mock.layer))
        ),
        Effect.exit
      )
      expect(mock.requests).toHaveLength(0)
      return exit
    })

  const defectMessage = (exit: Exit.Exit<unknown, unknown>) =>
    Exit.isFailure(exit)
      ? Option.match(Cause.dieOption(exit.cause), {
          onNone: () => "not a defect",
          onSome: (defect) => (defect instanceof Cause.IllegalArgumentException ? defect.message : String(defect))
        })
      : "succeeded"

  it.effect('timeout: 300 → a defect at layer construction naming Duration.seconds(300) and "300 seconds"', () =>
    Effect.gen(function* () {
      const message = defectMessage(yield* build(300))
      expect(message).toContain("timeout: 300 is ambiguous")
      expect(message).toContain("Duration.seconds(300)")
      expect(message).toContain('"300 seconds"')
    })
  )

  it.effect("a bigint (nanoseconds) is refused too", () =>
    Effect.gen(function* () {
      expect(defectMessage(yield* build(300n))).toContain("is ambiguous")
    })
  )

  it.effect.each(["0 seconds", "soon"])("timeout %j is refused", (timeout) =>
    Effect.gen(function* () {
      expect(defectMessage(yield* build(timeout))).toMatch(/^FluidCloud: timeout: /)
    })
  )

  it.effect('Duration.seconds(2), "2 seconds" and [2, 0] all mean two seconds', () =>
    Effect.gen(function* () {
      const timeouts: ReadonlyArray<FluidCloud.Timeout> = [Duration.seconds(2), "2 seconds", [2, 0]]
      for (const timeout of timeouts) {
        const mock = MockHttp.make(MockHttp.never)
        const fiber = yield* Effect.fork(
          usage.pipe(Effect.provide(MockHttp.client(mock, { timeout, retry: Schedule.stop })))
        )
        yield* TestClock.adjust("1999 millis")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 millis")
        const error = yield* Fiber.join(fiber).pipe(Effect.flip)
        expect(error._tag === "TransportError" ? error.reason : error._tag).toBe("Timeout")
      }
    })
  )
})
