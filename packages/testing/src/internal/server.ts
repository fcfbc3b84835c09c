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

const destroySocket = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
  })

/**
 * A reset before the response destroys the socket (no status line is written). A body stream
 * that fails (a reset after some bytes, or anything else) destroys it too, before the server
 * would end the response normally: short of its `Content-Length`, that would leave the client
 * waiting instead of seeing the connection drop.
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
          Stream.tapErrorCause(() => destroySocket(request)),
          Stream.catchAll((e) => (isConnectionReset(e) ? Stream.empty : Stream.fail(e)))
        )
        return HttpServerResponse.setBody(response, HttpBody.stream(stream, body.contentType, body.contentLength))
      }),
      Effect.catchAll(() => Effect.as(destroySocket(request), HttpServerResponse.empty({ status: 500 })))
    )
  })
