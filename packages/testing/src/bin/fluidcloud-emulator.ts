#!/usr/bin/env node
/**
 * `fluidcloud-emulator [--host 127.0.0.1] [--port 0] [--seed FILE] [--data-dir DIR]
 * [--scan-delay MS] [--min-part-size BYTES]`: serve the emulator over HTTP and
 * print one JSON line with its URLs once listening.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Schema } from "effect"
import * as Emulator from "../Emulator.js"
import * as EmulatorServer from "../EmulatorServer.js"

const ScopeName = Schema.Literal(...Emulator.allScopes)
const Seed = Schema.Struct({
  tenants: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      plan: Schema.optional(
        Schema.Struct({
          apiAccess: Schema.optional(Schema.Boolean),
          bytesLimit: Schema.optional(Schema.Number),
          linksLimit: Schema.optional(Schema.Number)
        })
      ),
      keys: Schema.optional(
        Schema.Array(
          Schema.Struct({
            key: Schema.String.pipe(Schema.pattern(/^fck_(live|test)_[0-9A-Za-z]{24,}$/)),
            scopes: Schema.Union(Schema.Literal("all"), Schema.Array(ScopeName)),
            revoked: Schema.optional(Schema.Boolean)
          })
        )
      )
    })
  )
})

const usage = `usage: fluidcloud-emulator [--host 127.0.0.1] [--port 0] [--seed FILE] [--data-dir DIR] [--scan-delay MS] [--min-part-size BYTES]`

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    seed: { type: "string" },
    "data-dir": { type: "string" },
    "scan-delay": { type: "string" },
    "min-part-size": { type: "string" },
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
    values.seed === undefined
      ? undefined
      : (yield* Schema.decodeUnknown(Schema.parseJson(Seed))(readFileSync(values.seed, "utf8"))).tenants
  const scanDelay = int("scan-delay", values["scan-delay"])
  const minPartSize = int("min-part-size", values["min-part-size"])
  const options: EmulatorServer.Options = {
    host: values.host,
    port: int("port", values.port) ?? 0,
    ...(tenants === undefined ? {} : { tenants }),
    ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
    ...(scanDelay === undefined ? {} : { scanDelay: `${scanDelay} millis` }),
    ...(minPartSize === undefined ? {} : { minPartSize })
  }
  return yield* Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const line: Record<string, string> = {
      baseUrl: emulator.baseUrl,
      storageUrl: emulator.storageUrl,
      filesUrl: emulator.filesUrl
    }
    if (tenants === undefined) line.apiKey = emulator.apiKey
    process.stdout.write(`${JSON.stringify(line)}\n`)
    return yield* Effect.never
  }).pipe(Effect.provide(EmulatorServer.layer(options)))
})

NodeRuntime.runMain(program, { disableErrorReporting: false })
