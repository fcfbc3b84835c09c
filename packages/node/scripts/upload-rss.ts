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
import { execFileSync, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import {
  closeSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const MiB = 1024 * 1024
const here = fileURLToPath(import.meta.url)
const root = join(here, "..", "..", "..", "..")
const buildDir = join(root, "packages", "node", "build")

/**
 * Compiles this script and the workspace sources it imports to `buildDir`; returns the node
 * arguments that run the compiled script.
 */
const compile = (): ReadonlyArray<string> => {
  rmSync(buildDir, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      ...["--outDir", buildDir, "--rootDir", root, "--module", "NodeNext", "--moduleResolution", "NodeNext"],
      ...["--target", "ES2022", "--skipLibCheck", "--types", "node", "--declaration", "false", "--noEmit", "false"],
      ...["--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--lib", "ES2022,DOM,DOM.Iterable"],
      here,
      // workspace packages resolve through node_modules, whose files tsc never emits: list them
      join(root, "packages", "core", "src", "index.ts"),
      join(root, "packages", "node", "src", "NodeFluidCloud.ts")
    ],
    { stdio: "inherit", cwd: root }
  )
  // A node_modules for the compiled tree: the workspace packages point at their compiled sources,
  // the third-party ones at the installed copies (no loader hooks, which cost a thread of their own).
  for (const pkg of ["core", "node"]) {
    writeFileSync(
      join(buildDir, "packages", pkg, "package.json"),
      JSON.stringify({
        name: `@fluidcloud/${pkg}`,
        type: "module",
        exports: { ".": "./src/index.js", "./*": "./src/*.js" }
      })
    )
    link(join(buildDir, "packages", pkg), join(buildDir, "node_modules", "@fluidcloud", pkg))
  }
  const dependencies: ReadonlyArray<readonly [string, string]> = [
    ["core", "effect"],
    ["core", "@effect/platform"],
    ["core", "hash-wasm"],
    ["core", "@noble/hashes"],
    ["node", "@effect/platform-node"]
  ]
  for (const [pkg, dependency] of dependencies) {
    link(
      realpathSync(join(root, "packages", pkg, "node_modules", dependency)),
      join(buildDir, "node_modules", dependency)
    )
  }
  return [join(buildDir, "packages", "node", "scripts", "upload-rss.js")]
}

const link = (target: string, path: string): void => {
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(target, path, "dir")
}

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

const writeFile = (path: string, size: number): void => {
  const block = randomBytes(8 * MiB)
  const fd = openSync(path, "w")
  try {
    for (let written = 0; written < size; written += block.byteLength) {
      const n = Math.min(block.byteLength, size - written)
      block[0] = (block[0] ?? 0) ^ (written / MiB) // vary blocks a little
      writeSync(fd, block, 0, n)
    }
  } finally {
    closeSync(fd)
  }
}

const hashFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject)
  })

const firstLine = (stream: NodeJS.ReadableStream): Promise<string> =>
  new Promise((resolve, reject) => {
    const lines = createInterface({ input: stream })
    let done = false
    lines.once("line", (line) => {
      done = true
      lines.close()
      resolve(line)
    })
    lines.once("close", () => {
      if (!done) reject(new Error("the process ended without output"))
    })
  })

const runParent = async (sizesMiB: ReadonlyArray<number>, keep: boolean, useTsx: boolean): Promise<void> => {
  const childCommand = useTsx ? ["--import", "tsx", here] : compile()
  const work = mkdtempSync(join(tmpdir(), "fc-upload-rss-"))
  const dataDir = join(work, "emulator-data")
  const emulator = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "packages", "testing", "src", "bin", "fluidcloud-emulator.ts"),
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--scan-delay",
      "0"
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] }
  )
  try {
    const info: unknown = JSON.parse(await firstLine(emulator.stdout))
    if (typeof info !== "object" || info === null || !("baseUrl" in info) || !("apiKey" in info)) {
      throw new Error("unexpected emulator output")
    }
    const baseUrl = String(info.baseUrl)
    const apiKey = String(info.apiKey)
    console.log(`emulator at ${baseUrl} (data in ${dataDir}); node ${process.version}`)
    const rows: Array<string> = []
    for (const sizeMiB of [1, ...sizesMiB]) {
      const path = join(work, `file-${sizeMiB}MiB.bin`)
      writeFile(path, sizeMiB * MiB)
      const expected = await hashFile(path)
      const child = spawn(process.execPath, [...childCommand, "--child", path, baseUrl, apiKey], {
        cwd: root,
        stdio: ["ignore", "pipe", "inherit"]
      })
      const output: unknown = JSON.parse(await firstLine(child.stdout))
      await new Promise((resolve) => child.once("exit", resolve))
      if (typeof output !== "object" || output === null || !("maxRssMiB" in output) || !("sha256" in output)) {
        throw new Error("unexpected child output")
      }
      const ok = output.sha256 === expected
      const row = `${String(sizeMiB).padStart(5)} MiB  peak RSS ${String(output.maxRssMiB).padStart(4)} MiB  sha256 ${ok ? "ok" : "MISMATCH"}  ${"seconds" in output ? String(output.seconds) : "?"} s`
      console.log(row)
      rows.push(row)
      rmSync(path, { force: true })
      if (!ok) process.exitCode = 1
    }
    console.log(
      `RESULT (file size, peak RSS of the uploading process on ${useTsx ? "tsx" : "plain node"}, concurrency 4 x 8 MiB parts):`
    )
    for (const row of rows) console.log(`  ${row}`)
  } finally {
    emulator.kill("SIGTERM")
    await new Promise((resolve) => emulator.once("exit", resolve))
    if (!keep) {
      rmSync(work, { recursive: true, force: true })
      rmSync(buildDir, { recursive: true, force: true })
    }
  }
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
