/**
 * End to end: the SDK's methods against the emulator, with the same test bodies on both
 * transports — in-process (`FluidCloudTest`, no sockets) and over real HTTP (`EmulatorServer` +
 * undici). Each test gets a fresh emulator.
 *
 * Every request the SDK sends (API calls of the default client and of `clientWith` clients, and
 * the uploads' storage PUTs) is recorded through `transformClient` and, after each test,
 * validated against docs/openapi.yaml (test/support/openapi.ts); once all of a transport's tests
 * have run, an `afterAll` checks that together they made the SDK send every API operation.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, describe, expect, it } from "@effect/vitest"
import { Domain, FluidCloud } from "@fluidcloud/core"
import { Emulator, EmulatorServer, FluidCloudTest } from "@fluidcloud/testing"
import { Context, Effect, Layer, Option, Redacted, Ref } from "effect"
import * as OpenApi from "../support/openapi.js"

const spec = OpenApi.load()

/** One request as the SDK handed it to the platform client, and what could not be recorded. */
interface Recorded {
  readonly request: OpenApi.WireRequest
  readonly notes: ReadonlyArray<string>
}

/**
 * The request as the platform clients put it on the wire: the query from `urlParams`, and the
 * body's content type as `Content-Type` unless a header sets it (what both the undici and the
 * in-process client do).
 */
const toWire = (request: HttpClientRequest.HttpClientRequest): Recorded => {
  const url = Option.match(HttpClientRequest.toUrl(request), {
    onNone: () => request.url,
    onSome: (u) => u.toString()
  })
  const headers: Record<string, string> = { ...request.headers }
  const body = request.body
  const notes: Array<string> = []
  if (body._tag !== "Empty" && body.contentType !== undefined && body.contentType !== "") {
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["content-type"] = body.contentType
    }
  }
  let bytes: string | Uint8Array | undefined
  switch (body._tag) {
    case "Empty":
      break
    case "Uint8Array":
      bytes = body.body
      break
    case "Raw":
      if (typeof body.body === "string" || body.body instanceof Uint8Array) bytes = body.body
      else notes.push("a Raw body that is neither text nor bytes cannot be validated")
      break
    default:
      notes.push(`a ${body._tag} body cannot be validated`)
  }
  return { request: { method: request.method, url, headers, body: bytes }, notes }
}

/** Records every request of the clients it transforms (this test's). */
class Recorder extends Context.Tag("e2e/Recorder")<
  Recorder,
  {
    readonly transformClient: (client: HttpClient.HttpClient) => HttpClient.HttpClient
    readonly recorded: Effect.Effect<ReadonlyArray<Recorded>>
  }
>() {}

const makeRecorder = Effect.map(Ref.make<ReadonlyArray<Recorded>>([]), (ref) =>
  Recorder.of({
    // `transform` sees the request after the SDK's own `mapRequest` (base URL, key, Accept)
    transformClient: (client) =>
      HttpClient.transform(client, (response, request) =>
        Effect.zipRight(
          Ref.update(ref, (all) => [...all, toWire(request)]),
          response
        )
      ),
    recorded: Ref.get(ref)
  })
)

type Env = FluidCloud.FluidCloud | Emulator.Emulator | HttpClient.HttpClient | Recorder

/** The default client of whichever emulator is in context. */
const clientLayer = (transformClient: (client: HttpClient.HttpClient) => HttpClient.HttpClient) =>
  Layer.unwrapEffect(
    Effect.map(Emulator.Emulator, (emulator) =>
      FluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl, transformClient })
    )
  )

const emulatorOptions = { scanDelay: 0 } as const

type Transport = (
  transformClient: (client: HttpClient.HttpClient) => HttpClient.HttpClient
) => Layer.Layer<Exclude<Env, Recorder>>

const transports: ReadonlyArray<readonly [string, Transport]> = [
  ["in-process", (transformClient) => FluidCloudTest.layer({ ...emulatorOptions, client: { transformClient } })],
  [
    "over HTTP",
    (transformClient) =>
      clientLayer(transformClient).pipe(
        Layer.provideMerge(Layer.merge(EmulatorServer.layer(emulatorOptions), NodeHttpClient.layerUndici))
      )
  ]
]

/** A client of the same emulator with another key (its requests recorded too). */
const clientWith = (apiKey: string) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const recorder = yield* Recorder
    return yield* FluidCloud.make({
      apiKey: Redacted.make(apiKey),
      baseUrl: emulator.baseUrl,
      transformClient: recorder.transformClient
    })
  })

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

/** The API operations of the contract (those that need the key): the SDK must send each. */
const apiOperations = spec.operations
  .filter((operation) => operation.apiKey)
  .map((operation) => operation.operationId)
  .sort()

describe.each(transports)("SDK end to end (%s)", (_name, transport) => {
  /** operationId → how many requests of this transport's tests went to it. */
  const seen = new Map<string, number>()
  /** How many `live` tests this block declares, and how many ran to the end. */
  let declared = 0
  let ran = 0

  /** Runs `body` on a fresh emulator, then validates every request its clients sent. */
  const live = <A, E>(name: string, body: Effect.Effect<A, E, Env>) => {
    declared++
    return it.live(
      name,
      () =>
        Effect.gen(function* () {
          const recorder = yield* makeRecorder
          const exit = yield* Effect.exit(
            Effect.provide(body, Layer.merge(transport(recorder.transformClient), Layer.succeed(Recorder, recorder)))
          )
          // validated even when the body failed: a contract violation may be why
          const recorded = yield* recorder.recorded
          const problems = recorded.flatMap(({ request, notes }) => {
            const operationId = spec.matchRequest(request.method, request.url)?.operationId
            if (operationId !== undefined) seen.set(operationId, (seen.get(operationId) ?? 0) + 1)
            return [...notes, ...spec.validateRequest(request)].map(
              (problem) => `${request.method} ${request.url}: ${problem}`
            )
          })
          expect(problems, "requests the SDK sent that the contract rejects").toEqual([])
          expect(recorded.length).toBeGreaterThan(0)
          ran++
          return yield* exit
        }),
      30_000
    )
  }

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
  live(
    "a failed upload is aborted on the server",
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const space = yield* fc.spaces.create("Aborted")
      yield* emulator.failPartPut({ partNumber: 1, attempt: "every", status: 403 })
      const failed = yield* Effect.flip(fc.files.upload(text("doomed"), space.id, { name: "doomed.txt" }))
      // a storage 403 (a refused presigned URL) is an ApiError: PermissionError means the key's scopes
      expect(failed).toMatchObject({ _tag: "ApiError", status: 403 })
      // the abort removed the File of the upload
      expect(yield* fc.files.list(space.id)).toEqual([])
    })
  )

  // Once every test of the block has run (not under a `-t` filter): together they made the SDK
  // send every API operation of the contract, and storage PUTs.
  afterAll(() => {
    if (ran < declared) return
    const sent = [...seen.keys()].sort()
    const missing = apiOperations.filter((operationId) => !seen.has(operationId))
    expect(apiOperations).toHaveLength(21)
    expect(missing, `API operations never sent; sent: ${sent.join(", ")}`).toEqual([])
    expect(sent).toEqual([...apiOperations, "putUploadPart"].sort())
  })
})
