import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Cli } from "../src/index.js"

describe("fluidcloud --version", () => {
  it("is the version in @fluidcloud/cli's package.json (pnpm version-packages keeps them equal)", () => {
    const manifest: unknown = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"))
    const version = typeof manifest === "object" && manifest !== null ? Reflect.get(manifest, "version") : undefined
    expect(typeof version).toBe("string")
    expect(Cli.version).toBe(version)
  })
})
