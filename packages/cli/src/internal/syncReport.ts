/**
 * What `fluidcloud sync` shows of a sync's events: one line per action on stdout (`upload`,
 * `download`, `delete`, `mkdir`; `would ...` in a dry run), warnings and each failure on their own
 * stderr line, an aggregate progress bar on a terminal's stderr (files and bytes, rate, ETA), then
 * a summary; and the `--json` document, gathered from the same events.
 *
 * @internal
 */
import type { Sync } from "@fluidcloud/core"
import { Clock, Console, Effect, Schema } from "effect"
import * as Format from "./format.js"
import * as Progress from "./progress.js"
import * as Sanitize from "./sanitize.js"

const Entry = Schema.Struct({
  path: Schema.String,
  size: Schema.optional(Schema.Number),
  file_id: Schema.optional(Schema.String)
})

/**
 * The `--json` document of `sync`: what was (or, in a dry run, would be) uploaded, downloaded and
 * deleted, what was skipped as unchanged, and what failed.
 *
 * @internal
 */
export const Document = Schema.Struct({
  dry_run: Schema.Boolean,
  uploaded: Schema.Array(Entry),
  downloaded: Schema.Array(Entry),
  skipped: Schema.Array(Entry),
  deleted: Schema.Array(Entry),
  failed: Schema.Array(Schema.Struct({ path: Schema.String, tag: Schema.String, detail: Schema.String }))
})

/** @internal */
export type Document = typeof Document.Type

type Mutable<A> = { -readonly [K in keyof A]: A[K] extends ReadonlyArray<infer E> ? Array<E> : A[K] }

/** An entry of the document; `size` and `file_id` only where known. */
const entry = (path: string, size: number | undefined, fileId: string | undefined): typeof Entry.Type => ({
  path,
  ...(size === undefined ? {} : { size }),
  ...(fileId === undefined ? {} : { file_id: fileId })
})

const verbs = { upload: "upload", download: "download", delete: "delete", folder: "mkdir" } as const

/** `upload  docs/a.txt (7 B)`: the verb padded, the path made terminal-safe. */
const line = (verb: string, path: string, size?: number) =>
  `${verb.padEnd(8)} ${Sanitize.text(path)}${size === undefined ? "" : ` (${Format.bytes(size)})`}`

/** @internal */
export interface Report {
  /** Feed it every event, in order. */
  readonly onEvent: (event: Sync.SyncEvent) => Effect.Effect<void>
  /** Clears the bar (when the sync failed as a whole). */
  readonly clear: Effect.Effect<void>
  /** Clears the bar and prints the summary line (not with `--json`); the document and the summary. */
  readonly finish: Effect.Effect<{ readonly document: Document; readonly summary: Sync.SyncSummary | undefined }>
}

/**
 * A report for a sync: `json` keeps stdout for the document; `stderr` is where the bar and the
 * failure lines go.
 *
 * @internal
 */
export const make = (options: {
  readonly json: boolean
  readonly dryRun: boolean
  readonly stderr: Progress.Options
}): Effect.Effect<Report> =>
  Effect.gen(function* () {
    const { json, dryRun, stderr } = options
    const startedAt = yield* Clock.currentTimeMillis
    const document: Mutable<Document> = {
      dry_run: dryRun,
      uploaded: [],
      downloaded: [],
      skipped: [],
      deleted: [],
      failed: []
    }
    let summary: Sync.SyncSummary | undefined
    // the bar: planned transfers, those finished (or failed), and the bytes of those in flight
    const planned = new Map<string, number>()
    const inFlight = new Map<string, number>()
    let totalBytes = 0
    let doneFiles = 0
    let doneBytes = 0
    let barShown = false
    let lastDraw = 0

    const bar = (now: number) => {
      const bytes = doneBytes + [...inFlight.values()].reduce((sum, n) => sum + n, 0)
      // the rate is the average since the command started (listing and comparing included)
      const counts = { startedAt, totalBytes, uploadedBytes: Math.min(bytes, totalBytes) }
      return `${Progress.bar(counts, now, stderr.width ?? 30)}  ${doneFiles}/${planned.size} files`
    }
    const clearBar = Effect.suspend(() => {
      if (!barShown) return Effect.void
      barShown = false
      return stderr.write("\r\x1b[2K")
    })
    const redraw = (force: boolean) =>
      Effect.gen(function* () {
        if (!stderr.tty || dryRun || planned.size === 0) return
        const now = yield* Clock.currentTimeMillis
        if (!force && now - lastDraw < 100) return
        lastDraw = now
        barShown = true
        yield* stderr.write(`\r\x1b[2K${bar(now)}`)
      })
    /** A line on stdout (not with `--json`), the bar cleared before and drawn again after. */
    const say = (text: string) => (json ? Effect.void : Effect.zipRight(clearBar, Console.log(text)))
    /** A line on stderr, the bar cleared before. */
    const warn = (text: string) => Effect.zipRight(clearBar, stderr.write(`${text}\n`))
    const finished = (path: string, bytes: number) => {
      inFlight.delete(path)
      doneFiles++
      doneBytes += bytes
    }

    const handle = (event: Sync.SyncEvent): Effect.Effect<void> => {
      switch (event._tag) {
        case "Planned": {
          if (event.action === "upload" || event.action === "download") {
            planned.set(event.path, event.size ?? 0)
            totalBytes += event.size ?? 0
          }
          if (!dryRun) return Effect.void
          const target =
            event.action === "upload"
              ? document.uploaded
              : event.action === "download"
                ? document.downloaded
                : event.action === "delete"
                  ? document.deleted
                  : undefined
          target?.push(entry(event.path, event.size, event.action === "upload" ? undefined : event.fileId))
          return say(`would ${line(verbs[event.action], event.path, event.size)}`)
        }
        case "Skipped":
          document.skipped.push(entry(event.path, event.size, event.fileId))
          return Effect.void
        case "Progress":
          inFlight.set(event.path, event.bytes)
          return redraw(false)
        case "Uploaded":
          finished(event.path, event.size)
          document.uploaded.push(entry(event.path, event.size, event.file.id))
          return Effect.zipRight(say(line("upload", event.path, event.size)), redraw(true))
        case "Downloaded":
          finished(event.path, event.size)
          document.downloaded.push(entry(event.path, event.size, event.fileId))
          return Effect.zipRight(say(line("download", event.path, event.size)), redraw(true))
        case "Deleted":
          document.deleted.push(entry(event.path, event.size, event.fileId))
          return Effect.zipRight(say(line("delete", event.path)), redraw(true))
        case "FolderCreated":
          return Effect.zipRight(say(line("mkdir", event.path)), redraw(true))
        case "Warning":
          return Effect.zipRight(
            warn(`fluidcloud: warning: ${Sanitize.text(event.path)}: ${Sanitize.text(event.detail)}`),
            redraw(true)
          )
        case "Failed": {
          const size = planned.get(event.path)
          if (size !== undefined && (event.action === "upload" || event.action === "download")) {
            finished(event.path, size)
          }
          document.failed.push({ path: event.path, tag: event.error._tag, detail: event.error.message })
          const what = event.action === "folder" ? "create folder" : event.action
          return Effect.zipRight(
            warn(
              `fluidcloud: ${what} ${Sanitize.text(event.path)} failed: ${Sanitize.text(event.error.message.replace(/\s*\n\s*/g, " "))}`
            ),
            redraw(true)
          )
        }
        case "Summary":
          summary = event
          return Effect.void
      }
    }

    const summaryLine = (s: Sync.SyncSummary, seconds: number) => {
      const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
      const files = (n: number) => count(n, "file", "files")
      const moved = s.direction === "push" ? s.uploaded : s.downloaded
      const verb = s.direction === "push" ? "upload" : "download"
      const folders =
        s.direction === "push" ? count(s.folders, "folder", "folders") : count(s.folders, "directory", "directories")
      return s.dryRun
        ? `dry run: would ${verb} ${files(moved)} (${Format.bytes(s.bytes)}), delete ${files(s.deleted)}, create ${folders}; ${s.skipped} unchanged`
        : `${verb}ed ${files(moved)} (${Format.bytes(s.bytes)}), deleted ${files(s.deleted)}, created ${folders}; ${s.skipped} unchanged, ${s.failed} failed, in ${Format.seconds(seconds)}`
    }

    return {
      clear: clearBar,
      onEvent: handle,
      finish: Effect.gen(function* () {
        yield* clearBar
        const now = yield* Clock.currentTimeMillis
        if (summary !== undefined && !json) yield* Console.log(summaryLine(summary, (now - startedAt) / 1000))
        return { document, summary }
      })
    }
  })
