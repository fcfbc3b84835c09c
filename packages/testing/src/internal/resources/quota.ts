/**
 * Quota: what a tenant uses against its plan (GET /quota). `bytes_used` counts files in trash and
 * uploads in progress; `links_used` counts active links.
 *
 * @internal
 */
import { Effect } from "effect"
import type { State } from "../state.js"
import { type ApiHandler, json } from "../wire.js"
import * as Shares from "./shares.js"

/** The bytes of every file of the tenant (in trash or uploading included). @internal */
export const bytesUsed = (state: State, tenantId: string): number => {
  let total = 0
  for (const f of state.files.values()) if (f.tenantId === tenantId) total += f.size
  return total
}

/** @internal */
export const handlers = (state: State) => {
  const getQuota: ApiHandler = (ctx) =>
    Effect.succeed(
      json(200, {
        bytes_used: bytesUsed(state, ctx.tenant.id),
        bytes_limit: ctx.tenant.plan.bytesLimit,
        links_used: Shares.linksUsed(state, ctx.tenant.id, ctx.now),
        links_limit: ctx.tenant.plan.linksLimit
      })
    )

  return { getQuota }
}
