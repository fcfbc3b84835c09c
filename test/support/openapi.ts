/**
 * Validates HTTP responses against docs/openapi.yaml with ajv (JSON Schema
 * draft 2020-12, the dialect of OpenAPI 3.1): resolves the operation's response
 * object for the status (exact code, then `5XX`-style ranges, then `default`,
 * following `$ref`s into `components`), checks that required headers are
 * present and match their schemas, and validates the JSON body.
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

/** One documented operation. */
export interface Operation {
  readonly operationId: string
  readonly method: string
  readonly path: string
  readonly statuses: ReadonlyArray<string>
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

  const operations: Array<Operation & { readonly op: Record<string, unknown> }> = []
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObject(op) || typeof op.operationId !== "string" || !isObject(op.responses)) continue
      operations.push({ operationId: op.operationId, method, path, statuses: Object.keys(op.responses), op })
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

  return { operations: operations.map(({ op: _op, ...rest }) => rest), statusKey, validate }
}

/** The validator type. */
export type OpenApiValidator = ReturnType<typeof load>
