#!/usr/bin/env node
/**
 * `fluidcloud-emulator [--host 127.0.0.1] [--port 0] [--seed FILE] [--data-dir DIR]
 * [--scan-delay MS] [--min-part-size BYTES] [--force-part-size BYTES]`: serve the emulator over HTTP and
 * print one JSON line with its URLs once listening.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import * as Emulator from "../Emulator.js"
import * as EmulatorServer from "../EmulatorServer.js"

const usage = `usage: fluidcloud-emulator [--host 127.0.0.1] [--port 0] [--seed FILE] [--data-dir DIR] [--scan-delay MS] [--min-part-size BYTES] [--force-part-size BYTES]`

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    seed: { type: "string" },
    "data-dir": { type: "string" },
    "scan-delay": { type: "string" },
    "min-part-size": { type: "string" },
    "force-part-size": { type: "string" },
    help: { type: "boolean", short: "h" }
  },
  strict: true
})

if (values.help === true) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const int = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`--${name} must be a non-negative integer\n${usage}\n`)
    process.exit(2)
  }
  return Number(value)
}

const program = Effect.gen(function* () {
  const tenants =
    values.seed === undefined ? undefined : yield* Emulator.decodeSeedFile(readFileSync(values.seed, "utf8"))
  const scanDelay = int("scan-delay", values["scan-delay"])
  const minPartSize = int("min-part-size", values["min-part-size"])
  const forcePartSize = int("force-part-size", values["force-part-size"])
  return yield* EmulatorServer.serve({
    host: values.host,
    port: int("port", values.port) ?? 0,
    ...(tenants === undefined ? {} : { tenants }),
    ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
    ...(scanDelay === undefined ? {} : { scanDelay: `${scanDelay} millis` }),
    ...(minPartSize === undefined ? {} : { minPartSize }),
    ...(forcePartSize === undefined ? {} : { forcePartSize })
  })
})

NodeRuntime.runMain(program, { disableErrorReporting: false })
