/**
 * The fast decoding paths of listed results (internal/decoders.ts) against the schemas they stand
 * in for: on every wire object the fast path either refuses (the schema then decides) or builds
 * exactly what the schema builds — same class, same fields in the same order, equal values — and
 * the operation's decoder gives the schema's result, `ParseIssue` included, whatever the input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Equal, FastCheck as fc, ParseResult, Schema } from "effect"
import { Domain } from "../src/index.js"
import * as Decoders from "../src/internal/decoders.js"
import { operations } from "../src/internal/operations.js"

const REMOVE = Symbol("remove")

/** An Either's outcome in comparable form: the value, or the ParseError's message. */
const outcome = <A>(result: Either.Either<A, ParseResult.ParseIssue>) =>
  Either.match(result, {
    onLeft: (issue) => ({ left: new ParseResult.ParseError({ issue }).message }),
    onRight: (value) => ({ right: value })
  })

const sameValue = (a: unknown, b: unknown) => {
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b))
  expect(Object.keys(a ?? {})).toEqual(Object.keys(b ?? {}))
  expect(Equal.equals(a, b)).toBe(true)
}

const sameValues = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>) => {
  expect(a.length).toBe(b.length)
  a.forEach((element, i) => {
    sameValue(element, b[i])
  })
}

/** Values at the edges of the fields' checks, each tried in every field. */
const edges: ReadonlyArray<unknown> = [
  null,
  undefined,
  "",
  "x",
  "not-a-uuid",
  "0B6F3C1E-6A1F-4A57-9A55-4D1B5C6B2F10",
  "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f1",
  "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10 ",
  "0b6f3c1e_6a1f-4a57-9a55-4d1b5c6b2f10",
  "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2fé0",
  "0b6f3c1g-6a1f-4a57-9a55-4d1b5c6b2f10",
  "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10-",
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:00:00",
  "2026-01-01T00:00:00.123+02:00",
  "2026-13-45T00:00:00Z",
  "2026-01-31T23:59:59.999Z",
  "2024-02-29T12:00:00.000Z",
  "2026-02-29T12:00:00.000Z",
  "2026-04-31T00:00:00.000Z",
  "2026-00-10T00:00:00.000Z",
  "2026-01-00T00:00:00.000Z",
  "2026-01-01T24:00:00.000Z",
  "2026-01-01T23:60:00.000Z",
  "2026-01-01T23:59:60.000Z",
  "2026-01-01T00:00:00.00aZ",
  "0099-01-01T00:00:00.000Z",
  "1969-12-31T23:59:59.999Z",
  "+02026-01-01T00:00:00.000Z",
  "2026-01-01T00:00:00.000+00:00",
  "2026-01-01 00:00:00.000Z",
  "1",
  0,
  -0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  true,
  false,
  [],
  {},
  "clean",
  "ready",
  "view",
  "download",
  "PUT"
]

/** A JSON value, or one of the edges. */
const anyValue = fc.oneof(fc.jsonValue(), fc.constantFrom(...edges))

/** The properties of one class's fast path against its schema. */
const against = <A, I extends Readonly<Record<string, unknown>>>(
  name: string,
  schema: Schema.Schema<A, I>,
  fast: Decoders.Element<A>
) => {
  const decode = ParseResult.decodeUnknownEither(schema)
  const encode = Schema.encodeSync(schema)
  const combined = Decoders.withFastPath(fast, decode)
  const decodeList = ParseResult.decodeUnknownEither(Schema.Array(schema))
  const fastList = Decoders.array(fast)

  it.prop(
    `${name}: the usual wire shape takes the fast path and decodes as the schema does`,
    { value: schema },
    ({ value }) => {
      const encoded: Record<string, unknown> = { ...encode(value) }
      // the API writes empty fields as null; the encoder leaves them out: both shapes
      const withNulls = Object.fromEntries(
        Object.keys(encoded).map((key) => [key, encoded[key] === undefined ? null : encoded[key]])
      )
      for (const input of [encoded, withNulls]) {
        const fromFast = fast(input)
        expect(fromFast).toBeDefined()
        sameValue(fromFast, Either.getOrThrow(decode(input)))
      }
    }
  )

  it.prop(
    `${name}: with any field changed or removed, the result is the schema's, issue included`,
    { value: schema, key: fc.string({ maxLength: 12 }), pick: fc.nat(), replacement: anyValue, remove: fc.boolean() },
    ({ value, key, pick, replacement, remove }) => {
      const input: Record<string, unknown> = { ...encode(value) }
      const keys = [...Object.keys(input), key]
      const target = keys[pick % keys.length] ?? key
      if (remove) delete input[target]
      else input[target] = replacement
      const expected = outcome(decode(input))
      const actual = outcome(combined(input))
      if ("right" in expected && "right" in actual) sameValue(actual.right, expected.right)
      else expect(actual).toEqual(expected)
      const fromFast = fast(input)
      if (fromFast !== undefined) {
        expect("right" in expected).toBe(true)
        if ("right" in expected) sameValue(fromFast, expected.right)
      }
    }
  )

  it.prop(
    `${name}: a listing whose elements repeat fields of the element before decodes as the schema does`,
    {
      values: Schema.Array(schema),
      copy: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      withNulls: fc.boolean(),
      change: fc.option(fc.record({ pick: fc.nat(), replacement: anyValue }), { freq: 3 })
    },
    ({ values, copy, withNulls, change }) => {
      const listing: Array<Record<string, unknown>> = values.map((value) => {
        const encoded: Record<string, unknown> = { ...encode(value) }
        if (withNulls) for (const key of Object.keys(encoded)) encoded[key] ??= null
        return encoded
      })
      // the usual listing: the same space, folder, file or mime type in element after element
      listing.forEach((element, i) => {
        const before = listing[i - 1]
        if (before === undefined) return
        Object.keys(before).forEach((key, k) => {
          if (copy[(i * 7 + k) % copy.length]) element[key] = before[key]
        })
      })
      // and at times one field of one element changed to anything
      if (change !== null && listing.length > 0) {
        const element = listing[change.pick % listing.length] ?? {}
        const keys = Object.keys(element)
        element[keys[change.pick % keys.length] ?? "unknown_key"] = change.replacement
      }
      const expected = outcome(decodeList(listing))
      const fromFast = fastList(listing)
      // unchanged, every element has the usual shape: the listing takes the fast path
      if (change === null) expect(fromFast).toBeDefined()
      if (fromFast === undefined) return
      expect("right" in expected).toBe(true)
      if ("right" in expected) sameValues(fromFast, expected.right)
    }
  )

  it(`${name}: an element given any field of the element before, in any field, decodes as the schema does`, () => {
    for (const [first, second] of fc.sample(fc.tuple(Arbitrary.make(schema), Arbitrary.make(schema)), 5)) {
      const before = encode(first)
      for (const to of Object.keys(before)) {
        for (const from of Object.keys(before)) {
          const listing = [before, { ...encode(second), [to]: before[from] }]
          const expected = outcome(decodeList(listing))
          const fromFast = fastList(listing)
          if (fromFast === undefined) continue
          if (!("right" in expected))
            expect.fail(`${name}.${to} = ${from} before: the fast path accepts what the schema refuses`)
          else sameValues(fromFast, expected.right)
        }
      }
    }
  })

  it(`${name}: every field set to every edge value, or removed, decodes as the schema does`, () => {
    for (const value of fc.sample(Arbitrary.make(schema), 5)) {
      const encoded = encode(value)
      for (const key of [...Object.keys(encoded), "unknown_key"]) {
        for (const replacement of [...edges, REMOVE]) {
          const input: Record<string, unknown> = { ...encoded }
          if (replacement === REMOVE) delete input[key]
          else input[key] = replacement
          const expected = outcome(decode(input))
          const fromFast = fast(input)
          if (fromFast === undefined) expect(outcome(combined(input))).toEqual(expected)
          else if ("right" in expected) sameValue(fromFast, expected.right)
          else expect.fail(`${name}.${key} = ${String(replacement)}: the fast path accepts what the schema refuses`)
        }
      }
    }
  })
}

describe("fast decoders", () => {
  against("FluidFile", Domain.FluidFile, Decoders.fluidFile)
  against("Folder", Domain.Folder, Decoders.folder)
  against("Space", Domain.Space, Decoders.space)
  against("Share", Domain.Share, Decoders.share)

  it("anything but a plain object is refused by the fast path and decided by the schema", () => {
    for (const input of [null, undefined, 1, "x", [], [{}], new Date(0)]) {
      expect(Decoders.fluidFile(input)).toBeUndefined()
      expect(outcome(operations.getFile.decode(input))).toEqual(
        outcome(ParseResult.decodeUnknownEither(Domain.FluidFile)(input))
      )
    }
  })

  it("a listing with one unusual element is decoded by the schema, which names the element", () => {
    const good = {
      id: "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10",
      original_name: "a.png",
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z"
    }
    const listing = [good, good, { ...good, size: -1 }, good]
    expect(Decoders.array(Decoders.fluidFile)(listing)).toBeUndefined()
    const result = operations.listFiles.decode(listing)
    expect(outcome(result)).toEqual(outcome(ParseResult.decodeUnknownEither(Schema.Array(Domain.FluidFile))(listing)))
    expect(Either.isLeft(result) && new ParseResult.ParseError({ issue: result.left }).message).toContain("[2]")
    const decoded = operations.listFiles.decode([good, good])
    expect(Either.isRight(decoded) && decoded.right.every((file) => file instanceof Domain.FluidFile)).toBe(true)
  })

  it("updated_at equal to created_at decodes to an equal value; a different one is parsed on its own", () => {
    const base = { id: "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10", original_name: "a" }
    const same = Decoders.fluidFile({ ...base, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" })
    const later = Decoders.fluidFile({
      ...base,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-02T00:00:00Z"
    })
    expect(same !== undefined && Equal.equals(same.createdAt, same.updatedAt)).toBe(true)
    expect(later !== undefined && Equal.equals(later.createdAt, later.updatedAt)).toBe(false)
    expect(Decoders.fluidFile({ ...base, created_at: "2026-01-01T00:00:00Z", updated_at: "nope" })).toBeUndefined()
  })
})
