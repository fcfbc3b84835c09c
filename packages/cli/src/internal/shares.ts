/**
 * `fluidcloud shares`: `ls` and `revoke`.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { Domain } from "@fluidcloud/core"
import { Effect, Option } from "effect"
import { idArg, uuid } from "./args.js"
import { action } from "./globals.js"
import * as Output from "./output.js"

const ls = Command.make(
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
    action(Output.shares, (fc) => fc.shares.list({ fileId: Option.getOrUndefined(o.file), includeInactive: o.all }))
).pipe(Command.withDescription("List share links (metadata only; tokens are never returned)."))

const revoke = Command.make("revoke", { id: idArg("share-id", Domain.ShareId) }, (o) =>
  action(Output.revoked, (fc) => Effect.as(fc.shares.revoke(o.id), { id: o.id, revoked: true as const }))
).pipe(Command.withDescription("Revoke a share link."))

/** @internal */
export const command = Command.make("shares").pipe(
  Command.withDescription("Share links."),
  Command.withSubcommands([ls, revoke])
)
