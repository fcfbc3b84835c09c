/**
 * The `fluidcloud` command-line tool, built with `@effect/cli`: every namespace of the client
 * as a command (`spaces`, `folders`, `files`, `uploads`, `shares`, `quota`, `sync`) plus `emulator`, which serves
 * the FluidCloud emulator (loaded from `@fluidcloud/testing` only when that command runs).
 *
 * Human output is concise tables and `key  value` blocks, with anything that came from the
 * server or a file name stripped of terminal escapes; with `--json`, the result is written as one
 * JSON document in the API's snake_case wire shape (`Schema.encode` of the domain schema). Errors
 * are one line on stderr, and each error tag has its own exit code (see `docs/cli.md`).
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Exit, Logger, Option } from "effect"
import * as Argv from "./internal/argv.js"
import * as Emulator from "./internal/emulator.js"
import * as ExitCodes from "./internal/exitCodes.js"
import * as Files from "./internal/files.js"
import * as Folders from "./internal/folders.js"
import { root } from "./internal/globals.js"
import * as Quota from "./internal/quota.js"
import * as Shares from "./internal/shares.js"
import * as Spaces from "./internal/spaces.js"
import * as Sync from "./internal/sync.js"
import * as Uploads from "./internal/uploads.js"
import * as Version from "./internal/version.js"

/**
 * The version printed by `fluidcloud --version`: this package's own (`package.json`).
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = Version.version

/**
 * The whole command tree: `fluidcloud [--api-key KEY] [--base-url URL] [--timeout DURATION] [--json]
 * spaces|folders|files|uploads|shares|quota|sync|emulator ...`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = root.pipe(
  Command.withDescription("The FluidCloud Partner API from the command line."),
  Command.withSubcommands([
    Spaces.command,
    Folders.command,
    Files.command,
    Uploads.command,
    Shares.command,
    Quota.command,
    Sync.command,
    Emulator.command
  ])
)

const cli = Command.run(command, { name: "fluidcloud", version })

/**
 * `@effect/cli` prints a usage error (a bad id, a missing argument, an unknown option) itself, as
 * rendered help text, which ends in a newline that `Console.error` follows with another: a blank
 * second line. This console drops trailing whitespace from what is written on stderr, so the
 * report is one line like every other error.
 */
const withErrorsTrimmed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(self, {
      ...console,
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(...args.map((arg) => (typeof arg === "string" ? arg.trimEnd() : arg)))
    })
  )

/**
 * Runs the command line `argv` (as `process.argv`: runtime and script first) and returns the
 * exit code: 0 on success, else the code of the error's tag (documented in `docs/cli.md`).
 * Results go to stdout; errors are reported as one line on stderr. Never fails: on a defect it
 * prints one line and returns 1, and on interruption it returns 130.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Cli } from "@fluidcloud/cli"
 *
 * Cli.run(process.argv).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
 *   NodeRuntime.runMain
 * )
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  cli(Argv.normalize(argv)).pipe(
    withErrorsTrimmed,
    Effect.provide(NodeContext.layer),
    // the SDK's log lines (warnings) go to stderr: stdout holds only the output (`-o -`, `--json`)
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true }))),
    Effect.exit,
    Effect.flatMap(
      Exit.match({
        onSuccess: () => Effect.succeed(0),
        onFailure: (cause) =>
          Option.match(Cause.failureOption(cause), {
            onSome: (error) => {
              const line = ExitCodes.describe(error)
              return Effect.as(line === undefined ? Effect.void : Console.error(line), ExitCodes.codeOf(error))
            },
            onNone: () =>
              Cause.isInterruptedOnly(cause)
                ? Effect.succeed(ExitCodes.interrupted)
                : Effect.as(Console.error(`fluidcloud: unexpected error: ${Cause.squash(cause)}`), ExitCodes.unexpected)
          })
      })
    )
  )
