/**
 * End to end: the SDK's methods against the emulator, with the same test bodies on both
 * transports — in-process (`FluidCloudTest`, no sockets) and over real HTTP (`EmulatorServer` +
 * undici). Each test gets a fresh emulator.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { Emulator, EmulatorServer, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Layer, Option, Redacted } from "effect"

type Env = FluidCloud.FluidCloud | Emulator.Emulator | HttpClient.HttpClient

/** The default client of whichever emulator is in context. */
const clientLayer = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    FluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
)

const emulatorOptions = { scanDelay: 0 } as const

const transports: ReadonlyArray<readonly [string, Layer.Layer<Env>]> = [
  ["in-process", FluidCloudTest.layer(emulatorOptions)],
  [
    "over HTTP",
    clientLayer.pipe(Layer.provideMerge(Layer.merge(EmulatorServer.layer(emulatorOptions), NodeHttpClient.layerUndici)))
  ]
]

/** A client of the same emulator with another key. */
const clientWith = (apiKey: string) =>
  Effect.flatMap(Emulator.Emulator, (emulator) =>
    FluidCloud.make({ apiKey: Redacted.make(apiKey), baseUrl: emulator.baseUrl })
  )

/** GETs a URL (download or share link) without any key; status, headers and bytes. */
const fetchUrl = (url: string) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(url))
    const bytes = new Uint8Array(yield* response.arrayBuffer)
    return { status: response.status, headers: response.headers, bytes }
  }).pipe(Effect.scoped)

const text = (value: string) => new TextEncoder().encode(value)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe.each(transports)("SDK end to end (%s)", (_name, layer) => {
  const live = <A, E>(name: string, body: Effect.Effect<A, E, Env>) =>
    it.live(name, () => Effect.provide(body, layer), 30_000)

  live(
    "spaces and folders: create, list, rename, move, trash and restore",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const a = yield* fc.spaces.create("Alpha")
      const b = yield* fc.spaces.create("Beta")
      expect((yield* fc.spaces.list()).map((space) => space.id)).toEqual([a.id, b.id])

      const inbox = yield* fc.folders.create("inbox", a.id)
      const child = yield* fc.folders.create("child", a.id, { parentId: inbox.id })
      expect(child.parentId).toEqual(Option.some(inbox.id))
      expect((yield* fc.folders.list(a.id)).map((folder) => folder.id)).toEqual([inbox.id])
      expect((yield* fc.folders.list(a.id, { parentId: inbox.id })).map((folder) => folder.id)).toEqual([child.id])

      expect((yield* fc.folders.rename(inbox.id, "incoming")).name).toBe("incoming")
      const cycle = yield* Effect.flip(fc.folders.move(inbox.id, child.id))
      assert(cycle._tag === "ApiError")
      expect([cycle.status, cycle.detail]).toEqual([400, "folder_cycle"])
      const moved = yield* fc.folders.move(child.id, null)
      expect(moved.parentId).toEqual(Option.none())

      const deleted = yield* fc.folders.delete(inbox.id)
      expect(deleted.isDeleted).toBe(true)
      expect((yield* fc.folders.list(a.id, { trash: true })).map((folder) => folder.id)).toEqual([inbox.id])
      expect((yield* fc.folders.list(a.id)).map((folder) => folder.id)).toEqual([child.id])
      const restored = yield* fc.folders.restore(inbox.id)
      expect(restored.isDeleted).toBe(false)

      const other = yield* fc.folders.create("other", b.id)
      const crossSpace = yield* Effect.flip(fc.folders.move(child.id, other.id))
      assert(crossSpace._tag === "ApiError")
      expect(crossSpace.detail).toBe("cross_space_move")
    })
  )

  live(
    "files: upload, list, get, resolve, rename, move, trash hides, restore",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Files")
      const folder = yield* fc.folders.create("job-7", space.id)
      const file = yield* fc.files.upload(text("hello"), space.id, {
        folderId: folder.id,
        name: "out.txt",
        clientKey: "results/job-7/out.txt"
      })
      expect(file.originalName).toBe("out.txt")
      expect(file.mime).toEqual(Option.some("text/plain"))
      expect(file.size).toEqual(Option.some(5))
      expect(file.folderId).toEqual(Option.some(folder.id))
      expect(file.status).toEqual(Option.some("ready"))

      expect((yield* fc.files.list(space.id, { folderId: folder.id })).map((f) => f.id)).toEqual([file.id])
      expect(yield* fc.files.list(space.id)).toEqual([])
      expect((yield* fc.files.get(file.id)).id).toBe(file.id)
      expect((yield* fc.files.resolve("results/job-7/out.txt")).id).toBe(file.id)
      expect((yield* fc.files.rename(file.id, "final.txt")).originalName).toBe("final.txt")
      expect((yield* fc.files.move(file.id, null)).folderId).toEqual(Option.none())
      expect((yield* fc.files.move(file.id, folder.id)).folderId).toEqual(Option.some(folder.id))

      // a folder in trash hides its files everywhere
      yield* fc.folders.delete(folder.id)
      const hidden = yield* Effect.flip(fc.files.get(file.id))
      expect(hidden._tag).toBe("NotFoundError")
      yield* fc.folders.restore(folder.id)

      const trashed = yield* fc.files.delete(file.id)
      expect(trashed.status).toEqual(Option.some("deleted"))
      expect((yield* fc.files.list(space.id, { trash: true })).map((f) => f.id)).toEqual([file.id])
      const gone = yield* Effect.flip(fc.files.resolve("results/job-7/out.txt"))
      expect(gone._tag).toBe("NotFoundError")
      expect((yield* fc.files.restore(file.id)).status).toEqual(Option.some("ready"))
    })
  )

  live(
    "download and share links serve the bytes; revoked links 404; the list never has the token",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("Links")
      const file = yield* fc.files.upload(text("<svg/>"), space.id, { name: "logo.svg", public: true })
      assert(Option.isSome(file.publicUrl))

      const download = yield* fetchUrl(yield* fc.files.downloadUrl(file.id))
      expect([download.status, decode(download.bytes)]).toEqual([200, "<svg/>"])

      const hotlink = yield* fetchUrl(file.publicUrl.value)
      expect(hotlink.status).toBe(200)
      expect(hotlink.headers["cache-control"]).toBe("public, max-age=3600")
      expect(hotlink.headers["content-type"]).toContain("image/svg+xml")

      const signed = yield* fc.files.signedUrl(file.id, { expiresInDays: 7, permission: "download" })
      expect(Option.isSome(signed.expiresAt)).toBe(true)
      const attachment = yield* fetchUrl(signed.url)
      expect(attachment.headers["content-disposition"]).toBe('attachment; filename="logo.svg"')

      const shares = yield* fc.shares.list({ fileId: file.id })
      expect(shares).toHaveLength(2) // the public link and the signed one
      expect(shares.map((share) => share.id)).toContain(signed.id)
      expect(shares.find((share) => share.id === signed.id)?.downloadCount).toBe(1)
      const token = signed.url.slice(signed.url.lastIndexOf("/") + 1)
      expect(JSON.stringify(shares)).not.toContain(token)

      yield* fc.shares.revoke(signed.id)
      expect((yield* fetchUrl(signed.url)).status).toBe(404)
      expect((yield* fc.shares.list()).map((share) => share.id)).not.toContain(signed.id)
      const all = yield* fc.shares.list({ includeInactive: true })
      expect(all.find((share) => share.id === signed.id)?.revoked).toBe(true)

      const quota = yield* fc.quota.usage()
      expect([quota.bytesUsed, quota.linksUsed, quota.linksLimit]).toEqual([6, 1, -1])
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
    })
  )

  live(
    "quarantine: an infected file cannot be shared or downloaded, and waitUntilClean says so",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create("Quarantine")
      const file = yield* fc.files.upload(text(Emulator.eicar), space.id, { name: "eicar.txt" })
      const waited = yield* Effect.flip(fc.files.waitUntilClean(file.id))
      assert(waited._tag === "ConflictError")
      expect(waited.detail).toContain("file_infected")
      const share = yield* Effect.flip(fc.files.publicUrl(file.id))
      assert(share._tag === "ConflictError")
      expect([share.status, share.detail]).toEqual([409, "file_infected"])
      const download = yield* Effect.flip(fc.files.downloadUrl(file.id))
      expect(download._tag).toBe("ConflictError")
    })
  )

  live(
    "keys, scopes, tenants and plans map to AuthError, PermissionError, NotFoundError, QuotaExceededError",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("Mine")
      const file = yield* fc.files.upload(text("x"), space.id)

      const readOnly = yield* clientWith(yield* emulator.createKey({ scopes: ["spaces:read"] }))
      expect(yield* readOnly.spaces.list()).toHaveLength(1)
      const denied = yield* Effect.flip(readOnly.spaces.create("nope"))
      assert(denied._tag === "PermissionError")
      expect([denied.detail, denied.requiredScope]).toEqual(["insufficient_scope", "spaces:write"])

      const tenant = yield* emulator.createTenant({ plan: { linksLimit: 0 } })
      const stranger = yield* clientWith(yield* emulator.createKey({ tenantId: tenant }))
      const notYours = yield* Effect.flip(stranger.files.get(file.id))
      expect(notYours._tag).toBe("NotFoundError")
      const theirs = yield* stranger.files.upload(text("y"), (yield* stranger.spaces.create("Theirs")).id)
      const capped = yield* Effect.flip(stranger.files.publicUrl(theirs.id))
      assert(capped._tag === "QuotaExceededError")
      expect(capped.resource).toBe("links")

      const revokedKey = yield* emulator.createKey({})
      yield* emulator.revokeKey(revokedKey)
      const revoked = yield* Effect.flip((yield* clientWith(revokedKey)).quota.usage())
      assert(revoked._tag === "AuthError")
      expect(revoked.detail).toBe("revoked_api_key")
      expect(revoked.requestId).toBeDefined()

      const unknownId = Domain.FileId.make("00000000-0000-4000-8000-000000000000")
      expect((yield* Effect.flip(fc.files.get(unknownId)))._tag).toBe("NotFoundError")
    })
  )
})
