/**
 * Tenants, their plans and their API keys: seeding them from the options, the helpers that create
 * and change them, and the key format.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import { Contract } from "@fluidcloud/core"
import type { Options, PlanInput, Scope } from "../Emulator.js"
import type { State, TenantRec } from "./state.js"

/** The contract's key format. @internal */
export const KEY_PATTERN = /^fck_(live|test)_[0-9A-Za-z]{24,}$/

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** @internal */
export const generateKey = (kind: "live" | "test" = "test"): string => {
  const bytes = randomBytes(32)
  let out = ""
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length]
  return `fck_${kind}_${out}`
}

/** Create a tenant, or change the given fields of an existing tenant's plan. @internal */
export const addTenant = (state: State, id: string, plan: PlanInput | undefined): TenantRec => {
  const existing = state.tenants.get(id)
  if (existing !== undefined) {
    if (plan !== undefined) {
      existing.plan = {
        apiAccess: plan.apiAccess ?? existing.plan.apiAccess,
        bytesLimit: plan.bytesLimit ?? existing.plan.bytesLimit,
        linksLimit: plan.linksLimit ?? existing.plan.linksLimit
      }
    }
    return existing
  }
  const rec: TenantRec = {
    id,
    plan: { apiAccess: plan?.apiAccess ?? true, bytesLimit: plan?.bytesLimit ?? -1, linksLimit: plan?.linksLimit ?? -1 }
  }
  state.tenants.set(id, rec)
  return rec
}

/** @internal */
export const addKey = (
  state: State,
  tenantId: string,
  key: string,
  scopes: ReadonlyArray<Scope> | "all",
  revoked: boolean
): string => {
  state.keys.set(key, { key, tenantId, scopes: new Set(scopes === "all" ? Contract.scopes : scopes), revoked })
  return key
}

/**
 * The tenants and keys of the options; without any, a tenant `default` with an unlimited plan
 * and one all-scopes key. Sets the default key: the first all-scopes, unrevoked key.
 *
 * @internal
 */
export const seed = (state: State, options: Options): void => {
  if (options.tenants === undefined) {
    addTenant(state, "default", undefined)
    state.defaultKey = addKey(state, "default", generateKey("test"), "all", false)
    return
  }
  for (const t of options.tenants) {
    addTenant(state, t.id, t.plan)
    for (const k of t.keys ?? []) {
      addKey(state, t.id, k.key, k.scopes, k.revoked ?? false)
      if (state.defaultKey === "" && k.scopes === "all" && k.revoked !== true) state.defaultKey = k.key
    }
  }
}
