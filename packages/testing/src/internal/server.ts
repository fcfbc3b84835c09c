/**
 * The emulator's handler as `@effect/platform-node`'s server serves it: the connection-reset
 * signal (`transport.ts`) destroys the socket.
 *
 * @internal
 */

import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { Effect, Stream } from "effect"
import type * as Emulator from "../Emulator.js"
import { isConnectionReset } from "./transport.js"

/** Drop the connection at once: nothing more is sent, not even what is buffered. */
const destroySocket = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
  })

/** Drop the connection once the bytes already written are sent, so the client gets exactly those. */
const closeAfterFlush = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.async<void>((resume) => {
    const socket = NodeHttpServerRequest.toIncomingMessage(request).socket
    if (socket.destroyed) return resume(Effect.void)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      socket.destroy()
      resume(Effect.void)
    }
    socket.once("close", finish)
    socket.end(finish)
  })

/**
 * A reset before the response destroys the socket (no status line is written). A body stream
 * that fails (a reset after some bytes, or anything else) closes it once the bytes written so far
 * are sent, before the server would end the response normally: short of its `Content-Length`,
 * that would leave the client waiting instead of seeing the connection drop.
 *
 * @internal
 */
export const forNodeServer = (httpApp: HttpApp.Default<Emulator.ConnectionReset>): HttpApp.Default =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    return yield* httpApp.pipe(
      Effect.map((response) => {
        const body = response.body
        if (body._tag !== "Stream") return response
        const stream = body.stream.pipe(
          Stream.tapErrorCause(() => closeAfterFlush(request)),
          Stream.catchAll((e) => (isConnectionReset(e) ? Stream.empty : Stream.fail(e)))
        )
        return HttpServerResponse.setBody(response, HttpBody.stream(stream, body.contentType, body.contentLength))
      }),
      Effect.catchAll(() => Effect.as(destroySocket(request), HttpServerResponse.empty({ status: 500 })))
    )
  })
