/**
 * Measures the peak RSS of a process uploading a file by path with `NodeFluidCloud` at
 * concurrency 4 × 8 MiB parts, for a 256 MiB and a 1 GiB file (plus a 1 MiB baseline: the same
 * process with a tiny upload, i.e. the runtime's and the loader's own footprint).
 *
 *   pnpm exec tsx packages/node/scripts/upload-rss.ts [--sizes 256,1024] [--keep] [--tsx]
 *
 * The emulator bin runs as a child process in directory mode (`--data-dir`), so stored parts go to
 * disk and its memory is not counted. Each upload runs in its own child process that prints
 * `process.resourceUsage().maxRSS`; the parent checks the stored sha256 against a streamed hash of
 * the file.
 *
 * The uploading child runs on plain node: this script and the workspace sources it imports are
 * compiled with tsc into packages/node/build/ (git-ignored, removed afterwards) next to a
 * node_modules that maps `@fluidcloud/*` there (tsx's loader costs ~50 MiB of RSS of its own).
 * `--tsx` runs the child under tsx instead.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { compile, hashFile, MiB, runMeasuringChild, withEmulator, writeFile } from "./rss-support.js"

const here = fileURLToPath(import.meta.url)

interface ChildResult {
  readonly maxRssMiB: number
  readonly sha256: string
  readonly size: number
  readonly seconds: number
}

/** Child mode: upload one path and print the result as JSON. */
const runChild = async (path: string, baseUrl: string, apiKey: string): Promise<void> => {
  const { Effect, Redacted } = await import("effect")
  const { FluidCloud } = await import("@fluidcloud/core")
  const NodeFluidCloud = await import("@fluidcloud/node/NodeFluidCloud")
  const program = Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("rss")
    const started = performance.now()
    const file = yield* fc.files.upload(path, space.id, { concurrency: 4, partSize: 8 * MiB })
    const seconds = (performance.now() - started) / 1000
    return { file, seconds }
  }).pipe(Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(apiKey), baseUrl })))
  const { file, seconds } = await Effect.runPromise(program)
  const result: ChildResult = {
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    sha256: file.sha256._tag === "Some" ? file.sha256.value : "",
    size: file.size._tag === "Some" ? file.size.value : -1,
    seconds: Math.round(seconds * 10) / 10
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

const runParent = async (sizesMiB: ReadonlyArray<number>, keep: boolean, useTsx: boolean): Promise<void> => {
  const childCommand = useTsx ? ["--import", "tsx", here] : compile(here)
  const title = `RESULT (file size, peak RSS of the uploading process on ${useTsx ? "tsx" : "plain node"}, concurrency 4 x 8 MiB parts):`
  await withEmulator({ prefix: "fc-upload-rss-", keep, title }, async ({ apiKey, baseUrl, report, work }) => {
    for (const sizeMiB of [1, ...sizesMiB]) {
      const path = join(work, `file-${sizeMiB}MiB.bin`)
      writeFile(path, sizeMiB * MiB)
      const expected = await hashFile(path)
      const output = await runMeasuringChild(childCommand, ["--child", path, baseUrl, apiKey])
      if (typeof output !== "object" || output === null || !("maxRssMiB" in output) || !("sha256" in output)) {
        throw new Error("unexpected child output")
      }
      const ok = output.sha256 === expected
      report(
        `${String(sizeMiB).padStart(5)} MiB  peak RSS ${String(output.maxRssMiB).padStart(4)} MiB  sha256 ${ok ? "ok" : "MISMATCH"}  ${"seconds" in output ? String(output.seconds) : "?"} s`
      )
      rmSync(path, { force: true })
      if (!ok) process.exitCode = 1
    }
  })
}

const args = process.argv.slice(2)
if (args[0] === "--child") {
  const [, path, baseUrl, apiKey] = args
  if (path === undefined || baseUrl === undefined || apiKey === undefined)
    throw new Error("usage: --child PATH URL KEY")
  await runChild(path, baseUrl, apiKey)
} else {
  const sizesIndex = args.indexOf("--sizes")
  const sizes = sizesIndex === -1 ? [256, 1024] : (args[sizesIndex + 1] ?? "").split(",").map(Number)
  await runParent(sizes, args.includes("--keep"), args.includes("--tsx"))
}
