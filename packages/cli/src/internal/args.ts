/**
 * Arguments and options shared by several commands: ids checked as UUIDs (with a one-line
 * message naming the bad value), `--space`, folder options, `--trash`, a move's `DESTINATION`,
 * and byte sizes such as `8MiB`.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import { Domain } from "@fluidcloud/core"
import { Effect, ParseResult, Schema } from "effect"

/**
 * An id schema whose parse error is one line naming the value, e.g.
 * `expected a file id (a UUID), got "nope"`, instead of the schema's error tree.
 *
 * @internal
 */
export const uuid = <A, I extends string>(schema: Schema.Schema<A, I>, what: string): Schema.Schema<A, I> =>
  schema.annotations({ message: (issue) => `expected ${what} (a UUID), got ${JSON.stringify(issue.actual)}` })

/**
 * A positional id named `name` (`file-id`, `share-id`, ...).
 *
 * @internal
 */
export const idArg = <A, I extends string>(name: string, schema: Schema.Schema<A, I>) => {
  const noun = name.replace("-id", "")
  return Args.text({ name }).pipe(Args.withSchema(uuid(schema, `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun} id`)))
}

/**
 * An optional `--NAME FOLDER_ID` option.
 *
 * @internal
 */
export const folderIdOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("FOLDER_ID"),
    Options.withSchema(uuid(Domain.FolderId, "a folder id")),
    Options.withDescription(description),
    Options.optional
  )

/** @internal */
export const spaceOption = Options.text("space").pipe(
  Options.withPseudoName("SPACE_ID"),
  Options.withSchema(uuid(Domain.SpaceId, "a space id")),
  Options.withDescription("The Space id.")
)

/** @internal */
export const trashOption = Options.boolean("trash").pipe(Options.withDescription("List the trash instead."))

const decodeFolderId = Schema.decodeUnknown(Domain.FolderId)

/**
 * A folder id, or `root` for the Space root (`null` on the wire).
 *
 * @internal
 */
export const destinationArg = Args.text({ name: "destination" }).pipe(
  Args.mapEffect((value) =>
    value === "root"
      ? Effect.succeed(null)
      : decodeFolderId(value).pipe(
          Effect.mapError(() => HelpDoc.p(`expected a folder id (a UUID) or "root", got ${JSON.stringify(value)}`))
        )
  ),
  Args.withDescription("A folder id, or `root` for the Space root.")
)

/**
 * A byte size: `8388608`, `512KiB`, `8MiB`, `1GiB` (k/m/g and KB/MB/GB are binary too).
 *
 * @internal
 */
export const ByteSize = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (raw, _, ast) => {
    const match = /^(\d+)\s*(?:([kmg])(?:i?b)?)?$/i.exec(raw.trim())
    if (match === null) {
      return ParseResult.fail(new ParseResult.Type(ast, raw, "expected a size such as 8388608, 512KiB or 8MiB"))
    }
    const unit = (match[2] ?? "").toLowerCase()
    const scale = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1
    return ParseResult.succeed(Number(match[1]) * scale)
  },
  encode: (n) => ParseResult.succeed(String(n))
})
