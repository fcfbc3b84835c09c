/**
 * The commands folders and files share, from one factory: `mv ID DESTINATION`, `rename ID NAME`,
 * `rm ID` (to trash) and `restore ID`, each printing the updated folder or file.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import type { Domain, Errors, FluidCloud } from "@fluidcloud/core"
import type { Effect, Schema } from "effect"
import { destinationArg, idArg } from "./args.js"
import { action } from "./globals.js"
import type { Output } from "./output.js"

/**
 * The operations an item's namespace of the client has (`fc.folders`, `fc.files`).
 *
 * @internal
 */
export interface Operations<Id, A> {
  readonly rename: (id: Id, name: string) => Effect.Effect<A, Errors.FluidCloudError>
  readonly move: (id: Id, destination: Domain.FolderId | null) => Effect.Effect<A, Errors.FluidCloudError>
  readonly delete: (id: Id) => Effect.Effect<A, Errors.FluidCloudError>
  readonly restore: (id: Id) => Effect.Effect<A, Errors.FluidCloudError>
}

/**
 * What differs between folders and files.
 *
 * @internal
 */
export interface Kind<Id, IdEncoded extends string, A, I> {
  /** `folder` or `file`: names the id argument (`folder-id`) and the descriptions. */
  readonly noun: string
  readonly id: Schema.Schema<Id, IdEncoded>
  readonly output: Output<A, I>
  /** Where `mv` puts it, for its description: "under another folder", "into a folder". */
  readonly moveTo: string
  readonly operations: (fc: FluidCloud.Service) => Operations<Id, A>
}

/**
 * `mv`, `rename`, `rm` and `restore` for one kind of item, in that order.
 *
 * @internal
 */
export const commands = <Id, IdEncoded extends string, A, I>(kind: Kind<Id, IdEncoded, A, I>) => {
  const id = idArg(`${kind.noun}-id`, kind.id)
  const run = (f: (operations: Operations<Id, A>) => Effect.Effect<A, Errors.FluidCloudError>) =>
    action(kind.output, (fc) => f(kind.operations(fc)))
  return [
    Command.make("mv", { id, destination: destinationArg }, (o) => run((ops) => ops.move(o.id, o.destination))).pipe(
      Command.withDescription(`Move a ${kind.noun} ${kind.moveTo}, or to the Space root (\`root\`).`)
    ),
    Command.make("rename", { id, name: Args.text({ name: "name" }) }, (o) =>
      run((ops) => ops.rename(o.id, o.name))
    ).pipe(Command.withDescription(`Rename a ${kind.noun}.`)),
    Command.make("rm", { id }, (o) => run((ops) => ops.delete(o.id))).pipe(
      Command.withDescription(`Move a ${kind.noun} to trash (restorable).`)
    ),
    Command.make("restore", { id }, (o) => run((ops) => ops.restore(o.id))).pipe(
      Command.withDescription(`Restore a ${kind.noun} from trash.`)
    )
  ] as const
}
