/**
 * `fluidcloud spaces`: `ls` and `create`.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { action } from "./globals.js"
import * as Output from "./output.js"

const ls = Command.make("ls", {}, () => action(Output.spaces, (fc) => fc.spaces.list())).pipe(
  Command.withDescription("List every Space, oldest first.")
)

const create = Command.make("create", { name: Args.text({ name: "name" }) }, ({ name }) =>
  action(Output.space, (fc) => fc.spaces.create(name))
).pipe(Command.withDescription("Create a Space."))

/** @internal */
export const command = Command.make("spaces").pipe(
  Command.withDescription("Spaces: the top-level containers."),
  Command.withSubcommands([ls, create])
)
