import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Option, type Runtime, Stream } from "effect"
import { resetHeader } from "./model.js"

type WebBody = BodyInit

const asWebBody = (u: unknown): WebBody | undefined => {
  if (u instanceof Uint8Array) return Uint8Array.from(u)
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

const toWebBody = (
  request: HttpClientRequest.HttpClientRequest,
  runtime: Runtime.Runtime<never>
): { readonly body: WebBody | undefined; readonly length: number | undefined } | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return { body: undefined, length: undefined }
    case "Uint8Array":
      return { body: Uint8Array.from(body.body), length: body.body.byteLength }
    case "FormData":
      return { body: body.formData, length: undefined }
    case "Raw":
      if (body.body === undefined || body.body === null) return { body: undefined, length: body.contentLength }
      {
        const web = asWebBody(body.body)
        return web === undefined ? undefined : { body: web, length: body.contentLength }
      }
    case "Stream":
      return { body: Stream.toReadableStreamRuntime(body.stream, runtime), length: body.contentLength }
  }
}

/** @internal */
export const make = (
  httpApp: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
): HttpClient.HttpClient =>
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
      const hasBody = converted.body !== undefined && request.method !== "GET" && request.method !== "HEAD"
      const init: RequestInit & { duplex?: "half" } = { method: request.method, headers }
      if (hasBody && converted.body !== undefined) {
        init.body = converted.body
        init.duplex = "half"
      }
      const webRequest = yield* Effect.try({
        try: () => new Request(url, init),
        catch: (cause) => new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause })
      })
      const serverRequest = HttpServerRequest.fromWeb(webRequest)
      const response = yield* Effect.provideService(httpApp, HttpServerRequest.HttpServerRequest, serverRequest)
      if (Option.isSome(Headers.get(response.headers, resetHeader))) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          description: "connection reset by peer (injected by the emulator)"
        })
      }
      const web = HttpServerResponse.toWeb(response, { withoutBody: request.method === "HEAD", runtime })
      return HttpClientResponse.fromWeb(request, web)
    })
  )
