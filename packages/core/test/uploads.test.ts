/**
 * `uploads.abort` against the in-process emulator: an upload left open (initiated by another
 * process, say) is aborted and its stored parts freed; aborting again, or an unknown upload, is
 * not an error; a bad id is a `ValidationError` before any request.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Emulator, FluidCloudTest } from "../../testing/src/index.js"
import { Domain, Errors, FluidCloud } from "../src/index.js"

/** Initiates an upload and PUTs its first part, as an interrupted process would have left it. */
const leftOpen = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const emulator = yield* Emulator.Emulator
  const client = yield* HttpClient.HttpClient
  const space = yield* fc.spaces.create("left open")
  const response = yield* client.execute(
    HttpClientRequest.post(`${emulator.baseUrl}/api/v1/uploads/initiate`).pipe(
      HttpClientRequest.setHeader("x-api-key", emulator.apiKey),
      HttpClientRequest.bodyUnsafeJson({ space_id: space.id, name: "big.bin", size: 2048, part_size: 1024 })
    )
  )
  const session = yield* Schema.decodeUnknown(Domain.UploadSession)(yield* response.json)
  const part = session.parts[0]
  if (part === undefined) return yield* Effect.dieMessage("no part")
  yield* client.execute(
    HttpClientRequest.put(part.url).pipe(
      HttpClientRequest.setHeaders(part.headers),
      HttpClientRequest.bodyUint8Array(new Uint8Array(1024))
    )
  )
  return session.uploadId
})

describe("uploads.abort", () => {
  it.effect("aborts an open upload and frees its parts; again, or an unknown upload, is fine", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const uploadId = yield* leftOpen
      expect((yield* emulator.openUploads).map((upload) => upload.uploadId)).toEqual([uploadId])
      expect((yield* emulator.storedParts).count).toBe(1)

      yield* fc.uploads.abort(uploadId)

      expect(yield* emulator.openUploads).toEqual([])
      expect((yield* emulator.storedParts).count).toBe(0)
      yield* fc.uploads.abort(uploadId)
      yield* fc.uploads.abort(Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"))
      const log = yield* emulator.requestLog
      expect(log.filter((entry) => entry.operationId === "abortUpload").map((entry) => entry.status)).toEqual([
        204, 204, 204
      ])
    }).pipe(Effect.provide(FluidCloudTest.layer({ minPartSize: 1024 })))
  )

  it.effect("a bad id: ValidationError, nothing sent", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const emulator = yield* Emulator.Emulator
      const error = yield* Effect.flip(
        fc.uploads.abort(Domain.UploadId.make("not-a-uuid", { disableValidation: true }))
      )
      expect(error).toBeInstanceOf(Errors.ValidationError)
      expect(yield* emulator.requestLog).toEqual([])
    }).pipe(Effect.provide(FluidCloudTest.layer()))
  )
})
