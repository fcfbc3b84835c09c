import { Effect } from "effect"
import * as Errors from "../Errors.js"

/** Fails with a `ValidationError` on `field` unless `ok`. @internal */
export const validate = (
  field: string,
  ok: boolean,
  description: string
): Effect.Effect<void, Errors.ValidationError> =>
  ok ? Effect.void : Effect.fail(new Errors.ValidationError({ field, description }))

/** Length in code points, as the service counts it (not UTF-16 units). @internal */
export const codePoints = (value: string): number => {
  let count = 0
  for (const _ of value) count++
  return count
}

/** A string of `min` to `max` characters (code points). @internal */
export const validateLength = (field: string, value: string, min: number, max: number) => {
  const length = codePoints(value)
  return validate(field, length >= min && length <= max, `must be ${min} to ${max} characters`)
}

/** A name of 1 to 255 characters; folder names must not contain `/`. @internal */
export const validateName = (field: string, name: string, allowSlash: boolean) =>
  Effect.zipRight(
    validateLength(field, name, 1, 255),
    allowSlash ? Effect.void : validate(field, !name.includes("/"), "must not contain '/'")
  )

/** A `client_key`: 1 to 1024 characters. @internal */
export const validateClientKey = (clientKey: string) => validateLength("clientKey", clientKey, 1, 1024)
