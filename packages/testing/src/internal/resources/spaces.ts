/**
 * Spaces: list and create (GET/POST /spaces).
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { SpaceRec, State } from "../state.js"
import { checkObject, isRecord } from "../validation.js"
import * as View from "../views.js"
import { type ApiFailure, type ApiHandler, invalid, json, notFound, readJson } from "../wire.js"

/** The tenant's Space, else 404. @internal */
export const find = (state: State, tenantId: string, id: string): Effect.Effect<SpaceRec, ApiFailure> => {
  const s = state.spaces.get(id)
  return s === undefined || s.tenantId !== tenantId ? notFound() : Effect.succeed(s)
}

/** @internal */
export const handlers = (state: State) => {
  const listSpaces: ApiHandler = (ctx) =>
    Effect.succeed(json(200, [...state.spaces.values()].filter((s) => s.tenantId === ctx.tenant.id).map(View.space)))

  const createSpace: ApiHandler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, { name: { kind: "string", required: true, minLength: 1, maxLength: 255 } })
      if (issues.length > 0 || !isRecord(body) || typeof body.name !== "string") return yield* invalid(issues)
      const space: SpaceRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        name: body.name,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      state.spaces.set(space.id, space)
      return json(201, View.space(space))
    })

  return { listSpaces, createSpace }
}
