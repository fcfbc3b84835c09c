/**
 * The one place response bodies are read, never past a cap: a success body (at most
 * `maxResponseBytes`) decoded against its operation's schema, an error body for the API's mapper
 * and a storage response (at most `SMALL_BODY_LIMIT`). A body of unknown length, or declared over
 * the cap, is read as a stream with a running count: past the cap the read stops and the stream
 * is interrupted, which aborts the request, so the connection is dropped, never read to its end,
 * and the body is never held whole in memory. A body whose `Content-Length` is within the cap is
 * read at once (HTTP's framing ends it there). Every read runs under the attempt's timeout, so a
 * slow drip is cut too.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Cause, Chunk, Effect, Either, Option, ParseResult, Stream } from "effect"
import * as Errors from "../../Errors.js"
import { fromTransport, requestIdOf, sanitizeCause } from "./errors.js"
import type { ServerText } from "./serverText.js"
import { displayUrl } from "./url.js"

/** The default cap of an API success body: 16 MiB. @internal */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

/** The cap of an API error body and of a storage response: 64 KiB. @internal */
export const SMALL_BODY_LIMIT = 64 * 1024

/** A body past its cap: the read stopped there and the connection was dropped. @internal */
export class TooLarge {
  readonly _tag = "TooLarge"
  constructor(readonly limit: number) {}
}

const declaredLength = (headers: Headers.Headers): number | undefined =>
  Option.match(Headers.get(headers, "content-length"), {
    onNone: () => undefined,
    onSome: (value) => (/^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : undefined)
  })

/** Whether the body has a `Content-Encoding` other than `identity` (which a client may decode). */
const encoded = (headers: Headers.Headers): boolean => {
  const encoding = headers["content-encoding"]?.trim().toLowerCase()
  return encoding !== undefined && encoding !== "" && encoding !== "identity"
}

const empty = new Uint8Array(0)

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0]
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * The body's bytes, at most `limit`. A `Content-Length` over the limit fails at the first chunk;
 * any body growing past it fails as soon as it does. Either way the stream is ended early, which
 * aborts the request and drops the connection.
 * @internal
 */
export const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<Uint8Array, TooLarge | HttpClientError.ResponseError> =>
  Effect.suspend(() => {
    const headers = response.headers
    const declared = declaredLength(headers)
    // nothing to read: a declared empty body, or a status that has none
    if (declared === 0 || response.status === 204 || response.status === 304) return Effect.succeed(empty)
    // A declared length within the cap: HTTP's framing stops the body there (a server cannot
    // send more in this response), so it is read at once, which costs far less than a stream;
    // a client that hands over more than it declared is still refused. Not for an encoded body:
    // `fetch` decompresses it and keeps the compressed length, which then bounds nothing (a small
    // gzip can hold gigabytes), so it is counted as it streams, as a body of unknown length is.
    if (declared !== undefined && declared <= limit && !encoded(headers)) {
      return Effect.flatMap(response.arrayBuffer, (buffer) =>
        buffer.byteLength > limit ? Effect.fail(new TooLarge(limit)) : Effect.succeed(new Uint8Array(buffer))
      )
    }
    const budget = declared !== undefined && declared > limit ? 0 : limit
    const chunks: Array<Uint8Array> = []
    let total = 0
    return response.stream.pipe(
      Stream.runForEachChunk((chunk) => {
        for (const bytes of Chunk.toReadonlyArray(chunk)) {
          total += bytes.byteLength
          if (total > budget) return Effect.fail(new TooLarge(limit))
          if (bytes.byteLength > 0) chunks.push(bytes)
        }
        return Effect.void
      }),
      // `fetch` gives a 204 a null body, which the platform's stream refuses: it is empty
      Effect.catchIf(
        (error) => !(error instanceof TooLarge) && error.reason === "EmptyBody",
        () => Effect.void
      ),
      Effect.flatMap(() => (budget < limit ? Effect.fail(new TooLarge(limit)) : Effect.succeed(concat(chunks, total))))
    )
  })

const decoder = new TextDecoder()

/** The body of an error response, or `""` if it cannot be read or is over `SMALL_BODY_LIMIT`: the status alone decides the error. @internal */
export const errorText = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  readBounded(response, SMALL_BODY_LIMIT).pipe(
    Effect.map((bytes) => decoder.decode(bytes)),
    Effect.orElseSucceed(() => "")
  )

/** Reads and drops a body (at most `SMALL_BODY_LIMIT`, else the connection is dropped). @internal */
export const drain = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(readBounded(response, SMALL_BODY_LIMIT))

/**
 * A `DecodeError` for `request`, its description and cause made safe: the description passes
 * through `ServerText` (a schema failure quotes the server's values), and the cause keeps only the
 * error's name, never the values it holds.
 * @internal
 */
export const decodeError = (
  text: ServerText,
  request: HttpClientRequest.HttpClientRequest,
  headers: Headers.Headers,
  description: string,
  cause?: unknown
): Errors.DecodeError => {
  const requestId = requestIdOf(headers, text)
  const safeCause = sanitizeCause(cause, text)
  return new Errors.DecodeError({
    method: request.method,
    url: displayUrl(request.url),
    description: text.detail(description),
    ...(safeCause === undefined ? {} : { cause: safeCause }),
    ...(requestId === undefined ? {} : { requestId })
  })
}

/** The `DecodeError` of a body past its cap. */
const tooLargeError = (
  text: ServerText,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  tooLarge: TooLarge,
  what: string
) =>
  decodeError(
    text,
    request,
    response.headers,
    `response_too_large: the ${what} is over ${tooLarge.limit} bytes; it was not read and the connection was dropped`
  )

/**
 * Reads a storage response's body (at most `SMALL_BODY_LIMIT`): past it, a `DecodeError` and the
 * connection dropped; a body that fails to arrive is ignored (the status and headers decided).
 * @internal
 */
export const drainStorage = (
  text: ServerText,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<void, Errors.DecodeError> =>
  readBounded(response, SMALL_BODY_LIMIT).pipe(
    Effect.asVoid,
    Effect.catchAll((error) =>
      error instanceof TooLarge
        ? Effect.fail(tooLargeError(text, request, response, error, "storage response"))
        : Effect.void
    )
  )

/**
 * Decodes a success body (JSON, at most `limit` bytes; an empty body is `undefined`, for 204s)
 * with `decode`, compiled once per operation. Past `limit`: a `DecodeError`, the connection
 * dropped.
 * @internal
 */
export const decode = <A>(
  text: ServerText,
  limit: number,
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  decodeBody: (body: unknown) => Either.Either<A, ParseResult.ParseIssue>
): Effect.Effect<A, Errors.DecodeError | Errors.TransportError> =>
  readBounded(response, limit).pipe(
    Effect.mapError((error): Errors.DecodeError | Errors.TransportError =>
      error instanceof TooLarge
        ? tooLargeError(text, request, response, error, "response body (maxResponseBytes)")
        : fromTransport(request, error, text, "the connection failed while reading the response body")
    ),
    Effect.flatMap((bytes) => {
      let json: unknown
      if (bytes.byteLength > 0) {
        try {
          json = JSON.parse(decoder.decode(bytes))
        } catch (cause) {
          return Effect.fail(decodeError(text, request, response.headers, "the body is not JSON", cause))
        }
      }
      return Either.match(decodeBody(json), {
        onLeft: (issue) => {
          const error = new ParseResult.ParseError({ issue })
          return Effect.fail(decodeError(text, request, response.headers, error.message, error))
        },
        onRight: Effect.succeed
      })
    })
  )

/**
 * The cap of `Options.maxResponseBytes` (default 16 MiB): a positive integer, else a defect at
 * layer construction saying what to write (the type cannot refuse 0 or 1.5).
 * @internal
 */
export const maxResponseBytesFromOptions = (input: number | undefined): Effect.Effect<number> =>
  input === undefined
    ? Effect.succeed(DEFAULT_MAX_RESPONSE_BYTES)
    : Number.isSafeInteger(input) && input > 0
      ? Effect.succeed(input)
      : Effect.die(
          new Cause.IllegalArgumentException(
            `FluidCloud: maxResponseBytes: ${input} is not a positive integer number of bytes (default ${DEFAULT_MAX_RESPONSE_BYTES}, 16 MiB)`
          )
        )
