/**
 * Every non-upload method of the client: the exact request it puts on the wire and the result it
 * decodes from the response.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Option, Redacted } from "effect"
import { Domain } from "../src/index.js"
import {
  CREATED,
  FILE_ID,
  FOLDER_ID,
  fileWire,
  folderWire,
  linkWire,
  PARENT_ID,
  quotaWire,
  SHARE_ID,
  SPACE_ID,
  shareWire,
  spaceWire,
  UPDATED
} from "./support/Fixtures.js"
import * as MockHttp from "./support/MockHttp.js"
import { API, API_KEY } from "./support/MockHttp.js"

/** The one request the call sent, failing the test if it sent any other number. */
const single = (mock: MockHttp.Mock): MockHttp.Recorded => {
  expect(mock.requests).toHaveLength(1)
  const request = mock.requests[0]
  if (request === undefined) throw new Error("no request")
  return request
}

/** Method, URL and the key header; the body when one is given, else that none was sent. */
const expectRequest = (
  request: MockHttp.Recorded,
  expected: { readonly method: string; readonly url: string; readonly body?: unknown }
) => {
  expect(request.method).toBe(expected.method)
  expect(request.url).toBe(expected.url)
  expect(request.headers["x-api-key"]).toBe(API_KEY)
  expect(request.headers.accept).toBe("application/json")
  if ("body" in expected) {
    expect(request.body).toStrictEqual(expected.body)
    expect(request.headers["content-type"]).toBe("application/json")
  } else {
    expect(request.body).toBeUndefined()
  }
}

const iso = (value: Option.Option<DateTime.Utc>) => Option.map(value, DateTime.formatIso)

const expectUtc = (value: Option.Option<DateTime.Utc>, expected: string) => {
  expect(Option.isSome(value)).toBe(true)
  if (Option.isSome(value)) {
    expect(DateTime.isDateTime(value.value) && DateTime.isUtc(value.value)).toBe(true)
    expect(DateTime.toEpochMillis(value.value)).toBe(Date.parse(expected))
  }
}

const expectFolder = (folder: Domain.Folder) => {
  expect(folder).toBeInstanceOf(Domain.Folder)
  expect(folder.id).toBe(FOLDER_ID)
  expect(folder.name).toBe("inbox")
  expect(folder.spaceId).toStrictEqual(Option.some(SPACE_ID))
  expect(folder.parentId).toStrictEqual(Option.some(PARENT_ID))
  expect(folder.deletedAt).toStrictEqual(Option.none())
  expect(folder.isDeleted).toBe(false)
  expectUtc(folder.createdAt, CREATED)
  expectUtc(folder.updatedAt, UPDATED)
  expect(Object.keys(folder)).not.toContain("item_count")
  expect(Object.keys(folder)).not.toContain("itemCount")
}

const expectFile = (file: Domain.FluidFile) => {
  expect(file).toBeInstanceOf(Domain.FluidFile)
  expect(file.id).toBe(FILE_ID)
  expect(file.originalName).toBe("out.png")
  expect(file.spaceId).toStrictEqual(Option.some(SPACE_ID))
  expect(file.folderId).toStrictEqual(Option.some(FOLDER_ID))
  expect(file.mime).toStrictEqual(Option.some("image/png"))
  expect(file.size).toStrictEqual(Option.some(1234))
  expect(file.sha256).toStrictEqual(Option.some("a".repeat(64)))
  expect(file.scanStatus).toStrictEqual(Option.some("clean"))
  expect(file.status).toStrictEqual(Option.some("ready"))
  expect(file.clientKey).toStrictEqual(Option.some("results/job-7/out.png"))
  expect(file.deletedAt).toStrictEqual(Option.none())
  expect(file.publicUrl).toStrictEqual(Option.none())
  expect(file.isClean).toBe(true)
  expect(file.isDeleted).toBe(false)
  expectUtc(file.createdAt, CREATED)
  expectUtc(file.updatedAt, UPDATED)
  expect(Object.keys(file)).not.toContain("storage_class")
  expect(Object.keys(file)).not.toContain("storageClass")
}

describe("spaces", () => {
  it.effect("list: GET /spaces, decodes every Space (missing timestamps as None, unknown fields ignored)", () =>
    Effect.gen(function* () {
      const otherId = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
      const mock = MockHttp.make(
        MockHttp.json(200, [spaceWire(), { id: otherId, name: "Second", created_at: CREATED, updated_at: null }])
      )
      const spaces = yield* MockHttp.run(mock, (fc) => fc.spaces.list())
      expectRequest(single(mock), { method: "GET", url: `${API}/spaces` })
      expect(spaces).toHaveLength(2)
      const [first, second] = spaces
      expect(first).toBeInstanceOf(Domain.Space)
      expect(first?.id).toBe(SPACE_ID)
      expect(first?.name).toBe("Brand Assets")
      expectUtc(first?.createdAt ?? Option.none(), CREATED)
      expectUtc(first?.updatedAt ?? Option.none(), UPDATED)
      expect(Object.keys(first ?? {})).not.toContain("tenant_region")
      expect(second?.id).toBe(otherId)
      expect(second?.updatedAt).toStrictEqual(Option.none())
    })
  )

  it.effect("create: POST /spaces with {name}, decodes the 201 Space", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, spaceWire({ updated_at: undefined })))
      const space = yield* MockHttp.run(mock, (fc) => fc.spaces.create("Brand Assets"))
      expectRequest(single(mock), { method: "POST", url: `${API}/spaces`, body: { name: "Brand Assets" } })
      expect(space.id).toBe(SPACE_ID)
      expect(iso(space.createdAt)).toStrictEqual(Option.some("2025-01-02T03:04:05.000Z"))
      expect(space.updatedAt).toStrictEqual(Option.none())
    })
  )
})

describe("folders", () => {
  it.effect("list: GET /folders?space_id=… only, without options", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, [folderWire()]))
      const folders = yield* MockHttp.run(mock, (fc) => fc.folders.list(SPACE_ID))
      expectRequest(single(mock), { method: "GET", url: `${API}/folders?space_id=${SPACE_ID}` })
      expect(folders).toHaveLength(1)
      expectFolder(folders[0] ?? expect.unreachable())
    })
  )

  it.effect("list: sends parent_id and trash=true when given, and no trash param for trash: false", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, []))
      const folders = yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(
          fc.folders.list(SPACE_ID, { parentId: PARENT_ID, trash: true }),
          fc.folders.list(SPACE_ID, { trash: false })
        )
      )
      expect(folders).toStrictEqual([])
      expect(mock.requests.map((request) => request.query)).toStrictEqual([
        { space_id: SPACE_ID, parent_id: PARENT_ID, trash: "true" },
        { space_id: SPACE_ID }
      ])
      expect(mock.requests.map((request) => request.path)).toStrictEqual([`${API}/folders`, `${API}/folders`])
    })
  )

  it.effect("create: POST /folders with {name, space_id} and no parent_id key when none is given", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, folderWire({ parent_id: null })))
      const folder = yield* MockHttp.run(mock, (fc) => fc.folders.create("inbox", SPACE_ID))
      const request = single(mock)
      expectRequest(request, { method: "POST", url: `${API}/folders`, body: { name: "inbox", space_id: SPACE_ID } })
      expect(Object.keys(request.body ?? {})).not.toContain("parent_id")
      expect(folder.parentId).toStrictEqual(Option.none())
    })
  )

  it.effect("create: sends parent_id when given", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, folderWire()))
      const folder = yield* MockHttp.run(mock, (fc) => fc.folders.create("inbox", SPACE_ID, { parentId: PARENT_ID }))
      expectRequest(single(mock), {
        method: "POST",
        url: `${API}/folders`,
        body: { name: "inbox", space_id: SPACE_ID, parent_id: PARENT_ID }
      })
      expectFolder(folder)
    })
  )

  it.effect("rename: PATCH /folders/{id} with {name}", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, folderWire({ name: "outbox" })))
      const folder = yield* MockHttp.run(mock, (fc) => fc.folders.rename(FOLDER_ID, "outbox"))
      expectRequest(single(mock), { method: "PATCH", url: `${API}/folders/${FOLDER_ID}`, body: { name: "outbox" } })
      expect(folder.name).toBe("outbox")
    })
  )

  it.effect("move: PATCH /folders/{id} with {parent_id}; null (the root) is sent explicitly", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, folderWire({ parent_id: null })))
      const folder = yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(fc.folders.move(FOLDER_ID, PARENT_ID), fc.folders.move(FOLDER_ID, null))
      )
      expect(mock.requests).toHaveLength(2)
      const [toParent, toRoot] = mock.requests
      expectRequest(toParent ?? expect.unreachable(), {
        method: "PATCH",
        url: `${API}/folders/${FOLDER_ID}`,
        body: { parent_id: PARENT_ID }
      })
      expectRequest(toRoot ?? expect.unreachable(), {
        method: "PATCH",
        url: `${API}/folders/${FOLDER_ID}`,
        body: { parent_id: null }
      })
      expect(folder.parentId).toStrictEqual(Option.none())
    })
  )

  it.effect("delete: DELETE /folders/{id}, decodes the folder in trash", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, folderWire({ deleted_at: "2025-03-01T12:00:00Z" })))
      const folder = yield* MockHttp.run(mock, (fc) => fc.folders.delete(FOLDER_ID))
      expectRequest(single(mock), { method: "DELETE", url: `${API}/folders/${FOLDER_ID}` })
      expectUtc(folder.deletedAt, "2025-03-01T12:00:00Z")
      expect(folder.isDeleted).toBe(true)
    })
  )

  it.effect("restore: POST /folders/{id}/restore without a body", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, folderWire()))
      const folder = yield* MockHttp.run(mock, (fc) => fc.folders.restore(FOLDER_ID))
      expectRequest(single(mock), { method: "POST", url: `${API}/folders/${FOLDER_ID}/restore` })
      expectFolder(folder)
    })
  )
})

describe("files", () => {
  it.effect("list: GET /files?space_id=…&folder_id=…, decodes every FluidFile", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, [fileWire()]))
      const files = yield* MockHttp.run(mock, (fc) => fc.files.list(SPACE_ID, { folderId: FOLDER_ID }))
      const request = single(mock)
      expectRequest(request, { method: "GET", url: `${API}/files?space_id=${SPACE_ID}&folder_id=${FOLDER_ID}` })
      expect(files).toHaveLength(1)
      expectFile(files[0] ?? expect.unreachable())
    })
  )

  it.effect("list: trash=true; only space_id without options", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, []))
      yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(fc.files.list(SPACE_ID, { trash: true }), fc.files.list(SPACE_ID))
      )
      expect(mock.requests.map((request) => request.query)).toStrictEqual([
        { space_id: SPACE_ID, trash: "true" },
        { space_id: SPACE_ID }
      ])
    })
  )

  it.effect("get: GET /files/{id}; nulls and missing fields decode to None", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, fileWire()),
        MockHttp.json(
          200,
          fileWire({
            folder_id: null,
            mime: null,
            size: null,
            sha256: null,
            scan_status: null,
            status: "uploading",
            client_key: undefined,
            public_url: null
          })
        )
      )
      const [full, sparse] = yield* MockHttp.run(mock, (fc) =>
        Effect.all([fc.files.get(FILE_ID), fc.files.get(FILE_ID)])
      )
      expect(mock.requests).toHaveLength(2)
      expectRequest(mock.requests[0] ?? expect.unreachable(), { method: "GET", url: `${API}/files/${FILE_ID}` })
      expectFile(full)
      expect(sparse.folderId).toStrictEqual(Option.none())
      expect(sparse.mime).toStrictEqual(Option.none())
      expect(sparse.size).toStrictEqual(Option.none())
      expect(sparse.sha256).toStrictEqual(Option.none())
      expect(sparse.scanStatus).toStrictEqual(Option.none())
      expect(sparse.status).toStrictEqual(Option.some("uploading"))
      expect(sparse.clientKey).toStrictEqual(Option.none())
      expect(sparse.isClean).toBe(false)
    })
  )

  it.effect("resolve: GET /files/resolve?client_key=… (encoded)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire()))
      const file = yield* MockHttp.run(mock, (fc) => fc.files.resolve("results/job 7/out.png"))
      const request = single(mock)
      expectRequest(request, { method: "GET", url: `${API}/files/resolve?client_key=results%2Fjob+7%2Fout.png` })
      expect(request.query).toStrictEqual({ client_key: "results/job 7/out.png" })
      expectFile(file)
    })
  )

  it.effect("rename: PATCH /files/{id} with {name}", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire({ original_name: "final.png" })))
      const file = yield* MockHttp.run(mock, (fc) => fc.files.rename(FILE_ID, "final.png"))
      expectRequest(single(mock), { method: "PATCH", url: `${API}/files/${FILE_ID}`, body: { name: "final.png" } })
      expect(file.originalName).toBe("final.png")
    })
  )

  it.effect("move: PATCH /files/{id} with {folder_id}; null (the root) is sent explicitly", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire({ folder_id: null })))
      const file = yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(fc.files.move(FILE_ID, FOLDER_ID), fc.files.move(FILE_ID, null))
      )
      expect(mock.requests).toHaveLength(2)
      const [toFolder, toRoot] = mock.requests
      expectRequest(toFolder ?? expect.unreachable(), {
        method: "PATCH",
        url: `${API}/files/${FILE_ID}`,
        body: { folder_id: FOLDER_ID }
      })
      expectRequest(toRoot ?? expect.unreachable(), {
        method: "PATCH",
        url: `${API}/files/${FILE_ID}`,
        body: { folder_id: null }
      })
      expect(file.folderId).toStrictEqual(Option.none())
    })
  )

  it.effect("delete: DELETE /files/{id}, decodes the file in trash", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(
        MockHttp.json(200, fileWire({ deleted_at: "2025-03-01T12:00:00Z", status: "deleted" }))
      )
      const file = yield* MockHttp.run(mock, (fc) => fc.files.delete(FILE_ID))
      expectRequest(single(mock), { method: "DELETE", url: `${API}/files/${FILE_ID}` })
      expect(file.isDeleted).toBe(true)
      expect(file.status).toStrictEqual(Option.some("deleted"))
    })
  )

  it.effect("restore: POST /files/{id}/restore without a body", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, fileWire()))
      const file = yield* MockHttp.run(mock, (fc) => fc.files.restore(FILE_ID))
      expectRequest(single(mock), { method: "POST", url: `${API}/files/${FILE_ID}/restore` })
      expectFile(file)
    })
  )

  it.effect("downloadUrl: GET /files/{id}/download, returns the url", () =>
    Effect.gen(function* () {
      const url = "https://storage.example.test/files/abc?expires=1&signature=xyz"
      const mock = MockHttp.make(MockHttp.json(200, { url, expires_at: "2025-01-02T04:04:05Z", extra: 1 }))
      const result = yield* MockHttp.run(mock, (fc) => fc.files.downloadUrl(FILE_ID))
      expectRequest(single(mock), { method: "GET", url: `${API}/files/${FILE_ID}/download` })
      expect(result).toBe(url)
    })
  )

  it.effect("publicUrl: POST /shares with exactly {file_id}, decodes a permanent Link", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, linkWire()))
      const link = yield* MockHttp.run(mock, (fc) => fc.files.publicUrl(FILE_ID))
      expectRequest(single(mock), { method: "POST", url: `${API}/shares`, body: { file_id: FILE_ID } })
      expect(link).toBeInstanceOf(Domain.Link)
      expect(link.url).toBe("https://files.fluidadmin.com/s/tok_abc")
      expect(link.id).toBe(SHARE_ID)
      expect(link.permission).toBe("view")
      expect(link.expiresAt).toStrictEqual(Option.none())
      expect(Object.keys(link)).not.toContain("token_hint")
    })
  )

  it.effect("signedUrl: POST /shares with the defaults expires_in_days 7 and permission view", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, linkWire({ expires_at: "2025-01-09T03:04:05Z" })))
      const link = yield* MockHttp.run(mock, (fc) => fc.files.signedUrl(FILE_ID))
      expectRequest(single(mock), {
        method: "POST",
        url: `${API}/shares`,
        body: { file_id: FILE_ID, expires_in_days: 7, permission: "view" }
      })
      expectUtc(link.expiresAt, "2025-01-09T03:04:05Z")
    })
  )

  it.effect("signedUrl: sends expires_in_days, permission, max_downloads and the password's value", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(201, linkWire({ permission: "download" })))
      const link = yield* MockHttp.run(mock, (fc) =>
        fc.files.signedUrl(FILE_ID, {
          expiresInDays: 365,
          permission: "download",
          maxDownloads: 5,
          password: Redacted.make("hunter2")
        })
      )
      expectRequest(single(mock), {
        method: "POST",
        url: `${API}/shares`,
        body: { file_id: FILE_ID, expires_in_days: 365, permission: "download", max_downloads: 5, password: "hunter2" }
      })
      expect(link.permission).toBe("download")
    })
  )
})

describe("shares", () => {
  it.effect("list: GET /shares without a query, decodes every Share", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, [shareWire()]))
      const shares = yield* MockHttp.run(mock, (fc) => fc.shares.list())
      expectRequest(single(mock), { method: "GET", url: `${API}/shares` })
      expect(shares).toHaveLength(1)
      const share = shares[0] ?? expect.unreachable()
      expect(share).toBeInstanceOf(Domain.Share)
      expect(share.id).toBe(SHARE_ID)
      expect(share.fileId).toBe(FILE_ID)
      expect(share.permission).toBe("download")
      expectUtc(share.expiresAt, "2025-02-01T00:00:00Z")
      expect(share.maxDownloads).toStrictEqual(Option.none())
      expect(share.downloadCount).toBe(2)
      expect(share.revoked).toBe(false)
      expect(share.hasPassword).toBe(true)
      expectUtc(share.createdAt, CREATED)
      expect(Object.keys(share)).not.toContain("edge_cached")
    })
  )

  it.effect("list: file_id and include_inactive=true when given", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, []))
      yield* MockHttp.run(mock, (fc) =>
        Effect.zipRight(
          fc.shares.list({ fileId: FILE_ID, includeInactive: true }),
          fc.shares.list({ includeInactive: false })
        )
      )
      expect(mock.requests.map((request) => request.url)).toStrictEqual([
        `${API}/shares?file_id=${FILE_ID}&include_inactive=true`,
        `${API}/shares`
      ])
    })
  )

  it.effect("revoke: DELETE /shares/{id}, a 204 succeeds with void", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.text(204, null))
      const result = yield* MockHttp.run(mock, (fc) => fc.shares.revoke(SHARE_ID))
      expectRequest(single(mock), { method: "DELETE", url: `${API}/shares/${SHARE_ID}` })
      expect(result).toBeUndefined()
    })
  )
})

describe("quota", () => {
  it.effect("usage: GET /quota, decodes the Quota (-1 = unlimited)", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const quota = yield* MockHttp.run(mock, (fc) => fc.quota.usage())
      expectRequest(single(mock), { method: "GET", url: `${API}/quota` })
      expect(quota).toBeInstanceOf(Domain.Quota)
      expect(quota.bytesUsed).toBe(1000)
      expect(quota.bytesLimit).toBe(5000)
      expect(quota.linksUsed).toBe(3)
      expect(quota.linksLimit).toBe(-1)
      expect(quota.bytesRemaining).toBe(4000)
      expect(quota.linksRemaining).toBe(Number.POSITIVE_INFINITY)
      expect(Object.keys(quota)).not.toContain("plan")
    })
  )
})

describe("the pipeline", () => {
  it.effect("a trailing slash on baseUrl is not doubled", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      yield* MockHttp.run(mock, (fc) => fc.quota.usage(), { baseUrl: "https://api.example.test/" })
      expect(single(mock).url).toBe(`${API}/quota`)
    })
  )

  it.effect("the default base URL is https://api-cloud.fluidvip.com/api/v1", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      yield* MockHttp.run(mock, (fc) => fc.quota.usage(), { baseUrl: undefined })
      expect(single(mock).url).toBe("https://api-cloud.fluidvip.com/api/v1/quota")
    })
  )

  it.effect("transformClient wraps the client every request goes through", () =>
    Effect.gen(function* () {
      const mock = MockHttp.make(MockHttp.json(200, quotaWire()))
      const seen: Array<string> = []
      yield* MockHttp.run(mock, (fc) => fc.quota.usage(), {
        transformClient: HttpClient.tapRequest((request) => Effect.sync(() => seen.push(request.method)))
      })
      expect(seen).toStrictEqual(["GET"])
      expect(single(mock).url).toBe(`${API}/quota`)
    })
  )
})
