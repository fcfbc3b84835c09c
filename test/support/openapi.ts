/**
 * Validates HTTP responses against docs/openapi.yaml with ajv (JSON Schema
 * draft 2020-12, the dialect of OpenAPI 3.1): resolves the operation's response
 * object for the status (exact code, then `5XX`-style ranges, then `default`,
 * following `$ref`s into `components`), checks that required headers are
 * present and match their schemas, and validates the JSON body.
 *
 * Also validates HTTP requests (`validateRequest`): finds the operation by method and path
 * template (below the path of the operation's server: `/api/v1` for the API, none for the
 * storage and files origins), then checks with the same ajv instance the path parameters,
 * the query parameters (required present, no unknown or repeated names, values typed:
 * booleans as `true`/`false`, integers as digits), the header parameters, the security
 * (the API key header when the operation needs it, and its absence when `security: []`),
 * and the request body (required present, documented media type, JSON against its schema).
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import Ajv2020Module from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import { parse } from "yaml"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const SPEC_ID = "https://fluidcloud.test/openapi.json"
const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"] as const

// CommonJS modules: under NodeNext the default import is `module.exports`, whose `default` is the export itself
const Ajv2020 = Ajv2020Module.default
const addFormats = addFormatsModule.default

const specPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "openapi.yaml")

/** A response as seen on the wire. */
export interface WireResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: string
}

/** A request as sent on the wire (headers case-insensitive; the body's bytes or text, if any). */
export interface WireRequest {
  readonly method: string
  /** Absolute, or a path with its query string. */
  readonly url: string
  readonly headers: Headers | Readonly<Record<string, string>>
  readonly body?: string | Uint8Array | undefined
}

/** One documented operation. */
export interface Operation {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly statuses: ReadonlyArray<string>
  /** The path of the operation's server (`/api/v1` for the API, `""` for storage and share links). */
  readonly basePath: string
  /** Whether the operation's security requires the API key. */
  readonly apiKey: boolean
}

/** A request matched to its operation, with the raw (percent-decoded) path parameters. */
export interface RequestMatch {
  readonly operationId: string
  readonly pathParams: Readonly<Record<string, string>>
}

const rewriteRefs = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(rewriteRefs)
  if (!isObject(u)) return u
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(u)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `${SPEC_ID}${v}` : rewriteRefs(v)
  }
  return out
}

/** Load docs/openapi.yaml and build the validator. */
export const load = () => {
  const doc: unknown = parse(readFileSync(specPath, "utf8"))
  if (!isObject(doc) || !isObject(doc.paths) || !isObject(doc.components)) throw new Error("bad OpenAPI document")
  const paths = doc.paths
  const components = doc.components
  const ajv = new Ajv2020({
    strict: true,
    strictSchema: false,
    allowUnionTypes: true,
    allErrors: true,
    validateFormats: true
  })
  addFormats(ajv)
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) })
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: components.schemas } })

  const resolve = (u: unknown): Record<string, unknown> => {
    if (!isObject(u)) throw new Error("expected an object in the spec")
    const ref = u.$ref
    if (typeof ref !== "string") return u
    const parts = ref.replace(/^#\//, "").split("/")
    let cursor: unknown = doc
    for (const part of parts) {
      if (!isObject(cursor)) throw new Error(`unresolvable $ref ${ref}`)
      cursor = cursor[part.replace(/~1/g, "/").replace(/~0/g, "~")]
    }
    return { ...resolve(cursor), ...Object.fromEntries(Object.entries(u).filter(([k]) => k !== "$ref")) }
  }

  /** The path of the first server (variables at their defaults), without a trailing slash. */
  const serverPath = (servers: unknown): string => {
    const first = Array.isArray(servers) ? servers[0] : undefined
    if (!isObject(first) || typeof first.url !== "string") throw new Error("an operation without a server")
    const variables = isObject(first.variables) ? first.variables : {}
    const url = first.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const variable = variables[name]
      if (!isObject(variable) || typeof variable.default !== "string") throw new Error(`server variable ${name}`)
      return variable.default
    })
    return new URL(url).pathname.replace(/\/+$/, "")
  }

  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {}
  const apiKeyScheme = resolve(schemes.ApiKeyAuth)
  if (apiKeyScheme.in !== "header" || typeof apiKeyScheme.name !== "string") throw new Error("ApiKeyAuth")
  const apiKeyHeader = apiKeyScheme.name.toLowerCase()
  /** Whether every alternative of `security` requires ApiKeyAuth (an empty list requires nothing). */
  const requiresApiKey = (security: unknown): boolean =>
    Array.isArray(security) &&
    security.length > 0 &&
    security.every((requirement) => isObject(requirement) && "ApiKeyAuth" in requirement)

  interface Parameter {
    readonly name: string
    readonly in: string
    readonly required: boolean
    readonly schema: Record<string, unknown>
  }
  const parametersOf = (...lists: ReadonlyArray<unknown>): ReadonlyArray<Parameter> => {
    const byKey = new Map<string, Parameter>()
    for (const list of lists) {
      if (!Array.isArray(list)) continue
      for (const raw of list) {
        const p = resolve(raw)
        if (typeof p.name !== "string" || typeof p.in !== "string") throw new Error("a parameter without name/in")
        // an operation's parameter overrides the path item's of the same name and location
        byKey.set(`${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}`, {
          name: p.name,
          in: p.in,
          required: p.required === true,
          schema: isObject(p.schema) ? p.schema : {}
        })
      }
    }
    return [...byKey.values()]
  }

  interface Internal extends Operation {
    readonly op: Record<string, unknown>
    readonly parameters: ReadonlyArray<Parameter>
    readonly pattern: RegExp
    readonly pathNames: ReadonlyArray<string>
  }
  const operations: Array<Internal> = []
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObject(op) || typeof op.operationId !== "string" || !isObject(op.responses)) continue
      const pathNames: Array<string> = []
      const pattern = new RegExp(
        `^${path
          .split("/")
          .map((segment) => {
            const m = /^\{([^}]+)\}$/.exec(segment)
            if (m?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
            pathNames.push(m[1])
            return "([^/]+)"
          })
          .join("/")}$`
      )
      operations.push({
        operationId: op.operationId,
        method,
        path,
        statuses: Object.keys(op.responses),
        basePath: serverPath(op.servers ?? item.servers ?? doc.servers),
        apiKey: requiresApiKey(op.security ?? doc.security),
        op,
        parameters: parametersOf(item.parameters, op.parameters),
        pattern,
        pathNames
      })
    }
  }

  const compiled = new Map<string, ReturnType<typeof ajv.compile>>()
  const compile = (key: string, schema: unknown) => {
    let v = compiled.get(key)
    if (v === undefined) {
      const rewritten = rewriteRefs(schema)
      v = ajv.compile(isObject(rewritten) ? rewritten : {})
      compiled.set(key, v)
    }
    return v
  }

  /** The documented status key matching `status` for an operation (e.g. "404", "5XX"), if any. */
  const statusKey = (operationId: string, status: number): string | undefined => {
    const op = operations.find((o) => o.operationId === operationId)
    if (op === undefined) throw new Error(`unknown operation ${operationId}`)
    const code = String(status)
    if (op.statuses.includes(code)) return code
    const range = `${code[0]}XX`
    if (op.statuses.includes(range)) return range
    return op.statuses.includes("default") ? "default" : undefined
  }

  /** Validate a response; returns the list of problems (empty when conformant). */
  const validate = (operationId: string, res: WireResponse): ReadonlyArray<string> => {
    const op = operations.find((o) => o.operationId === operationId)
    if (op === undefined) return [`unknown operation ${operationId}`]
    const key = statusKey(operationId, res.status)
    if (key === undefined) return [`${operationId}: status ${res.status} is not documented`]
    const responses = op.op.responses
    if (!isObject(responses)) return ["no responses"]
    const response = resolve(responses[key])
    const errors: Array<string> = []
    const headers = isObject(response.headers) ? response.headers : {}
    for (const [name, raw] of Object.entries(headers)) {
      const header = resolve(raw)
      const value = res.headers.get(name)
      if (value === null) {
        if (header.required === true) errors.push(`${operationId} ${res.status}: missing required header ${name}`)
        continue
      }
      const schema = isObject(header.schema) ? header.schema : {}
      const parsed: Json =
        schema.type === "integer" || schema.type === "number"
          ? /^-?\d+(\.\d+)?$/.test(value)
            ? Number(value)
            : value
          : value
      const v = compile(`${op.operationId}:${key}:header:${name}`, schema)
      if (!v(parsed)) errors.push(`${operationId} ${res.status}: header ${name}=${value}: ${ajv.errorsText(v.errors)}`)
    }
    const content = isObject(response.content) ? response.content : undefined
    if (content === undefined) {
      if (res.body !== "") errors.push(`${operationId} ${res.status}: expected no body, got ${res.body.slice(0, 80)}`)
      return errors
    }
    const media = content["application/json"]
    if (media === undefined) return errors
    const contentType = res.headers.get("content-type") ?? ""
    if (!contentType.startsWith("application/json")) {
      errors.push(`${operationId} ${res.status}: content-type ${contentType}, expected application/json`)
    }
    let body: unknown
    try {
      body = JSON.parse(res.body)
    } catch {
      errors.push(`${operationId} ${res.status}: body is not JSON: ${res.body.slice(0, 80)}`)
      return errors
    }
    const mediaObj = isObject(media) ? media : {}
    const v = compile(`${op.operationId}:${key}:body`, mediaObj.schema ?? {})
    if (!v(body))
      errors.push(`${operationId} ${res.status}: body ${ajv.errorsText(v.errors)}: ${res.body.slice(0, 300)}`)
    return errors
  }

  /** The path of a URL (absolute or not) and its query. */
  const splitUrl = (url: string): { readonly pathname: string; readonly query: URLSearchParams } => {
    const parsed = new URL(url, "http://relative.invalid")
    return { pathname: parsed.pathname, query: parsed.searchParams }
  }

  /** The templates matching a path, whatever the method; literal segments win over parameters. */
  const candidatesOf = (pathname: string) =>
    operations
      .flatMap((o) => {
        if (o.basePath !== "" && !pathname.startsWith(`${o.basePath}/`)) return []
        const m = o.pattern.exec(pathname.slice(o.basePath.length))
        return m === null ? [] : [{ operation: o, values: m.slice(1) }]
      })
      .sort((a, b) => a.operation.pathNames.length - b.operation.pathNames.length)

  const findRequest = (
    method: string,
    url: string
  ): { readonly operation: Internal; readonly values: ReadonlyArray<string> } | string => {
    const { pathname } = splitUrl(url)
    const candidates = candidatesOf(pathname)
    if (candidates.length === 0) return `${method} ${pathname}: no documented path matches`
    const lower = method.toLowerCase()
    const fewest = candidates.filter((c) => c.operation.method === lower)
    const found = fewest[0]
    if (found === undefined) {
      const allowed = [...new Set(candidates.map((c) => c.operation.method.toUpperCase()))].join(", ")
      return `${method} ${pathname}: method not documented for this path (documented: ${allowed})`
    }
    return found
  }

  /** The operation a request is for, or undefined when no documented method and path match. */
  const matchRequest = (method: string, url: string): RequestMatch | undefined => {
    const found = findRequest(method, url)
    if (typeof found === "string") return undefined
    const pathParams: Record<string, string> = {}
    found.operation.pathNames.forEach((name, i) => {
      const raw = found.values[i] ?? ""
      try {
        pathParams[name] = decodeURIComponent(raw)
      } catch {
        pathParams[name] = raw
      }
    })
    return { operationId: found.operation.operationId, pathParams }
  }

  /** A path, query or header value as the JSON value its schema types it as. */
  const coerce = (schema: Record<string, unknown>, raw: string): Json => {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
    if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true"
    return raw
  }

  const byteLength = (body: string | Uint8Array): number =>
    typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength

  /** Validate a request; returns the list of problems (empty when conformant). */
  const validateRequest = (req: WireRequest): ReadonlyArray<string> => {
    const found = findRequest(req.method, req.url)
    if (typeof found === "string") return [found]
    const { operation } = found
    const id = operation.operationId
    const errors: Array<string> = []
    const headers = new Map<string, string>()
    for (const [name, value] of req.headers instanceof Headers ? req.headers.entries() : Object.entries(req.headers)) {
      headers.set(name.toLowerCase(), value)
    }
    const check = (where: string, name: string, schema: Record<string, unknown>, raw: string) => {
      const v = compile(`${id}:request:${where}:${name}`, schema)
      if (!v(coerce(schema, raw))) errors.push(`${id}: ${where} parameter ${name}=${raw}: ${ajv.errorsText(v.errors)}`)
    }

    // path
    const pathValues = new Map(operation.pathNames.map((name, i) => [name, found.values[i] ?? ""]))
    for (const p of operation.parameters.filter((q) => q.in === "path")) {
      const raw = pathValues.get(p.name)
      if (raw === undefined) {
        errors.push(`${id}: path parameter ${p.name} is not in the template`)
        continue
      }
      let decoded: string
      try {
        decoded = decodeURIComponent(raw)
      } catch {
        errors.push(`${id}: path parameter ${p.name}=${raw} is not valid percent-encoding`)
        continue
      }
      check("path", p.name, p.schema, decoded)
    }

    // query
    const { query } = splitUrl(req.url)
    const declared = operation.parameters.filter((q) => q.in === "query")
    for (const p of declared) {
      const values = query.getAll(p.name)
      const [value, ...more] = values
      if (value === undefined) {
        if (p.required) errors.push(`${id}: missing required query parameter ${p.name}`)
        continue
      }
      if (more.length > 0) errors.push(`${id}: query parameter ${p.name} given ${values.length} times`)
      check("query", p.name, p.schema, value)
    }
    for (const name of new Set(query.keys())) {
      if (!declared.some((p) => p.name === name)) errors.push(`${id}: undocumented query parameter ${name}`)
    }

    // headers and security
    for (const p of operation.parameters.filter((q) => q.in === "header")) {
      const value = headers.get(p.name.toLowerCase())
      if (value === undefined) {
        if (p.required) errors.push(`${id}: missing required header ${p.name}`)
        continue
      }
      check("header", p.name, p.schema, value)
    }
    const key = headers.get(apiKeyHeader)
    if (operation.apiKey) {
      if (key === undefined || key === "") errors.push(`${id}: missing required header ${apiKeyScheme.name}`)
    } else if (key !== undefined) {
      errors.push(`${id}: header ${apiKeyScheme.name} sent to an operation without API-key security`)
    }

    // body
    const body = req.body
    const hasBody = body !== undefined
    const contentLength = headers.get("content-length")
    if (hasBody && contentLength !== undefined && /^\d+$/.test(contentLength)) {
      const actual = byteLength(body)
      if (Number(contentLength) !== actual) {
        errors.push(`${id}: Content-Length ${contentLength} but the body has ${actual} bytes`)
      }
    }
    const requestBody = operation.op.requestBody === undefined ? undefined : resolve(operation.op.requestBody)
    if (requestBody === undefined) {
      if (hasBody && byteLength(body) > 0) errors.push(`${id}: a body is sent but the operation documents none`)
      return errors
    }
    if (!hasBody) {
      if (requestBody.required === true) errors.push(`${id}: missing required request body`)
      return errors
    }
    const content = isObject(requestBody.content) ? requestBody.content : {}
    const contentType = (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? ""
    const mediaKey = [contentType, `${contentType.split("/")[0]}/*`, "*/*"].find((k) => k in content)
    if (mediaKey === undefined) {
      errors.push(
        `${id}: content-type ${JSON.stringify(contentType)} is not documented (${Object.keys(content).join(", ")})`
      )
      return errors
    }
    const media = content[mediaKey]
    if (mediaKey !== "application/json" || !isObject(media) || media.schema === undefined) return errors
    const text = typeof body === "string" ? body : new TextDecoder().decode(body)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      errors.push(`${id}: request body is not JSON: ${text.slice(0, 80)}`)
      return errors
    }
    const v = compile(`${id}:request:body:${mediaKey}`, media.schema)
    if (!v(json)) errors.push(`${id}: request body ${ajv.errorsText(v.errors)}: ${text.slice(0, 300)}`)
    return errors
  }

  return {
    operations: operations.map(
      ({ op: _op, parameters: _parameters, pattern: _pattern, pathNames: _pathNames, ...rest }): Operation => rest
    ),
    statusKey,
    validate,
    matchRequest,
    validateRequest
  }
}

/** The validator type. */
export type OpenApiValidator = ReturnType<typeof load>
