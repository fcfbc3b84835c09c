/**
 * The transport: every outbound request of the SDK goes through here, and only here are the API
 * prefix, the key, the timeout, retries and status → error mapping known. Built once per layer.
 *
 * - `execute(operation, input)`: checks and encodes the input (a `ValidationError`, nothing sent),
 *   builds the request (one URL builder), sends it with a timeout per attempt, retries it (one
 *   policy), maps an error status with the API's mapper, decodes the success and records the
 *   response metadata.
 * - `putPart(part, bytes, retry)`: a presigned part PUT to the storage origin, without the key,
 *   with the same timeout and retry policy and the storage origin's own mapper.
 * - `getObject(url, conditions)`: one storage GET of a download (`storage.ts`), on the same `send`;
 *   the download engine retries and resumes it with the same policy.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Cause, type Duration, Effect, Either, Redacted, type Schedule, type Stream } from "effect"
import type { OperationId } from "../../Contract.js"
import type * as Domain from "../../Domain.js"
import type * as Errors from "../../Errors.js"
import type { Options } from "../../FluidCloud.js"
import type { ExtraTag, Operation } from "../operations.js"
import * as Timeout from "../timeout.js"
import * as Client from "./client.js"
import * as Deadline from "./deadline.js"
import * as Mapper from "./errors.js"
import * as Metadata from "./metadata.js"
import * as Response from "./response.js"
import * as Retry from "./retry.js"
import * as ServerText from "./serverText.js"
import * as Storage from "./storage.js"
import { apiPrefix } from "./url.js"

/** Per-call options. @internal */
export interface CallOptions {
  /** Replaces the client's retry schedule (e.g. an upload's own `retry`). */
  readonly retry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * Bounds the whole call, every attempt included, even where it runs uninterruptibly (a
   * finalizer): the call itself is made interruptible so the bound can cut it.
   */
  readonly budget?: Duration.Duration | undefined
}

/**
 * A part's body: its bytes, or, for a part too big for one buffer, a stream of exactly `length`
 * bytes, made afresh by `stream` for each attempt.
 * @internal
 */
export type PartBody =
  | Uint8Array
  | { readonly length: number; readonly stream: () => Stream.Stream<Uint8Array, unknown> }

/** @internal */
export interface Transport {
  /** The base URL + `/api/v1`: the only place the key goes. */
  readonly prefix: string
  readonly timeout: Duration.Duration
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** Makes server text safe for errors: control characters out, the key scrubbed, capped. */
  readonly serverText: ServerText.ServerText
  readonly execute: <Id extends OperationId, I, A, E extends ExtraTag, V>(
    operation: Operation<Id, I, A, E, V>,
    input: I,
    options?: CallOptions
  ) => Effect.Effect<A, Mapper.BaseError | Mapper.ExtraError<E> | V>
  /** PUTs one part to its presigned URL; succeeds with the part's `ETag`. */
  readonly putPart: (
    part: Domain.UploadPart,
    body: PartBody,
    retry: Schedule.Schedule<unknown, unknown>
  ) => Effect.Effect<string, Mapper.StorageError>
  /**
   * One storage GET of a download (whole, or from a byte with `Range` + `If-Range`): the timeout
   * bounds the wait for its headers and each stall of its body. Not retried here.
   */
  readonly getObject: (
    url: string,
    conditions?: Storage.ObjectRequest
  ) => Effect.Effect<Storage.StorageObject, Retry.Failed<Mapper.StorageError>>
}

const now = Effect.clockWith((clock) => clock.currentTimeMillis)

/** The `Retry-After` of a 429 or a 503, when it has one. */
const retryAfterOf = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Duration.Duration | undefined> => {
  const header = response.headers["retry-after"]
  return header === undefined || (response.status !== 429 && response.status !== 503)
    ? Effect.succeed(undefined)
    : Effect.map(now, (millis) => Retry.parseRetryAfter(header, millis))
}

const headerOf = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value
  }
  return undefined
}

/** @internal */
export const make = (options: Options): Effect.Effect<Transport, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    if (!Client.isSendableApiKey(Redacted.value(options.apiKey))) {
      return yield* Effect.die(new Cause.IllegalArgumentException(Client.UNSENDABLE_API_KEY))
    }
    const timeout = yield* Timeout.fromOptions(options.timeout)
    const maxResponseBytes = yield* Response.maxResponseBytesFromOptions(options.maxResponseBytes)
    const serverText = ServerText.make(Redacted.value(options.apiKey))
    const prefix = apiPrefix(options.baseUrl)
    const client = yield* Client.make(yield* HttpClient.HttpClient, prefix, options.transformClient, serverText)
    const defaultSchedule = options.retry ?? Retry.defaultRetry
    const apiHeaders = { [Client.API_KEY_HEADER]: Redacted.value(options.apiKey), accept: "application/json" }

    /**
     * One attempt: sends `request` and hands its response to `onSuccess` (2xx) or `onError` (an
     * error status), all within the timeout. A redirect is never followed: it fails here, for
     * every request, API or storage.
     */
    const send = <A, E>(
      request: HttpClientRequest.HttpClientRequest,
      onSuccess: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, Retry.Failed<E>>,
      onError: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<never, Retry.Failed<E>>
    ): Effect.Effect<A, Retry.Failed<E | Errors.ApiError | Errors.TransportError>> =>
      Deadline.timeoutFail(
        client.execute(request).pipe(
          Effect.mapError((error) => new Retry.Failed(Mapper.fromTransport(request, error, serverText))),
          Effect.flatMap((response): Effect.Effect<A, Retry.Failed<E | Errors.ApiError>> => {
            const status = response.status
            if (status >= 200 && status < 300) return onSuccess(response)
            if (Mapper.isRedirect(status)) {
              return Effect.zipRight(
                Response.drain(response),
                Effect.fail(new Retry.Failed(Mapper.fromRedirect(status, response.headers, serverText)))
              )
            }
            return onError(response)
          })
        ),
        timeout,
        () => new Retry.Failed(Mapper.fromTimeout(request, timeout))
      )

    const execute = <Id extends OperationId, I, A, E extends ExtraTag, V>(
      operation: Operation<Id, I, A, E, V>,
      input: I,
      callOptions?: CallOptions
    ): Effect.Effect<A, Mapper.BaseError | Mapper.ExtraError<E> | V> =>
      Effect.suspend(
        (): Effect.Effect<A, Mapper.BaseError | Mapper.ExtraError<E> | V> =>
          Either.match(operation.encode(input), {
            onLeft: (invalid) => Effect.fail(invalid),
            onRight: (wire) => {
              const { method } = operation.route
              let request = HttpClientRequest.make(method)(`${prefix}${operation.path(wire.path)}`, {
                headers: apiHeaders,
                ...(wire.query === undefined ? {} : { urlParams: wire.query })
              })
              if (wire.body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, wire.body)
              // the span gets the response's request id and rate limits whatever the body holds;
              // `withResponseMetadata` only a response whose body decoded
              const onSuccess = (response: HttpClientResponse.HttpClientResponse) => {
                const requestId = Mapper.requestIdOf(response.headers, serverText)
                return Effect.zipRight(
                  Metadata.annotate(response.headers, requestId),
                  Effect.mapError(
                    Response.decode(serverText, maxResponseBytes, request, response, operation.decode),
                    (e) => new Retry.Failed(e)
                  ).pipe(Effect.tap(Metadata.remember(response.status, response.headers, requestId)))
                )
              }
              const onError = (response: HttpClientResponse.HttpClientResponse) =>
                Effect.flatMap(Effect.zip(Response.errorText(response), retryAfterOf(response)), ([text, after]) =>
                  Effect.fail(
                    new Retry.Failed(
                      Mapper.narrow(
                        Mapper.fromApi(response.status, response.headers, text, after, serverText),
                        operation.errors
                      ),
                      after
                    )
                  )
                )
              const call = Retry.retry(
                send<A, Mapper.BaseError | Mapper.ExtraError<E>>(request, onSuccess, onError),
                callOptions?.retry ?? defaultSchedule,
                operation.route.idempotent
              )
              const budget = callOptions?.budget
              return budget === undefined
                ? call
                : call.pipe(
                    Effect.interruptible,
                    Effect.timeoutFail({ duration: budget, onTimeout: () => Mapper.fromTimeout(request, budget) })
                  )
            }
          })
      )

    const putPart = (
      part: Domain.UploadPart,
      body: PartBody,
      schedule: Schedule.Schedule<unknown, unknown>
    ): Effect.Effect<string, Mapper.StorageError> => {
      const contentType = headerOf(part.headers, "content-type") ?? ""
      const length = body instanceof Uint8Array ? body.byteLength : body.length
      const base = HttpClientRequest.put(part.url).pipe(
        HttpClientRequest.setHeaders(part.headers),
        HttpClientRequest.setHeader("content-length", String(length))
      )
      // a streamed body is made afresh for each attempt
      const request = (): HttpClientRequest.HttpClientRequest =>
        HttpClientRequest.setBody(
          base,
          body instanceof Uint8Array
            ? HttpBody.uint8Array(body, contentType)
            : HttpBody.stream(body.stream(), contentType, length)
        )
      const onSuccess =
        (request: HttpClientRequest.HttpClientRequest) => (response: HttpClientResponse.HttpClientResponse) => {
          const etag = response.headers.etag
          return Effect.zipRight(
            Effect.mapError(Response.drainStorage(serverText, request, response), (e) => new Retry.Failed(e)),
            etag === undefined
              ? Effect.fail(
                  new Retry.Failed(
                    Response.decodeError(
                      serverText,
                      request,
                      response.headers,
                      `part ${part.partNumber}: the storage response has no ETag`
                    )
                  )
                )
              : Effect.succeed(etag)
          )
        }
      const onError = (response: HttpClientResponse.HttpClientResponse) =>
        Effect.flatMap(Effect.zipLeft(retryAfterOf(response), Response.drain(response)), (after) =>
          Effect.fail(new Retry.Failed(Mapper.fromStorage(response.status, response.headers, after, serverText), after))
        )
      const attempt = Effect.suspend(() => {
        const current = request()
        return send<string, Mapper.StorageError>(current, onSuccess(current), onError)
      })
      return Retry.retry(attempt, schedule, true)
    }

    const getObject = Storage.makeGetObject({ send, timeout, retryAfterOf, serverText })

    return { prefix, timeout, retry: defaultSchedule, serverText, execute, putPart, getObject }
  })
