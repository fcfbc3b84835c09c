/**
 * Routing by the contract's operation table (`Contract.routes` of `@fluidcloud/core`): a request's
 * origin, method and path resolve to an operation id and its path parameters. Literal segments win
 * over templated ones (`/files/resolve` is never `/files/{file_id}`); a path whose best template
 * does not list the method is "method not allowed" with the template's methods; anything else is
 * "not found". One listener serves the three origins, told apart by path: the API under
 * `/api/v1`, storage under `/storage/`, share links under `/s/`.
 *
 * @internal
 */
import { Contract } from "@fluidcloud/core"
import type { Issue } from "./validation.js"
import { canonicalId, isUuid } from "./validation.js"

/** @internal */
export const API_BASE = "/api/v1"

/** @internal */
export type Match =
  | {
      readonly _tag: "Found"
      readonly route: Contract.Route
      readonly params: Readonly<Record<string, string>>
    }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "MethodNotAllowed"; readonly allow: ReadonlyArray<string> }

/** The origin a path belongs to. @internal */
export const originOf = (path: string): Contract.Origin =>
  path.startsWith("/storage/") ? "storage" : path.startsWith("/s/") ? "files" : "api"

type Segment = { readonly literal: string } | { readonly param: string }

interface Template {
  readonly origin: Contract.Origin
  readonly segments: ReadonlyArray<Segment>
  readonly methods: Map<string, Contract.Route>
}

const parse = (path: string): ReadonlyArray<Segment> =>
  path
    .split("/")
    .slice(1)
    .map((s) => {
      const m = /^\{([^}]+)\}$/.exec(s)
      return m?.[1] === undefined ? { literal: s } : { param: m[1] }
    })

/** Whether `a` is more specific than `b`: at the first segment where they differ, a literal beats a parameter. */
const moreSpecific = (a: Template, b: Template): boolean => {
  for (let i = 0; i < a.segments.length; i++) {
    const x = a.segments[i]
    const y = b.segments[i]
    if (x === undefined || y === undefined) break
    if ("literal" in x && "param" in y) return true
    if ("param" in x && "literal" in y) return false
  }
  return false
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** @internal */
export interface Router {
  readonly match: (origin: Contract.Origin, method: string, path: string) => Match
}

/** A router over the contract's operations. @internal */
export const make = (routes: ReadonlyArray<Contract.Route> = Object.values(Contract.routes)): Router => {
  const templates = new Map<string, Template>()
  for (const route of routes) {
    const key = `${route.origin} ${route.path}`
    let template = templates.get(key)
    if (template === undefined) {
      template = { origin: route.origin, segments: parse(route.path), methods: new Map() }
      templates.set(key, template)
    }
    template.methods.set(route.method, route)
  }
  const all = [...templates.values()]

  const match = (origin: Contract.Origin, method: string, path: string): Match => {
    const local = origin !== "api" ? path : path.startsWith(`${API_BASE}/`) ? path.slice(API_BASE.length) : undefined
    if (local === undefined) return { _tag: "NotFound" }
    const segments = local.split("/").slice(1)
    let best: Template | undefined
    let values: Array<string> = []
    for (const template of all) {
      if (template.origin !== origin || template.segments.length !== segments.length) continue
      const found: Array<string> = []
      const fits = template.segments.every((segment, i) => {
        const s = segments[i] ?? ""
        if ("literal" in segment) return segment.literal === s
        found.push(s)
        return s !== ""
      })
      if (fits && (best === undefined || moreSpecific(template, best))) {
        best = template
        values = found
      }
    }
    if (best === undefined) return { _tag: "NotFound" }
    // storage answers HEAD as it answers GET, like any object store
    const route =
      best.methods.get(method) ?? (origin === "storage" && method === "HEAD" ? best.methods.get("GET") : undefined)
    if (route === undefined) return { _tag: "MethodNotAllowed", allow: [...best.methods.keys()] }
    const params: Record<string, string> = {}
    let i = 0
    for (const segment of best.segments) {
      if ("param" in segment) params[segment.param] = canonicalId(segment.param, decode(values[i++] ?? ""))
    }
    return { _tag: "Found", route, params }
  }

  return { match }
}

/** The path parameters that name ids (`*_id`) and are not UUIDs, as 422 issues. @internal */
export const idIssues = (params: Readonly<Record<string, string>>): ReadonlyArray<Issue> =>
  Object.entries(params)
    .filter(([name, value]) => name.endsWith("_id") && !isUuid(value))
    .map(([name]) => ({ loc: ["path", name], msg: "Input should be a valid UUID", type: "uuid_parsing" }))
