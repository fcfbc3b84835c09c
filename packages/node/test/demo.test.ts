/**
 * `pnpm demo` end to end as a subprocess, with no FLUIDCLOUD_API_KEY: it starts the emulator
 * in process and walks through the worked example over real HTTP.
 */
import { fileURLToPath } from "node:url"
import * as Command from "@effect/platform/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const demoScript = fileURLToPath(new URL("../examples/demo.ts", import.meta.url))

/** `node --import tsx examples/demo.ts` without any FLUIDCLOUD_* variable of the caller. */
const runDemo = Effect.gen(function* () {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("FLUIDCLOUD_")))
  const demo = yield* Command.make(process.execPath, "--import", "tsx", demoScript).pipe(
    Command.env({ ...env, NO_COLOR: "1" }, { extendEnv: false }),
    Command.workingDirectory(repoRoot),
    Command.start
  )
  const text = (stream: Stream.Stream<Uint8Array, unknown>) => Stream.mkString(Stream.decodeText(stream))
  const [stdout, stderr, code] = yield* Effect.all([text(demo.stdout), text(demo.stderr), demo.exitCode], {
    concurrency: "unbounded"
  })
  return { stdout, stderr, code }
}).pipe(Effect.scoped, Effect.provide(NodeContext.layer))

describe("pnpm demo", () => {
  it.live(
    "runs the worked example against the embedded emulator",
    () =>
      Effect.gen(function* () {
        const result = yield* runDemo
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const out = result.stdout
        const lines = out.split("\n")
        expect(lines[0]).toMatch(/^FluidCloud demo — target: the embedded emulator at http:\/\/127\.0\.0\.1:\d+ /)
        for (const step of [
          "1. Create a Space and a folder",
          "2. Upload out.bin (12.0 MiB, part size hint 5.0 MiB)",
          "3. Wait for the virus scan",
          "4. Mint a permanent hotlink",
          "5. Resolve by client key",
          "6. Check the quota",
          "7. Soft-delete and restore"
        ]) {
          expect(out).toContain(step)
        }
        expect(out).toContain("3 parts of 5.0 MiB")
        expect(out).toMatch(/\[█{24}\] 100% {2}12\.0 MiB \/ 12\.0 MiB/)
        expect(out).toMatch(/scan: clean \(after \d+\.\d s\)/)
        expect(out).toMatch(/hotlink: http:\/\/127\.0\.0\.1:\d+\/s\/\S+/)
        expect(out).toContain("GET → 200, 12.0 MiB, same bytes as uploaded")
        expect(out).toMatch(/results\/job-7\/out\.bin → [0-9a-f-]{36} \(the same file\)/)
        expect(out).toContain("storage 12.0 MiB of unlimited, links 1 of unlimited")
        expect(out).toContain("deleted: status deleted, 1 file(s) in trash")
        expect(out).toContain("restored: status ready, 1 file(s) in job-7")
        expect(lines.at(-2)).toBe("Done.")
      }),
    180_000
  )
})
