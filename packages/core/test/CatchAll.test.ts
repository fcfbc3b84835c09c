/**
 * The catch-all for HTTP errors (`Errors.catchHttpError`, `Errors.isHttpError`,
 * `Errors.httpErrorTags`): it recovers from every HTTP tag and from nothing else, and the error
 * channel left over is exactly the non-HTTP tags.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schedule } from "effect"
import { expectTypeOf } from "vitest"
import { Errors } from "../src/index.js"
import { FILE_ID } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

const noRetry = { retry: Schedule.stop }

describe("Errors.catchHttpError", () => {
  it.effect.each([401, 402, 403, 404, 409, 429, 400, 422, 500])("recovers from a %d", (status) =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.error(status, "boom"))
      const result = yield* MockHttp.run(
        mock,
        (fc) =>
          fc.files.publicUrl(FILE_ID).pipe(
            Errors.catchHttpError((e) => Effect.succeed(`${e._tag} ${e.status} ${e.requestId}`)),
            Effect.either
          ),
        noRetry
      )
      expect(Either.isRight(result)).toBe(true)
      expect(Either.getOrThrow(result)).toMatch(new RegExp(`^\\w+Error ${status} req-${status}$`))
    })
  )

  it.effect("leaves transport, decode and validation errors alone", () =>
    Effect.gen(function* () {
      const transport = yield* MockHttp.run(
        MockHttp.make(MockHttp.transportFailure),
        (fc) =>
          fc.files.get(FILE_ID).pipe(
            Errors.catchHttpError(() => Effect.succeed("caught")),
            Effect.flip
          ),
        noRetry
      )
      expect(transport._tag).toBe("TransportError")
      const decode = yield* MockHttp.run(
        MockHttp.make(MockHttp.json(200, { nope: true })),
        (fc) =>
          fc.files.get(FILE_ID).pipe(
            Errors.catchHttpError(() => Effect.succeed("caught")),
            Effect.flip
          ),
        noRetry
      )
      expect(decode._tag).toBe("DecodeError")
      const validation = yield* MockHttp.run(MockHttp.make(MockHttp.json(200, {})), (fc) =>
        fc.files.signedUrl(FILE_ID, { expiresInDays: 0 }).pipe(
          Errors.catchHttpError(() => Effect.succeed("caught")),
          Effect.flip
        )
      )
      expect(validation._tag).toBe("ValidationError")
    })
  )

  it("the error channel keeps exactly the non-HTTP tags (data-first and data-last)", () => {
    type Program = Effect.Effect<string, Errors.NotFoundError | Errors.ApiError | Errors.TransportError>
    const program: Program = Effect.succeed("x")
    const piped = program.pipe(Errors.catchHttpError((e) => Effect.succeed(e.status)))
    expectTypeOf(piped).toEqualTypeOf<Effect.Effect<string | number, Errors.TransportError>>()
    const direct = Errors.catchHttpError(program, (e) => {
      expectTypeOf(e).toEqualTypeOf<Errors.NotFoundError | Errors.ApiError>()
      return Effect.fail(new Errors.ValidationError({ field: "x", description: "y" }))
    })
    expectTypeOf(direct).toEqualTypeOf<Effect.Effect<string, Errors.TransportError | Errors.ValidationError>>()
  })
})

describe("Errors.isHttpError", () => {
  it("is true for the seven HTTP tags only", () => {
    const http = [
      new Errors.AuthError({ status: 401, detail: "invalid_api_key" }),
      new Errors.QuotaExceededError({ status: 402, detail: "quota_exceeded" }),
      new Errors.PermissionError({ status: 403, detail: "insufficient_scope" }),
      new Errors.NotFoundError({ status: 404, detail: "not_found" }),
      new Errors.ConflictError({ status: 409, detail: "file_not_ready" }),
      new Errors.RateLimitError({ status: 429, detail: "rate_limited" }),
      new Errors.ApiError({ status: 500, detail: "internal_error" })
    ]
    expect(http.map((e) => e._tag)).toEqual(Errors.httpErrorTags)
    for (const error of http) expect(Errors.isHttpError(error)).toBe(true)
    const others = [
      new Errors.TransportError({ reason: "Timeout", method: "GET", url: "https://x.test/" }),
      new Errors.DecodeError({ method: "GET", url: "https://x.test/", description: "bad" }),
      new Errors.ValidationError({ field: "fileId", description: "must be a UUID" }),
      new Errors.SourceError({ description: "gone" }),
      new Errors.TargetError({ description: "could not open out.bin.part" }),
      { _tag: "NotFoundError", status: 404 },
      "NotFoundError",
      undefined
    ]
    for (const other of others) expect(Errors.isHttpError(other)).toBe(false)
    // the SDK's own errors are still FluidCloud errors
    for (const other of others.slice(0, 5)) expect(Errors.isFluidCloudError(other)).toBe(true)
  })
})
