/**
 * The global options of `fluidcloud` (`--api-key`, `--base-url`, `--timeout`, `--json`), the root
 * command that holds them, and the client every other command is run with.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Cause, Config, Context, type Duration, Effect, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import * as ExitCodes from "./exitCodes.js"
import * as Output from "./output.js"

const apiKey = Options.redacted("api-key").pipe(
  Options.withPseudoName("KEY"),
  Options.withDescription("Your partner key (fck_live_... / fck_test_...)."),
  Options.withFallbackConfig(Config.redacted("FLUIDCLOUD_API_KEY")),
  Options.optional
)

const baseUrl = Options.text("base-url").pipe(
  Options.withPseudoName("URL"),
  Options.withDescription("The API origin (default https://api-cloud.fluidvip.com)."),
  Options.withFallbackConfig(Config.string("FLUIDCLOUD_BASE_URL")),
  Options.optional
)

// Kept as text and parsed by `timeoutOf` when a client is built, so that a bad value is a
// `ConfigError` of the commands that need a client, never of `emulator` or `--help`.
const timeout = Options.text("timeout").pipe(
  Options.withPseudoName("DURATION"),
  Options.withDescription(
    "Per-request timeout: seconds (30, 2.5) or a duration (5 minutes); default 300 seconds. Before the command for `files wait`, whose own --timeout it would otherwise be."
  ),
  Options.withFallbackConfig(Config.string("FLUIDCLOUD_TIMEOUT")),
  Options.optional
)

const json = Options.boolean("json").pipe(
  Options.withDescription("Write the result as one JSON document (the API's snake_case shape) on stdout.")
)

/**
 * The root command with the global options; the namespaces read them with `yield* root`.
 *
 * @internal
 */
export const root = Command.make("fluidcloud", { apiKey, baseUrl, timeout, json })

/**
 * How a client is built from the global options: `NodeFluidCloud.layer` (undici, the file system,
 * node:crypto). A reference, so that a program running `Cli.run` in process (a test against the
 * in-process emulator) can build it on another `HttpClient`.
 *
 * @internal
 */
export class ClientLayer extends Context.Reference<ClientLayer>()("@fluidcloud/cli/ClientLayer", {
  defaultValue: (): ((options: FluidCloud.Options) => Layer.Layer<FluidCloud.FluidCloud>) => NodeFluidCloud.layer
}) {}

const decodeTimeout = Schema.decode(FluidCloud.TimeoutFromString)

/**
 * `--timeout` (else `FLUIDCLOUD_TIMEOUT`) parsed by the SDK's own `FluidCloud.TimeoutFromString`,
 * so it accepts exactly what `layerConfig` does; `undefined` (the SDK default) when absent.
 *
 * @internal
 */
export const timeoutOf = (
  raw: Option.Option<string>
): Effect.Effect<Duration.Duration | undefined, ExitCodes.ConfigError> =>
  Option.match(raw, {
    onNone: () => Effect.succeed(undefined),
    onSome: (value) =>
      decodeTimeout(value).pipe(
        Effect.mapError(
          (error) =>
            new ExitCodes.ConfigError({
              description: `--timeout / FLUIDCLOUD_TIMEOUT: ${ParseResult.ArrayFormatter.formatErrorSync(error)
                .map((issue) => issue.message)
                .join("; ")}`
            })
        )
      )
  })

/**
 * Runs `f` with a client built from the global options; fails with `ConfigError` without a key
 * or with a bad timeout, before any request.
 *
 * @internal
 */
export const withClient = <A, E>(f: (fc: FluidCloud.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const globals = yield* root
    const key = Option.filter(globals.apiKey, (k) => Redacted.value(k).length > 0)
    if (Option.isNone(key)) {
      return yield* new ExitCodes.ConfigError({
        description: "no API key: pass --api-key KEY or set FLUIDCLOUD_API_KEY"
      })
    }
    const timeout = yield* timeoutOf(globals.timeout)
    const layer = yield* ClientLayer
    const context = yield* Layer.build(
      layer({ apiKey: key.value, baseUrl: Option.getOrUndefined(globals.baseUrl), timeout })
    ).pipe(
      // the SDK refuses a bad option (a key a header cannot carry) with a defect: here, configuration
      Effect.catchSomeDefect((defect) =>
        defect instanceof Cause.IllegalArgumentException
          ? Option.some(
              new ExitCodes.ConfigError({
                description: defect.message.replace(/^FluidCloud: /, "")
              })
            )
          : Option.none()
      )
    )
    return yield* f(Context.get(context, FluidCloud.FluidCloud))
  }).pipe(Effect.scoped)

/**
 * Runs `f` with a client and writes its result on stdout (as `--json` asks).
 *
 * @internal
 */
export const action = <A, I, E>(output: Output.Output<A, I>, f: (fc: FluidCloud.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const globals = yield* root
    const value = yield* withClient(f)
    yield* Output.emit(globals.json, output, value)
  })
