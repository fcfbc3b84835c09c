/**
 * `@fluidcloud/testing` is an optional peer: the CLI bundled without it (as installed without
 * it) runs every other command, and `fluidcloud emulator` says how to install it (exit 2)
 * instead of crashing with ERR_MODULE_NOT_FOUND.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { inject } from "vitest"
import { Cli } from "../src/index.js"
import { installHint, isTestingMissing } from "../src/internal/emulator.js"
import { cleanEnv, runScript } from "./process.js"

describe("fluidcloud without @fluidcloud/testing", () => {
  const bin = inject("fluidcloudCliBundleWithoutTesting")

  it.live("emulator prints how to install it and exits 2; other commands run", () =>
    Effect.gen(function* () {
      const [emulator, version] = yield* Effect.all(
        [runScript(bin, ["emulator", "--port", "0"], cleanEnv({})), runScript(bin, ["--version"], cleanEnv({}))],
        { concurrency: "unbounded" }
      )
      expect(emulator).toEqual({
        code: 2,
        stdout: "",
        stderr: `fluidcloud: ConfigError: ${installHint}\n`
      })
      expect(installHint).toContain("npm install --save-dev @fluidcloud/testing")
      expect(version.code).toBe(0)
      expect(version.stdout).toContain(Cli.version)
    })
  )

  it.live("only @fluidcloud/testing itself missing counts, not a module it imports", () =>
    Effect.gen(function* () {
      const specifier = "@fluidcloud/not-installed-dependency"
      const missingDependency = yield* Effect.flip(Effect.tryPromise(() => import(/* @vite-ignore */ specifier)))
      expect(isTestingMissing(missingDependency.cause)).toBe(false)
      expect(isTestingMissing(new Error("Cannot find package '@fluidcloud/testing'"))).toBe(false)
    })
  )
})
