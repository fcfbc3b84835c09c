/**
 * What the RSS scripts (`upload-rss.ts`, `download-rss.ts`) share: compiling a script and the
 * workspace sources it imports for plain node (tsx's loader costs ~50 MiB of RSS of its own), the
 * emulator bin in directory mode as a child process, measuring children, test files, and a
 * streamed sha256.
 */
import { execFileSync, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import {
  closeSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export const MiB = 1024 * 1024
export const root = join(fileURLToPath(import.meta.url), "..", "..", "..", "..")
/** Where `compile` writes (git-ignored; removed by the scripts unless `--keep`). */
export const buildDir = join(root, "packages", "node", "build")

const link = (target: string, path: string): void => {
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(target, path, "dir")
}

/**
 * Compiles `script` (a `.ts` file of this repository) and the workspace sources it imports to
 * `buildDir`; returns the node arguments that run the compiled script.
 */
export const compile = (script: string): ReadonlyArray<string> => {
  rmSync(buildDir, { recursive: true, force: true })
  execFileSync(
    process.execPath,
    [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      ...["--outDir", buildDir, "--rootDir", root, "--module", "NodeNext", "--moduleResolution", "NodeNext"],
      ...["--target", "ES2022", "--skipLibCheck", "--types", "node", "--declaration", "false", "--noEmit", "false"],
      ...["--strict", "--exactOptionalPropertyTypes", "--noUncheckedIndexedAccess", "--lib", "ES2022,DOM,DOM.Iterable"],
      script,
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
  // every third-party package core and node declare (read from their package.json, so a new one
  // is linked too), from the copy installed for that package
  const dependencies: Array<readonly [string, string]> = []
  for (const pkg of ["core", "node"]) {
    const manifest: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> } = JSON.parse(
      readFileSync(join(root, "packages", pkg, "package.json"), "utf8")
    )
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (!name.startsWith("@fluidcloud/") && !dependencies.some(([, known]) => known === name)) {
        dependencies.push([pkg, name])
      }
    }
  }
  for (const [pkg, dependency] of dependencies) {
    link(
      realpathSync(join(root, "packages", pkg, "node_modules", dependency)),
      join(buildDir, "node_modules", dependency)
    )
  }
  return [join(buildDir, relative(root, script).replace(/\.ts$/, ".js"))]
}

/** Writes `size` bytes of (lightly varied) random data to `path`, 8 MiB at a time. */
export const writeFile = (path: string, size: number): void => {
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

/** The sha256 of a file, streamed. */
export const hashFile = (path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const hash = createHash("sha256")
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")))
      .on("error", reject)
  })

/** The first line a stream prints. */
export const firstLine = (stream: NodeJS.ReadableStream): Promise<string> =>
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

/** The emulator bin, run under tsx in directory mode (stored parts on disk, not in its memory). */
export const startEmulator = async (
  dataDir: string
): Promise<{ readonly baseUrl: string; readonly apiKey: string; readonly stop: () => Promise<void> }> => {
  const emulator = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "packages", "testing", "src", "bin", "fluidcloud-emulator.ts"),
      ...["--port", "0", "--data-dir", dataDir, "--scan-delay", "0"]
    ],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] }
  )
  const stop = async () => {
    emulator.kill("SIGTERM")
    await new Promise((resolve) => emulator.once("exit", resolve))
  }
  try {
    const info: unknown = JSON.parse(await firstLine(emulator.stdout))
    if (typeof info !== "object" || info === null || !("baseUrl" in info) || !("apiKey" in info)) {
      throw new Error("unexpected emulator output")
    }
    return { baseUrl: String(info.baseUrl), apiKey: String(info.apiKey), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Runs `node ...command ...args` (a measuring child) and returns the JSON line it prints first. */
export const runMeasuringChild = async (
  command: ReadonlyArray<string>,
  args: ReadonlyArray<string>
): Promise<unknown> => {
  const child = spawn(process.execPath, [...command, ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] })
  const output: unknown = JSON.parse(await firstLine(child.stdout))
  await new Promise((resolve) => child.once("exit", resolve))
  return output
}

/**
 * Runs `measure` with the emulator up and a work directory, prints the rows it returns (as they
 * come, then again under `title`), and removes the work directory and `buildDir` unless `keep`.
 */
export const withEmulator = async (
  options: { readonly prefix: string; readonly keep: boolean; readonly title: string },
  measure: (context: {
    readonly work: string
    readonly baseUrl: string
    readonly apiKey: string
    readonly report: (row: string) => void
  }) => Promise<void>
): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), options.prefix))
  const dataDir = join(work, "emulator-data")
  const emulator = await startEmulator(dataDir)
  try {
    const { apiKey, baseUrl } = emulator
    console.log(`emulator at ${baseUrl} (data in ${dataDir}); node ${process.version}`)
    const rows: Array<string> = []
    await measure({
      work,
      baseUrl,
      apiKey,
      report: (row) => {
        console.log(row)
        rows.push(row)
      }
    })
    console.log(options.title)
    for (const row of rows) console.log(`  ${row}`)
  } finally {
    await emulator.stop()
    if (!options.keep) {
      rmSync(work, { recursive: true, force: true })
      rmSync(buildDir, { recursive: true, force: true })
    }
  }
}
