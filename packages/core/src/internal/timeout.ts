/**
 * The per-request timeout: its default, the check of `Options.timeout` (a bare number is refused)
 * and the text form `FLUIDCLOUD_TIMEOUT` and the CLI's `--timeout` take (a number there is
 * seconds).
 *
 * @internal
 */
import { Cause, Duration, Effect, Option, ParseResult, Schema } from "effect"

/** @internal */
export const DEFAULT_TIMEOUT: Duration.Duration = Duration.seconds(300)

const illegal = (message: string) => Effect.die(new Cause.IllegalArgumentException(`FluidCloud: ${message}`))

/**
 * The timeout of `Options.timeout`. A bare number is refused: Effect reads it as milliseconds,
 * while `FLUIDCLOUD_TIMEOUT`, the CLI and the Python SDK read seconds. A defect: the type already
 * refuses it, so only a caller outside the type system gets here.
 * @internal
 */
export const fromOptions = (input: unknown): Effect.Effect<Duration.Duration> => {
  if (input === undefined) return Effect.succeed(DEFAULT_TIMEOUT)
  if (typeof input === "number" || typeof input === "bigint") {
    return illegal(
      `timeout: ${input} is ambiguous (a bare number is milliseconds to Effect, seconds to FLUIDCLOUD_TIMEOUT ` +
        `and Python's timeout=): write Duration.seconds(${input}) or "${input} seconds" ` +
        `(Duration.millis(${input}) if you mean milliseconds)`
    )
  }
  return Option.match(Duration.decodeUnknown(input), {
    onNone: () =>
      illegal(`timeout: ${String(input)} is not a duration; write e.g. Duration.seconds(30) or "30 seconds"`),
    onSome: (duration) =>
      Duration.greaterThan(duration, Duration.zero)
        ? Effect.succeed(duration)
        : illegal(`timeout: ${Duration.format(duration)} would fail every request; give a positive duration`)
  })
}

/** @internal */
export const TimeoutFromString: Schema.Schema<Duration.Duration, string> = Schema.transformOrFail(
  Schema.String,
  Schema.DurationFromSelf,
  {
    strict: true,
    decode: (raw, _, ast) => {
      const trimmed = raw.trim()
      const parsed = /^\d+(\.\d+)?$/.test(trimmed)
        ? Option.some(Duration.seconds(Number(trimmed)))
        : Duration.decodeUnknown(trimmed)
      // a zero timeout would fail every request at once
      return Option.match(Option.filter(parsed, Duration.greaterThan(Duration.zero)), {
        onNone: () =>
          ParseResult.fail(
            new ParseResult.Type(
              ast,
              raw,
              `expected a positive number of seconds or a duration such as "5 minutes", got ${JSON.stringify(raw)}`
            )
          ),
        onSome: ParseResult.succeed
      })
    },
    encode: (duration) => ParseResult.succeed(`${Duration.toSeconds(duration)}`)
  }
)
