/**
 * The in-process `HttpClient`: each request becomes a web `Request` handed to the emulator's
 * handler, and its response a web `Response`, with no socket in between. Request bodies are
 * passed through without copying (the emulator copies what it keeps: `body.ts`); streamed response bodies
 * are copied chunk by chunk, so the caller owns what it gets, as from a socket. A connection-reset fault
 * before the response fails the call with a `RequestError` of reason "Transport"; a reset after
 * some body bytes fails the body stream, as a dropped connection does.
 *
 * @internal
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Cause, Chunk, Effect, Exit, Option, Runtime, Scope, Stream } from "effect"
import type * as Emulator from "../Emulator.js"

/**
 * A response body as a web stream that pulls from the Effect stream only when the reader asks for
 * more, so a failure (a reset mid-body) reaches the reader after every byte sent before it, as on
 * a socket. (`Stream.toReadableStream` runs ahead and errors the web stream while chunks are still
 * queued, which drops them.)
 */
const pullOnDemand = <E>(
  stream: Stream.Stream<Uint8Array, E>,
  runtime: Runtime.Runtime<never>
): ReadableStream<Uint8Array> => {
  const scope = Effect.runSync(Scope.make())
  const pull = Runtime.runSync(runtime)(Scope.extend(Stream.toPull(stream), scope))
  const close = () => Runtime.runPromise(runtime)(Scope.close(scope, Exit.void))
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      for (;;) {
        const exit = await Runtime.runPromiseExit(runtime)(pull)
        if (Exit.isSuccess(exit)) {
          if (Chunk.isEmpty(exit.value)) continue
          // copies, as a socket hands out fresh buffers: the caller may change them, the emulator's stay intact
          for (const bytes of exit.value) controller.enqueue(new Uint8Array(bytes))
          return
        }
        await close()
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure) && Option.isNone(failure.value)) controller.close()
        else controller.error(Option.isSome(failure) ? Option.getOrUndefined(failure.value) : Cause.squash(exit.cause))
        return
      }
    },
    cancel: close
  })
}

/** A web stream of one chunk: what `new Request` would otherwise copy whole. */
const singleChunk = (bytes: Uint8Array): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start: (controller) => {
      if (bytes.byteLength > 0) controller.enqueue(bytes)
      controller.close()
    }
  })

const asWebBody = (u: unknown): BodyInit | undefined => {
  if (u instanceof Uint8Array) return singleChunk(u)
  if (
    typeof u === "string" ||
    u instanceof ReadableStream ||
    u instanceof Blob ||
    u instanceof ArrayBuffer ||
    u instanceof FormData ||
    u instanceof URLSearchParams
  ) {
    return u
  }
  return undefined
}

const utf8 = new TextEncoder()

/** The byte length of a raw body whose length is known without reading it: bytes, text. */
const knownLength = (u: unknown): number | undefined =>
  u instanceof Uint8Array
    ? u.byteLength
    : u instanceof ArrayBuffer
      ? u.byteLength
      : typeof u === "string"
        ? utf8.encode(u).byteLength
        : undefined

const toWebBody = (
  request: HttpClientRequest.HttpClientRequest,
  runtime: Runtime.Runtime<never>
): { readonly body: BodyInit | undefined; readonly length: number | undefined } | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return { body: undefined, length: undefined }
    case "Uint8Array":
      return { body: singleChunk(body.body), length: body.body.byteLength }
    case "FormData":
      return { body: body.formData, length: undefined }
    case "Raw": {
      if (body.body === undefined || body.body === null) return { body: undefined, length: body.contentLength }
      const web = asWebBody(body.body)
      // bytes and text have a length an HTTP client declares itself (undici, fetch): so does this one
      return web === undefined ? undefined : { body: web, length: body.contentLength ?? knownLength(body.body) }
    }
    case "Stream":
      return { body: Stream.toReadableStreamRuntime(body.stream, runtime), length: body.contentLength }
  }
}

/** @internal */
export const make = (httpApp: HttpApp.Default<Emulator.ConnectionReset>): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const runtime = yield* Effect.runtime<never>()
      const converted = toWebBody(request, runtime)
      if (converted === undefined) {
        return yield* new HttpClientError.RequestError({ request, reason: "Encode", description: "unsupported body" })
      }
      const headers = new globalThis.Headers(request.headers)
      if (converted.length !== undefined && !headers.has("content-length")) {
        headers.set("content-length", String(converted.length))
      }
      if (
        request.body._tag !== "Empty" &&
        request.body.contentType !== undefined &&
        request.body.contentType !== "" &&
        !headers.has("content-type")
      ) {
        headers.set("content-type", request.body.contentType)
      }
      const init: RequestInit & { duplex?: "half" } = { method: request.method, headers }
      if (converted.body !== undefined && request.method !== "GET" && request.method !== "HEAD") {
        init.body = converted.body
        init.duplex = "half"
      }
      const webRequest = yield* Effect.try({
        try: () => new Request(url, init),
        catch: (cause) => new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause })
      })
      const response = yield* Effect.provideService(
        httpApp,
        HttpServerRequest.HttpServerRequest,
        HttpServerRequest.fromWeb(webRequest)
      ).pipe(
        Effect.catchTag("ConnectionReset", () =>
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              description: "connection reset by peer (injected by the emulator)"
            })
          )
        )
      )
      const body = response.body
      const web =
        body._tag === "Stream" && request.method !== "HEAD"
          ? new Response(pullOnDemand(body.stream, runtime), {
              status: response.status,
              headers: new globalThis.Headers(response.headers)
            })
          : HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD", runtime })
      return HttpClientResponse.fromWeb(request, web)
    })
  )
