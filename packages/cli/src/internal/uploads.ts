/**
 * `fluidcloud uploads`: `ls`, the resumable uploads whose checkpoints are held locally (no API
 * key needed), and `abort UPLOAD_ID`, for an upload left open on the server, which also drops its
 * local checkpoint.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import { type Checkpoints, Domain } from "@fluidcloud/core"
import { Clock, DateTime, Effect } from "effect"
import { idArg } from "./args.js"
import * as Store from "./checkpoints.js"
import * as ExitCodes from "./exitCodes.js"
import { action, root } from "./globals.js"
import * as Output from "./output.js"
import type * as Render from "./render.js"

/** A checkpoint as `uploads ls` shows it: the path of a file, else the stored name. */
const heldOf = (checkpoint: Checkpoints.UploadCheckpoint): Render.Held => ({
  upload_id: checkpoint.uploadId,
  path: checkpoint.source._tag === "Path" ? checkpoint.source.path : checkpoint.name,
  parts_done: checkpoint.partsDone,
  parts_total: checkpoint.parts.length,
  created_at: DateTime.formatIso(checkpoint.createdAt)
})

const ls = Command.make("ls", {}, () =>
  Effect.gen(function* () {
    const globals = yield* root
    const checkpoints = yield* Store.provide(Store.list).pipe(
      Effect.catchTag(
        "SystemError",
        "BadArgument",
        (error) => new ExitCodes.ConfigError({ description: `could not read the checkpoints: ${error.message}` })
      )
    )
    const now = yield* Clock.currentTimeMillis
    yield* Output.emit(globals.json, Output.held(now), checkpoints.map(heldOf))
  })
).pipe(
  Command.withDescription(
    "List the resumable uploads held locally (files upload --resume): run the same upload again to continue one."
  )
)

const abort = Command.make("abort", { id: idArg("upload-id", Domain.UploadId) }, (o) =>
  action(Output.aborted, (fc) =>
    // with the store in context, the SDK drops the upload's local checkpoint too
    Effect.as(Store.provide(fc.uploads.abort(o.id)), { upload_id: o.id, aborted: true as const })
  )
).pipe(
  Command.withDescription(
    "Abort an upload on the server, freeing its stored parts, and drop its local checkpoint (an unknown or finished upload is not an error)."
  )
)

/** @internal */
export const command = Command.make("uploads").pipe(
  Command.withDescription("Uploads in progress: resumable ones held locally, and aborting one on the server."),
  Command.withSubcommands([ls, abort])
)
