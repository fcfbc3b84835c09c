/**
 * `fluidcloud files`: `ls`, `get`, `upload` (in `upload.ts`), `download` (in `download.ts`), `resolve`, the
 * `mv`/`rename`/`rm`/`restore` they share with folders, `url`, `share` and `wait`.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Domain } from "@fluidcloud/core"
import { Duration, Effect, Option, Schedule } from "effect"
import { folderIdOption, idArg, spaceOption, trashOption } from "./args.js"
import * as Download from "./download.js"
import { action } from "./globals.js"
import * as Items from "./items.js"
import * as Output from "./output.js"
import * as Upload from "./upload.js"

const fileId = idArg("file-id", Domain.FileId)

const ls = Command.make(
  "ls",
  {
    space: spaceOption,
    folder: folderIdOption("folder", "The folder (default: the Space root)."),
    trash: trashOption
  },
  (o) =>
    action(Output.files, (fc) => fc.files.list(o.space, { folderId: Option.getOrUndefined(o.folder), trash: o.trash }))
).pipe(Command.withDescription("List the files in a folder (or the Space's trash)."))

const get = Command.make("get", { id: fileId }, (o) => action(Output.file, (fc) => fc.files.get(o.id))).pipe(
  Command.withDescription("Show a file (files in trash too).")
)

const resolve = Command.make("resolve", { clientKey: Args.text({ name: "client-key" }) }, (o) =>
  action(Output.file, (fc) => fc.files.resolve(o.clientKey))
).pipe(Command.withDescription("Find the newest live file with this client key."))

const url = Command.make("url", { id: fileId }, (o) =>
  action(Output.url, (fc) => Effect.map(fc.files.downloadUrl(o.id), (url) => ({ url })))
).pipe(Command.withDescription("Print a short-lived download URL (the file must be scanned clean)."))

const share = Command.make(
  "share",
  {
    id: fileId,
    expiresInDays: Options.integer("expires-in-days").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Mint a link that expires after N days (1 to 365) instead of a permanent one."),
      Options.optional
    ),
    permission: Options.choice("permission", Domain.Permission.literals).pipe(
      Options.withDescription("`view` (inline, default) or `download`; implies an expiring link (7 days by default)."),
      Options.optional
    ),
    maxDownloads: Options.integer("max-downloads").pipe(
      Options.withPseudoName("N"),
      Options.withDescription("Stop serving after N downloads; implies an expiring link (7 days by default)."),
      Options.optional
    )
  },
  (o) =>
    action(Output.link, (fc) =>
      Option.isNone(o.expiresInDays) && Option.isNone(o.permission) && Option.isNone(o.maxDownloads)
        ? fc.files.publicUrl(o.id)
        : fc.files.signedUrl(o.id, {
            expiresInDays: Option.getOrUndefined(o.expiresInDays),
            permission: Option.getOrUndefined(o.permission),
            maxDownloads: Option.getOrUndefined(o.maxDownloads)
          })
    )
).pipe(
  Command.withDescription(
    "Mint a share link: permanent public (default), or expiring with --expires-in-days. Prints its URL."
  )
)

/** `waitUntilClean`'s default schedule, for at most `timeoutSeconds`. */
const scanSchedule = (timeoutSeconds: number): Schedule.Schedule<unknown, unknown> =>
  Schedule.exponential("250 millis", 1.5).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
    Schedule.upTo(Duration.seconds(timeoutSeconds))
  )

const wait = Command.make(
  "wait",
  {
    id: fileId,
    timeout: Options.integer("timeout").pipe(
      Options.withPseudoName("SECONDS"),
      Options.withDescription("Give up after this many seconds (default 120)."),
      Options.optional
    )
  },
  (o) =>
    action(Output.file, (fc) =>
      fc.files.waitUntilClean(o.id, { schedule: Option.getOrUndefined(Option.map(o.timeout, scanSchedule)) })
    )
).pipe(Command.withDescription("Wait until a file is scanned clean (ConflictError if infected or still pending)."))

const [mv, rename, rm, restore] = Items.commands({
  noun: "file",
  id: Domain.FileId,
  output: Output.file,
  moveTo: "into a folder",
  operations: (fc) => fc.files
})

/** @internal */
export const command = Command.make("files").pipe(
  Command.withDescription("Files: upload, download, find, move, share."),
  Command.withSubcommands([
    ls,
    get,
    Upload.command,
    Download.command,
    resolve,
    mv,
    rename,
    rm,
    restore,
    url,
    share,
    wait
  ])
)
