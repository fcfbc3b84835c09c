/**
 * Wire conventions shared by the handlers: JSON responses, the API's `{"detail": ...}` error
 * bodies (422 with FastAPI's list of issues), reading JSON bodies and checking query parameters,
 * and the context and type of a handler: API handlers get the authenticated tenant; the storage
 * and share-link origins' handlers (presigned or public) do not.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Data, Effect } from "effect"
import type { KeyRec, TenantRec } from "./state.js"
import type { ConnectionReset } from "./transport.js"
import { canonicalId, checkValue, type FieldSpec, type Issue, isUuid, parseBool } from "./validation.js"

/** An error answer of the API: its status, its JSON body and extra headers. @internal */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}> {}

/** @internal */
export const fail = (
  status: number,
  body: unknown,
  headers?: Record<string, string>
): Effect.Effect<never, ApiFailure> =>
  Effect.fail(new ApiFailure(headers === undefined ? { status, body } : { status, body, headers }))

/** 404 `not_found`: unknown ids and other tenants' ids alike. @internal */
export const notFound = (): Effect.Effect<never, ApiFailure> => fail(404, { detail: "not_found" })

/** 422 with FastAPI's list of issues. @internal */
export const invalid = (issues: ReadonlyArray<Issue>): Effect.Effect<never, ApiFailure> => fail(422, { detail: issues })

/** @internal */
export const badRequest = (detail: string): Effect.Effect<never, ApiFailure> => fail(400, { detail })

/** @internal */
export const json = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })

/** @internal */
export const failureResponse = (e: ApiFailure) => {
  const res = json(e.status, e.body)
  return e.headers === undefined ? res : HttpServerResponse.setHeaders(res, e.headers)
}

/** An ISO-8601 UTC timestamp, or null. @internal */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** What an API handler gets: the authenticated tenant and key, the time, the request and its path parameters. @internal */
export interface ApiContext {
  readonly tenant: TenantRec
  readonly key: KeyRec
  readonly now: number
  readonly url: URL
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string>>
}

/** An API operation's handler. @internal */
export type ApiHandler = (ctx: ApiContext) => Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure>

/** What a handler of the storage or share-link origin gets. @internal */
export interface OpenContext {
  readonly now: number
  readonly url: URL
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string>>
  /** Set by a handler that resets the connection (for the request log). */
  readonly outcome: { reset: boolean }
}

/** A storage or share-link handler; it fails with `ConnectionReset` to drop the connection. @internal */
export type OpenHandler = (ctx: OpenContext) => Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionReset>

/** A path parameter (validated by the router before the handler runs). @internal */
export const param = (ctx: ApiContext | OpenContext, name: string): string => ctx.params[name] ?? ""

/** A body's top-level `*_id` fields, each read as `canonicalId` does. */
const canonicalIds = (body: unknown): unknown => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body
  const out: Record<string, unknown> = { ...body }
  for (const [name, value] of Object.entries(out)) {
    if (typeof value === "string") out[name] = canonicalId(name, value)
  }
  return out
}

/** The request body as JSON (422 `json_invalid` when it is not); UUIDs in `*_id` fields lower-cased. @internal */
export const readJson = (request: HttpServerRequest.HttpServerRequest) =>
  request.text.pipe(
    Effect.orElseSucceed(() => ""),
    Effect.flatMap((text) => {
      try {
        return Effect.succeed(canonicalIds(JSON.parse(text)))
      } catch {
        return invalid([{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }])
      }
    })
  )

/** A query parameter's expected shape. @internal */
export interface QuerySpec {
  readonly kind: "uuid" | "bool" | "string"
  readonly required?: boolean
  readonly minLength?: number
  readonly maxLength?: number
}

/** Check the query parameters: 422 with every issue. @internal */
export const checkQuery = (url: URL, specs: Record<string, QuerySpec>): Effect.Effect<void, ApiFailure> => {
  const issues: Array<Issue> = []
  for (const [name, spec] of Object.entries(specs)) {
    const value = url.searchParams.get(name)
    if (value === null) {
      if (spec.required === true) issues.push({ loc: ["query", name], msg: "Field required", type: "missing" })
      continue
    }
    if (spec.kind === "uuid" && !isUuid(value))
      issues.push({ loc: ["query", name], msg: "Input should be a valid UUID", type: "uuid_parsing" })
    if (spec.kind === "bool" && parseBool(value) === undefined)
      issues.push({ loc: ["query", name], msg: "Input should be a valid boolean", type: "bool_parsing" })
    if (spec.kind === "string") {
      const stringSpec: FieldSpec = {
        kind: "string",
        ...(spec.minLength === undefined ? {} : { minLength: spec.minLength }),
        ...(spec.maxLength === undefined ? {} : { maxLength: spec.maxLength })
      }
      const issue = checkValue(["query", name], stringSpec, value)
      if (issue !== undefined) issues.push(issue)
    }
  }
  return issues.length > 0 ? invalid(issues) : Effect.void
}

/** A boolean query parameter, `false` when absent. @internal */
export const queryFlag = (url: URL, name: string): boolean => parseBool(url.searchParams.get(name) ?? "false") === true
