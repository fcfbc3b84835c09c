/**
 * The storage origin, reached by presigned URLs only (never with the API key): part PUTs (the
 * signature, the open upload, the exact `Content-Length`; `ETag` = quoted MD5; a re-PUT replaces
 * the part) and downloads (whole or by byte range, `ETag` = quoted sha256, `If-Range`), with their
 * injected faults. Bodies stream both ways; nothing is buffered whole.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Option, Stream } from "effect"
import type { StorageGetFault } from "../Emulator.js"
import * as Body from "./body.js"
import * as Faults from "./faults.js"
import * as Ranges from "./ranges.js"
import * as Files from "./resources/files.js"
import * as Uploads from "./resources/uploads.js"
import * as Signing from "./signing.js"
import type { FileRec, State } from "./state.js"
import { ConnectionReset } from "./transport.js"
import { type OpenHandler, param } from "./wire.js"

/**
 * An error of the storage origin. Its body is not part of the contract: the status tells, and the
 * reason goes in a header for people reading logs.
 *
 * @internal
 */
export const storageError = (status: number, reason: string) =>
  HttpServerResponse.empty({ status, headers: Headers.fromInput({ "x-fluidcloud-error": reason }) })

const drain = (request: HttpServerRequest.HttpServerRequest) => Stream.runDrain(request.stream).pipe(Effect.ignore)

/** A header value Node's HTTP server sends as it is: visible ASCII, spaces and tabs. */
const isHeaderValue = (value: string): boolean => /^[\t\x20-\x7e]*$/.test(value)

/**
 * The `Content-Type` a stored file is served with: its own, or `application/octet-stream` when
 * that cannot go in a header (a `content_type` given at initiate may hold any character).
 * @internal
 */
export const servedContentType = (mime: string): string =>
  mime !== "" && isHeaderValue(mime) ? mime : "application/octet-stream"

/**
 * `attachment` naming the file: `filename="..."` when the name is printable ASCII; otherwise an
 * ASCII stand-in (`_` for each other character) and the name itself as `filename*=UTF-8''...`
 * (RFC 6266), as a header cannot carry it raw.
 * @internal
 */
export const attachment = (name: string): string => {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_")
  return ascii === name
    ? `attachment; filename="${name}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

/** The bytes `start` to `end` (exclusive) of a completed file, read across its part blobs. @internal */
export const fileBytes = (state: State, file: FileRec, start: number, end: number): Stream.Stream<Uint8Array> => {
  const pieces: Array<{ readonly key: string; readonly from: number; readonly to: number }> = []
  let offset = 0
  for (const blob of file.blobs) {
    const from = Math.max(start, offset)
    const to = Math.min(end, offset + blob.size)
    if (from < to) pieces.push({ key: blob.key, from: from - offset, to: to - offset })
    offset += blob.size
  }
  return Stream.fromIterable(pieces).pipe(Stream.flatMap((p) => state.blobs.read(p.key, p.from, p.to)))
}

/** Flip the byte at file offset `at` of a body that starts at file offset `start` (in a copy of its chunk). */
const corrupt = <E>(body: Stream.Stream<Uint8Array, E>, start: number, at: number) =>
  Stream.mapAccum(body, start, (offset, chunk) => {
    if (at < offset || at >= offset + chunk.byteLength) return [offset + chunk.byteLength, chunk] as const
    const copy = new Uint8Array(chunk)
    copy[at - offset] = (copy[at - offset] ?? 0) ^ 0xff
    return [offset + chunk.byteLength, copy] as const
  })

/** Send the first `n` bytes of a body, then reset the connection (without reading further). */
const cut = <E>(body: Stream.Stream<Uint8Array, E>, n: number) =>
  body.pipe(
    Stream.mapAccum(0, (sent, chunk) => {
      const keep = Math.max(0, Math.min(chunk.byteLength, n - sent))
      return [sent + keep, { bytes: keep === chunk.byteLength ? chunk : chunk.subarray(0, keep), sent: sent + keep }]
    }),
    Stream.takeUntil(({ sent }) => sent >= n),
    Stream.filterMap(({ bytes }) => (bytes.byteLength > 0 ? Option.some(bytes) : Option.none())),
    Stream.concat(Stream.fail(new ConnectionReset()))
  )

/** The faults of a download applied to its body (`resetAfterBytes` only when the body is longer). */
const withFault = (
  body: Stream.Stream<Uint8Array>,
  fault: StorageGetFault | undefined,
  start: number,
  length: number,
  outcome: { reset: boolean }
): Stream.Stream<Uint8Array, ConnectionReset> => {
  const corrupted = fault?.corruptByteAt === undefined ? body : corrupt(body, start, fault.corruptByteAt)
  if (fault?.resetAfterBytes === undefined || fault.resetAfterBytes >= length) return corrupted
  outcome.reset = true
  return cut(corrupted, fault.resetAfterBytes)
}

/** @internal */
export const handlers = (state: State) => {
  /** PUT a part: its bytes stream into a blob; the reply carries its MD5 as `ETag`. */
  const putUploadPart: OpenHandler = (ctx) =>
    Effect.gen(function* () {
      const { request } = ctx
      const uploadId = param(ctx, "upload_id")
      const rawNumber = param(ctx, "part_number")
      const n = /^\d+$/.test(rawNumber) ? Number(rawNumber) : -1
      if (!Signing.verify(state.config, ctx.url, ctx.now)) {
        yield* drain(request)
        return storageError(403, "signature_invalid")
      }
      const upload = state.uploads.get(uploadId)
      if (upload === undefined || upload.state !== "open" || n < 1 || n > upload.partCount) {
        yield* drain(request)
        return storageError(404, "not_found")
      }
      const attempt = (upload.attempts.get(n) ?? 0) + 1
      upload.attempts.set(n, attempt)
      const lengthHeader = Headers.get(request.headers, "content-length")
      const expected = Uploads.partSizeOf(upload, n)
      if (Option.isNone(lengthHeader) || !/^\d+$/.test(lengthHeader.value) || Number(lengthHeader.value) !== expected) {
        yield* drain(request)
        return storageError(400, "bad_content_length")
      }
      const failure = Faults.partFault(state, uploadId, n, attempt)
      if (failure?.reset === true) {
        ctx.outcome.reset = true
        return yield* new ConnectionReset()
      }
      state.inFlightPuts += 1
      state.maxInFlightPuts = Math.max(state.maxInFlightPuts, state.inFlightPuts)
      return yield* Effect.gen(function* () {
        yield* Faults.latency(state, ctx.url.pathname)
        if (failure !== undefined) {
          yield* drain(request)
          return storageError(failure.status, "internal_error")
        }
        state.blobCounter += 1
        const key = `part-${uploadId}-${n}-${state.blobCounter}`
        const stored = yield* state.blobs.write(key, Body.of(request)).pipe(Effect.either)
        if (stored._tag === "Left") return storageError(400, "body_read_failed")
        if (stored.right.size !== expected) {
          yield* state.blobs.remove(key)
          return storageError(400, "bad_content_length")
        }
        if (Uploads.stateOf(upload) !== "open") {
          yield* state.blobs.remove(key)
          return storageError(404, "not_found")
        }
        const previous = upload.parts.get(n)
        upload.parts.set(n, stored.right)
        if (previous !== undefined) yield* state.blobs.remove(previous.key)
        return HttpServerResponse.empty({ status: 200, headers: Headers.fromInput({ etag: `"${stored.right.md5}"` }) })
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            state.inFlightPuts -= 1
          })
        )
      )
    })

  /** GET a completed file (or HEAD it), whole or one byte range. */
  const getStorageObject: OpenHandler = (ctx) =>
    Effect.gen(function* () {
      if (!Signing.verify(state.config, ctx.url, ctx.now)) return storageError(403, "signature_invalid")
      const fileId = param(ctx, "file_id")
      // a HEAD answers the headers of the GET and sends no body: it does not use up a download fault
      const fault = ctx.request.method === "HEAD" ? undefined : Faults.storageGetFault(state, fileId)
      if (fault?.status !== undefined) return storageError(fault.status, "injected_fault")
      const file = state.files.get(fileId)
      if (file === undefined || !file.completed || file.sha256 === null || !Files.contentReachable(state, file)) {
        return storageError(404, "not_found")
      }
      const etag = `"${file.sha256}"`
      const header = (name: string) => Option.getOrUndefined(Headers.get(ctx.request.headers, name))
      const selection = Ranges.select(header("range"), header("if-range"), etag, file.size)
      if (selection._tag === "Unsatisfiable") {
        return HttpServerResponse.empty({
          status: 416,
          headers: Headers.fromInput({ "content-range": Ranges.unsatisfiedRange(file.size), "accept-ranges": "bytes" })
        })
      }
      const [start, end] = selection._tag === "Partial" ? [selection.start, selection.end] : [0, file.size]
      const body = withFault(fileBytes(state, file, start, end), fault, start, end - start, ctx.outcome)
      return HttpServerResponse.stream(body, {
        status: selection._tag === "Partial" ? 206 : 200,
        contentType: servedContentType(file.mime),
        headers: Headers.fromInput({
          "accept-ranges": "bytes",
          etag,
          "content-length": String(end - start),
          ...(selection._tag === "Partial" ? { "content-range": Ranges.contentRange(start, end, file.size) } : {})
        })
      })
    })

  return { putUploadPart, getStorageObject }
}
