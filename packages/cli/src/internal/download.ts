/**
 * `fluidcloud files download FILE_ID [-o PATH|DIR|-] [--resume] [--force]`: a verified download
 * into `PATH` (written to `PATH.part`, renamed once its sha256 matched), or to stdout with `-o -`,
 * with progress on stderr. The default target is the file's name, reduced to a safe basename, in
 * the current directory. An existing target without `--force` is a usage error (exit 2) and
 * nothing is written. Ctrl-C keeps the `.part` for `--resume`.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Domain, Download, Errors, type FluidCloud } from "@fluidcloud/core"
import { Console, Context, Effect, Option, Stream } from "effect"
import { idArg } from "./args.js"
import * as DownloadProgress from "./downloadProgress.js"
import * as ExitCodes from "./exitCodes.js"
import { root, withClient } from "./globals.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"
import * as Sanitize from "./sanitize.js"

/**
 * Where `-o -` writes the file's bytes: `process.stdout`, each write waiting until it is flushed
 * (so memory stays flat). A reference, so that a program running `Cli.run` in process (a test)
 * can capture them.
 *
 * @internal
 */
export class Stdout extends Context.Reference<Stdout>()("@fluidcloud/cli/Stdout", {
  defaultValue: (): { readonly write: (bytes: Uint8Array) => Effect.Effect<void, Errors.TargetError> } => ({
    write: (bytes) =>
      Effect.async<void, Errors.TargetError>((resume) => {
        process.stdout.write(bytes, (error) =>
          resume(
            error === null || error === undefined
              ? Effect.void
              : Effect.fail(new Errors.TargetError({ description: `could not write to stdout: ${error.message}` }))
          )
        )
      })
  })
}) {}

/** A stdout closed early (`| head`) reports through the write's callback, not as a crash. */
const quietStdoutErrors = Effect.acquireRelease(
  Effect.sync(() => {
    const ignore = () => {}
    process.stdout.on("error", ignore)
    return ignore
  }),
  (ignore) => Effect.sync(() => void process.stdout.off("error", ignore))
)

const fileSystemError = (what: string) => (cause: unknown) =>
  new Errors.TargetError({ description: `could not ${what}`, cause })

/** The platform services a download to a file uses. */
interface Platform {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly stderr: Progress.Options
}

/** The path to write: `-o PATH`, the file's name in `-o DIR`, or the file's name here. */
const targetOf = ({ fs, path }: Platform, fc: FluidCloud.Service, fileId: Domain.FileId, output: string | undefined) =>
  Effect.gen(function* () {
    const named = Effect.map(fc.files.get(fileId), (file) => Sanitize.fileName(file.originalName, fileId))
    if (output === undefined) return yield* named
    const info = yield* fs.stat(output).pipe(Effect.option)
    return info._tag === "Some" && info.value.type === "Directory" ? path.join(output, yield* named) : output
  })

const toFile = (
  platform: Platform,
  fc: FluidCloud.Service,
  o: {
    readonly id: Domain.FileId
    readonly output: string | undefined
    readonly resume: boolean
    readonly force: boolean
  }
) =>
  Effect.gen(function* () {
    const target = yield* targetOf(platform, fc, o.id, o.output)
    // a symbolic link there (even one leading nowhere, which `exists` does not see) counts as there
    const isLink = Option.isSome(yield* Effect.option(platform.fs.readLink(target)))
    const exists = isLink || (yield* Effect.mapError(platform.fs.exists(target), fileSystemError(`check ${target}`)))
    if (exists && !o.force) {
      return yield* new ExitCodes.UsageError({
        description: `${target} exists: pass --force to replace it`
      })
    }
    const onProgress = yield* DownloadProgress.make(platform.stderr, target)
    return yield* fc.files
      .downloadTo(o.id, target, { resume: o.resume, onProgress })
      .pipe(
        Effect.onInterrupt(() =>
          Console.error(
            `fluidcloud: interrupted; ${Sanitize.text(Download.partPath(target))} is kept: run the same command with --resume to continue`
          )
        )
      )
  })

const toStdout = (fc: FluidCloud.Service, fileId: Domain.FileId, stderr: Progress.Options) =>
  Effect.gen(function* () {
    const out = yield* Stdout
    yield* quietStdoutErrors
    const onProgress = yield* DownloadProgress.make(stderr, "stdout")
    yield* fc.files.download(fileId, { onProgress }).pipe(Stream.runForEach(out.write))
  }).pipe(Effect.scoped)

/** @internal */
export const command = Command.make(
  "download",
  {
    id: idArg("file-id", Domain.FileId),
    output: Options.text("output").pipe(
      Options.withAlias("o"),
      Options.withPseudoName("PATH"),
      Options.withDescription(
        "Where to write: a file, a directory (the file's name in it), or - for stdout (default: the file's name in the current directory)."
      ),
      Options.optional
    ),
    resume: Options.boolean("resume").pipe(
      Options.withDescription("Continue PATH.part, left by an interrupted or failed download.")
    ),
    force: Options.boolean("force").pipe(Options.withDescription("Replace PATH if it exists."))
  },
  (o) =>
    Effect.gen(function* () {
      const globals = yield* root
      const stderr = yield* Progress.Stderr
      const output = o.output._tag === "Some" ? o.output.value : undefined
      if (output === "-") {
        if (o.resume) {
          return yield* new ExitCodes.UsageError({ description: "--resume needs a file to continue, not -o -" })
        }
        if (globals.json) {
          return yield* new ExitCodes.UsageError({
            description: "--json cannot be used with -o -: stdout holds the file's bytes"
          })
        }
        return yield* withClient((fc) => toStdout(fc, o.id, stderr))
      }
      const platform: Platform = { fs: yield* FileSystem.FileSystem, path: yield* Path.Path, stderr }
      const result = yield* withClient((fc) => toFile(platform, fc, { ...o, output }))
      yield* Output.emit(globals.json, Output.downloaded, result)
    })
).pipe(
  Command.withDescription(
    "Download a file, verified by its sha256, with a progress bar on a terminal (-o - streams it to stdout)."
  )
)
