/**
 * `fluidcloud sync SRC DST`: one side a local directory, the other `fc://SPACE_ID[/folder/path]`
 * (folders by name; created on push, required on pull). Runs the SDK's `sync.push` or
 * `sync.pull` and shows its events (`syncReport.ts`); exits 15 when some files failed (the others
 * completed), after the `--json` document. Ctrl-C interrupts the sync: uploads in flight are
 * aborted on the server, and running the same command again skips what was done.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Domain, type Sync } from "@fluidcloud/core"
import { Console, Effect, Either, Option, Schema, Stream } from "effect"
import * as ExitCodes from "./exitCodes.js"
import { root, withClient } from "./globals.js"
import * as Progress from "./progress.js"
import * as Sanitize from "./sanitize.js"
import * as SyncReport from "./syncReport.js"

const SCHEME = "fc://"

/** The two sides of a sync, as the command line gave them. */
interface Sides {
  readonly direction: "push" | "pull"
  readonly local: string
  readonly target: Sync.SyncTarget
}

const decodeSpaceId = Schema.decodeUnknownEither(Domain.SpaceId)

/**
 * `fc://SPACE_ID[/folder/path]` as a target (`None` for a local path), or the usage error of a
 * malformed one.
 *
 * @internal
 */
export const parseRemote = (raw: string): Either.Either<Option.Option<Sync.SyncTarget>, ExitCodes.UsageError> => {
  if (!raw.startsWith(SCHEME)) return Either.right(Option.none())
  const [id = "", ...names] = raw.slice(SCHEME.length).split("/")
  const path = names.filter((name) => name !== "").join("/")
  return Either.match(decodeSpaceId(id), {
    onLeft: () =>
      Either.left(
        new ExitCodes.UsageError({
          description: `expected fc://SPACE_ID[/folder/path] with a space id (a UUID), got ${JSON.stringify(raw)}`
        })
      ),
    onRight: (spaceId) => Either.right(Option.some(path === "" ? { spaceId } : { spaceId, path }))
  })
}

/** Which side is remote: exactly one must be. @internal */
export const sidesOf = (src: string, dst: string): Either.Either<Sides, ExitCodes.UsageError> =>
  Either.flatMap(
    Either.all([parseRemote(src), parseRemote(dst)]),
    ([from, to]): Either.Either<Sides, ExitCodes.UsageError> => {
      if (Option.isSome(from) && Option.isNone(to)) {
        return Either.right({ direction: "pull", local: dst, target: from.value })
      }
      if (Option.isNone(from) && Option.isSome(to)) {
        return Either.right({ direction: "push", local: src, target: to.value })
      }
      return Either.left(
        new ExitCodes.UsageError({
          description: "one side of sync must be a local directory and the other fc://SPACE_ID[/folder/path]"
        })
      )
    }
  )

const glob = (name: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName("GLOB"), Options.withDescription(description), Options.repeated)

const count = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withPseudoName("N"), Options.withDescription(description), Options.optional)

/** @internal */
export const command = Command.make(
  "sync",
  {
    src: Args.text({ name: "src" }).pipe(Args.withDescription("A local directory, or fc://SPACE_ID[/folder/path].")),
    dst: Args.text({ name: "dst" }).pipe(Args.withDescription("A local directory, or fc://SPACE_ID[/folder/path].")),
    include: glob("include", "Only files whose relative path matches (repeatable; default: every file)."),
    exclude: glob("exclude", "Leave out files and directories whose relative path matches (repeatable)."),
    dryRun: Options.boolean("dry-run").pipe(
      Options.withDescription("Only list what would be done: no write request, nothing written locally.")
    ),
    delete: Options.boolean("delete").pipe(
      Options.withDescription("Also delete files absent from SRC: to the trash (push), or removed (pull).")
    ),
    jobs: count("jobs", "Files transferred at once (1 to 64, default 4)."),
    concurrency: count("concurrency", "Parts of one file uploaded at once (1 to 64, default 4)."),
    followSymlinks: Options.boolean("follow-symlinks").pipe(
      Options.withDescription("Follow symbolic links (default: skip each with a warning).")
    ),
    clientKeyPrefix: Options.text("client-key-prefix").pipe(
      Options.withPseudoName("P"),
      Options.withDescription("Push: each file's client key is P/ + its relative path (default: the path alone)."),
      Options.optional
    ),
    resume: Options.boolean("resume").pipe(
      Options.withDescription(
        "Push: keep a failed or interrupted upload (and its checkpoint) so the next run sends only its missing parts. Pull: continue a .part left by an interrupted download."
      )
    )
  },
  (o) =>
    Effect.gen(function* () {
      const globals = yield* root
      const sides = yield* sidesOf(o.src, o.dst)
      if (sides.direction === "pull" && Option.isSome(o.clientKeyPrefix)) {
        return yield* new ExitCodes.UsageError({ description: "--client-key-prefix applies to a push only" })
      }
      const common: Sync.SyncOptions = {
        include: o.include,
        exclude: o.exclude,
        dryRun: o.dryRun,
        delete: o.delete,
        jobs: Option.getOrUndefined(o.jobs),
        followSymlinks: o.followSymlinks,
        resume: o.resume
      }
      const pushOptions: Sync.PushOptions = {
        ...common,
        concurrency: Option.getOrUndefined(o.concurrency),
        clientKeyPrefix: Option.getOrUndefined(o.clientKeyPrefix)
      }
      const report = yield* SyncReport.make({ json: globals.json, dryRun: o.dryRun, stderr: yield* Progress.Stderr })
      yield* withClient((fc) => {
        const events: Stream.Stream<Sync.SyncEvent, Sync.PushError | Sync.PullError> =
          sides.direction === "push"
            ? fc.sync.push(sides.local, sides.target, pushOptions)
            : fc.sync.pull(sides.target, sides.local, common)
        return events.pipe(
          Stream.runForEach(report.onEvent),
          Effect.onError(() => report.clear),
          Effect.onInterrupt(() =>
            Console.error(
              sides.direction === "pull"
                ? `fluidcloud: interrupted: run the same command again to continue (what was done is skipped${o.resume ? "; partial downloads continue" : ""})`
                : o.resume
                  ? "fluidcloud: interrupted; the uploads in flight were kept: run the same command again to continue (what was done is skipped, the kept uploads send only their missing parts)"
                  : "fluidcloud: interrupted; the uploads in flight were aborted: run the same command again to continue (what was done is skipped)"
            )
          )
        )
      })
      const { document } = yield* report.finish
      if (globals.json) yield* Console.log(Sanitize.json(JSON.stringify(document, null, 2)))
      if (document.failed.length > 0) {
        return yield* new ExitCodes.SomeFailedError({
          failed: document.failed.length,
          total:
            document.failed.length + document.uploaded.length + document.downloaded.length + document.deleted.length,
          command: "sync"
        })
      }
    })
).pipe(
  Command.withDescription(
    "Mirror a local directory to fc://SPACE_ID[/folder/path] or back: transfers only what differs (name, size, sha256)."
  )
)
