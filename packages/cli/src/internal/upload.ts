/**
 * `fluidcloud files upload PATH… --space ID`: multi-part uploads with progress on stderr, one
 * file after another (or `--jobs N` at once); `-` reads stdin (streamed with `--size`, else
 * spooled to a temporary file). With `--resume`, a failed or interrupted upload is kept on the
 * server with a checkpoint in the state directory, and the same command run again continues it.
 * With `--public`, the SDK's `public: true`: when that step fails after the file was stored, the
 * SDK's error names the stored file (`fileId`), and so does the error line.
 *
 * One path: its `File`, or its error's exit code. Several: each failure on its own stderr line as
 * it happens, then the files uploaded (with `--json`, `{"uploaded": [File…], "failed": [{"path",
 * "tag", "detail"}]}`), and exit code 15 if any failed.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type { Domain, FluidCloud, Upload } from "@fluidcloud/core"
import { Console, Effect, Either, Option } from "effect"
import { ByteSize, folderIdOption, spaceOption } from "./args.js"
import * as Store from "./checkpoints.js"
import * as ExitCodes from "./exitCodes.js"
import { root, withClient } from "./globals.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"
import * as Sanitize from "./sanitize.js"
import * as Stdin from "./stdin.js"

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

/** The most files `--jobs` uploads at once. */
const MAX_JOBS = 16

/** A path as messages name it: `-` for stdin. */
const shown = (path: string) => (Stdin.isStdin(path) ? "-" : path)

const options = {
  paths: Args.text({ name: "path" }).pipe(
    Args.atLeast(1),
    Args.withDescription("The files to upload, one after another (see --jobs); - reads stdin.")
  ),
  space: spaceOption,
  folder: folderIdOption("folder", "The folder (default: the Space root)."),
  name: Options.text("name").pipe(
    Options.withDescription(
      "The stored filename (default: the path's basename; for stdin, upload.bin). One path only."
    ),
    Options.optional
  ),
  contentType: Options.text("content-type").pipe(
    Options.withPseudoName("TYPE"),
    Options.withDescription("The MIME type (default: guessed from the name)."),
    Options.optional
  ),
  clientKey: Options.text("client-key").pipe(
    Options.withDescription("Your own logical key, for `files resolve`. One path only."),
    Options.optional
  ),
  public: Options.boolean("public").pipe(
    Options.withDescription("Wait for a clean scan and mint a permanent public link.")
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription("Parts uploaded at once, per file (1 to 64, default 4)."),
    Options.optional
  ),
  partSize: Options.text("part-size").pipe(
    Options.withPseudoName("SIZE"),
    Options.withSchema(ByteSize),
    Options.withDescription("Part size hint: bytes, or with a unit (8MiB); the server decides."),
    Options.optional
  ),
  resume: Options.boolean("resume").pipe(
    Options.withDescription(
      "Keep a failed or interrupted upload on the server, with a local checkpoint: the same command run again sends only the missing parts."
    )
  ),
  size: Options.text("size").pipe(
    Options.withPseudoName("N"),
    Options.withSchema(ByteSize),
    Options.withDescription("The size of stdin (-), to stream it as it is read; without it, stdin is spooled first."),
    Options.optional
  ),
  jobs: Options.integer("jobs").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`Files uploaded at once (1 to ${MAX_JOBS}, default 1).`),
    Options.optional
  )
}

type Parsed = {
  readonly [K in keyof typeof options]: (typeof options)[K] extends Args.Args<infer A>
    ? A
    : (typeof options)[K] extends Options.Options<infer A>
      ? A
      : never
}

/** The command line's combinations that cannot run, before anything is read or sent. */
const usage = (o: Parsed, jobs: number): Option.Option<string> => {
  const stdin = o.paths.filter(Stdin.isStdin).length
  const several = o.paths.length > 1
  if (stdin > 1) return Option.some("- (stdin) can be given once")
  if (several && Option.isSome(o.name)) return Option.some("--name names one file: give one path")
  if (several && Option.isSome(o.clientKey)) return Option.some("--client-key keys one file: give one path")
  if (stdin === 0 && Option.isSome(o.size)) return Option.some("--size is the size of stdin: give - as the path")
  if (stdin > 0 && o.resume) return Option.some("--resume needs a file to read again, not stdin (-)")
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    return Option.some(`--jobs must be an integer from 1 to ${MAX_JOBS}`)
  }
  return Option.none()
}

/** What `path` is uploaded from: the file, or stdin as a stream (`--size`) or spooled to a file. */
const sourceOf = (o: Parsed, path: string) =>
  !Stdin.isStdin(path)
    ? Effect.succeed(path)
    : Option.isSome(o.size)
      ? Effect.map(Stdin.Stdin, (stream): Upload.UploadSource => stream)
      : Stdin.spool

/** One file's upload from `source`, its progress on stderr (labelled when there are several). */
const uploadOne = (
  fc: FluidCloud.Service,
  o: Parsed,
  path: string,
  source: Upload.UploadSource,
  progress: Progress.Options,
  label: boolean
) =>
  Effect.gen(function* () {
    const report = yield* Progress.make(progress, label ? shown(path) : undefined)
    let uploadId: string | undefined
    const onProgress = (event: Upload.UploadEvent) => {
      if (event._tag === "Started") uploadId = event.uploadId
      return report(event)
    }
    const stdin = Stdin.isStdin(path)
    const upload = fc.files.upload(source, o.space, {
      folderId: Option.getOrUndefined(o.folder),
      name: stdin ? Option.getOrElse(o.name, () => "upload.bin") : Option.getOrUndefined(o.name),
      contentType: Option.getOrUndefined(o.contentType),
      clientKey: Option.getOrUndefined(o.clientKey),
      concurrency: Option.getOrUndefined(o.concurrency),
      partSize: Option.getOrUndefined(o.partSize),
      size: stdin ? Option.getOrUndefined(o.size) : undefined,
      public: o.public,
      resume: o.resume,
      onProgress
    })
    return yield* (o.resume ? Store.provide(upload) : upload).pipe(
      Effect.mapError((error) => (error._tag === "ConfigError" ? error : reportStored(error))),
      Effect.onInterrupt(() =>
        o.resume && uploadId !== undefined
          ? Console.error(
              `fluidcloud: interrupted; upload ${uploadId} of ${Sanitize.text(shown(path))} is kept: run the same command to continue`
            )
          : Effect.void
      )
    )
  }).pipe(Effect.scoped)

/** A failed file's entry in the `--json` document: the error's tag and its line. */
const failureOf = (path: string, error: ExitCodes.CliError) => ({
  path: shown(path),
  tag: error._tag === "NotPublicError" ? error.error._tag : error._tag,
  detail: (ExitCodes.describe(error) ?? error._tag).replace(/^fluidcloud: /, "")
})

/** @internal */
export const command = Command.make("upload", options, (o) =>
  Effect.gen(function* () {
    const globals = yield* root
    const stderr = yield* Progress.Stderr
    const jobs = Option.getOrElse(o.jobs, () => 1)
    const problem = usage(o, jobs)
    if (Option.isSome(problem)) return yield* new ExitCodes.UsageError({ description: problem.value })
    // bars of uploads running at once would draw over each other: plain lines then
    const progress = jobs > 1 ? { ...stderr, tty: false } : stderr
    // stdin is read (or spooled) first; a spooled copy is removed when the command ends
    const sources = yield* Effect.forEach(o.paths, (path) =>
      Effect.map(sourceOf(o, path), (source) => [path, source] as const)
    )
    const [first, ...rest] = sources
    if (rest.length === 0) {
      const [path, source] = first
      const file = yield* withClient((fc) => uploadOne(fc, o, path, source, progress, false))
      return yield* Output.emit(globals.json, Output.file, file)
    }

    const results = yield* withClient((fc) =>
      Effect.forEach(
        sources,
        ([path, source]) =>
          uploadOne(fc, o, path, source, progress, true).pipe(
            Effect.either,
            Effect.tap(
              Either.match({
                onLeft: (error) =>
                  Console.error(`fluidcloud: ${Sanitize.text(shown(path))}: ${failureOf(path, error).detail}`),
                onRight: () => Effect.void
              })
            ),
            Effect.map((result) => [path, result] as const)
          ),
        { concurrency: jobs }
      )
    )
    const uploaded = results.flatMap(([, result]) => (Either.isRight(result) ? [result.right] : []))
    const failed = results.flatMap(([path, result]) => (Either.isLeft(result) ? [failureOf(path, result.left)] : []))
    yield* Output.emit(globals.json, Output.uploaded, { uploaded, failed })
    if (failed.length > 0)
      return yield* new ExitCodes.SomeFailedError({
        failed: failed.length,
        total: results.length,
        command: "files upload"
      })
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Upload files (multi-part, with a progress bar on a terminal); - reads stdin; --resume continues an interrupted upload."
  )
)
