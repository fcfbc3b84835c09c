/**
 * The include/exclude globs of a sync, compiled once with picomatch (POSIX, `dot: true`) and
 * matched against relative `/`-separated paths: a file is included when no include is given or
 * one matches, then dropped when an exclude matches; a directory is left out (with its subtree)
 * when an exclude matches it.
 *
 * @internal
 */
import { Effect } from "effect"
import picomatch from "picomatch/posix.js"
import * as Errors from "../../Errors.js"

/** @internal */
export interface Filter {
  readonly file: (path: string) => boolean
  readonly directory: (path: string) => boolean
}

type Matcher = (path: string) => boolean

const compile = (
  globs: ReadonlyArray<string> | undefined,
  field: "include" | "exclude"
): Effect.Effect<ReadonlyArray<Matcher>, Errors.ValidationError> =>
  Effect.forEach(globs ?? [], (glob, index) =>
    Effect.try({
      try: () => {
        if (typeof glob !== "string" || glob.length === 0) throw new Error("must be a non-empty glob")
        return picomatch(glob, { dot: true })
      },
      catch: (cause) =>
        new Errors.ValidationError({
          field: `${field}[${index}]`,
          description: cause instanceof Error ? cause.message : "is not a valid glob"
        })
    })
  )

const any = (matchers: ReadonlyArray<Matcher>, path: string): boolean => matchers.some((matches) => matches(path))

/** @internal */
export const make = (
  include: ReadonlyArray<string> | undefined,
  exclude: ReadonlyArray<string> | undefined
): Effect.Effect<Filter, Errors.ValidationError> =>
  Effect.map(Effect.all([compile(include, "include"), compile(exclude, "exclude")]), ([included, excluded]) => ({
    file: (path) => (included.length === 0 || any(included, path)) && !any(excluded, path),
    directory: (path) => !any(excluded, path)
  }))
