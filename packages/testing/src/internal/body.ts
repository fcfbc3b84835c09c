/**
 * Reading a part's body into the blob store, chunk by chunk, with backpressure: the sink returns a
 * promise when it needs the source to wait (a disk write), and the chunks it gets are the
 * emulator's to keep.
 *
 * Served by Node's `http` server, the body is read from the `IncomingMessage` itself: its chunks
 * are fresh socket buffers, kept as they are, with no stream stage per chunk (a part of 8 MiB is
 * ~130 chunks; the Effect stream stages cost more than hashing them). Elsewhere (the in-process
 * client) the body is the request's stream, whose chunks may be the sender's own buffers: each is
 * copied.
 *
 * @internal
 */
import { IncomingMessage } from "node:http"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Chunk, Effect, Stream } from "effect"

/** Takes one chunk; a returned promise holds the source until it settles. @internal */
export type Sink = (bytes: Uint8Array) => Promise<void> | undefined

/** A body that could not be read to its end (the connection dropped, the sink failed). @internal */
export class BodyReadError {
  readonly _tag = "BodyReadError"
  constructor(readonly cause: unknown) {}
}

/** A body, read into a sink. @internal */
export type Body = (sink: Sink) => Effect.Effect<void, BodyReadError>

const fromIncoming =
  (message: IncomingMessage): Body =>
  (sink) =>
    Effect.async<void, BodyReadError>((resume) => {
      let settled = false
      const finish = (error: unknown) => {
        if (settled) return
        settled = true
        cleanup()
        resume(error === undefined ? Effect.void : Effect.fail(new BodyReadError(error)))
      }
      const onData = (chunk: Buffer) => {
        let waiting: Promise<void> | undefined
        try {
          waiting = sink(chunk)
        } catch (error) {
          return finish(error)
        }
        if (waiting !== undefined) {
          message.pause()
          waiting.then(
            () => {
              if (!settled) message.resume()
            },
            (error: unknown) => finish(error)
          )
        }
      }
      const onEnd = () => finish(undefined)
      const onError = (error: unknown) => finish(error)
      const onClose = () => finish(new Error("the connection closed before the body ended"))
      const cleanup = () => {
        message.off("data", onData)
        message.off("end", onEnd)
        message.off("error", onError)
        message.off("close", onClose)
      }
      message.on("data", onData)
      message.once("end", onEnd)
      message.once("error", onError)
      message.once("close", onClose)
      return Effect.sync(cleanup)
    })

const fromStream =
  (stream: Stream.Stream<Uint8Array, unknown>): Body =>
  (sink) =>
    Stream.runForEachChunk(stream, (chunk) =>
      Effect.suspend(() => {
        const waits: Array<Promise<void>> = []
        for (const bytes of Chunk.toReadonlyArray(chunk)) {
          // a copy (for a Buffer, `slice` would be a view): the sender may reuse its buffer once the request is done
          const waiting = sink(new Uint8Array(bytes))
          if (waiting !== undefined) waits.push(waiting)
        }
        return waits.length === 0
          ? Effect.void
          : Effect.tryPromise({ try: () => Promise.all(waits), catch: (cause) => new BodyReadError(cause) })
      })
    ).pipe(Effect.mapError((cause) => (cause instanceof BodyReadError ? cause : new BodyReadError(cause))))

/** The body of a request the emulator is serving. @internal */
export const of = (request: HttpServerRequest.HttpServerRequest): Body =>
  request.source instanceof IncomingMessage ? fromIncoming(request.source) : fromStream(request.stream)
