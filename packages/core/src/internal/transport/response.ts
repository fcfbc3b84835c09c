/**
 * The one place response bodies are read: a success body decoded against its operation's schema,
 * an error body for the API's mapper, a storage body drained. (A body size cap belongs here.)
 *
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Either, ParseResult } from "effect"
import * as Errors from "../../Errors.js"
import { fromTransport, requestIdOf } from "./errors.js"
import { displayUrl } from "./url.js"

/** The body as text; a connection lost while reading is a `TransportError`. @internal */
export const text = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, Errors.TransportError> =>
  Effect.mapError(response.text, (error) =>
    fromTransport(request, error, "the connection failed while reading the response body")
  )

/** The body of an error response, or `""` if it cannot be read: the status alone decides the error. @internal */
export const errorText = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  Effect.orElseSucceed(response.text, () => "")

/** Reads and drops a body, so the connection can be reused. @internal */
export const drain = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<void> =>
  Effect.ignore(response.text)

/**
 * Decodes a success body (JSON; an empty body is `undefined`, for 204s) with `decode`, compiled
 * once per operation.
 * @internal
 */
export const decode = <A>(
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  decodeBody: (body: unknown) => Either.Either<A, ParseResult.ParseIssue>
): Effect.Effect<A, Errors.DecodeError | Errors.TransportError> => {
  const requestId = requestIdOf(response.headers)
  const fail = (description: string, cause: unknown) =>
    new Errors.DecodeError({
      method: request.method,
      url: displayUrl(request.url),
      description,
      cause,
      ...(requestId === undefined ? {} : { requestId })
    })
  return Effect.flatMap(text(request, response), (body) => {
    let json: unknown
    if (body.length > 0) {
      try {
        json = JSON.parse(body)
      } catch (cause) {
        return Effect.fail(fail("the body is not JSON", cause))
      }
    }
    return Either.match(decodeBody(json), {
      onLeft: (issue) => {
        const error = new ParseResult.ParseError({ issue })
        return Effect.fail(fail(error.message, error))
      },
      onRight: Effect.succeed
    })
  })
}
