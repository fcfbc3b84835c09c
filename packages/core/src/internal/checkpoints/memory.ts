/**
 * The in-memory backend of the checkpoint store: encoded values in maps, for one process.
 *
 * @internal
 */
import { Effect, Option } from "effect"
import type { Backend } from "./records.js"

/** @internal */
export const make = (): Backend => {
  const namespaces = new Map<string, Map<string, unknown>>()
  const of = (namespace: string) => {
    let values = namespaces.get(namespace)
    if (values === undefined) {
      values = new Map()
      namespaces.set(namespace, values)
    }
    return values
  }
  return {
    get: (namespace, key) => Effect.sync(() => Option.fromNullable(of(namespace).get(key))),
    set: (namespace, key, value) =>
      Effect.sync(() => {
        of(namespace).set(key, value)
      }),
    remove: (namespace, key) =>
      Effect.sync(() => {
        of(namespace).delete(key)
      }),
    list: (namespace) => Effect.sync(() => [...of(namespace).entries()])
  }
}
