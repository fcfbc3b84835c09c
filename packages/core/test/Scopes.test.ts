/**
 * The scopes each method needs, as the docs state them, against the operation table: the
 * `Scopes:` line of every method's JSDoc in `FluidCloud.ts` and the README's scopes table must be
 * what `Contract.requiredScopes` computes from `Contract.methods` and the contract's `security`
 * (checked against docs/openapi.yaml by Contract.test.ts). `Contract.methods` itself is checked
 * against the requests each method really sends.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Contract } from "../src/index.js"
import * as MockHttp from "./support/MockHttp.js"
import * as Operations from "./support/Operations.js"

const root = join(import.meta.dirname, "..", "..", "..")
const source = readFileSync(join(root, "packages", "core", "src", "FluidCloud.ts"), "utf8")
const readme = readFileSync(join(root, "README.md"), "utf8")

const isMethod = (name: string): name is Contract.Method => Object.hasOwn(Contract.methods, name)

/** Every method of `Service` with the JSDoc right above it, read from the source. */
const documented = (() => {
  const start = source.indexOf("export interface Service {")
  const body = source.slice(start, source.indexOf("\n}\n", start))
  const found: Array<{ readonly method: string; readonly doc: string }> = []
  let namespace = ""
  for (const match of body.matchAll(
    /^ {2}readonly (\w+): \{$|(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*\n {4}readonly (\w+):/gm
  )) {
    if (match[1] !== undefined) namespace = match[1]
    else if (match[3] !== undefined) found.push({ method: `${namespace}.${match[3]}`, doc: match[2] ?? "" })
  }
  return found
})()

const render = (scopes: ReadonlyArray<string>) => scopes.map((scope) => `\`${scope}\``).join(", ")

/** The scopes line the docs must carry for `method`. */
const expected = (method: Contract.Method): string => {
  const own = Contract.requiredScopes(method)
  if (method !== "files.upload" && method !== "files.uploadStream") return render(own)
  const withPublic = Contract.requiredScopes(method, "files.waitUntilClean", "files.publicUrl")
  return `${render(own)}; with \`public: true\` also ${render(withPublic.filter((scope) => !own.includes(scope)))}`
}

describe("scopes in the docs", () => {
  it("every method of the service is in Contract.methods, and nothing else is", () => {
    expect(documented.map((entry) => entry.method).sort()).toEqual(Object.keys(Contract.methods).sort())
  })

  it.each(documented.map((entry) => [entry.method, entry.doc] as const))("%s states its scopes", (method, doc) => {
    expect(isMethod(method)).toBe(true)
    if (!isMethod(method)) return
    expect(doc).toContain(`Scopes: ${expected(method)}.`)
  })

  it("the README's table has one row per method, with the same scopes", () => {
    const section = readme.slice(readme.indexOf("## Scopes"), readme.indexOf("\n## ", readme.indexOf("## Scopes") + 1))
    const rows = [...section.matchAll(/^\| `(\w+\.\w+)\(.*?\)` \| (.+) \|$/gm)].map(
      (match) => [match[1] ?? "", match[2] ?? ""] as const
    )
    expect(rows.map(([method]) => method).sort()).toEqual(Object.keys(Contract.methods).sort())
    for (const [method, scopes] of rows) {
      expect(isMethod(method)).toBe(true)
      if (isMethod(method)) expect(scopes, method).toBe(expected(method))
    }
  })

  it("requiredScopes: the union, in contract order", () => {
    expect(Contract.requiredScopes("files.publicUrl")).toEqual(["files:read", "shares:write"])
    expect(Contract.requiredScopes("quota.usage", "spaces.create", "spaces.list")).toEqual([
      "spaces:read",
      "spaces:write",
      "quota:read"
    ])
    expect(Contract.requiredScopes()).toEqual([])
  })
})

/** The operation a request went to, by method and path template below `/api/v1`. */
const operationOf = (method: string, path: string): Contract.OperationId | undefined =>
  Object.values(Contract.routes).find((route) => {
    if (route.origin !== "api" || route.method !== method) return false
    const pattern = new RegExp(`^${route.path.replace(/\{[^}]+\}/g, "[^/]+")}$`)
    return pattern.test(path) && !(route.path.includes("{") && /\/(resolve|initiate|complete)$/.test(path))
  })?.id

describe("Contract.methods", () => {
  it.effect.each(Operations.all.map((operation) => [operation.span, operation] as const))(
    "%s sends only the operations it lists",
    ([span, operation]) =>
      Effect.gen(function* () {
        const method = span.replace(/^FluidCloud\./, "")
        expect(isMethod(method)).toBe(true)
        if (!isMethod(method)) return
        const mock = MockHttp.make(Operations.router)
        yield* Effect.exit(MockHttp.run(mock, operation.call))
        const sent = mock.requests.map((request) => operationOf(request.method, new URL(request.url).pathname.slice(7)))
        expect(sent.length).toBeGreaterThan(0)
        for (const id of sent) expect(Contract.methods[method]).toContain(id)
      })
  )
})
