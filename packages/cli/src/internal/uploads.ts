/**
 * `fluidcloud uploads`: `abort UPLOAD_ID`, for an upload left open on the server.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import { Domain } from "@fluidcloud/core"
import { Effect } from "effect"
import { idArg } from "./args.js"
import { action } from "./globals.js"
import * as Output from "./output.js"

const abort = Command.make("abort", { id: idArg("upload-id", Domain.UploadId) }, (o) =>
  action(Output.aborted, (fc) => Effect.as(fc.uploads.abort(o.id), { upload_id: o.id, aborted: true as const }))
).pipe(
  Command.withDescription(
    "Abort an upload on the server, freeing its stored parts (an unknown or finished upload is not an error)."
  )
)

/** @internal */
export const command = Command.make("uploads").pipe(
  Command.withDescription("Uploads in progress on the server."),
  Command.withSubcommands([abort])
)
