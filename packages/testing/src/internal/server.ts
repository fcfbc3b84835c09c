/**
 * The emulator's handler as a Node `http` server serves it (`@effect/platform-node`): the
 * connection-reset signal (`transport.ts`) drops the socket. On another server the signal only
 * ends the response (a 500 before it, a short body after it).
 *
 * @internal
 */

import { IncomingMessage } from "node:http"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Stream } from "effect"
import type * as Emulator from "../Emulator.js"
import { isConnectionReset } from "./transport.js"

/** The socket of a request served by Node's `http` server (none on other servers). */
const socketOf = (request: HttpServerRequest.HttpServerRequest) =>
  request.source instanceof IncomingMessage ? request.source.socket : undefined

/** Drop the connection at once: nothing more is sent, not even what is buffered. */
const destroySocket = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    socketOf(request)?.destroy()
  })

/** Drop the connection once the bytes already written are sent, so the client gets exactly those. */
const closeAfterFlush = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.async<void>((resume) => {
    const socket = socketOf(request)
    if (socket === undefined || socket.destroyed) return resume(Effect.void)
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
