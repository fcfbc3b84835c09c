/**
 * The local side of a sync: a walk of a directory tree through the platform's `FileSystem`,
 * collecting its directories (empty ones too) and regular files by relative `/`-separated path.
 * Symbolic links are skipped with a warning unless followed (a link looping back to a directory
 * it is in, or one that loops or leads nowhere, is skipped then); other special files, and names
 * with a backslash (which a pull never writes back), are skipped with a warning; a directory that
 * cannot be read is a `Failed` event and is marked, so nothing under it is ever deleted.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import type { SyncFileError } from "../../Sync.js"
import { type PathEvent, SyncEvent } from "./events.js"
import type { Filter } from "./filter.js"

/** A regular file of the local tree. @internal */
export interface LocalFile {
  /** Relative, `/`-separated. */
  readonly path: string
  readonly absolute: string
  readonly size: number
  /** Modification time in milliseconds, when the platform reports one. */
  readonly mtimeMs: number | undefined
}

/** @internal */
export interface LocalTree {
  /** Relative paths of the directories below the root, parents before children. */
  readonly directories: ReadonlyArray<string>
  readonly files: ReadonlyMap<string, LocalFile>
  /** Paths (directories or files) that are not what they seem to be and must be left alone. */
  readonly untouchable: ReadonlySet<string>
  /** Directories that could not be read (fully): nothing under them is deleted. */
  readonly unreadable: ReadonlySet<string>
  readonly events: ReadonlyArray<PathEvent>
}

/** System calls at once. */
const CONCURRENCY = 16

/** A directory to walk: where it is, and (following symlinks) the real paths above it. */
interface Directory {
  readonly rel: string
  readonly abs: string
  readonly ancestors: ReadonlySet<string>
}

/** What the walk needs. @internal */
export interface Walk {
  readonly fs: FileSystem.FileSystem
  readonly path: Path.Path
  readonly filter: Filter
  readonly followSymlinks: boolean
  /** The error of a path that could not be read (push: `SourceError`, pull: `TargetError`). */
  readonly problem: (description: string, cause: PlatformError.PlatformError) => SyncFileError
}

/** `a/b` + `c` → `a/b/c`; the root is `""`. @internal */
export const join = (parent: string, name: string): string => (parent === "" ? name : `${parent}/${name}`)

/** The parent of a relative path (`""` for a top-level one). @internal */
export const parentOf = (path: string): string => {
  const slash = path.lastIndexOf("/")
  return slash < 0 ? "" : path.slice(0, slash)
}

/** The last segment of a relative path. @internal */
export const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

/** Whether `path` is `dir` or below it. @internal */
export const isUnder = (path: string, dir: string): boolean => dir === "" || path === dir || path.startsWith(`${dir}/`)

/** Orders relative paths (code unit order: parents before children). @internal */
export const byPath = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Whether `path` or one of its parents is in `paths`. @internal */
export const isWithin = (paths: ReadonlySet<string>, path: string): boolean => {
  if (paths.size === 0) return false
  for (let at = path; ; at = parentOf(at)) {
    if (paths.has(at)) return true
    if (at === "") return false
  }
}

const mtimeOf = (info: FileSystem.File.Info): number | undefined =>
  Option.getOrUndefined(Option.map(info.mtime, (date) => date.getTime()))

/**
 * Walks the tree under `root` (an existing directory). Never fails: what cannot be read is an
 * event.
 * @internal
 */
export const walk = (deps: Walk, root: string): Effect.Effect<LocalTree> =>
  Effect.gen(function* () {
    const { fs, path, filter } = deps
    const directories: Array<string> = []
    const files = new Map<string, LocalFile>()
    const untouchable = new Set<string>()
    const unreadable = new Set<string>()
    const events: Array<PathEvent> = []
    const failed = (rel: string, what: string) => (cause: PlatformError.PlatformError) =>
      Effect.sync(() => {
        events.push(
          SyncEvent.Failed({
            path: rel,
            action: "read",
            error: deps.problem(`could not ${what}: ${cause.message}`, cause)
          })
        )
      })

    const realPath = (abs: string) => fs.realPath(abs).pipe(Effect.option)

    /** One entry of a directory; a directory to walk next, if it is one. */
    const entry = (rel: string, abs: string, ancestors: ReadonlySet<string>): Effect.Effect<Option.Option<Directory>> =>
      Effect.gen(function* () {
        if (baseName(rel).includes("\\")) {
          // a name the service would keep but a pull never writes back (`remote.ts`'s `isUnsafeName`):
          // pushed, it would be uploaded again on every push; pulled, it would be deleted as absent
          untouchable.add(rel)
          events.push(
            SyncEvent.Warning({
              path: rel,
              reason: "unsafeName",
              detail: "a name with a backslash (a path separator on Windows): left alone"
            })
          )
          return Option.none()
        }
        const isLink = Option.isSome(yield* Effect.option(fs.readLink(abs)))
        if (isLink && !deps.followSymlinks) {
          untouchable.add(rel)
          events.push(SyncEvent.Warning({ path: rel, reason: "symlink", detail: "a symbolic link, not followed" }))
          return Option.none()
        }
        const stat = yield* Effect.either(fs.stat(abs))
        if (stat._tag === "Left") {
          untouchable.add(rel)
          if (isLink) {
            // followed, a link that loops or leads nowhere is skipped, as a link to an ancestor is
            events.push(
              SyncEvent.Warning({
                path: rel,
                reason: "symlink",
                detail: `a symbolic link that loops or leads nowhere: ${stat.left.message}`
              })
            )
            return Option.none()
          }
          yield* failed(rel, `read ${rel}`)(stat.left)
          return Option.none()
        }
        const info = stat.right
        if (info.type === "Directory") {
          if (!filter.directory(rel)) return Option.none()
          let below = ancestors
          if (deps.followSymlinks) {
            const real = Option.getOrElse(yield* realPath(abs), () => abs)
            if (ancestors.has(real)) {
              untouchable.add(rel)
              events.push(
                SyncEvent.Warning({ path: rel, reason: "symlink", detail: "a symbolic link to a directory it is in" })
              )
              return Option.none()
            }
            below = new Set([...ancestors, real])
          }
          directories.push(rel)
          return Option.some({ rel, abs, ancestors: below })
        }
        if (info.type === "File") {
          if (filter.file(rel)) {
            files.set(rel, { path: rel, absolute: abs, size: Number(info.size), mtimeMs: mtimeOf(info) })
          }
          return Option.none()
        }
        untouchable.add(rel)
        events.push(
          SyncEvent.Warning({
            path: rel,
            reason: "unsupported",
            detail: `not a regular file or directory (${info.type})`
          })
        )
        return Option.none()
      })

    // a level of the tree at a time, a bounded number of system calls at once within it
    const rootReal = deps.followSymlinks ? Option.getOrElse(yield* realPath(root), () => root) : root
    let level: ReadonlyArray<Directory> = [{ rel: "", abs: root, ancestors: new Set([rootReal]) }]
    while (level.length > 0) {
      const listed = yield* Effect.forEach(
        level,
        (dir) =>
          fs.readDirectory(dir.abs).pipe(
            Effect.map((names) => [...names].sort().map((name) => [dir, name] as const)),
            Effect.catchAll((cause) =>
              Effect.as(
                Effect.zipRight(
                  Effect.sync(() => unreadable.add(dir.rel)),
                  failed(dir.rel, `read the directory ${dir.rel === "" ? "." : dir.rel}`)(cause)
                ),
                []
              )
            )
          ),
        { concurrency: CONCURRENCY }
      )
      const next = yield* Effect.forEach(
        listed.flat(),
        ([dir, name]) => entry(join(dir.rel, name), path.join(dir.abs, name), dir.ancestors),
        { concurrency: CONCURRENCY }
      )
      level = next.flatMap(Option.toArray)
    }
    // sorted: parents before children, and a stable order of events
    directories.sort()
    events.sort((a, b) => byPath(a.path, b.path))
    return { directories, files, untouchable, unreadable, events }
  })
