/**
 * `fluidcloud files upload PATH --space ID`: a multi-part upload with progress on stderr, and with
 * `--public` the SDK's `public: true` (a clean scan awaited, a permanent link minted). When that
 * public step fails after the file was stored (infected, still pending, link cap), the SDK's error
 * names the stored file (`fileId`), and so does the error line.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { Domain, Upload } from "@fluidcloud/core"
import { Effect, Option } from "effect"
import { ByteSize, folderIdOption, spaceOption } from "./args.js"
import * as ExitCodes from "./exitCodes.js"
import { root, withClient } from "./globals.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"

/**
 * The file a failed `public: true` upload stored and kept: the `fileId` the SDK sets on the error
 * of its public step. An `IntegrityError`'s file was deleted already; other errors have none.
 *
 * @internal
 */
export const storedFileOf = (error: Upload.UploadError): Domain.FileId | undefined => {
  switch (error._tag) {
    case "IntegrityError":
    case "ValidationError":
    case "SourceError":
      return undefined
    default:
      return error.fileId
  }
}

/**
 * A failed upload's error, as a `NotPublicError` when it names a stored file, so the error line
 * says which file was stored but is not public.
 *
 * @internal
 */
export const reportStored = (error: Upload.UploadError): Upload.UploadError | ExitCodes.NotPublicError => {
  const fileId = storedFileOf(error)
  return fileId === undefined ? error : new ExitCodes.NotPublicError({ fileId, error })
}

/** @internal */
export const command = Command.make(
  "upload",
  {
    path: Args.file({ name: "path" }).pipe(Args.withDescription("The file to upload.")),
    space: spaceOption,
    folder: folderIdOption("folder", "The folder (default: the Space root)."),
    name: Options.text("name").pipe(
      Options.withDescription("The stored filename (default: the path's basename)."),
      Options.optional
    ),
    contentType: Options.text("content-type").pipe(
      Options.withPseudoName("TYPE"),
      Options.withDescription("The MIME type (default: guessed from the name)."),
      Options.optional
    ),
    clientKey: Options.text("client-key").pipe(
      Options.withDescription("Your own logical key, for `files resolve`."),
      Options.optional
    ),
    public: Options.boolean("public").pipe(
      Options.withDescription("Wait for a clean scan and mint a permanent public link.")
    ),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("Parts uploaded at once (1 to 64, default 4)."),
      Options.optional
    ),
    partSize: Options.text("part-size").pipe(
      Options.withPseudoName("SIZE"),
      Options.withSchema(ByteSize),
      Options.withDescription("Part size hint: bytes, or with a unit (8MiB); the server decides."),
      Options.optional
    )
  },
  (o) =>
    Effect.gen(function* () {
      const onProgress = yield* Effect.flatMap(Progress.Stderr, Progress.make)
      const globals = yield* root
      const file = yield* withClient((fc) =>
        fc.files
          .upload(o.path, o.space, {
            folderId: Option.getOrUndefined(o.folder),
            name: Option.getOrUndefined(o.name),
            contentType: Option.getOrUndefined(o.contentType),
            clientKey: Option.getOrUndefined(o.clientKey),
            concurrency: Option.getOrUndefined(o.concurrency),
            partSize: Option.getOrUndefined(o.partSize),
            public: o.public,
            onProgress
          })
          .pipe(Effect.mapError(reportStored))
      )
      yield* Output.emit(globals.json, Output.file, file)
    })
).pipe(Command.withDescription("Upload a file (multi-part, with a progress bar on a terminal)."))
