/**
 * The storage GET of a download: one attempt at a presigned URL, from a byte (`Range`) and only
 * while the file is the version it names (`If-Range`) when asked. Like a part PUT it goes through
 * the transport's one `send` (never the key, no redirect followed, the storage origin's mapper);
 * the timeout bounds the wait for the response headers. The body is not read here: it is handed
 * back as a stream that fails when no chunk arrives within the same timeout (a stall), never
 * because the whole body takes longer. Retrying and resuming is the download engine's
 * (`internal/download.ts`), under the one retry policy (`retry.ts`).
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Duration, Effect, Stream } from "effect"
import * as Errors from "../../Errors.js"
import * as Mapper from "./errors.js"
import * as Retry from "./retry.js"
import type { ServerText } from "./serverText.js"
import { displayUrl } from "./url.js"

/** A storage GET's answer: 200 (the whole file) or 206 (a range), its headers, its body. @internal */
export interface StorageObject {
  readonly status: 200 | 206
  readonly headers: Headers.Headers
  /** The body as it arrives; a dropped connection or a stall is a `TransportError`. */
  readonly body: Stream.Stream<Uint8Array, Errors.TransportError>
}

/** The conditional headers of a storage GET. @internal */
export interface ObjectRequest {
  /** `bytes=first-` or `bytes=first-last`. */
  readonly range?: string | undefined
  /** The `ETag` the range must come from; another version answers 200, the whole file. */
  readonly ifRange?: string | undefined
}

/** The transport's one attempt (`Transport.make`'s `send`), as the storage GET uses it. @internal */
export type Send = <A, E>(
  request: HttpClientRequest.HttpClientRequest,
  onSuccess: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, Retry.Failed<E>>,
  onError: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<never, Retry.Failed<E>>
) => Effect.Effect<A, Retry.Failed<E | Errors.ApiError | Errors.TransportError>>

/** What the storage GET needs from the transport. @internal */
export interface Dependencies {
  readonly send: Send
  readonly timeout: Duration.Duration
  readonly retryAfterOf: (
    response: HttpClientResponse.HttpClientResponse
  ) => Effect.Effect<Duration.Duration | undefined>
  /** Cleans what the storage says (request ids) before it reaches an error. */
  readonly serverText: ServerText
}

/**
 * Gives up on a body without reading it: one chunk at most is pulled, then the request is aborted
 * (a wrong answer may be a whole file; it is never read, let alone buffered).
 * @internal
 */
export const abandon = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(Stream.runHead(response.stream))

/**
 * Builds the storage GET: one attempt, failing with the attempt's `Retry.Failed` (which carries a
 * `Retry-After`) for the engine's retry policy.
 * @internal
 */
export const makeGetObject =
  ({ retryAfterOf, send, serverText, timeout }: Dependencies) =>
  (url: string, conditions: ObjectRequest = {}): Effect.Effect<StorageObject, Retry.Failed<Mapper.StorageError>> => {
    let request = HttpClientRequest.get(url)
    if (conditions.range !== undefined) request = HttpClientRequest.setHeader(request, "range", conditions.range)
    if (conditions.ifRange !== undefined) request = HttpClientRequest.setHeader(request, "if-range", conditions.ifRange)
    const stalled = () =>
      new Errors.TransportError({
        reason: "Timeout",
        method: "GET",
        url: displayUrl(url),
        description: `no body bytes within ${Duration.format(timeout)}`
      })
    const onSuccess = (
      response: HttpClientResponse.HttpClientResponse
    ): Effect.Effect<StorageObject, Retry.Failed<Mapper.StorageError>> => {
      const status = response.status
      if (status !== 200 && status !== 206) {
        return Effect.zipRight(
          abandon(response),
          Effect.fail(
            new Retry.Failed(
              new Errors.DecodeError({
                method: "GET",
                url: displayUrl(url),
                description: `the storage answered ${status}, not 200 or 206`
              })
            )
          )
        )
      }
      const body = response.stream.pipe(
        Stream.mapError((error) =>
          Mapper.fromTransport(request, error, serverText, "the connection failed while reading the body")
        ),
        Stream.timeoutFail(stalled, timeout)
      )
      return Effect.succeed({ status, headers: response.headers, body })
    }
    const onError = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.flatMap(Effect.zipLeft(retryAfterOf(response), abandon(response)), (after) =>
        Effect.fail(new Retry.Failed(Mapper.fromStorage(response.status, response.headers, after, serverText), after))
      )
    return send<StorageObject, Mapper.StorageError>(request, onSuccess, onError)
  }
