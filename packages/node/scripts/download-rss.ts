/**
 * Measures the peak RSS of a process downloading a file with `NodeFluidCloud`, for a 256 MiB and
 * a 1 GiB file (plus a 1 MiB baseline: the runtime's and the loader's own footprint), two ways:
 * `files.downloadTo` (written to `PATH.part`, verified, renamed) and `files.download` (the stream
 * drained, verified at its end).
 *
 *   pnpm exec tsx packages/node/scripts/download-rss.ts [--sizes 256,1024] [--keep] [--tsx]
 *
 * The emulator bin runs as a child process in directory mode (`--data-dir`), so stored files are
 * on disk and its memory is not counted; this process uploads each file first. Each download runs
 * in its own child process (plain node, compiled with tsc like `upload-rss.ts`; `--tsx` runs it
 * under tsx) that prints `process.resourceUsage().maxRSS`; the parent checks the written file
 * against a streamed sha256 of the original.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { compile, hashFile, MiB, runMeasuringChild, withEmulator, writeFile } from "./rss-support.js"

const here = fileURLToPath(import.meta.url)

type Mode = "to" | "stream"

interface ChildResult {
  readonly maxRssMiB: number
  readonly sha256: string
  readonly size: number
  readonly seconds: number
}

/** Child mode: download one file (to `path`, or drained) and print the result as JSON. */
const runChild = async (mode: Mode, fileId: string, path: string, baseUrl: string, apiKey: string): Promise<void> => {
  const { Effect, Redacted, Stream } = await import("effect")
  const { Domain, FluidCloud } = await import("@fluidcloud/core")
  const NodeFluidCloud = await import("@fluidcloud/node/NodeFluidCloud")
  const id = Domain.FileId.make(fileId)
  const program = Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const started = performance.now()
    let result = { sha256: "", size: -1 }
    if (mode === "to") {
      result = yield* fc.files.downloadTo(id, path)
    } else {
      let size = 0
      yield* fc.files
        .download(id, {
          onProgress: (event) =>
            Effect.sync(() => {
              if (event._tag === "Completed") result = { sha256: event.sha256 ?? "", size: event.totalBytes }
            })
        })
        .pipe(
          Stream.runForEach((chunk) =>
            Effect.sync(() => {
              size += chunk.byteLength
            })
          )
        )
      if (size !== result.size) result = { sha256: "", size }
    }
    return { ...result, seconds: (performance.now() - started) / 1000 }
  }).pipe(Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(apiKey), baseUrl })))
  const { seconds, sha256, size } = await Effect.runPromise(program)
  const output: ChildResult = {
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    sha256,
    size,
    seconds: Math.round(seconds * 10) / 10
  }
  process.stdout.write(`${JSON.stringify(output)}\n`)
}

/** Uploads `path` with the SDK (in this process: its memory is not measured); returns the file id. */
const upload = async (path: string, baseUrl: string, apiKey: string): Promise<string> => {
  const { Effect, Redacted } = await import("effect")
  const { FluidCloud } = await import("@fluidcloud/core")
  const { NodeFluidCloud } = await import("@fluidcloud/node")
  const program = Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    const space = yield* fc.spaces.create("download-rss")
    const file = yield* fc.files.upload(path, space.id, { concurrency: 4, partSize: 8 * MiB })
    return file.id
  }).pipe(Effect.provide(NodeFluidCloud.layer({ apiKey: Redacted.make(apiKey), baseUrl })))
  return Effect.runPromise(program)
}

const isChildResult = (u: unknown): u is ChildResult =>
  typeof u === "object" && u !== null && "maxRssMiB" in u && "sha256" in u && "size" in u && "seconds" in u

const runParent = async (sizesMiB: ReadonlyArray<number>, keep: boolean, useTsx: boolean): Promise<void> => {
  const childCommand = useTsx ? ["--import", "tsx", here] : compile(here)
  const title = `RESULT (file size, method, peak RSS of the downloading process on ${useTsx ? "tsx" : "plain node"}):`
  await withEmulator({ prefix: "fc-download-rss-", keep, title }, async ({ apiKey, baseUrl, report, work }) => {
    for (const sizeMiB of [1, ...sizesMiB]) {
      const source = join(work, `source-${sizeMiB}MiB.bin`)
      writeFile(source, sizeMiB * MiB)
      const expected = await hashFile(source)
      const fileId = await upload(source, baseUrl, apiKey)
      rmSync(source, { force: true })
      for (const mode of ["to", "stream"] as const) {
        const target = join(work, `download-${sizeMiB}MiB.bin`)
        const output = await runMeasuringChild(childCommand, ["--child", mode, fileId, target, baseUrl, apiKey])
        if (!isChildResult(output)) throw new Error("unexpected child output")
        const written = mode === "to" ? await hashFile(target) : expected
        const ok = output.sha256 === expected && written === expected && output.size === sizeMiB * MiB
        const how = mode === "to" ? "downloadTo" : "download  "
        report(
          `${String(sizeMiB).padStart(5)} MiB  ${how}  peak RSS ${String(output.maxRssMiB).padStart(4)} MiB  sha256 ${ok ? "ok" : "MISMATCH"}  ${output.seconds} s`
        )
        rmSync(target, { force: true })
        if (!ok) process.exitCode = 1
      }
    }
  })
}

const args = process.argv.slice(2)
if (args[0] === "--child") {
  const [, mode, fileId, path, baseUrl, apiKey] = args
  if (
    (mode !== "to" && mode !== "stream") ||
    fileId === undefined ||
    path === undefined ||
    baseUrl === undefined ||
    apiKey === undefined
  ) {
    throw new Error("usage: --child to|stream FILE_ID PATH URL KEY")
  }
  await runChild(mode, fileId, path, baseUrl, apiKey)
} else {
  const sizesIndex = args.indexOf("--sizes")
  const sizes = sizesIndex === -1 ? [256, 1024] : (args[sizesIndex + 1] ?? "").split(",").map(Number)
  await runParent(sizes, args.includes("--keep"), args.includes("--tsx"))
}
