/**
 * Share links: create (for live files scanned clean, within the plan's link limit), list (active,
 * or all with `include_inactive`) and revoke. Serving them is `shareServing.ts`.
 *
 * @internal
 */
import { randomBytes, randomUUID } from "node:crypto"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import type { ShareRec, State } from "../state.js"
import { checkObject, isRecord } from "../validation.js"
import * as View from "../views.js"
import { type ApiHandler, checkQuery, fail, invalid, iso, json, notFound, param, queryFlag, readJson } from "../wire.js"
import * as Files from "./files.js"

/** Neither revoked nor expired. @internal */
export const active = (share: ShareRec, now: number): boolean =>
  !share.revoked && (share.expiresAt === null || share.expiresAt > now)

/** The tenant's active links (what the links limit counts). @internal */
export const linksUsed = (state: State, tenantId: string, now: number): number => {
  let total = 0
  for (const s of state.shares.values()) if (s.tenantId === tenantId && active(s, now)) total += 1
  return total
}

/** @internal */
export const handlers = (state: State) => {
  const createShare: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        file_id: { kind: "uuid", required: true },
        expires_in_days: { kind: "int", nullable: true, min: 1, max: 365 },
        permission: { kind: "enum", nullable: true, values: ["view", "download"] },
        password: { kind: "string", nullable: true },
        max_downloads: { kind: "int", nullable: true, min: 1 }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const file = yield* Files.readable(state, ctx.tenant.id, String(body.file_id))
      yield* Files.requireClean(file)
      const limit = ctx.tenant.plan.linksLimit
      if (limit >= 0 && linksUsed(state, ctx.tenant.id, ctx.now) + 1 > limit) {
        return yield* fail(402, { detail: "quota_exceeded", resource: "links" })
      }
      const share: ShareRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        fileId: file.id,
        token: randomBytes(24).toString("base64url"),
        permission: body.permission === "download" ? "download" : "view",
        expiresAt: typeof body.expires_in_days === "number" ? ctx.now + body.expires_in_days * 86_400_000 : null,
        maxDownloads: typeof body.max_downloads === "number" ? body.max_downloads : null,
        downloadCount: 0,
        revoked: false,
        password: typeof body.password === "string" ? body.password : null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      state.shares.set(share.id, share)
      state.sharesByToken.set(share.token, share)
      return json(201, {
        url: `${state.config.filesUrl}/s/${share.token}`,
        id: share.id,
        permission: share.permission,
        expires_at: iso(share.expiresAt)
      })
    })

  const listShares: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      yield* checkQuery(ctx.url, { file_id: { kind: "uuid" }, include_inactive: { kind: "bool" } })
      const fileId = ctx.url.searchParams.get("file_id")
      const all = queryFlag(ctx.url, "include_inactive")
      return json(
        200,
        [...state.shares.values()]
          .filter(
            (s) =>
              s.tenantId === ctx.tenant.id && (fileId === null || s.fileId === fileId) && (all || active(s, ctx.now))
          )
          .map(View.share)
      )
    })

  const revokeShare: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const share = state.shares.get(param(ctx, "share_id"))
      if (share === undefined || share.tenantId !== ctx.tenant.id) return yield* notFound()
      if (!share.revoked) {
        share.revoked = true
        share.updatedAt = ctx.now
      }
      return HttpServerResponse.empty({ status: 204 })
    })

  return { createShare, listShares, revokeShare }
}
