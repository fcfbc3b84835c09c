/**
 * `fluidcloud files upload PATH --space ID`: a multi-part upload with progress on stderr, and with
 * `--public` a clean scan awaited and a permanent link minted. When that public step fails after
 * the file was stored (infected, still pending, link cap), the error names the stored file.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Domain, type Errors, type FluidCloud } from "@fluidcloud/core"
import { Effect, Option } from "effect"
import { ByteSize, folderIdOption, spaceOption } from "./args.js"
import * as ExitCodes from "./exitCodes.js"
import { root, withClient } from "./globals.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"

/**
 * The `--public` step on a stored file: wait for a clean scan, mint a permanent link, and return
 * the file with its `publicUrl`. The upload runs without the SDK's `public: true`, whose error does
 * not say which file was stored; a failure here is a `NotPublicError` carrying the file's id.
 *
 * @internal
 */
export const makePublic = (
  fc: FluidCloud.Service,
  file: Domain.FluidFile
): Effect.Effect<Domain.FluidFile, ExitCodes.NotPublicError> =>
  fc.files.waitUntilClean(file.id).pipe(
    Effect.flatMap((clean) =>
      Effect.map(
        fc.files.publicUrl(clean.id),
        (link) => new Domain.FluidFile({ ...clean, publicUrl: Option.some(link.url) })
      )
    ),
    Effect.mapError((error: Errors.FluidCloudError) => new ExitCodes.NotPublicError({ fileId: file.id, error }))
  )

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
            onProgress
          })
          .pipe(Effect.flatMap((stored) => (o.public ? makePublic(fc, stored) : Effect.succeed(stored))))
      )
      yield* Output.emit(globals.json, Output.file, file)
    })
).pipe(Command.withDescription("Upload a file (multi-part, with a progress bar on a terminal)."))
