/**
 * What both directions of a sync share when they run: a transfer as a stream of its progress and
 * outcome events, work spread over `jobs`, directories created parents first, and the `Summary`
 * counted from the events that went by.
 *
 * @internal
 */
import { Effect, Mailbox, Stream } from "effect"
import type { SyncEvent as Event, SyncSummary } from "../../Sync.js"
import { SyncEvent } from "./events.js"

/** Files at once by default, and at most. @internal */
export const DEFAULT_JOBS = 4
/** @internal */
export const MAX_JOBS = 64

/**
 * The events of one action: those it reports while it runs (progress), then those it ends with.
 * Interrupting the stream interrupts the action (an upload in flight is aborted by its scope).
 * @internal
 */
export const reporting = (
  run: (report: (event: Event) => Effect.Effect<void>) => Effect.Effect<ReadonlyArray<Event>>
): Stream.Stream<Event> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const mailbox = yield* Mailbox.make<Event>()
      yield* run((event) => Effect.asVoid(mailbox.offer(event))).pipe(
        Effect.flatMap((events) => mailbox.offerAll(events)),
        Effect.ensuring(mailbox.end),
        Effect.forkScoped
      )
      return Mailbox.toStream(mailbox)
    })
  )

/** Relative paths grouped by depth, shallowest first: each group's parents are in an earlier one. @internal */
export const byDepth = (paths: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> => {
  const levels: Array<Array<string>> = []
  for (const path of paths) {
    const depth = path.split("/").length - 1
    for (let i = levels.length; i <= depth; i++) levels.push([])
    levels[depth]?.push(path)
  }
  return levels.filter((level) => level.length > 0)
}

/** Runs `f` on each directory, a level at a time, `jobs` at once within a level. @internal */
export const perDirectory = (
  paths: ReadonlyArray<string>,
  jobs: number,
  f: (path: string) => Effect.Effect<Event>
): Stream.Stream<Event> =>
  Stream.fromIterable(byDepth(paths)).pipe(
    Stream.flatMap((level) => Stream.fromIterable(level).pipe(Stream.mapEffect(f, { concurrency: jobs })))
  )

/**
 * Counts the events of `self` into the last one, the `Summary`. In a dry run the planned actions
 * are counted as if done.
 * @internal
 */
export const summarized =
  (direction: SyncSummary["direction"], dryRun: boolean) =>
  <E>(self: Stream.Stream<Event, E>): Stream.Stream<Event, E> => {
    const counts = { uploaded: 0, downloaded: 0, skipped: 0, deleted: 0, folders: 0, failed: 0, warnings: 0, bytes: 0 }
    const count = (event: Event): void => {
      switch (event._tag) {
        case "Planned":
          if (!dryRun) return
          if (event.action === "upload") counts.uploaded++
          else if (event.action === "download") counts.downloaded++
          else if (event.action === "delete") counts.deleted++
          else counts.folders++
          if (event.action === "upload" || event.action === "download") counts.bytes += event.size ?? 0
          return
        case "Uploaded":
          counts.uploaded++
          counts.bytes += event.size
          return
        case "Downloaded":
          counts.downloaded++
          counts.bytes += event.size
          return
        case "Skipped":
          counts.skipped++
          return
        case "Deleted":
          counts.deleted++
          return
        case "FolderCreated":
          counts.folders++
          return
        case "Failed":
          counts.failed++
          return
        case "Warning":
          counts.warnings++
          return
        case "Progress":
        case "Summary":
          return
      }
    }
    return self.pipe(
      Stream.tap((event) => Effect.sync(() => count(event))),
      Stream.concat(Stream.sync(() => SyncEvent.Summary({ direction, dryRun, ...counts })))
    )
  }
