/**
 * The `fluidcloud` command-line tool, built with `@effect/cli`: every namespace of the client
 * as a command (`spaces`, `folders`, `files`, `shares`, `quota`) plus `emulator`, which serves
 * the FluidCloud emulator (loaded from `@fluidcloud/testing` only when that command runs).
 *
 * Human output is concise tables and `key  value` blocks; with `--json`, the result is written
 * as one JSON document in the API's snake_case wire shape (`Schema.encode` of the domain
 * schema). Errors are one line on stderr, and each error tag has its own exit code (see
 * `docs/cli.md`).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Domain, FluidCloud } from "@fluidcloud/core"
import type * as Testing from "@fluidcloud/testing"
import {
  Cause,
  Config,
  ConfigProvider,
  Console,
  Context,
  Duration,
  Effect,
  Exit,
  Layer,
  Option,
  ParseResult,
  Redacted,
  Schedule,
  Schema,
  type Scope
} from "effect"
import * as ExitCodes from "./internal/cli/exitCodes.js"
import * as Format from "./internal/cli/format.js"
import * as Progress from "./internal/cli/progress.js"
import * as NodeFluidCloud from "./NodeFluidCloud.js"

/**
 * The version printed by `fluidcloud --version`.
 *
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

// -----------------------------------------------------------------------------
// Global options
// -----------------------------------------------------------------------------

const apiKey = Options.redacted("api-key").pipe(
  Options.withPseudoName("KEY"),
  Options.withDescription("Your partner key (fck_live_... / fck_test_...)."),
  Options.withFallbackConfig(Config.redacted("FLUIDCLOUD_API_KEY")),
  Options.optional
)

const baseUrl = Options.text("base-url").pipe(
  Options.withPseudoName("URL"),
  Options.withDescription("The API origin (default https://api-cloud.fluidvip.com)."),
  Options.withFallbackConfig(Config.string("FLUIDCLOUD_BASE_URL")),
  Options.optional
)

const timeout = Options.text("timeout").pipe(
  Options.withPseudoName("DURATION"),
  Options.withDescription(
    "Per-request timeout: seconds (30, 2.5) or a duration (5 minutes); default 300 seconds. Before the command for `files wait`, whose own --timeout it would otherwise be."
  ),
  Options.withFallbackConfig(Config.string("FLUIDCLOUD_TIMEOUT")),
  Options.optional
)

const json = Options.boolean("json").pipe(
  Options.withDescription("Write the result as one JSON document (the API's snake_case shape) on stdout.")
)

const root = Command.make("fluidcloud", { apiKey, baseUrl, timeout, json })

// -----------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------

/**
 * The client of the global options. The timeout (`--timeout`, else `FLUIDCLOUD_TIMEOUT`) is parsed
 * by `FluidCloud.layerConfig` itself, from a config provider holding just that value, so it
 * accepts exactly what the SDK does; without one the SDK default applies.
 */
const buildClient = (
  key: Redacted.Redacted<string>,
  url: Option.Option<string>,
  rawTimeout: Option.Option<string>
): Effect.Effect<FluidCloud.Service, ExitCodes.ConfigError, Scope.Scope> =>
  Layer.build(
    NodeFluidCloud.layerConfig({ apiKey: Config.succeed(key), baseUrl: Config.succeed(Option.getOrUndefined(url)) })
  ).pipe(
    Effect.map(Context.get(FluidCloud.FluidCloud)),
    Effect.withConfigProvider(
      ConfigProvider.fromMap(
        new Map(Option.match(rawTimeout, { onNone: () => [], onSome: (raw) => [["FLUIDCLOUD_TIMEOUT", raw]] }))
      )
    ),
    Effect.mapError(
      () =>
        new ExitCodes.ConfigError({
          description: `--timeout / FLUIDCLOUD_TIMEOUT: expected a positive number of seconds or a duration such as "5 minutes", got ${JSON.stringify(Option.getOrElse(rawTimeout, () => ""))}`
        })
    )
  )

/** Runs `f` with a client built from the global options; fails with `ConfigError` without a key. */
const withClient = <A, E>(f: (fc: FluidCloud.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const globals = yield* root
    const key = Option.filter(globals.apiKey, (k) => Redacted.value(k).length > 0)
    if (Option.isNone(key)) {
      return yield* new ExitCodes.ConfigError({
        description: "no API key: pass --api-key KEY or set FLUIDCLOUD_API_KEY"
      })
    }
    return yield* Effect.flatMap(buildClient(key.value, globals.baseUrl, globals.timeout), f)
  }).pipe(Effect.scoped)

/** Runs `f` with a client and writes its result, as JSON (`schema`-encoded) or for humans. */
const action = <A, I, E>(
  schema: Schema.Schema<A, I>,
  human: (a: A) => string,
  f: (fc: FluidCloud.Service) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const globals = yield* root
    const value = yield* withClient(f)
    yield* Format.emit(globals.json, schema, human, value)
  })

/**
 * An id schema whose parse error is one line naming the value, e.g.
 * `expected a file id (a UUID), got "nope"`, instead of the schema's error tree.
 */
const uuid = <A, I extends string>(schema: Schema.Schema<A, I>, what: string): Schema.Schema<A, I> =>
  schema.annotations({ message: (issue) => `expected ${what} (a UUID), got ${JSON.stringify(issue.actual)}` })

const spaceOption = Options.text("space").pipe(
  Options.withPseudoName("SPACE_ID"),
  Options.withSchema(uuid(Domain.SpaceId, "a space id")),
  Options.withDescription("The Space id.")
)

const trashOption = Options.boolean("trash").pipe(Options.withDescription("List the trash instead."))

const idArg = <A, I extends string>(name: string, schema: Schema.Schema<A, I>) =>
  Args.text({ name }).pipe(Args.withSchema(uuid(schema, `a ${name.replace("-id", "")} id`)))

const decodeFolderId = Schema.decodeUnknown(Domain.FolderId)

/** A folder id, or `root` for the Space root (`null` on the wire). */
const destinationArg = Args.text({ name: "destination" }).pipe(
  Args.mapEffect((value) =>
    value === "root"
      ? Effect.succeed(null)
      : decodeFolderId(value).pipe(
          Effect.mapError(() => HelpDoc.p(`expected a folder id (a UUID) or "root", got ${JSON.stringify(value)}`))
        )
  ),
  Args.withDescription("A folder id, or `root` for the Space root.")
)

/** A byte size: `8388608`, `512KiB`, `8MiB`, `1GiB` (k/m/g and KB/MB/GB are binary too). */
const ByteSize = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (raw, _, ast) => {
    const match = /^(\d+)\s*(?:([kmg])(?:i?b)?)?$/i.exec(raw.trim())
    if (match === null) {
      return ParseResult.fail(new ParseResult.Type(ast, raw, "expected a size such as 8388608, 512KiB or 8MiB"))
    }
    const unit = (match[2] ?? "").toLowerCase()
    const scale = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1
    return ParseResult.succeed(Number(match[1]) * scale)
  },
  encode: (n) => ParseResult.succeed(String(n))
})

const scanSchedule = (timeoutSeconds: number): Schedule.Schedule<unknown, unknown> =>
  Schedule.exponential("250 millis", 1.5).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
    Schedule.upTo(Duration.seconds(timeoutSeconds))
  )

const Url = Schema.Struct({ url: Schema.String })
const Revoked = Schema.Struct({ id: Domain.ShareId, revoked: Schema.Boolean })
const Spaces = Schema.Array(Domain.Space)
const Folders = Schema.Array(Domain.Folder)
const Files = Schema.Array(Domain.FluidFile)
const Shares = Schema.Array(Domain.Share)

// -----------------------------------------------------------------------------
// spaces
// -----------------------------------------------------------------------------

const spacesLs = Command.make("ls", {}, () => action(Spaces, Format.spaces, (fc) => fc.spaces.list())).pipe(
  Command.withDescription("List every Space, oldest first.")
)

const spacesCreate = Command.make("create", { name: Args.text({ name: "name" }) }, ({ name }) =>
  action(Domain.Space, Format.space, (fc) => fc.spaces.create(name))
).pipe(Command.withDescription("Create a Space."))

const spaces = Command.make("spaces").pipe(
  Command.withDescription("Spaces: the top-level containers."),
  Command.withSubcommands([spacesLs, spacesCreate])
)

// -----------------------------------------------------------------------------
// folders
// -----------------------------------------------------------------------------

const folderIdArg = idArg("folder-id", Domain.FolderId)
const parentOption = Options.text("parent").pipe(
  Options.withPseudoName("FOLDER_ID"),
  Options.withSchema(uuid(Domain.FolderId, "a folder id")),
  Options.withDescription("The parent folder (default: the Space root)."),
  Options.optional
)

const foldersLs = Command.make("ls", { space: spaceOption, parent: parentOption, trash: trashOption }, (o) =>
  action(Folders, Format.folders, (fc) =>
    fc.folders.list(o.space, { parentId: Option.getOrUndefined(o.parent), trash: o.trash })
  )
).pipe(Command.withDescription("List the folders under a parent (or the Space's trash)."))

const foldersCreate = Command.make(
  "create",
  { name: Args.text({ name: "name" }), space: spaceOption, parent: parentOption },
  (o) =>
    action(Domain.Folder, Format.folder, (fc) =>
      fc.folders.create(o.name, o.space, { parentId: Option.getOrUndefined(o.parent) })
    )
).pipe(Command.withDescription("Create a folder."))

const foldersMv = Command.make("mv", { id: folderIdArg, destination: destinationArg }, (o) =>
  action(Domain.Folder, Format.folder, (fc) => fc.folders.move(o.id, o.destination))
).pipe(Command.withDescription("Move a folder under another folder, or to the Space root (`root`)."))

const foldersRename = Command.make("rename", { id: folderIdArg, name: Args.text({ name: "name" }) }, (o) =>
  action(Domain.Folder, Format.folder, (fc) => fc.folders.rename(o.id, o.name))
).pipe(Command.withDescription("Rename a folder."))

const foldersRm = Command.make("rm", { id: folderIdArg }, (o) =>
  action(Domain.Folder, Format.folder, (fc) => fc.folders.delete(o.id))
).pipe(Command.withDescription("Move a folder to trash (restorable)."))

const foldersRestore = Command.make("restore", { id: folderIdArg }, (o) =>
  action(Domain.Folder, Format.folder, (fc) => fc.folders.restore(o.id))
).pipe(Command.withDescription("Restore a folder from trash."))

const folders = Command.make("folders").pipe(
  Command.withDescription("Folders within a Space."),
  Command.withSubcommands([foldersLs, foldersCreate, foldersMv, foldersRename, foldersRm, foldersRestore])
)

// -----------------------------------------------------------------------------
// files
// -----------------------------------------------------------------------------

const fileIdArg = idArg("file-id", Domain.FileId)
const folderOption = Options.text("folder").pipe(
  Options.withPseudoName("FOLDER_ID"),
  Options.withSchema(uuid(Domain.FolderId, "a folder id")),
  Options.withDescription("The folder (default: the Space root)."),
  Options.optional
)

const filesLs = Command.make("ls", { space: spaceOption, folder: folderOption, trash: trashOption }, (o) =>
  action(Files, Format.files, (fc) =>
    fc.files.list(o.space, { folderId: Option.getOrUndefined(o.folder), trash: o.trash })
  )
).pipe(Command.withDescription("List the files in a folder (or the Space's trash)."))

const filesGet = Command.make("get", { id: fileIdArg }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.get(o.id))
).pipe(Command.withDescription("Show a file (files in trash too)."))

const filesUpload = Command.make(
  "upload",
  {
    path: Args.file({ name: "path" }).pipe(Args.withDescription("The file to upload.")),
    space: spaceOption,
    folder: folderOption,
    name: Options.text("name").pipe(
      Options.withDescription("The stored filename (default: the path's basename)."),
      Options.optional
    ),
    clientKey: Options.text("client-key").pipe(
      Options.withDescription("Your own logical key, for `files resolve`."),
      Options.optional
    ),
    public: Options.boolean("public").pipe(
      Options.withDescription("Wait for a clean scan and mint a permanent public link.")
    ),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("Parts uploaded at once (1 to 64, default 4)."),
      Options.optional
    ),
    partSize: Options.text("part-size").pipe(
      Options.withPseudoName("SIZE"),
      Options.withSchema(ByteSize),
      Options.withDescription("Part size hint: bytes, or with a unit (8MiB); the server decides."),
      Options.optional
    )
  },
  (o) =>
    Effect.gen(function* () {
      const onProgress = yield* Progress.make({
        tty: process.stderr.isTTY === true,
        write: (text) => Effect.sync(() => void process.stderr.write(text))
      })
      const globals = yield* root
      const file = yield* withClient((fc) =>
        fc.files.upload(o.path, o.space, {
          folderId: Option.getOrUndefined(o.folder),
          name: Option.getOrUndefined(o.name),
          clientKey: Option.getOrUndefined(o.clientKey),
          public: o.public,
          concurrency: Option.getOrUndefined(o.concurrency),
          partSize: Option.getOrUndefined(o.partSize),
          onProgress
        })
      )
      yield* Format.emit(globals.json, Domain.FluidFile, Format.file, file)
    })
).pipe(Command.withDescription("Upload a file (multi-part, with a progress bar on a terminal)."))

const filesResolve = Command.make("resolve", { clientKey: Args.text({ name: "client-key" }) }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.resolve(o.clientKey))
).pipe(Command.withDescription("Find the newest live file with this client key."))

const filesMv = Command.make("mv", { id: fileIdArg, destination: destinationArg }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.move(o.id, o.destination))
).pipe(Command.withDescription("Move a file into a folder, or to the Space root (`root`)."))

const filesRename = Command.make("rename", { id: fileIdArg, name: Args.text({ name: "name" }) }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.rename(o.id, o.name))
).pipe(Command.withDescription("Rename a file."))

const filesRm = Command.make("rm", { id: fileIdArg }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.delete(o.id))
).pipe(Command.withDescription("Move a file to trash (restorable)."))

const filesRestore = Command.make("restore", { id: fileIdArg }, (o) =>
  action(Domain.FluidFile, Format.file, (fc) => fc.files.restore(o.id))
).pipe(Command.withDescription("Restore a file from trash."))

const filesUrl = Command.make("url", { id: fileIdArg }, (o) =>
  action(
    Url,
    (r) => r.url,
    (fc) => Effect.map(fc.files.downloadUrl(o.id), (url) => ({ url }))
  )
).pipe(Command.withDescription("Print a short-lived download URL (the file must be scanned clean)."))

const filesShare = Command.make(
  "share",
  {
    id: fileIdArg,
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
    action(Domain.Link, Format.link, (fc) =>
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

const filesWait = Command.make(
  "wait",
  {
    id: fileIdArg,
    timeout: Options.integer("timeout").pipe(
      Options.withPseudoName("SECONDS"),
      Options.withDescription("Give up after this many seconds (default 120)."),
      Options.optional
    )
  },
  (o) =>
    action(Domain.FluidFile, Format.file, (fc) =>
      fc.files.waitUntilClean(o.id, {
        schedule: Option.getOrUndefined(Option.map(o.timeout, scanSchedule))
      })
    )
).pipe(Command.withDescription("Wait until a file is scanned clean (ConflictError if infected or still pending)."))

const files = Command.make("files").pipe(
  Command.withDescription("Files: upload, find, move, share."),
  Command.withSubcommands([
    filesLs,
    filesGet,
    filesUpload,
    filesResolve,
    filesMv,
    filesRename,
    filesRm,
    filesRestore,
    filesUrl,
    filesShare,
    filesWait
  ])
)

// -----------------------------------------------------------------------------
// shares, quota
// -----------------------------------------------------------------------------

const sharesLs = Command.make(
  "ls",
  {
    file: Options.text("file").pipe(
      Options.withPseudoName("FILE_ID"),
      Options.withSchema(uuid(Domain.FileId, "a file id")),
      Options.withDescription("Only the links of this file."),
      Options.optional
    ),
    all: Options.boolean("all").pipe(Options.withDescription("Include revoked and expired links."))
  },
  (o) =>
    action(Shares, Format.shares, (fc) =>
      fc.shares.list({ fileId: Option.getOrUndefined(o.file), includeInactive: o.all })
    )
).pipe(Command.withDescription("List share links (metadata only; tokens are never returned)."))

const sharesRevoke = Command.make("revoke", { id: idArg("share-id", Domain.ShareId) }, (o) =>
  action(
    Revoked,
    (r) => `revoked ${r.id}`,
    (fc) => Effect.as(fc.shares.revoke(o.id), { id: o.id, revoked: true })
  )
).pipe(Command.withDescription("Revoke a share link."))

const shares = Command.make("shares").pipe(
  Command.withDescription("Share links."),
  Command.withSubcommands([sharesLs, sharesRevoke])
)

const quota = Command.make("quota", {}, () => action(Domain.Quota, Format.quota, (fc) => fc.quota.usage())).pipe(
  Command.withDescription("Show storage and share-link usage against the plan's limits.")
)

// -----------------------------------------------------------------------------
// emulator
// -----------------------------------------------------------------------------

const nonNegative = (name: string) =>
  Options.integer(name).pipe(
    Options.withSchema(Schema.NonNegativeInt),
    Options.withDescription(`A non-negative integer.`),
    Options.optional
  )

const emulator = Command.make(
  "emulator",
  {
    host: Options.text("host").pipe(Options.withDescription("Host to bind."), Options.withDefault("127.0.0.1")),
    port: Options.integer("port").pipe(
      Options.withSchema(Schema.NonNegativeInt),
      Options.withDescription("Port to listen on (0 picks a free one)."),
      Options.withDefault(0)
    ),
    seed: Options.file("seed", { exists: "yes" }).pipe(
      Options.withDescription("A JSON file of tenants, plans and keys."),
      Options.optional
    ),
    dataDir: Options.directory("data-dir").pipe(
      Options.withDescription("Keep blobs on disk in this directory instead of memory."),
      Options.optional
    ),
    scanDelay: nonNegative("scan-delay").pipe(Options.withPseudoName("MS")),
    minPartSize: nonNegative("min-part-size").pipe(Options.withPseudoName("BYTES")),
    forcePartSize: nonNegative("force-part-size").pipe(Options.withPseudoName("BYTES"))
  },
  (o) =>
    Effect.gen(function* () {
      const { Emulator, EmulatorServer } = yield* Effect.promise(() => import("@fluidcloud/testing"))
      const tenants = yield* Option.match(o.seed, {
        onNone: () => Effect.succeed(undefined),
        onSome: (path) =>
          FileSystem.FileSystem.pipe(
            Effect.flatMap((fs) => fs.readFileString(path)),
            Effect.flatMap(Emulator.decodeSeedFile),
            Effect.mapError(
              (error) => new ExitCodes.ConfigError({ description: `--seed ${path}: ${error.message.split("\n")[0]}` })
            )
          )
      })
      const options: Testing.EmulatorServer.Options = {
        host: o.host,
        port: o.port,
        tenants,
        dataDir: Option.getOrUndefined(o.dataDir),
        scanDelay: Option.getOrUndefined(Option.map(o.scanDelay, Duration.millis)),
        minPartSize: Option.getOrUndefined(o.minPartSize),
        forcePartSize: Option.getOrUndefined(o.forcePartSize)
      }
      return yield* EmulatorServer.serve(options)
    })
).pipe(
  Command.withDescription(
    "Serve the FluidCloud emulator over HTTP (needs @fluidcloud/testing); prints one JSON line with its URLs and key."
  )
)

// -----------------------------------------------------------------------------
// The tree and run
// -----------------------------------------------------------------------------

/**
 * The whole command tree: `fluidcloud [--api-key KEY] [--base-url URL] [--timeout DURATION] [--json]
 * spaces|folders|files|shares|quota|emulator ...`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = root.pipe(
  Command.withDescription("The FluidCloud Partner API from the command line."),
  Command.withSubcommands([spaces, folders, files, shares, quota, emulator])
)

const cli = Command.run(command, { name: "fluidcloud", version })

/**
 * `@effect/cli` prints a usage error (a bad id, a missing argument, an unknown option) itself, as
 * rendered help text, which ends in a newline that `Console.error` follows with another: a blank
 * second line. This console drops trailing whitespace from what is written on stderr, so the
 * report is one line like every other error.
 */
const withErrorsTrimmed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(self, {
      ...console,
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(...args.map((arg) => (typeof arg === "string" ? arg.trimEnd() : arg)))
    })
  )

/**
 * Runs the command line `argv` (as `process.argv`: runtime and script first) and returns the
 * exit code: 0 on success, else the code of the error's tag (documented in `docs/cli.md`).
 * Results go to stdout; errors are reported as one line on stderr. Never fails: on a defect it
 * prints one line and returns 1, and on interruption it returns 130.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Cli } from "@fluidcloud/node"
 *
 * Cli.run(process.argv).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
 *   NodeRuntime.runMain
 * )
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  cli(argv).pipe(
    withErrorsTrimmed,
    Effect.provide(NodeContext.layer),
    Effect.exit,
    Effect.flatMap(
      Exit.match({
        onSuccess: () => Effect.succeed(0),
        onFailure: (cause) =>
          Option.match(Cause.failureOption(cause), {
            onSome: (error) => {
              const line = ExitCodes.describe(error)
              return Effect.as(line === undefined ? Effect.void : Console.error(line), ExitCodes.codeOf(error))
            },
            onNone: () =>
              Cause.isInterruptedOnly(cause)
                ? Effect.succeed(ExitCodes.interrupted)
                : Effect.as(Console.error(`fluidcloud: unexpected error: ${Cause.squash(cause)}`), ExitCodes.unexpected)
          })
      })
    )
  )
