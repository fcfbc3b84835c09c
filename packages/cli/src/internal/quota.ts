/**
 * `fluidcloud quota`.
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import { action } from "./globals.js"
import * as Output from "./output.js"

/** @internal */
export const command = Command.make("quota", {}, () => action(Output.quota, (fc) => fc.quota.usage())).pipe(
  Command.withDescription("Show storage and share-link usage against the plan's limits.")
)
