/**
 * Bad input fails with `ValidationError` before any request is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Errors, type FluidCloud } from "../src/index.js"
import { FILE_ID, FOLDER_ID, folderWire, linkWire, SPACE_ID, spaceWire } from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"

/** Runs `f` against a mock that would answer 200, and expects a ValidationError on `field` with no request. */
const rejected = <A, E>(field: string, f: (fc: FluidCloud.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const mock = MockHttp.make(MockHttp.json(200, {}))
    const error = yield* MockHttp.run(mock, f).pipe(Effect.flip)
    expect(error).toBeInstanceOf(Errors.ValidationError)
    expect(error instanceof Errors.ValidationError ? error.field : undefined).toBe(field)
    expect(error instanceof Errors.ValidationError ? error.message : "").toContain(field)
    expect(mock.requests).toHaveLength(0)
  })

const name256 = "n".repeat(256)
const name255 = "n".repeat(255)

describe("ValidationError, with zero requests sent", () => {
  describe("signedUrl expiresInDays must be an integer from 1 to 365", () => {
    it.effect("0", () => rejected("expiresInDays", (fc) => fc.files.signedUrl(FILE_ID, { expiresInDays: 0 })))
    it.effect("366", () => rejected("expiresInDays", (fc) => fc.files.signedUrl(FILE_ID, { expiresInDays: 366 })))
    it.effect("1.5", () => rejected("expiresInDays", (fc) => fc.files.signedUrl(FILE_ID, { expiresInDays: 1.5 })))
    it.effect("-7", () => rejected("expiresInDays", (fc) => fc.files.signedUrl(FILE_ID, { expiresInDays: -7 })))
    it.effect("NaN", () =>
      rejected("expiresInDays", (fc) => fc.files.signedUrl(FILE_ID, { expiresInDays: Number.NaN }))
    )
  })

  it.effect("signedUrl maxDownloads 0", () =>
    rejected("maxDownloads", (fc) => fc.files.signedUrl(FILE_ID, { maxDownloads: 0 }))
  )

  it.effect("signedUrl maxDownloads 2.5", () =>
    rejected("maxDownloads", (fc) => fc.files.signedUrl(FILE_ID, { maxDownloads: 2.5 }))
  )

  it.effect("spaces.create with an empty name", () => rejected("name", (fc) => fc.spaces.create("")))
  it.effect("spaces.create with a 256-character name", () => rejected("name", (fc) => fc.spaces.create(name256)))
  it.effect("folders.create with an empty name", () => rejected("name", (fc) => fc.folders.create("", SPACE_ID)))
  it.effect("folders.create with a 256-character name", () =>
    rejected("name", (fc) => fc.folders.create(name256, SPACE_ID))
  )
  it.effect("folders.create with a '/' in the name", () => rejected("name", (fc) => fc.folders.create("a/b", SPACE_ID)))
  it.effect("folders.rename with an empty name", () => rejected("name", (fc) => fc.folders.rename(FOLDER_ID, "")))
  it.effect("folders.rename with a '/' in the name", () => rejected("name", (fc) => fc.folders.rename(FOLDER_ID, "x/")))
  it.effect("files.rename with an empty name", () => rejected("name", (fc) => fc.files.rename(FILE_ID, "")))
  it.effect("files.rename with a 256-character name", () => rejected("name", (fc) => fc.files.rename(FILE_ID, name256)))
  it.effect('files.resolve("")', () => rejected("clientKey", (fc) => fc.files.resolve("")))
  it.effect("files.resolve with a 1025-character key", () =>
    rejected("clientKey", (fc) => fc.files.resolve("k".repeat(1025)))
  )
})

describe("the bounds themselves are accepted", () => {
  it.effect("expiresInDays 1 and 365, 255-character names", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(201, linkWire()),
        MockHttp.json(201, linkWire()),
        MockHttp.json(201, spaceWire({ name: name255 })),
        MockHttp.json(201, folderWire({ name: name255 }))
      )
      yield* MockHttp.run(mock, (fc) =>
        Effect.all([
          fc.files.signedUrl(FILE_ID, { expiresInDays: 1 }),
          fc.files.signedUrl(FILE_ID, { expiresInDays: 365 }),
          fc.spaces.create(name255),
          fc.folders.create(name255, SPACE_ID)
        ])
      )
      expect(mock.requests.map((request) => request.body)).toStrictEqual([
        { file_id: FILE_ID, expires_in_days: 1, permission: "view" },
        { file_id: FILE_ID, expires_in_days: 365, permission: "view" },
        { name: name255 },
        { name: name255, space_id: SPACE_ID }
      ])
    })
  )
})

describe("lengths are counted in characters (code points), as the service counts them", () => {
  const emoji255 = "😀".repeat(255) // 510 UTF-16 units
  it.effect("a 255-emoji space name is sent", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, spaceWire({ name: emoji255 })))
      const space = yield* MockHttp.run(mock, (fc) => fc.spaces.create(emoji255))
      expect(space.name).toBe(emoji255)
      expect(mock.requests).toHaveLength(1)
    })
  )
  it.effect("a 256-emoji space name is rejected", () => rejected("name", (fc) => fc.spaces.create(`${emoji255}😀`)))
})
