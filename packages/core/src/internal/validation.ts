/**
 * Input checks: the schemas of the values the SDK puts on the wire (ids, names, keys, numbers,
 * enums), each failing with the message a `ValidationError` shows, and the mapping of a schema
 * failure to that `ValidationError`. The operation table's input schemas are built from these,
 * so every request is checked before it is sent.
 *
 * @internal
 */
import { Effect, Either, ParseResult, Schema } from "effect"
import * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"

/** Length in code points, as the service counts it (not UTF-16 units). @internal */
export const codePoints = (value: string): number => {
  let count = 0
  for (const _ of value) count++
  return count
}

/** A safe integer from `min` to `max`. @internal */
export const isIntegerIn = (value: number, min: number, max: number): boolean =>
  Number.isSafeInteger(value) && value >= min && value <= max

const failsWith = (message: string) => ({ message: () => message })

const lengthBetween = (min: number, max: number) =>
  Schema.String.pipe(
    Schema.filter(
      (value) => {
        const length = codePoints(value)
        return length >= min && length <= max
      },
      failsWith(`must be ${min} to ${max} characters`)
    )
  )

/** A safe integer from `min` to `max`, failing with `message`. @internal */
export const integerIn = (min: number, max: number, message: string) =>
  Schema.Number.pipe(Schema.filter((value) => isIntegerIn(value, min, max), failsWith(message)))

const uuid = { message: () => "must be a UUID" }

/** @internal */
export const SpaceId = Domain.SpaceId.annotations(uuid)
/** @internal */
export const FolderId = Domain.FolderId.annotations(uuid)
/** @internal */
export const FileId = Domain.FileId.annotations(uuid)
/** @internal */
export const ShareId = Domain.ShareId.annotations(uuid)
/** @internal */
export const UploadId = Domain.UploadId.annotations(uuid)

/** A Space or file name: 1 to 255 characters. @internal */
export const Name = lengthBetween(1, 255)
/** A folder name: 1 to 255 characters, no `/`. @internal */
export const FolderName = Name.pipe(Schema.filter((name) => !name.includes("/"), failsWith("must not contain '/'")))
/** A `client_key`: 1 to 1024 characters. @internal */
export const ClientKey = lengthBetween(1, 1024)
/** A MIME type: not empty. @internal */
export const ContentType = Schema.String.pipe(
  Schema.filter((value) => value.length >= 1, failsWith("must not be empty"))
)
/** A share link's permission. @internal */
export const Permission = Domain.Permission.annotations(failsWith('must be "view" or "download"'))
/** Days until a share link expires: 1 to 365. @internal */
export const ExpiresInDays = integerIn(1, 365, "must be an integer from 1 to 365")
/** How many times a share link may serve: at least 1. @internal */
export const MaxDownloads = integerIn(1, Number.MAX_SAFE_INTEGER, "must be an integer of at least 1")

/** The largest part the contract allows: 5 GiB. @internal */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
/** The most parts an upload can have. @internal */
export const MAX_PARTS = 10_000

/** A size in bytes. @internal */
export const Size = integerIn(0, Number.MAX_SAFE_INTEGER, "must be a non-negative integer")
/** A part size hint in bytes. @internal */
export const PartSize = integerIn(
  1,
  MAX_PART_SIZE,
  "must be an integer from 1 to 5 GiB (5368709120); the server raises a hint below its minimum (5 MiB)"
)
/** A part number. @internal */
export const PartNumber = integerIn(1, MAX_PARTS, `must be an integer from 1 to ${MAX_PARTS}`)
/** A lowercase hex sha256. @internal */
export const Sha256Hex = Schema.String.pipe(
  Schema.filter((value) => /^[0-9a-f]{64}$/.test(value), failsWith("must be a lowercase hex sha256"))
)

/** `expires_in_days` → `expiresInDays`: the SDK's name of a wire field, for messages. */
const camelCase = (wireName: string): string =>
  wireName.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())

/**
 * The `ValidationError` of a schema failure: the field is the SDK's (camelCase) name of the first
 * failing key, the description its message.
 * @internal
 */
export const fromIssue = (issue: ParseResult.ParseIssue): Errors.ValidationError => {
  const first = ParseResult.ArrayFormatter.formatIssueSync(issue)[0]
  let field = "input"
  for (const segment of first?.path ?? []) if (typeof segment === "string") field = camelCase(segment)
  return new Errors.ValidationError({
    field,
    description: first?.message ?? "is invalid"
  })
}

/**
 * Checks `value` against `schema` (its type side: refinements, brands, literals), failing with a
 * `ValidationError` on `field`. The checker is compiled once, when the check is built.
 * @internal
 */
export const check = <A, I>(schema: Schema.Schema<A, I>, field: string) => {
  const validate = ParseResult.validateEither(schema, { errors: "first" })
  return (value: unknown): Effect.Effect<void, Errors.ValidationError> =>
    Either.match(validate(value), {
      onLeft: (issue) => Effect.fail(new Errors.ValidationError({ field, description: fromIssue(issue).description })),
      onRight: () => Effect.void
    })
}
