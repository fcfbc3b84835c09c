import type { Domain } from "@fluidcloud/core"
import { Errors, FluidCloud } from "@fluidcloud/core"
import { Console, Effect } from "effect"

// Python's `except ApiError` catches every HTTP failure, because ApiError is the base class there.
// Here the tags are siblings: `catchTag("ApiError", ...)` catches only statuses without a tag of
// their own (400, 413, 422, 5xx, ...), never a 404. The catch-all is `Errors.catchHttpError`:
export const fileOrNothing = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    return yield* fc.files.get(fileId).pipe(
      // one tag first, as usual...
      Effect.catchTag("NotFoundError", () => Effect.succeed(undefined)),
      // ...then every other HTTP error (AuthError, PermissionError, RateLimitError, ApiError)
      Errors.catchHttpError((e) =>
        Console.error(`${e._tag} ${e.status}: ${e.detail} [${e.requestId ?? "no request id"}]`).pipe(
          Effect.as(undefined)
        )
      )
    )
    // what is left in the error channel: TransportError | DecodeError | ValidationError
  })

// `Errors.isHttpError` is the same test as a refinement, and `Errors.httpErrorTags` lists the tags.
export const isRetryWorthy = (error: unknown) => Errors.isHttpError(error) && error.status >= 500
