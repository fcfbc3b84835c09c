/**
 * `fluidcloud emulator`: serves the FluidCloud emulator over HTTP. `@fluidcloud/testing` is an
 * optional peer dependency, loaded with a dynamic `import()` only when this command runs; without
 * it, the command says how to install it (exit 2).
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Testing from "@fluidcloud/testing"
import { Duration, Effect, Option, Predicate, Schema } from "effect"
import * as ExitCodes from "./exitCodes.js"

/**
 * The one line printed when `@fluidcloud/testing` is not installed.
 *
 * @internal
 */
export const installHint =
  "`fluidcloud emulator` needs @fluidcloud/testing (an optional peer dependency): npm install --save-dev @fluidcloud/testing"

/**
 * Whether `error` is the module loader failing to find `@fluidcloud/testing` itself (not a
 * module that it imports).
 *
 * @internal
 */
export const isTestingMissing = (error: unknown): boolean =>
  Predicate.hasProperty(error, "code") &&
  (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND") &&
  Predicate.hasProperty(error, "message") &&
  typeof error.message === "string" &&
  /Cannot find (?:package|module) '@fluidcloud\/testing'/.test(error.message)

/** `@fluidcloud/testing`, or a `ConfigError` saying how to install it; any other failure is a defect. */
const loadTesting: Effect.Effect<typeof Testing, ExitCodes.ConfigError> = Effect.tryPromise({
  try: () => import("@fluidcloud/testing"),
  catch: (error) => error
}).pipe(
  Effect.catchAll((error) =>
    isTestingMissing(error) ? new ExitCodes.ConfigError({ description: installHint }) : Effect.die(error)
  )
)

/** Why a server did not start: the system's error under the platform's `ServeError`, if any. */
const reasonOf = (defect: unknown): string => {
  const cause = Predicate.hasProperty(defect, "cause") ? defect.cause : undefined
  if (cause instanceof Error) return cause.message
  return defect instanceof Error ? defect.message : String(defect)
}

const nonNegative = (name: string) =>
  Options.integer(name).pipe(
    Options.withSchema(Schema.NonNegativeInt),
    Options.withDescription(`A non-negative integer.`),
    Options.optional
  )

/** @internal */
export const command = Command.make(
  "emulator",
  {
    host: Options.text("host").pipe(Options.withDescription("Host to bind."), Options.withDefault("127.0.0.1")),
    port: Options.integer("port").pipe(
      Options.withSchema(Schema.Int.pipe(Schema.between(0, 65535))),
      Options.withDescription("Port to listen on, 0 to 65535 (0 picks a free one)."),
      Options.withDefault(0)
    ),
    seed: Options.file("seed", { exists: "yes" }).pipe(
      Options.withDescription("A JSON file of tenants, plans and keys."),
      Options.optional
    ),
    dataDir: Options.directory("data-dir").pipe(
      Options.withDescription("Keep blobs on disk in this directory instead of memory."),
      Options.optional
    ),
    scanDelay: nonNegative("scan-delay").pipe(Options.withPseudoName("MS")),
    minPartSize: nonNegative("min-part-size").pipe(Options.withPseudoName("BYTES")),
    forcePartSize: nonNegative("force-part-size").pipe(Options.withPseudoName("BYTES"))
  },
  (o) =>
    Effect.gen(function* () {
      const { Emulator, EmulatorServer } = yield* loadTesting
      const tenants = yield* Option.match(o.seed, {
        onNone: () => Effect.succeed(undefined),
        onSome: (path) =>
          FileSystem.FileSystem.pipe(
            Effect.flatMap((fs) => fs.readFileString(path)),
            Effect.flatMap(Emulator.decodeSeedFile),
            Effect.mapError(
              (error) => new ExitCodes.ConfigError({ description: `--seed ${path}: ${error.message.split("\n")[0]}` })
            )
          )
      })
      const options: Testing.EmulatorServer.Options = {
        host: o.host,
        port: o.port,
        tenants,
        dataDir: Option.getOrUndefined(o.dataDir),
        scanDelay: Option.getOrUndefined(Option.map(o.scanDelay, Duration.millis)),
        minPartSize: Option.getOrUndefined(o.minPartSize),
        forcePartSize: Option.getOrUndefined(o.forcePartSize)
      }
      // a server that cannot start (the port taken, the host unknown) is configuration, not a bug
      return yield* EmulatorServer.serve(options).pipe(
        Effect.catchAllDefect(
          (defect) =>
            new ExitCodes.ConfigError({ description: `could not serve on ${o.host}:${o.port}: ${reasonOf(defect)}` })
        )
      )
    })
).pipe(
  Command.withDescription(
    "Serve the FluidCloud emulator over HTTP (needs @fluidcloud/testing); prints one JSON line with its URLs and key."
  )
)
