/**
 * Request-body checks as the service answers them: each field of a body against its spec (kind,
 * required, length, pattern, range, UUID), every problem an issue in FastAPI's 422 list
 * (`{"loc", "msg", "type"}`); POST bodies ignore unknown keys, PATCH bodies reject them.
 *
 * @internal
 */
/** @internal */
export interface Issue {
  readonly loc: ReadonlyArray<string | number>
  readonly msg: string
  readonly type: string
}

/** @internal */
export type FieldSpec =
  | {
      readonly kind: "string"
      readonly required?: boolean
      readonly nullable?: boolean
      readonly minLength?: number
      readonly maxLength?: number
      readonly pattern?: RegExp
    }
  | { readonly kind: "uuid"; readonly required?: boolean; readonly nullable?: boolean }
  | {
      readonly kind: "int"
      readonly required?: boolean
      readonly nullable?: boolean
      readonly min?: number
      readonly max?: number
    }
  | {
      readonly kind: "enum"
      readonly required?: boolean
      readonly nullable?: boolean
      readonly values: ReadonlyArray<string>
    }
  | { readonly kind: "array"; readonly required?: boolean }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** @internal */
export const isUuid = (s: string): boolean => UUID.test(s)

/**
 * An id as the service reads it: a UUID in any case names the same record (the contract's id
 * patterns accept both cases, and the service parses them as UUIDs), so a `*_id` value that is a
 * UUID is lower-cased, as the emulator's ids are; anything else is left for validation to refuse.
 * @internal
 */
export const canonicalId = (name: string, value: string): string =>
  name.endsWith("_id") && isUuid(value) ? value.toLowerCase() : value

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const checkValue = (loc: ReadonlyArray<string | number>, spec: FieldSpec, value: unknown): Issue | undefined => {
  if (value === null) {
    return "nullable" in spec && spec.nullable === true
      ? undefined
      : { loc, msg: "Input should not be null", type: "none_forbidden" }
  }
  switch (spec.kind) {
    case "string": {
      if (typeof value !== "string") return { loc, msg: "Input should be a valid string", type: "string_type" }
      // JSON Schema (and the service) count characters as code points, not UTF-16 units
      const length = Array.from(value).length
      if (spec.minLength !== undefined && length < spec.minLength)
        return { loc, msg: `String should have at least ${spec.minLength} character`, type: "string_too_short" }
      if (spec.maxLength !== undefined && length > spec.maxLength)
        return { loc, msg: `String should have at most ${spec.maxLength} characters`, type: "string_too_long" }
      if (spec.pattern !== undefined && !spec.pattern.test(value))
        return { loc, msg: `String should match pattern '${spec.pattern.source}'`, type: "string_pattern_mismatch" }
      return undefined
    }
    case "uuid":
      return typeof value === "string" && isUuid(value)
        ? undefined
        : { loc, msg: "Input should be a valid UUID", type: "uuid_parsing" }
    case "int": {
      if (typeof value !== "number" || !Number.isInteger(value))
        return { loc, msg: "Input should be a valid integer", type: "int_type" }
      if (spec.min !== undefined && value < spec.min)
        return { loc, msg: `Input should be greater than or equal to ${spec.min}`, type: "greater_than_equal" }
      if (spec.max !== undefined && value > spec.max)
        return { loc, msg: `Input should be less than or equal to ${spec.max}`, type: "less_than_equal" }
      return undefined
    }
    case "enum":
      return typeof value === "string" && spec.values.includes(value)
        ? undefined
        : { loc, msg: `Input should be ${spec.values.map((v) => `'${v}'`).join(" or ")}`, type: "enum" }
    case "array":
      return Array.isArray(value) ? undefined : { loc, msg: "Input should be a valid list", type: "list_type" }
  }
}

/** @internal */
export const checkObject = (
  body: unknown,
  fields: Record<string, FieldSpec>,
  options: { readonly forbidExtra?: boolean; readonly minProperties?: number } = {}
): ReadonlyArray<Issue> => {
  if (!isRecord(body)) return [{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }]
  const issues: Array<Issue> = []
  for (const [name, spec] of Object.entries(fields)) {
    const value = body[name]
    if (value === undefined) {
      if (spec.required === true) issues.push({ loc: ["body", name], msg: "Field required", type: "missing" })
      continue
    }
    const issue = checkValue(["body", name], spec, value)
    if (issue !== undefined) issues.push(issue)
  }
  if (options.forbidExtra === true) {
    for (const name of Object.keys(body)) {
      if (!(name in fields))
        issues.push({ loc: ["body", name], msg: "Extra inputs are not permitted", type: "extra_forbidden" })
    }
  }
  if (options.minProperties !== undefined && Object.keys(body).length < options.minProperties) {
    issues.push({ loc: ["body"], msg: `Object should have at least ${options.minProperties} field`, type: "too_short" })
  }
  return issues
}

/** @internal */
export const parseBool = (value: string): boolean | undefined => {
  const v = value.toLowerCase()
  if (v === "true" || v === "1" || v === "yes" || v === "on") return true
  if (v === "false" || v === "0" || v === "no" || v === "off") return false
  return undefined
}
