/**
 * Bad input fails with `ValidationError` before any request is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Domain, Errors, type FluidCloud } from "../src/index.js"
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

describe("ids are UUIDs, checked before any request (a JS caller, or an id forged past its brand)", () => {
  const badFile = Domain.FileId.make("..", true)
  const badFolder = Domain.FolderId.make("../..", true)
  const badSpace = Domain.SpaceId.make("not-a-uuid", true)
  const badShare = Domain.ShareId.make("", true)

  it.effect('files.get("..") sends nothing (not GET /api/v1/)', () => rejected("fileId", (fc) => fc.files.get(badFile)))
  it.effect('folders.delete("../..") sends nothing', () => rejected("folderId", (fc) => fc.folders.delete(badFolder)))
  it.effect('folders.restore("../..") sends nothing', () => rejected("folderId", (fc) => fc.folders.restore(badFolder)))
  it.effect("folders.rename", () => rejected("folderId", (fc) => fc.folders.rename(badFolder, "ok")))
  it.effect("folders.move: the folder", () => rejected("folderId", (fc) => fc.folders.move(badFolder, null)))
  it.effect("folders.move: the new parent", () => rejected("parentId", (fc) => fc.folders.move(FOLDER_ID, badFolder)))
  it.effect("folders.list: the space", () => rejected("spaceId", (fc) => fc.folders.list(badSpace)))
  it.effect("folders.list: the parent", () =>
    rejected("parentId", (fc) => fc.folders.list(SPACE_ID, { parentId: badFolder }))
  )
  it.effect("folders.create: the space", () => rejected("spaceId", (fc) => fc.folders.create("ok", badSpace)))
  it.effect("folders.create: the parent", () =>
    rejected("parentId", (fc) => fc.folders.create("ok", SPACE_ID, { parentId: badFolder }))
  )
  it.effect("files.list: the space", () => rejected("spaceId", (fc) => fc.files.list(badSpace)))
  it.effect("files.list: the folder", () =>
    rejected("folderId", (fc) => fc.files.list(SPACE_ID, { folderId: badFolder }))
  )
  it.effect("files.rename", () => rejected("fileId", (fc) => fc.files.rename(badFile, "ok")))
  it.effect("files.move: the file", () => rejected("fileId", (fc) => fc.files.move(badFile, null)))
  it.effect("files.move: the folder", () => rejected("folderId", (fc) => fc.files.move(FILE_ID, badFolder)))
  it.effect("files.delete", () => rejected("fileId", (fc) => fc.files.delete(badFile)))
  it.effect('files.restore("..") sends nothing (not POST /api/v1/restore)', () =>
    rejected("fileId", (fc) => fc.files.restore(badFile))
  )
  it.effect("files.downloadUrl", () => rejected("fileId", (fc) => fc.files.downloadUrl(badFile)))
  it.effect("files.publicUrl", () => rejected("fileId", (fc) => fc.files.publicUrl(badFile)))
  it.effect("files.signedUrl", () => rejected("fileId", (fc) => fc.files.signedUrl(badFile)))
  it.effect("files.waitUntilClean", () => rejected("fileId", (fc) => fc.files.waitUntilClean(badFile)))
  it.effect("shares.list: the file", () => rejected("fileId", (fc) => fc.shares.list({ fileId: badFile })))
  it.effect("shares.revoke", () => rejected("shareId", (fc) => fc.shares.revoke(badShare)))
  it.effect("files.upload: the space, before the source is read", () =>
    rejected("spaceId", (fc) => fc.files.upload(new Uint8Array(1), badSpace))
  )
  it.effect("files.upload: the folder", () =>
    rejected("folderId", (fc) => fc.files.upload(new Uint8Array(1), SPACE_ID, { folderId: badFolder }))
  )

  it.effect("the message says what is wrong, without the request", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, {}))
      const error = yield* MockHttp.run(mock, (fc) => fc.files.get(badFile)).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "ValidationError", field: "fileId", description: "must be a UUID" })
      expect(error.message).toBe("ValidationError: fileId: must be a UUID")
    })
  )
})

describe("enums are checked before any request", () => {
  it.effect('signedUrl permission "edit"', () =>
    rejected("permission", (fc) =>
      // @ts-expect-error: a JS caller, or a value from untyped input
      fc.files.signedUrl(FILE_ID, { permission: "edit" })
    )
  )
  it.effect("both permissions are sent as given", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, linkWire()))
      yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(
          fc.files.signedUrl(FILE_ID, { permission: "download" }),
          fc.files.signedUrl(FILE_ID, { permission: "view", maxDownloads: 3 })
        )
      )
      expect(mock.requests.map((request) => request.body)).toStrictEqual([
        { file_id: FILE_ID, expires_in_days: 7, permission: "download" },
        { file_id: FILE_ID, expires_in_days: 7, permission: "view", max_downloads: 3 }
      ])
    })
  )
})
