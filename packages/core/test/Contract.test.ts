/**
 * The operation table against the contract (`docs/openapi.yaml`): every operation, its method,
 * path, origin, scopes and documented statuses; for the API operations, every parameter (name and
 * location), the request body's fields (and which are required), the success body's fields, and
 * the error tags the statuses map to.
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { SchemaAST } from "effect"
import { parse } from "yaml"
import { Contract } from "../src/index.js"
import { extraTagStatus, operations } from "../src/internal/operations.js"
import { templateParams } from "../src/internal/transport/url.js"

type Json = Record<string, unknown>
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const specPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "openapi.yaml")
const doc: unknown = parse(readFileSync(specPath, "utf8"))
if (!isObject(doc) || !isObject(doc.paths)) throw new Error("docs/openapi.yaml: no paths")
const spec: Json = doc
const specPaths: Json = doc.paths

const resolve = (u: unknown): Json => {
  if (!isObject(u)) throw new Error("expected an object")
  if (typeof u.$ref !== "string") return u
  let cursor: unknown = spec
  for (const part of u.$ref.replace(/^#\//, "").split("/")) cursor = isObject(cursor) ? cursor[part] : undefined
  return resolve(cursor)
}

interface SpecOperation {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly origin: Contract.Origin
  readonly scopes: ReadonlyArray<string>
  readonly statuses: ReadonlyArray<number>
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string }>
  /** The JSON body's properties and required names, when the operation takes a JSON body. */
  readonly body: { readonly properties: ReadonlyArray<string>; readonly required: ReadonlyArray<string> } | undefined
  /** The properties of the 2xx JSON body's object schema (of its items for an array). */
  readonly success: ReadonlyArray<string> | undefined
}

const originOf = (servers: unknown): Contract.Origin => {
  const url = Array.isArray(servers) && isObject(servers[0]) ? servers[0].url : undefined
  if (url === undefined) return "api"
  return typeof url === "string" && url.includes("storage") ? "storage" : "files"
}

const propertiesOf = (schema: Json): ReadonlyArray<string> =>
  isObject(schema.properties) ? Object.keys(schema.properties).sort() : []

const specOperations: ReadonlyArray<SpecOperation> = Object.entries(specPaths).flatMap(([path, rawItem]) => {
  const item = resolve(rawItem)
  return ["get", "put", "post", "patch", "delete"].flatMap((method) => {
    const op = item[method]
    if (!isObject(op) || typeof op.operationId !== "string" || !isObject(op.responses)) return []
    const security = Array.isArray(op.security) ? op.security : []
    const requirement = isObject(security[0]) ? security[0].ApiKeyAuth : undefined
    const parameters = [
      ...(Array.isArray(item.parameters) ? item.parameters : []),
      ...(Array.isArray(op.parameters) ? op.parameters : [])
    ].map((raw) => {
      const p = resolve(raw)
      return { name: String(p.name), in: String(p.in) }
    })
    const bodySchema = isObject(op.requestBody) ? resolve(op.requestBody).content : undefined
    const json =
      isObject(bodySchema) && isObject(bodySchema["application/json"]) ? bodySchema["application/json"] : undefined
    const body = json === undefined ? undefined : resolve(json.schema)
    const successKey = Object.keys(op.responses).find((status) => status.startsWith("2"))
    const successResponse = successKey === undefined ? undefined : resolve(op.responses[successKey])
    const successContent = isObject(successResponse?.content) ? successResponse.content["application/json"] : undefined
    let success: ReadonlyArray<string> | undefined
    if (isObject(successContent)) {
      const schema = resolve(successContent.schema)
      success = propertiesOf(schema.type === "array" ? resolve(schema.items) : schema)
    }
    return [
      {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        origin: originOf(op.servers ?? item.servers),
        scopes: Array.isArray(requirement) ? requirement.map(String) : [],
        statuses: Object.keys(op.responses)
          .flatMap((status) => (status === "5XX" ? [500, 503] : [Number(status)]))
          .sort((a, b) => a - b),
        parameters,
        body:
          body === undefined
            ? undefined
            : {
                properties: propertiesOf(body),
                required: Array.isArray(body.required) ? body.required.map(String) : []
              },
        success
      }
    ]
  })
})

/** The property signatures of a struct's AST, on its encoded (wire) side. */
const fieldsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.PropertySignature> => {
  const encoded = SchemaAST.encodedAST(ast)
  if (SchemaAST.isTupleType(encoded)) {
    const rest = encoded.rest[0]
    return rest === undefined ? [] : fieldsOf(rest.type)
  }
  return SchemaAST.isTypeLiteral(encoded) ? encoded.propertySignatures : []
}

/** The fields of one part (`path`, `query`, `body`) of an operation's input. */
const partOf = (ast: SchemaAST.AST | undefined, part: "path" | "query" | "body") => {
  const signature = ast === undefined ? undefined : fieldsOf(ast).find((field) => field.name === part)
  return signature === undefined ? undefined : fieldsOf(signature.type)
}

const names = (fields: ReadonlyArray<SchemaAST.PropertySignature> | undefined) =>
  (fields ?? []).map((field) => String(field.name)).sort()

const apiOperations = Object.values(operations)

const isOperationId = (id: string): id is Contract.OperationId => Object.hasOwn(Contract.routes, id)

describe("the operation table matches docs/openapi.yaml", () => {
  it("the same operations: 24 in all, 21 of them on the API origin, each typed in the table", () => {
    expect(Object.keys(Contract.routes).sort()).toEqual(specOperations.map((op) => op.id).sort())
    expect(specOperations).toHaveLength(24)
    const api = specOperations.filter((op) => op.origin === "api").map((op) => op.id)
    expect(api).toHaveLength(21)
    expect(Object.keys(operations).sort()).toEqual([...api].sort())
    for (const operation of apiOperations) expect(operation.route).toBe(Contract.routes[operation.route.id])
  })

  for (const op of specOperations) {
    describe(op.id, () => {
      if (!isOperationId(op.id)) throw new Error(`${op.id} is not in Contract.routes`)
      const route = Contract.routes[op.id]

      it("method, path, origin, scopes and statuses", () => {
        expect({
          method: route.method,
          path: route.path,
          origin: route.origin,
          scopes: [...route.scopes].sort(),
          statuses: route.statuses
        }).toEqual({
          method: op.method,
          path: op.path,
          origin: op.origin,
          scopes: [...op.scopes].sort(),
          statuses: op.statuses
        })
      })

      it("idempotent: GET, PUT, DELETE and completeUpload only", () => {
        expect(route.idempotent).toBe(op.method !== "POST" && op.method !== "PATCH" ? true : op.id === "completeUpload")
      })

      it("path parameters: the template's", () => {
        expect([...templateParams(route.path)].sort()).toEqual(
          op.parameters
            .filter((p) => p.in === "path")
            .map((p) => p.name)
            .sort()
        )
      })

      const operation = apiOperations.find((candidate) => candidate.route.id === op.id)
      if (operation === undefined) return

      it("input: the path and query parameters and the body's fields, in wire names", () => {
        const byLocation = (location: string) =>
          op.parameters
            .filter((p) => p.in === location)
            .map((p) => p.name)
            .sort()
        expect(names(partOf(operation.input, "path"))).toEqual(byLocation("path"))
        expect(names(partOf(operation.input, "query"))).toEqual(byLocation("query"))
        expect(byLocation("header")).toEqual([])
        const body = partOf(operation.input, "body")
        expect(body === undefined ? undefined : names(body)).toEqual(op.body?.properties)
        // the fields the contract requires are required in the table, the others optional
        const required = (body ?? []).filter((field) => !field.isOptional).map((field) => String(field.name))
        expect(required.sort()).toEqual([...(op.body?.required ?? [])].sort())
      })

      it("success: every field the SDK decodes is in the contract's schema", () => {
        const decoded = names(fieldsOf(operation.success))
        if (op.success === undefined) {
          expect(operation.success).toBe(SchemaAST.voidKeyword)
        } else {
          expect(decoded.length).toBeGreaterThan(0)
          // `public_url` is the SDK's own (set by `files.upload({ public: true })`), documented on File
          expect(decoded.filter((name) => !op.success?.includes(name))).toEqual([])
        }
      })

      it("error tags: NotFoundError, ConflictError and QuotaExceededError exactly where 404, 409 and 402 are documented", () => {
        const expected = Object.entries(extraTagStatus)
          .filter(([, status]) => op.statuses.includes(status))
          .map(([tag]) => tag)
          .sort()
        expect([...operation.errors].sort()).toEqual(expected)
      })
    })
  }
})
