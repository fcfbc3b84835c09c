/**
 * Fast paths for decoding the result objects the API lists (`File`, `Folder`, `Space`, `Share`):
 * straight-line checks of the usual wire shape that build the same `Schema.Class` instances the
 * schema decoder builds (what `new Class(props, true)` builds, as `Schema.Class` does after
 * decoding, set up field by field without the constructor's copies), and return `undefined` for anything else — a missing or mistyped field, an id that is not a UUID, a
 * date that does not parse, a value outside its literals — so that the operation's schema decodes
 * it instead, with its exact `ParseIssue`. A fast path may refuse what the schema accepts; it never
 * accepts what the schema refuses nor builds a different value (the decoders test checks both,
 * field by field, against the schemas).
 *
 * Why: the generic schema interpreter spends ~15 µs on one `File` (renames, three UUID patterns,
 * three dates, ten `Option`s, each step an `Either`); these take ~2 µs, half of it garbage collection
 * of what a listing keeps alive.
 *
 * @internal
 */
import { DateTime, Either, Option, type ParseResult, Predicate } from "effect"
import * as Domain from "../Domain.js"

/** 1 at the char codes of hex digits. */
const HEX = new Uint8Array(128)
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1

const hexRun = (u: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (HEX[u.charCodeAt(i)] !== 1) return false
  return true
}

/**
 * `Schema.UUID`'s pattern, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$` (case
 * insensitive), checked by table (half the regex's time).
 */
const isUuid = (u: unknown): u is string =>
  typeof u === "string" &&
  u.length === 36 &&
  u.charCodeAt(8) === 45 &&
  u.charCodeAt(13) === 45 &&
  u.charCodeAt(18) === 45 &&
  u.charCodeAt(23) === 45 &&
  hexRun(u, 0, 8) &&
  hexRun(u, 9, 13) &&
  hexRun(u, 14, 18) &&
  hexRun(u, 19, 23) &&
  hexRun(u, 24, 36)

// The ids are `Schema.UUID` branded: the brand adds no check of its own.
const isSpaceId = (u: unknown): u is Domain.SpaceId => isUuid(u)
const isFolderId = (u: unknown): u is Domain.FolderId => isUuid(u)
const isFileId = (u: unknown): u is Domain.FileId => isUuid(u)
const isShareId = (u: unknown): u is Domain.ShareId => isUuid(u)

/** `Schema.Int`: a safe integer. */
const isInt = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u)

/** `Schema.NonNegativeInt`. */
const isNonNegativeInt = (u: unknown): u is number => isInt(u) && u >= 0

const literals = <const L extends ReadonlyArray<string>>(values: L) => {
  const set: ReadonlySet<unknown> = new Set(values)
  return (u: unknown): u is L[number] => set.has(u)
}
const isPermission = literals(Domain.Permission.literals)

/** Marks a field that is not of the usual shape. */
const UNUSUAL: unique symbol = Symbol.for("@fluidcloud/core/internal/decoders/unusual")
type Unusual = typeof UNUSUAL

const none: Option.Option<never> = Option.none()

/**
 * A nullable field of literals: each value's `Option` made once and shared (an `Option` is an
 * immutable value), one allocation less per field and object.
 */
const nullableLiteral = <const L extends ReadonlyArray<string>>(values: L) => {
  const options: ReadonlyMap<unknown, Option.Option<L[number]>> = new Map(
    values.map((value) => [value, Option.some(value)] as const)
  )
  return (u: unknown): Option.Option<L[number]> | Unusual =>
    u === null || u === undefined ? none : (options.get(u) ?? UNUSUAL)
}
const nullableScanStatus = nullableLiteral(Domain.ScanStatus.literals)
const nullableFileStatus = nullableLiteral(Domain.FileStatus.literals)

/** A field decoded as `optionalWith(schema, { as: "Option", nullable: true })` does. */
const nullable = <A>(u: unknown, is: (u: unknown) => u is A): Option.Option<A> | Unusual =>
  u === null || u === undefined ? none : is(u) ? Option.some(u) : UNUSUAL

/** The number written in `s` from `from`, `n` digits long; `NaN` if any is not a digit. */
const digits = (s: string, from: number, n: number): number => {
  let value = 0
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    value = value * 10 + d
  }
  return value
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const daysIn = (year: number, month: number) =>
  month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : (DAYS[month - 1] ?? 0)

/**
 * The epoch milliseconds of `YYYY-MM-DDTHH:MM:SS.sssZ` (what `toISOString` writes) holding a real
 * date and time from year 100 on, read without the general date parser: there, every engine's
 * parser gives exactly `Date.UTC` of the fields. `undefined` for anything else.
 */
const isoUtc = (s: string): number | undefined => {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  ) {
    return undefined
  }
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  const millis = digits(s, 20, 3)
  const valid =
    year >= 100 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    millis >= 0
  return valid ? Date.UTC(year, month - 1, day, hour, minute, second, millis) : undefined
}

/**
 * `Schema.DateTimeUtc`: `DateTime.unsafeMake` of the string, as the schema's transformation calls
 * it (of its epoch milliseconds, the same value, for the usual `toISOString` form).
 */
const dateTime = (u: unknown): DateTime.Utc | Unusual => {
  if (typeof u !== "string") return UNUSUAL
  try {
    return DateTime.unsafeMake(isoUtc(u) ?? u)
  } catch {
    return UNUSUAL
  }
}

/** A nullable `Schema.DateTimeUtc` field, as `Option`. */
const nullableDateTime = (u: unknown): Option.Option<DateTime.Utc> | Unusual => {
  if (u === null || u === undefined) return none
  const date = dateTime(u)
  return date === UNUSUAL ? UNUSUAL : Option.some(date)
}

/**
 * `updated_at` beside `created_at`: the same text (an object never changed) decodes to the same
 * (immutable) value, parsed once.
 */
const sameOr = (
  u: unknown,
  other: unknown,
  decoded: Option.Option<DateTime.Utc> | Unusual
): Option.Option<DateTime.Utc> | Unusual => (typeof u === "string" && u === other ? decoded : nullableDateTime(u))

/**
 * A new instance of a `Schema.Class` with no fields yet: the caller sets every field, in the
 * class's order, which gives what `new Class(props, true)` gives (the class's prototype, the fields
 * as own properties in their order) without the constructor's work: it copies the props, walks
 * the fields for defaults (none applies, every field is given) and copies them again onto the
 * instance, a third of a list's decoding time. The decoders test checks the prototype, the keys in
 * order and the values against the schema's.
 */
const blank = <A extends object>(klass: { readonly prototype: A }): { -readonly [K in keyof A]: A[K] } =>
  Object.create(klass.prototype)

/**
 * The fast path of one listed object. In a listing it is also given the element before, as sent
 * (`wireBefore`) and as decoded (`before`): a field sent as the same string as there (the space
 * of every file in a listing, the folder of a folder's files, a common mime type) decodes to the
 * same immutable value, taken from `before` instead of checked and wrapped again.
 * @internal
 */
export type Element<A> = (u: unknown, wireBefore?: unknown, before?: A) => A | undefined

/** Whether `u` is the string `wireBefore` holds in the same field. */
const repeats = (u: unknown, wireBefore: unknown, key: string): boolean =>
  typeof u === "string" && Predicate.isRecord(wireBefore) && wireBefore[key] === u

const isString = Predicate.isString
const SHA256_HEX = /^[0-9a-f]{64}$/
const isSha256Hex = (u: unknown): u is string => typeof u === "string" && SHA256_HEX.test(u)
const isBoolean = Predicate.isBoolean

/** `Domain.Space`. @internal */
export const space = (u: unknown): Domain.Space | undefined => {
  if (!Predicate.isRecord(u)) return undefined
  const { id, name } = u
  const createdAt = nullableDateTime(u.created_at)
  const updatedAt = sameOr(u.updated_at, u.created_at, createdAt)
  if (!isSpaceId(id) || !isString(name) || createdAt === UNUSUAL || updatedAt === UNUSUAL) return undefined
  const out = blank(Domain.Space)
  out.id = id
  out.name = name
  out.createdAt = createdAt
  out.updatedAt = updatedAt
  return out
}

/** `Domain.Folder`. @internal */
export const folder: Element<Domain.Folder> = (u, wireBefore, before) => {
  if (!Predicate.isRecord(u)) return undefined
  const { id, name } = u
  const spaceId =
    before !== undefined && repeats(u.space_id, wireBefore, "space_id")
      ? before.spaceId
      : nullable(u.space_id, isSpaceId)
  const parentId =
    before !== undefined && repeats(u.parent_id, wireBefore, "parent_id")
      ? before.parentId
      : nullable(u.parent_id, isFolderId)
  const deletedAt = nullableDateTime(u.deleted_at)
  const createdAt = nullableDateTime(u.created_at)
  const updatedAt = sameOr(u.updated_at, u.created_at, createdAt)
  if (
    !isFolderId(id) ||
    !isString(name) ||
    spaceId === UNUSUAL ||
    parentId === UNUSUAL ||
    deletedAt === UNUSUAL ||
    createdAt === UNUSUAL ||
    updatedAt === UNUSUAL
  ) {
    return undefined
  }
  const out = blank(Domain.Folder)
  out.id = id
  out.name = name
  out.spaceId = spaceId
  out.parentId = parentId
  out.deletedAt = deletedAt
  out.createdAt = createdAt
  out.updatedAt = updatedAt
  return out
}

/** `Domain.FluidFile`. @internal */
export const fluidFile: Element<Domain.FluidFile> = (u, wireBefore, before) => {
  if (!Predicate.isRecord(u)) return undefined
  const id = u.id
  const originalName = u.original_name
  const spaceId =
    before !== undefined && repeats(u.space_id, wireBefore, "space_id")
      ? before.spaceId
      : nullable(u.space_id, isSpaceId)
  const folderId =
    before !== undefined && repeats(u.folder_id, wireBefore, "folder_id")
      ? before.folderId
      : nullable(u.folder_id, isFolderId)
  const mime = before !== undefined && repeats(u.mime, wireBefore, "mime") ? before.mime : nullable(u.mime, isString)
  const size = nullable(u.size, isNonNegativeInt)
  const sha256 = nullable(u.sha256, isSha256Hex)
  const scanStatus = nullableScanStatus(u.scan_status)
  const status = nullableFileStatus(u.status)
  const clientKey = nullable(u.client_key, isString)
  const deletedAt = nullableDateTime(u.deleted_at)
  const createdAt = nullableDateTime(u.created_at)
  const updatedAt = sameOr(u.updated_at, u.created_at, createdAt)
  const publicUrl = nullable(u.public_url, isString)
  if (
    !isFileId(id) ||
    !isString(originalName) ||
    spaceId === UNUSUAL ||
    folderId === UNUSUAL ||
    mime === UNUSUAL ||
    size === UNUSUAL ||
    sha256 === UNUSUAL ||
    scanStatus === UNUSUAL ||
    status === UNUSUAL ||
    clientKey === UNUSUAL ||
    deletedAt === UNUSUAL ||
    createdAt === UNUSUAL ||
    updatedAt === UNUSUAL ||
    publicUrl === UNUSUAL
  ) {
    return undefined
  }
  const out = blank(Domain.FluidFile)
  out.id = id
  out.originalName = originalName
  out.spaceId = spaceId
  out.folderId = folderId
  out.mime = mime
  out.size = size
  out.sha256 = sha256
  out.scanStatus = scanStatus
  out.status = status
  out.clientKey = clientKey
  out.deletedAt = deletedAt
  out.createdAt = createdAt
  out.updatedAt = updatedAt
  out.publicUrl = publicUrl
  return out
}

/** `Domain.Share`. @internal */
export const share: Element<Domain.Share> = (u, wireBefore, before) => {
  if (!Predicate.isRecord(u)) return undefined
  const { id, permission, revoked } = u
  const fileId =
    before !== undefined && repeats(u.file_id, wireBefore, "file_id")
      ? before.fileId
      : isFileId(u.file_id)
        ? u.file_id
        : UNUSUAL
  const downloadCount = u.download_count
  const hasPassword = u.has_password
  const expiresAt = nullableDateTime(u.expires_at)
  const maxDownloads = nullable(u.max_downloads, isInt)
  const createdAt = nullableDateTime(u.created_at)
  const updatedAt = sameOr(u.updated_at, u.created_at, createdAt)
  if (
    !isShareId(id) ||
    fileId === UNUSUAL ||
    !isPermission(permission) ||
    !isNonNegativeInt(downloadCount) ||
    !isBoolean(revoked) ||
    !isBoolean(hasPassword) ||
    expiresAt === UNUSUAL ||
    maxDownloads === UNUSUAL ||
    createdAt === UNUSUAL ||
    updatedAt === UNUSUAL
  ) {
    return undefined
  }
  const out = blank(Domain.Share)
  out.id = id
  out.fileId = fileId
  out.permission = permission
  out.expiresAt = expiresAt
  out.maxDownloads = maxDownloads
  out.downloadCount = downloadCount
  out.revoked = revoked
  out.hasPassword = hasPassword
  out.createdAt = createdAt
  out.updatedAt = updatedAt
  return out
}

/** An array whose every element has the usual shape. @internal */
export const array =
  <A>(element: Element<A>) =>
  (u: unknown): ReadonlyArray<A> | undefined => {
    if (!Array.isArray(u)) return undefined
    const out: Array<A> = []
    let wire: unknown
    let before: A | undefined
    for (const item of u) {
      const a = element(item, wire, before)
      if (a === undefined) return undefined
      out.push(a)
      wire = item
      before = a
    }
    return out
  }

/**
 * A decoder that tries `fast` and falls back to `schema` (the full decoder) when `fast` refuses.
 * @internal
 */
export const withFastPath =
  <A>(
    fast: (u: unknown) => A | undefined,
    schema: (u: unknown) => Either.Either<A, ParseResult.ParseIssue>
  ): ((u: unknown) => Either.Either<A, ParseResult.ParseIssue>) =>
  (u) => {
    const a = fast(u)
    return a === undefined ? schema(u) : Either.right(a)
  }
