/**
 * `fluidcloud folders`: `ls`, `create`, and the `mv`/`rename`/`rm`/`restore` they share with files.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { Domain } from "@fluidcloud/core"
import { Option } from "effect"
import { folderIdOption, spaceOption, trashOption } from "./args.js"
import { action } from "./globals.js"
import * as Items from "./items.js"
import * as Output from "./output.js"

const parent = folderIdOption("parent", "The parent folder (default: the Space root).")

const ls = Command.make("ls", { space: spaceOption, parent, trash: trashOption }, (o) =>
  action(Output.folders, (fc) =>
    fc.folders.list(o.space, { parentId: Option.getOrUndefined(o.parent), trash: o.trash })
  )
).pipe(Command.withDescription("List the folders under a parent (or the Space's trash)."))

const create = Command.make("create", { name: Args.text({ name: "name" }), space: spaceOption, parent }, (o) =>
  action(Output.folder, (fc) => fc.folders.create(o.name, o.space, { parentId: Option.getOrUndefined(o.parent) }))
).pipe(Command.withDescription("Create a folder."))

/** @internal */
export const command = Command.make("folders").pipe(
  Command.withDescription("Folders within a Space."),
  Command.withSubcommands([
    ls,
    create,
    ...Items.commands({
      noun: "folder",
      id: Domain.FolderId,
      output: Output.folder,
      moveTo: "under another folder",
      operations: (fc) => fc.folders
    })
  ])
)
