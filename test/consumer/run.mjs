// The packed-tarball consumer check: installs the packages' tarballs into a fresh project outside
// the workspace with npm (only the npm registry), as a user would, and then, once with the highest
// and once with the lowest versions their peer ranges allow:
// - checks npm installed one copy of each peer, at the expected version;
// - typechecks a strict ESM NodeNext app (with a CommonJS .cts) and a bundler-mode browser app;
// - runs an Effect program against the in-process emulator (FluidCloudTest.layer), and one over
//   HTTP against `npx fluidcloud-emulator --port 0` with NodeFluidCloud.layerConfig;
// - require()s every package from CommonJS and runs a program on the CommonJS builds;
// - runs `npx fluidcloud --help`;
// - bundles the core client with FetchHttpClient for the browser (esbuild, platform browser) and
//   checks that no Node built-in and no Node-only package is in the bundle.
//
// Usage: node test/consumer/run.mjs DIR (the folder holding the .tgz files; `pnpm pack:check`
// writes them to build/pack/pnpm). TypeScript and esbuild are the workspace's.
import { execFile, execFileSync, spawn } from "node:child_process"
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { build } from "esbuild"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const tarballDir = resolve(process.argv[2] ?? join(root, "build", "pack", "pnpm"))
const tarballs = readdirSync(tarballDir).filter((file) => file.endsWith(".tgz"))
if (tarballs.length === 0) throw new Error(`no .tgz in ${tarballDir}`)

const manifestOf = (tarball) =>
  JSON.parse(execFileSync("tar", ["-xzOf", join(tarballDir, tarball), "package/package.json"], { encoding: "utf8" }))
const manifests = tarballs.map(manifestOf)

// The peers we share with the app (ours excepted), with one range each across the packages.
const peers = {}
for (const manifest of manifests) {
  for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (name.startsWith("@fluidcloud/")) continue
    if (peers[name] !== undefined && peers[name] !== range) {
      throw new Error(`${name}: ${manifest.name} asks ${range}, another package ${peers[name]}`)
    }
    peers[name] = range
  }
}
/** The lowest version a caret range allows: its base version. */
const lowest = (range) => {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range)
  if (match === null) throw new Error(`not a caret range: ${range}`)
  return match[1]
}

const project = mkdtempSync(join(tmpdir(), "fluidcloud-consumer-"))
cpSync(join(root, "test", "consumer", "app"), project, { recursive: true })
const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
const timings = []
const execFileAsync = promisify(execFile)

const step = async (label, run) => {
  const start = performance.now()
  try {
    const detail = await run()
    const seconds = ((performance.now() - start) / 1000).toFixed(1)
    timings.push([label, seconds])
    console.log(`  ok ${label} (${seconds} s)${detail ? `: ${detail}` : ""}`)
  } catch (error) {
    console.error(`  FAILED ${label}\n${error.stdout ?? ""}${error.stderr ?? ""}${error.stack ?? error}`)
    throw error
  }
}
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })

/** Starts `npx fluidcloud-emulator --port 0` and resolves with the JSON line it prints once listening. */
const startEmulator = () =>
  new Promise((resolvePromise, reject) => {
    const child = spawn("npx", ["--no", "--", "fluidcloud-emulator", "--port", "0", "--scan-delay", "0"], {
      cwd: project,
      detached: true,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    const stop = () => {
      try {
        process.kill(-child.pid, "SIGTERM")
      } catch {}
    }
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`fluidcloud-emulator printed no line in 30 s: ${out}`))
    }, 30_000)
    child.on("exit", (code) => reject(new Error(`fluidcloud-emulator exited (${code}): ${out}`)))
    child.stdout.on("data", (chunk) => {
      out += chunk
      const newline = out.indexOf("\n")
      if (newline < 0) return
      clearTimeout(timer)
      resolvePromise({ info: JSON.parse(out.slice(0, newline)), stop })
    })
  })

const checks = async (variant, versions) => {
  console.log(
    `::: consumer (${variant}: ${Object.entries(versions)
      .map(([n, v]) => `${n}@${v}`)
      .join(" ")})`
  )
  const pkg = {
    name: "fluidcloud-consumer",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(tarballs.map((tarball, i) => [manifests[i].name, `file:${join(tarballDir, tarball)}`])),
      ...versions
    },
    devDependencies: { "@types/node": "^20.19.0" }
  }
  writeFileSync(join(project, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`)
  await step("npm install", () => {
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"])
  })
  await step("one copy of each peer, at the expected version", () => {
    const tree = JSON.parse(run("npm", ["ls", ...Object.keys(peers), "--all", "--json"]))
    const found = {}
    const walk = (deps) => {
      for (const [name, node] of Object.entries(deps ?? {})) {
        if (name in peers) {
          found[name] ??= new Set()
          found[name].add(node.version)
        }
        walk(node.dependencies)
      }
    }
    walk(tree.dependencies)
    for (const [name, version] of Object.entries(versions)) {
      const seen = [...(found[name] ?? [])]
      if (seen.length !== 1) throw new Error(`${name}: ${seen.length} versions installed (${seen.join(", ")})`)
      if (!version.startsWith("^") && seen[0] !== version) throw new Error(`${name}: ${seen[0]}, expected ${version}`)
    }
    return Object.entries(found)
      .map(([name, set]) => `${name}@${[...set].join()}`)
      .join(" ")
  })
  await step("tsc, side by side: a strict ESM NodeNext app (with a CommonJS .cts); a bundler-mode browser app", () =>
    Promise.all(
      ["tsconfig.json", "tsconfig.bundler.json"].map((config) =>
        execFileAsync(process.execPath, [tsc, "-p", config], { cwd: project, encoding: "utf8" }).then(() => config)
      )
    ).then((configs) => `${configs.join(" and ")} clean`)
  )
  await step("ESM program on FluidCloudTest.layer()", () => run(process.execPath, ["dist/inProcess.js"]).trim())
  await step("CommonJS: require() each package, run a program", () =>
    run(process.execPath, ["dist/require.cjs"]).trim()
  )
  await step("ESM program over HTTP on `npx fluidcloud-emulator --port 0`", async () => {
    const { info, stop } = await startEmulator()
    try {
      return run(process.execPath, ["dist/http.js"], {
        env: { ...process.env, FLUIDCLOUD_BASE_URL: info.baseUrl, FLUIDCLOUD_API_KEY: info.apiKey }
      }).trim()
    } finally {
      stop()
    }
  })
  await step("npx fluidcloud --help", () => {
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
    const help = run("npx", ["--no", "--", "fluidcloud", "--help"]).replace(ansi, "")
    if (!help.includes("fluidcloud")) throw new Error(`unexpected help:\n${help}`)
    return help
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim()
  })
  await step("esbuild: core + FetchHttpClient for the browser, no Node built-ins", async () => {
    const result = await build({
      absWorkingDir: project,
      entryPoints: ["src/browser.ts"],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      minify: true,
      logLevel: "silent"
    })
    const inputs = Object.keys(result.metafile.inputs)
    const nodeOnly = inputs.filter((input) => /^node:|platform-node|undici/.test(input))
    if (nodeOnly.length > 0) throw new Error(`Node-only modules in the browser bundle: ${nodeOnly.join(", ")}`)
    const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0)
    return `${inputs.length} modules, ${(bytes / 1024).toFixed(0)} KiB minified`
  })
}

const start = performance.now()
try {
  await checks("highest", Object.fromEntries(Object.entries(peers).map(([name, range]) => [name, range])))
  await checks("lowest", Object.fromEntries(Object.entries(peers).map(([name, range]) => [name, lowest(range)])))
} finally {
  rmSync(project, { recursive: true, force: true })
}
console.log(`consumer check passed: ${timings.length} steps in ${((performance.now() - start) / 1000).toFixed(0)} s`)
