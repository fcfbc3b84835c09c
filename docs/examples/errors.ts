import type { Domain } from "@fluidcloud/core"
import { FluidCloud } from "@fluidcloud/core"
import { Console, Effect } from "effect"

export const shareWhenClean = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    return yield* fc.files.publicUrl(fileId).pipe(
      // 409: not scanned clean yet -> wait for the scan, then try again
      Effect.catchTag("ConflictError", () =>
        fc.files.waitUntilClean(fileId).pipe(Effect.zipRight(fc.files.publicUrl(fileId)))
      ),
      // 402: over the share-link cap
      Effect.catchTag("QuotaExceededError", (e) =>
        Console.error(`link cap reached (${e.resource}); revoke an old link`).pipe(Effect.as(undefined))
      )
    )
  })
