import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import { Emulator, FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Either, Fiber, Schema, TestClock } from "effect"
import { bytesOf, call, FileJson, md5, obj, putPart, Session, setupSpace, upload } from "./support/Api.js"

const KiB = 1024

describe("Emulator (in-process)", () => {
  it.effect("uploads in parts, scans with the Clock, downloads and shares", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const content = bytesOf(10 * KiB + 5)
      const { session, done, parts } = yield* upload(spaceId, content, { part_size: 4 * KiB })
      expect(session.part_size).toBe(4 * KiB)
      expect(session.parts.length).toBe(3)
      expect(parts[0]?.etag).toBe(`"${md5(content.subarray(0, 4 * KiB))}"`)
      expect(done.status).toBe(200)
      const file = yield* Schema.decodeUnknown(FileJson)(done.body)
      expect(file.status).toBe("ready")
      expect(file.scan_status).toBe("pending")
      expect(file.sha256).toBe(createHash("sha256").update(content).digest("hex"))
      // not clean yet
      expect((yield* call("GET", `/files/${file.id}/download`)).status).toBe(409)
      yield* TestClock.adjust("100 millis")
      const got = yield* call("GET", `/files/${file.id}`)
      expect(obj(got.body).scan_status).toBe("clean")
      const dl = yield* call("GET", `/files/${file.id}/download`)
      expect(dl.status).toBe(200)
      const client = yield* HttpClient.HttpClient
      const res = yield* client.get(String(obj(dl.body).url))
      expect(res.status).toBe(200)
      expect(res.headers["content-type"]).toBe("text/plain")
      expect(new Uint8Array(yield* res.arrayBuffer)).toEqual(content)
      // idempotent complete
      const again = yield* call("POST", "/uploads/complete", { upload_id: session.upload_id, parts })
      expect(again.status).toBe(200)
      expect(obj(again.body).scan_status).toBe("clean")
      // share, download permission
      const share = yield* call("POST", "/shares", { file_id: file.id, permission: "download", max_downloads: 1 })
      expect(share.status).toBe(201)
      const served = yield* client.get(String(obj(share.body).url))
      expect(served.status).toBe(200)
      expect(served.headers["cache-control"]).toBe("public, max-age=3600")
      expect(served.headers["content-disposition"]).toBe('attachment; filename="a.txt"')
      expect(new Uint8Array(yield* served.arrayBuffer)).toEqual(content)
      expect((yield* client.get(String(obj(share.body).url))).status).toBe(404)
      const listed = yield* call("GET", "/shares")
      expect(Array.isArray(listed.body) && obj(listed.body[0]).download_count).toBe(1)
      // the key never left the API origin
      expect(yield* emulator.apiKeySentOutsideApi).toBe(false)
      const log = yield* emulator.requestLog
      expect(log.filter((e) => e.origin === "storage").every((e) => !e.hadApiKey)).toBe(true)
      expect(log.some((e) => e.origin === "files")).toBe(true)
      expect(yield* emulator.openUploads).toEqual([])
      expect((yield* emulator.storedParts).bytes).toBe(content.byteLength)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: 4 * KiB })))
  )

  it.effect("EICAR content scans infected; forced scan error", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const { done } = yield* upload(spaceId, new TextEncoder().encode(`hello ${Emulator.eicar} world`))
      const infected = String(obj(done.body).id)
      const { done: done2 } = yield* upload(spaceId, new TextEncoder().encode("fine"))
      const errored = String(obj(done2.body).id)
      yield* emulator.setScanOutcome(errored, "error")
      yield* TestClock.adjust("1 second")
      expect(obj((yield* call("GET", `/files/${infected}`)).body).scan_status).toBe("infected")
      expect(obj((yield* call("POST", "/shares", { file_id: infected })).body).detail).toBe("file_infected")
      expect(obj((yield* call("GET", `/files/${errored}`)).body).scan_status).toBe("error")
      expect(obj((yield* call("GET", `/files/${errored}/download`)).body).detail).toBe("file_not_ready")
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("EICAR split across parts, even across parts shorter than it, scans infected; near misses do not", () =>
    Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const text = (s: string) => new TextEncoder().encode(s)
      const scanOf = (content: Uint8Array, partSize: number) =>
        Effect.gen(function* () {
          const { done } = yield* upload(spaceId, content, { part_size: partSize })
          yield* TestClock.adjust("1 second")
          return obj((yield* call("GET", `/files/${String(obj(done.body).id)}`)).body).scan_status
        })
      // 68 bytes across parts of 40 (one boundary), 10 and 7 (many parts, each shorter than the string)
      for (const partSize of [40, 10, 7, 1]) {
        expect(yield* scanOf(text(`ab${Emulator.eicar}cd`), partSize), `parts of ${partSize}`).toBe("infected")
        expect(yield* scanOf(text(`ab${Emulator.eicar.slice(0, 67)}-${Emulator.eicar.slice(67)}`), partSize)).toBe(
          "clean"
        )
      }
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: 1 })))
  )

  it.effect("a part keeps the bytes it was sent, even when the sender reuses its Buffer afterwards", () =>
    Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const content = Buffer.from(bytesOf(4 * KiB))
      const expected = Uint8Array.from(content)
      const init = yield* call("POST", "/uploads/initiate", { space_id: spaceId, name: "a.bin", size: content.length })
      const session = yield* Schema.decodeUnknown(Session)(init.body)
      const [part] = session.parts
      assert(part !== undefined)
      const put = yield* putPart(part.url, content)
      content.fill(0)
      const done = yield* call("POST", "/uploads/complete", {
        upload_id: session.upload_id,
        parts: [{ part_number: 1, etag: put.headers.etag ?? "" }]
      })
      expect(obj(done.body).sha256).toBe(createHash("sha256").update(expected).digest("hex"))
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.live("in a data directory, EICAR across a read-buffer boundary scans infected; the sha256 is the file's", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "fc-eicar-"))
    return Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const eicar = new TextEncoder().encode(Emulator.eicar)
      /** 3 MiB in two parts, the string (or a near miss) across the 1 MiB mark of the disk reads of part 1. */
      const scanOf = (needle: Uint8Array) =>
        Effect.gen(function* () {
          const content = bytesOf(3 * 1024 * KiB)
          content.set(needle, 1024 * KiB - 30)
          const { done } = yield* upload(spaceId, content, { part_size: 2 * 1024 * KiB })
          expect(obj(done.body).sha256).toBe(createHash("sha256").update(content).digest("hex"))
          yield* Effect.sleep("5 millis")
          return obj((yield* call("GET", `/files/${String(obj(done.body).id)}`)).body).scan_status
        })
      expect(yield* scanOf(eicar)).toBe("infected")
      const nearMiss = eicar.slice()
      nearMiss[40] = 0x2d
      expect(yield* scanOf(nearMiss)).toBe("clean")
    }).pipe(
      Effect.provide(FluidCloudTest.layerClient({ scanDelay: 0, minPartSize: 1, dataDir })),
      Effect.ensuring(Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
    )
  })

  it.effect("auth: missing, invalid, revoked keys, plan without API access, scopes", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      expect((yield* call("GET", "/spaces", undefined, null)).body).toEqual({ detail: "missing_api_key" })
      expect((yield* call("GET", "/spaces", undefined, "fck_test_nope")).body).toEqual({ detail: "invalid_api_key" })
      const revoked = yield* emulator.createKey({})
      yield* emulator.revokeKey(revoked)
      expect((yield* call("GET", "/spaces", undefined, revoked)).body).toEqual({ detail: "revoked_api_key" })
      const tenant = yield* emulator.createTenant({ plan: { apiAccess: false } })
      const noPlan = yield* emulator.createKey({ tenantId: tenant })
      const res = yield* call("GET", "/spaces", undefined, noPlan)
      expect(res.status).toBe(403)
      expect(res.body).toEqual({ detail: "feature_not_in_plan" })
      const readOnly = yield* emulator.createKey({ scopes: ["files:read", "shares:write"] })
      const denied = yield* call("POST", "/spaces", { name: "x" }, readOnly)
      expect(denied.body).toEqual({ detail: "insufficient_scope", required_scope: "spaces:write" })
      // other tenants' ids answer 404
      const other = yield* emulator.createTenant({})
      const otherKey = yield* emulator.createKey({ tenantId: other })
      const spaceId = yield* setupSpace
      const f = yield* call("GET", `/files?space_id=${spaceId}`, undefined, otherKey)
      expect(f.status).toBe(404)
      expect(res.headers["x-request-id"]).toBeDefined()
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("fault injection: part failures by attempt, reset, 429 bursts, 503 on complete", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const content = bytesOf(9 * KiB)
      const init = yield* call("POST", "/uploads/initiate", {
        space_id: spaceId,
        name: "b.bin",
        size: content.length,
        part_size: 3 * KiB
      })
      const session = yield* Schema.decodeUnknown(Session)(init.body)
      expect(session.parts.length).toBe(3)
      yield* emulator.failPartPut({ partNumber: 2, attempt: 1, status: 503 })
      yield* emulator.failPartPut({ partNumber: 3, attempt: 1, reset: true })
      const chunk = (n: number) => content.subarray((n - 1) * session.part_size, n * session.part_size)
      const url = (n: number) => session.parts[n - 1]?.url ?? ""
      expect((yield* putPart(url(1), chunk(1))).status).toBe(200)
      expect((yield* putPart(url(2), chunk(2))).status).toBe(503)
      const reset = yield* Effect.either(putPart(url(3), chunk(3)))
      assert(Either.isLeft(reset))
      expect(reset.left._tag).toBe("RequestError")
      expect(reset.left.reason).toBe("Transport")
      const etags = []
      for (const n of [1, 2, 3]) {
        const res = yield* putPart(url(n), chunk(n))
        expect(res.status).toBe(200)
        etags.push({ part_number: n, etag: String(res.headers.etag).replaceAll('"', "") })
      }
      // wrong Content-Length
      expect((yield* putPart(url(1), chunk(1).subarray(1))).status).toBe(400)
      // bad signature
      expect((yield* putPart(url(1).replace(/signature=[0-9a-f]+/, "signature=bad"), chunk(1))).status).toBe(403)
      yield* emulator.rateLimitBurst({ count: 2, retryAfter: 7 })
      const limited = yield* call("GET", "/quota")
      expect(limited.status).toBe(429)
      expect(limited.headers["retry-after"]).toBe("7")
      expect((yield* call("GET", "/quota")).status).toBe(429)
      expect((yield* call("GET", "/quota")).status).toBe(200)
      // out-of-order parts
      const bad = yield* call("POST", "/uploads/complete", {
        upload_id: session.upload_id,
        parts: [etags[1], etags[0], etags[2]]
      })
      expect(bad.body).toEqual({ detail: "invalid_parts" })
      yield* emulator.failNextComplete()
      const failed = yield* call("POST", "/uploads/complete", { upload_id: session.upload_id, parts: etags })
      expect(failed.status).toBe(503)
      const retried = yield* call("POST", "/uploads/complete", { upload_id: session.upload_id, parts: etags })
      expect(retried.status).toBe(200)
      expect(obj(retried.body).status).toBe("ready")
      // PUT after complete
      expect((yield* putPart(url(1), chunk(1))).status).toBe(404)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: 3 * KiB })))
  )

  it.effect("seeded failure rate is deterministic; latency uses the Clock", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const run = Effect.gen(function* () {
        yield* emulator.setPartFailureRate({ rate: 0.5, seed: 42 })
        const init = yield* call("POST", "/uploads/initiate", {
          space_id: spaceId,
          name: "r",
          size: 8 * KiB,
          part_size: KiB
        })
        const session = yield* Schema.decodeUnknown(Session)(init.body)
        const statuses = []
        for (const p of session.parts) {
          statuses.push((yield* putPart(p.url, bytesOf(KiB))).status)
        }
        return statuses
      })
      const a = yield* run
      const b = yield* run
      expect(a).toEqual(b)
      expect(a.some((s) => s === 503)).toBe(true)
      expect(a.some((s) => s === 200)).toBe(true)
      yield* emulator.clearFaults
      yield* emulator.setLatency("5 seconds")
      const fiber = yield* Effect.fork(call("GET", "/quota"))
      yield* TestClock.adjust("4 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: KiB })))
  )

  it.effect("upload expiry, share expiry and download URL expiry follow TestClock", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const client = yield* HttpClient.HttpClient
      const open = yield* call("POST", "/uploads/initiate", { space_id: spaceId, name: "x", size: 3 })
      const session = yield* Schema.decodeUnknown(Session)(open.body)
      const { done } = yield* upload(spaceId, bytesOf(3))
      const fileId = String(obj(done.body).id)
      yield* TestClock.adjust("1 second")
      const dl = yield* call("GET", `/files/${fileId}/download`)
      const share = yield* call("POST", "/shares", { file_id: fileId, expires_in_days: 1 })
      expect((yield* emulator.openUploads).length).toBe(1)
      yield* TestClock.adjust("16 minutes")
      expect((yield* client.get(String(obj(dl.body).url))).status).toBe(403)
      expect((yield* client.get(String(obj(share.body).url))).status).toBe(200)
      yield* TestClock.adjust("24 hours")
      expect((yield* client.get(String(obj(share.body).url))).status).toBe(404)
      expect((yield* putPart(session.parts[0]?.url ?? "", bytesOf(3))).status).toBe(403)
      expect((yield* emulator.openUploads).length).toBe(0)
      expect((yield* call("GET", `/files/${session.file_id}`)).status).toBe(404)
      const all = yield* call("GET", "/shares?include_inactive=true")
      expect(Array.isArray(all.body) ? all.body.length : -1).toBe(1)
      const active = yield* call("GET", "/shares")
      expect(active.body).toEqual([])
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("quota: bytes and links limits answer 402", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const tenant = yield* emulator.createTenant({ plan: { bytesLimit: 10, linksLimit: 1 } })
      const key = yield* emulator.createKey({ tenantId: tenant })
      const space = obj((yield* call("POST", "/spaces", { name: "q" }, key)).body)
      const over = yield* call("POST", "/uploads/initiate", { space_id: space.id, name: "x", size: 11 }, key)
      expect(over.body).toEqual({ detail: "quota_exceeded", resource: "storage" })
      const ok = yield* call("POST", "/uploads/initiate", { space_id: space.id, name: "x", size: 6 }, key)
      expect(ok.status).toBe(201)
      const quota = yield* call("GET", "/quota", undefined, key)
      expect(quota.body).toEqual({ bytes_used: 6, bytes_limit: 10, links_used: 0, links_limit: 1 })
      yield* call("DELETE", `/uploads/${String(obj(ok.body).upload_id)}`, undefined, key)
      expect(obj((yield* call("GET", "/quota", undefined, key)).body).bytes_used).toBe(0)
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("trash: hidden subtrees, restore to root", () =>
    Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const a = obj((yield* call("POST", "/folders", { name: "a", space_id: spaceId })).body)
      const b = obj((yield* call("POST", "/folders", { name: "b", space_id: spaceId, parent_id: a.id })).body)
      expect((yield* call("PATCH", `/folders/${String(a.id)}`, { parent_id: b.id })).body).toEqual({
        detail: "folder_cycle"
      })
      yield* call("DELETE", `/folders/${String(a.id)}`)
      expect((yield* call("GET", `/folders?space_id=${spaceId}&parent_id=${String(a.id)}`)).status).toBe(404)
      expect((yield* call("DELETE", `/folders/${String(b.id)}`)).status).toBe(404)
      const trash = yield* call("GET", `/folders?space_id=${spaceId}&trash=true`)
      expect(Array.isArray(trash.body) ? trash.body.length : -1).toBe(1)
      yield* call("DELETE", `/folders/${String(a.id)}`)
      // restore a's child after trashing it under a trashed parent is impossible (hidden); restore a
      const restored = yield* call("POST", `/folders/${String(a.id)}/restore`)
      expect(obj(restored.body).deleted_at).toBeNull()
      yield* call("DELETE", `/folders/${String(b.id)}`)
      yield* call("DELETE", `/folders/${String(a.id)}`)
      // b is in trash itself, so reachable; restoring it puts it at the root
      const rb = yield* call("POST", `/folders/${String(b.id)}/restore`)
      expect(obj(rb.body).parent_id).toBeNull()
      const bad = yield* call("PATCH", `/folders/${String(b.id)}`, { colour: "red" })
      expect(bad.status).toBe(422)
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.live(
    "an abort that lands while complete reads the parts wins: complete answers 404, not 200 for a gone File",
    () => {
      const dataDir = mkdtempSync(join(tmpdir(), "fc-race-"))
      return Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const spaceId = yield* setupSpace
        const content = bytesOf(32 * 1024 * KiB)
        const init = yield* call("POST", "/uploads/initiate", {
          space_id: spaceId,
          name: "r.bin",
          size: content.length
        })
        const session = yield* Schema.decodeUnknown(Session)(init.body)
        const parts = []
        for (const p of session.parts) {
          const chunk = content.subarray((p.part_number - 1) * session.part_size, p.part_number * session.part_size)
          const res = yield* putPart(p.url, chunk)
          parts.push({ part_number: p.part_number, etag: res.headers.etag ?? "" })
        }
        // the abort is held back a little, so that it arrives while complete reads 32 MiB from disk
        yield* emulator.setLatency("5 millis", { pathPrefix: `/api/v1/uploads/${session.upload_id}` })
        const [completed, aborted] = yield* Effect.all(
          [
            call("POST", "/uploads/complete", { upload_id: session.upload_id, parts }),
            call("DELETE", `/uploads/${session.upload_id}`)
          ],
          { concurrency: "unbounded" }
        )
        expect(aborted.status).toBe(204)
        expect((yield* call("GET", `/files/${session.file_id}`)).status).toBe(404)
        expect(completed.status).toBe(404)
      }).pipe(
        Effect.provide(FluidCloudTest.layerClient({ forcePartSize: 4 * 1024 * KiB, dataDir })),
        Effect.ensuring(Effect.sync(() => rmSync(dataDir, { recursive: true, force: true })))
      )
    }
  )

  it.effect("string lengths are counted in characters (code points), not UTF-16 units", () =>
    Effect.gen(function* () {
      const ok = yield* call("POST", "/spaces", { name: "😀".repeat(255) })
      expect(ok.status).toBe(201)
      const tooLong = yield* call("POST", "/spaces", { name: "😀".repeat(256) })
      expect(tooLong.status).toBe(422)
      expect(JSON.stringify(tooLong.body)).toContain("string_too_long")
    }).pipe(Effect.provide(FluidCloudTest.layerClient()))
  )

  it.effect("concurrency high-water mark counts part PUTs in flight", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const spaceId = yield* setupSpace
      const init = yield* call("POST", "/uploads/initiate", {
        space_id: spaceId,
        name: "c",
        size: 4 * KiB,
        part_size: KiB
      })
      const session = yield* Schema.decodeUnknown(Session)(init.body)
      yield* emulator.setLatency("10 millis", { pathPrefix: "/storage/" })
      yield* Effect.forEach(session.parts, (p) => putPart(p.url, bytesOf(KiB)), { concurrency: 4 }).pipe(
        Effect.zipLeft(TestClock.adjust("1 second"), { concurrent: true })
      )
      expect(yield* emulator.maxConcurrentPartPuts).toBe(4)
      expect((yield* emulator.openUploads)[0]?.partsStored).toBe(4)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ minPartSize: KiB })))
  )

  it.effect("directory mode stores part bodies on disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "fc-emu-"))
    return Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const content = bytesOf(5 * KiB, 7)
      const { done } = yield* upload(spaceId, content, { part_size: 2 * KiB })
      expect(readdirSync(dir).length).toBe(3)
      yield* TestClock.adjust("1 second")
      const dl = yield* call("GET", `/files/${String(obj(done.body).id)}/download`)
      const client = yield* HttpClient.HttpClient
      const res = yield* client.get(String(obj(dl.body).url))
      expect(new Uint8Array(yield* res.arrayBuffer)).toEqual(content)
    }).pipe(
      Effect.provide(FluidCloudTest.layerClient({ minPartSize: 2 * KiB, dataDir: dir })),
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    )
  })
})

describe("Emulator options", () => {
  it.effect("forcePartSize overrides the client's hint", () =>
    Effect.gen(function* () {
      const spaceId = yield* setupSpace
      const init = yield* call("POST", "/uploads/initiate", { space_id: spaceId, name: "f", size: 2500 })
      const session = yield* Schema.decodeUnknown(Session)(init.body)
      expect(session.part_size).toBe(1000)
      expect(session.parts.length).toBe(3)
    }).pipe(Effect.provide(FluidCloudTest.layerClient({ forcePartSize: 1000 })))
  )
})
