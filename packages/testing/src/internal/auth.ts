/**
 * What stands between a request and an API handler, and what is kept of every request: the
 * `X-API-Key` check (401), the plan's API access (403), the per-key rate limit (429 with
 * `Retry-After`, and the `X-RateLimit-*` headers), the route's required scopes (403
 * `insufficient_scope`), request ids, and the request log.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as Headers from "@effect/platform/Headers"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type { Contract } from "@fluidcloud/core"
import { Effect, Option } from "effect"
import type { RequestLogEntry } from "../Emulator.js"
import type { KeyRec, State, TenantRec } from "./state.js"
import { KEY_PATTERN } from "./tenants.js"
import { type ApiFailure, fail } from "./wire.js"

/** A fresh request id (`X-Request-Id`). @internal */
export const requestId = (): string => `req_${randomUUID().replace(/-/g, "")}`

/** The API key a request carries, if any. @internal */
export const apiKeyOf = (request: HttpServerRequest.HttpServerRequest): string | undefined =>
  Option.getOrUndefined(Headers.get(request.headers, "x-api-key"))

/** @internal */
export interface RateState {
  readonly limited: boolean
  /** Seconds until the window resets. */
  readonly reset: number
  readonly headers: Record<string, string>
}

/**
 * The rate-limit window of a key (or of requests without one), counting this request when
 * `consume`. Without a configured limit the headers still show a generous one.
 *
 * @internal
 */
export const rateLimit = (state: State, key: string | undefined, now: number, consume: boolean): RateState => {
  const configured = state.config.rateLimit
  const limit = configured?.limit ?? 1_000_000
  const windowMs = configured?.windowMs ?? 60_000
  const id = key ?? "anonymous"
  let w = state.rateWindows.get(id)
  if (w === undefined || now >= w.start + windowMs) {
    w = { start: now, count: 0 }
    state.rateWindows.set(id, w)
  }
  if (consume) w.count += 1
  const reset = Math.max(0, Math.ceil((w.start + windowMs - now) / 1000))
  return {
    limited: configured !== undefined && w.count > limit,
    reset,
    headers: {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - w.count)),
      "x-ratelimit-reset": String(reset)
    }
  }
}

/**
 * The tenant and key of a request to `route`, or the API's 401 / 403 / 429 answer.
 *
 * @internal
 */
export const authenticate = (
  state: State,
  apiKey: string | undefined,
  route: Contract.Route,
  rate: RateState
): Effect.Effect<{ readonly tenant: TenantRec; readonly key: KeyRec }, ApiFailure> =>
  Effect.gen(function* () {
    if (apiKey === undefined || apiKey === "") return yield* fail(401, { detail: "missing_api_key" })
    const key = state.keys.get(apiKey)
    if (key === undefined || !KEY_PATTERN.test(apiKey)) return yield* fail(401, { detail: "invalid_api_key" })
    if (key.revoked) return yield* fail(401, { detail: "revoked_api_key" })
    const tenant = state.tenants.get(key.tenantId)
    if (tenant === undefined) return yield* fail(401, { detail: "invalid_api_key" })
    if (!tenant.plan.apiAccess) return yield* fail(403, { detail: "feature_not_in_plan" })
    if (rate.limited) return yield* fail(429, { detail: "rate_limited" }, { "retry-after": String(rate.reset) })
    const missing = route.scopes.find((scope) => !key.scopes.has(scope))
    if (missing !== undefined) return yield* fail(403, { detail: "insufficient_scope", required_scope: missing })
    return { tenant, key }
  })

/** A request's headers as the log keeps them: every one but `X-API-Key`. @internal */
export const loggedHeaders = (headers: Headers.Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name !== "x-api-key") out[name] = value
  }
  return out
}

/** Append to the request log. @internal */
export const record = (state: State, entry: RequestLogEntry): void => {
  state.log.push(entry)
}
