/**
 * `-` as a path of `files upload`: stdin. With `--size` it is streamed straight into the upload
 * (the size must be right: fewer or more bytes fail with `SourceError` and the upload is
 * aborted); without, it is first spooled to a file in a new temporary directory (mode 0700),
 * removed once the upload ends, whatever the outcome.
 *
 * The command line names stdin `-`, which `argv.ts` turns into `STDIN` before parsing.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Errors } from "@fluidcloud/core"
import { Context, Effect, type Scope, Stream } from "effect"

export { isStdin, STDIN } from "./argv.js"

/**
 * Where stdin is read from: `process.stdin`. A reference, so that a program running `Cli.run` in
 * process (a test) can give its own bytes.
 *
 * @internal
 */
export class Stdin extends Context.Reference<Stdin>()("@fluidcloud/cli/Stdin", {
  defaultValue: (): Stream.Stream<Uint8Array, Errors.SourceError> =>
    NodeStream.fromReadable(
      () => process.stdin,
      (cause) => new Errors.SourceError({ description: "could not read stdin", cause })
    )
}) {}

/**
 * Stdin written to a file in a new temporary directory, removed with the scope; its path.
 * @internal
 */
export const spool: Effect.Effect<string, Errors.SourceError, Scope.Scope | FileSystem.FileSystem | Path.Path> =
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const failed = (cause: unknown) =>
      new Errors.SourceError({ description: "could not spool stdin to a temporary file", cause })
    const directory = yield* Effect.mapError(fs.makeTempDirectoryScoped({ prefix: "fluidcloud-stdin-" }), failed)
    const file = path.join(directory, "stdin")
    yield* (yield* Stdin).pipe(
      Stream.run(fs.sink(file, { flag: "wx", mode: 0o600 })),
      Effect.mapError((e) => (e instanceof Errors.SourceError ? e : failed(e)))
    )
    return file
  })
