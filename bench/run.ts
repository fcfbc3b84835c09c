/**
 * `pnpm bench [--quick] [--check] [--only=upload,get,decode,cold,browser,sha256,emulator]`
 *
 * Measures every target of DESIGN.md's "Performance budget", each against a baseline measured in
 * the same run, and prints one line per target: the SDK's figure, the baseline's, their ratio, the
 * target and PASS / MISS. `--check` exits 1 when a target is missed. `--quick` (or BENCH_QUICK=1)
 * runs smaller sizes and fewer rounds (well under a minute), for CI's log.
 *
 * The baseline client (bench/src/raw.ts) is a hand-written undici client doing the same protocol
 * with the same hashing and concurrency; both clients run against one minimal Node sink server
 * (bench/src/sink.ts), each upload in a fresh process of its own (so its peak RSS is its own), all
 * bundled with esbuild and run on plain node (bench/src/build.ts).
 *
 * Where a target is a ratio to raw undici, the same run also measures the floor under any Effect
 * client (bench/src/platform.ts: `@effect/platform`'s `HttpClient` doing the protocol as a plain
 * Effect program, nothing else) and prints it under the table, so a miss shows how much of it is
 * the SDK's own.
 */
import { createHash, randomBytes } from "node:crypto"
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { request } from "node:http"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { browserBundle } from "./src/browser.js"
import { buildAll, cleanBuild } from "./src/build.js"
import { uploadCpu } from "./src/emulator.js"
import { type LatencyResult, percentile, type UploadResult } from "./src/measure.js"
import { decodeList, hashFloor, sha256, sha256WithoutShaExtensions } from "./src/micro.js"
import { runJson, serve, timeToFirstLine } from "./src/processes.js"
import { API_KEY, FILE_ID } from "./src/wire.js"

const MiB = 1024 * 1024
const args = process.argv.slice(2)
const quick = args.includes("--quick") || process.env.BENCH_QUICK === "1"
const check = args.includes("--check")
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",")
const wanted = (name: string) => only === undefined || only.includes(name)

const config = quick
  ? { uploadMiB: [64, 256], uploadRounds: 1, getWarmup: 300, getCalls: 1000, getRounds: 1, decodeRounds: 10 }
  : { uploadMiB: [1024, 4096], uploadRounds: 3, getWarmup: 500, getCalls: 3000, getRounds: 2, decodeRounds: 20 }
const more = quick ? { coldRuns: 3, shaMiB: 64, emulatorMiB: 256 } : { coldRuns: 10, shaMiB: 512, emulatorMiB: 1024 }

interface Row {
  readonly name: string
  readonly sdk: string
  readonly baseline: string
  readonly ratio: string
  readonly target: string
  readonly pass: boolean
}
const rows: Array<Row> = []
/** Figures printed under the table: what the targets are measured against, beyond the baseline. */
const notes: Array<string> = []
const row = (r: Row) => {
  rows.push(r)
  process.stderr.write(`  ${r.name}: ${r.sdk} vs ${r.baseline} (${r.ratio}) ${r.pass ? "PASS" : "MISS"}\n`)
}

const median = (xs: ReadonlyArray<number>) => percentile(xs, 0.5)
const fixed = (n: number, digits = 2) => n.toFixed(digits)
const ratioOf = (sdk: number, baseline: number) => `${fixed(sdk / baseline)}×`

/** A target that is a ratio to the baseline: at most `limit` times the raw client's figure. */
const ratioRow = (name: string, sdk: number, raw: number, unit: string, digits: number, limit: number) =>
  row({
    name,
    sdk: `${fixed(sdk, digits)} ${unit}`,
    baseline: `${fixed(raw, digits)} ${unit}`,
    ratio: ratioOf(sdk, raw),
    target: `≤ ${limit.toFixed(2).replace(/0$/, "")}×`,
    pass: sdk <= limit * raw
  })

const isUploadResult = (u: unknown): u is UploadResult =>
  typeof u === "object" && u !== null && "seconds" in u && "cpuSeconds" in u && "maxRssMiB" in u && "verified" in u
const isLatency = (u: unknown): u is LatencyResult => typeof u === "object" && u !== null && "p50" in u

/** A file of `sizeMiB` of incompressible bytes, and its sha256. */
const makeFile = (dir: string, sizeMiB: number) => {
  const path = join(dir, `bench-${sizeMiB}MiB.bin`)
  const block = randomBytes(8 * MiB)
  const hash = createHash("sha256")
  const fd = openSync(path, "w")
  try {
    for (let written = 0; written < sizeMiB * MiB; written += block.byteLength) {
      const n = Math.min(block.byteLength, sizeMiB * MiB - written)
      block[0] = (block[0] ?? 0) ^ (written / MiB)
      const bytes = block.subarray(0, n)
      writeSync(fd, bytes)
      hash.update(bytes)
    }
  } finally {
    closeSync(fd)
  }
  return { path, name: `bench-${sizeMiB}MiB.bin`, sha256: hash.digest("hex") }
}

/** Tells the sink the sha256 to answer for `name` (on a connection of its own: no keep-alive race). */
const expect = (baseUrl: string, name: string, sha256: string) =>
  new Promise<void>((resolve, reject) => {
    const req = request(`${baseUrl}/__bench/expect`, { method: "POST", agent: false }, (res) => {
      res.resume()
      res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`expect: ${res.statusCode}`))))
    })
    req.on("error", reject)
    req.end(JSON.stringify({ name, sha256 }))
  })

const uploads = async (baseUrl: string, dir: string) => {
  const peak = { sdk: new Map<number, number>(), raw: new Map<number, number>(), platform: new Map<number, number>() }
  for (const sizeMiB of config.uploadMiB) {
    const file = makeFile(dir, sizeMiB)
    await expect(baseUrl, file.name, file.sha256)
    const results = {
      sdk: [] as Array<UploadResult>,
      raw: [] as Array<UploadResult>,
      platform: [] as Array<UploadResult>
    }
    for (let round = 0; round < config.uploadRounds; round++) {
      for (const client of ["raw", "platform", "sdk"] as const) {
        const result = await runJson(client, ["upload", baseUrl, file.path])
        if (!isUploadResult(result) || !result.verified) throw new Error(`${client} upload failed`)
        results[client].push(result)
      }
    }
    rmSync(file.path, { force: true })
    const size = sizeMiB >= 1024 ? `${sizeMiB / 1024} GiB` : `${sizeMiB} MiB`
    const figures = (client: keyof typeof results) => ({
      time: median(results[client].map((r) => r.seconds)),
      cpu: median(results[client].map((r) => r.cpuSeconds)),
      rss: Math.max(...results[client].map((r) => r.maxRssMiB))
    })
    const [sdk, raw, platform] = [figures("sdk"), figures("raw"), figures("platform")]
    const time = { sdk: sdk.time, raw: raw.time }
    const cpu = { sdk: sdk.cpu, raw: raw.cpu }
    const rss = { sdk: sdk.rss, raw: raw.rss }
    peak.sdk.set(sizeMiB, rss.sdk)
    peak.raw.set(sizeMiB, rss.raw)
    peak.platform.set(sizeMiB, platform.rss)
    ratioRow(`upload time, ${size} (path, 4 × 8 MiB)`, time.sdk, time.raw, "s", 2, 1.05)
    ratioRow(`upload CPU, ${size}`, cpu.sdk, cpu.raw, "s", 2, 1.1)
    row({
      name: `peak RSS, ${size}`,
      sdk: `${fixed(rss.sdk, 0)} MiB`,
      baseline: `${fixed(rss.raw, 0)} MiB`,
      ratio: ratioOf(rss.sdk, rss.raw),
      target: "≤ 140 MiB",
      pass: rss.sdk <= 140
    })
    const floor = `upload ${size}: @effect/platform's HttpClient alone (the same protocol as a plain Effect program), the floor of any Effect client: time ${fixed(platform.time)} s (${ratioOf(platform.time, raw.time)} raw), CPU ${fixed(platform.cpu)} s (${ratioOf(platform.cpu, raw.cpu)} raw), peak RSS ${fixed(platform.rss, 0)} MiB; the SDK ${ratioOf(sdk.time, platform.time)} / ${ratioOf(sdk.cpu, platform.cpu)} / +${fixed(sdk.rss - platform.rss, 0)} MiB that`
    process.stderr.write(`  (${floor})\n`)
    notes.push(floor)
  }
  const [small, large] = config.uploadMiB
  if (small !== undefined && large !== undefined) {
    const growth = (m: Map<number, number>) => (m.get(large) ?? 0) - (m.get(small) ?? 0)
    row({
      name: `peak RSS growth, ${small} → ${large} MiB`,
      sdk: `${fixed(growth(peak.sdk), 1)} MiB`,
      baseline: `${fixed(growth(peak.raw), 1)} MiB`,
      ratio: "",
      target: "≤ 10 MiB (flat)",
      pass: growth(peak.sdk) <= 10
    })
    notes.push(
      `peak RSS growth, ${small} → ${large} MiB: @effect/platform's HttpClient alone ${fixed(growth(peak.platform), 1)} MiB`
    )
  }
}

const get = async (baseUrl: string) => {
  const results = {
    sdk: [] as Array<LatencyResult>,
    raw: [] as Array<LatencyResult>,
    platform: [] as Array<LatencyResult>
  }
  for (let round = 0; round < config.getRounds; round++) {
    for (const client of ["raw", "platform", "sdk"] as const) {
      const result = await runJson(client, ["get", baseUrl, FILE_ID, String(config.getWarmup), String(config.getCalls)])
      if (!isLatency(result)) throw new Error(`${client} get failed`)
      results[client].push(result)
    }
  }
  const p50 = (client: keyof typeof results) => median(results[client].map((r) => r.p50))
  const cpuPerCall = (client: keyof typeof results) => median(results[client].map((r) => r.cpuPerCall))
  const [sdk, raw, platform] = [p50("sdk"), p50("raw"), p50("platform")]
  ratioRow(`files.get p50, ${config.getCalls} calls`, sdk, raw, "ms", 3, 1.5)
  process.stderr.write(
    `  (files.get: @effect/platform's HttpClient alone, the floor of any Effect client: p50 ${fixed(platform, 3)} ms, ${ratioOf(platform, raw)} raw; CPU per call: SDK ${fixed(cpuPerCall("sdk"), 3)} ms, platform ${fixed(cpuPerCall("platform"), 3)} ms, raw ${fixed(cpuPerCall("raw"), 3)} ms)\n`
  )
  notes.push(
    `files.get: @effect/platform HttpClient alone p50 ${fixed(platform, 3)} ms (${ratioOf(platform, raw)} raw); CPU per call SDK ${fixed(cpuPerCall("sdk"), 3)} / platform ${fixed(cpuPerCall("platform"), 3)} / raw ${fixed(cpuPerCall("raw"), 3)} ms`
  )
}

const cold = async (baseUrl: string) => {
  const times = { sdk: [] as Array<number>, raw: [] as Array<number>, platform: [] as Array<number> }
  for (let run = 0; run < more.coldRuns; run++) {
    for (const client of ["raw", "platform", "sdk"] as const) {
      times[client].push(await timeToFirstLine(`cold-${client}`, [baseUrl, FILE_ID, API_KEY]))
    }
  }
  const [sdk, raw, platform] = [median(times.sdk), median(times.raw), median(times.platform)]
  ratioRow("cold start: import, layer, one call", sdk, raw, "ms", 0, 1.2)
  notes.push(
    `cold start: effect + @effect/platform's HttpClient alone (one call decoded with Schema), the floor of any Effect client: ${fixed(platform, 0)} ms (${ratioOf(platform, raw)} raw; the SDK ${ratioOf(sdk, platform)} that)`
  )
}

const decode = () => {
  const { sdk, baseline } = decodeList(5000, config.decodeRounds)
  row({
    name: "list decoding, 5000 files (JSON.parse + decode)",
    sdk: `${fixed(sdk)} µs/file`,
    baseline: `${fixed(baseline)} µs/file`,
    ratio: ratioOf(sdk, baseline),
    target: "≤ 4 µs/file",
    pass: sdk <= 4
  })
}

const browser = async () => {
  const { own, single, total, baseline } = await browserBundle()
  const deps = [...own.byPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, bytes]) => `${pkg} ${fixed(bytes / 1024, 1)}`)
    .join(", ")
  row({
    name: "browser bundle above effect + platform (gzip)",
    sdk: `${fixed(own.gzip, 1)} KiB`,
    baseline: `total ${fixed(total.gzip, 1)} KiB`,
    ratio: "",
    target: "≤ 40 KiB",
    pass: own.gzip <= 40
  })
  notes.push(
    `browser: the whole app ${fixed(total.gzip, 1)} KiB gzip vs an effect + platform + Schema app ${fixed(baseline.gzip, 1)} KiB (+${fixed(total.gzip - baseline.gzip, 1)} KiB, the Effect modules the SDK uses, Stream first, included); own code and dependencies by package (minified KiB): ${deps}; loaded on the first sync call only: ${fixed(own.deferred, 1)} KiB; bundled into one file without splitting: ${fixed(single.gzip + single.deferred, 1)} KiB`
  )
  return { total: total.gzip, baseline: baseline.gzip }
}

const sha = async () => {
  const { sdk, baseline } = await sha256(more.shaMiB)
  const native = sha256WithoutShaExtensions(more.shaMiB)
  const note = `sha256: node:crypto with the CPU's SHA extensions masked (OPENSSL_ia32cap, x86), the best native code here that runs without them, as WebAssembly must: ${fixed(native, 0)} MiB/s; the SDK's WebAssembly ${ratioOf(sdk, native)} that`
  process.stderr.write(`  (${note})\n`)
  notes.push(note)
  row({
    name: "sha256 without node:crypto",
    sdk: `${fixed(sdk, 0)} MiB/s`,
    baseline: `${fixed(baseline, 0)} MiB/s (node:crypto)`,
    ratio: ratioOf(sdk, baseline),
    target: "≥ 500 MiB/s",
    pass: sdk >= 500
  })
}

const emulator = async () => {
  const cpu = await uploadCpu("emulator", more.emulatorMiB)
  const store = await uploadCpu("store", more.emulatorMiB)
  const floor = hashFloor(more.emulatorMiB)
  const note = `emulator: a bare node:http server that keeps the parts in memory, answers each part's MD5 and hashes the file at complete (bench/src/store.ts), the floor of any in-memory emulator on Node: ${fixed(store)} s/GiB; the emulator ${ratioOf(cpu, store)} that`
  process.stderr.write(`  (${note})\n`)
  notes.push(note)
  row({
    name: `emulator CPU per GiB uploaded (${more.emulatorMiB} MiB)`,
    sdk: `${fixed(cpu)} s/GiB`,
    baseline: `MD5 + sha256 alone ${fixed(floor)} s/GiB`,
    ratio: "",
    target: "≤ 2 s/GiB",
    pass: cpu <= 2
  })
}

const main = async () => {
  const started = performance.now()
  const load = loadavg()[0] ?? 0
  process.stderr.write(`bench (${quick ? "quick" : "full"}), node ${process.version}, load average ${fixed(load)}\n`)
  await buildAll()
  const dir = mkdtempSync(join(tmpdir(), "fc-bench-"))
  const sink = await serve("sink", [])
  const baseUrl = String(typeof sink.info === "object" && sink.info !== null && Reflect.get(sink.info, "baseUrl"))
  try {
    if (wanted("decode")) decode()
    if (wanted("sha256")) await sha()
    if (wanted("browser")) await browser()
    if (wanted("get")) await get(baseUrl)
    if (wanted("cold")) await cold(baseUrl)
    if (wanted("upload")) await uploads(baseUrl, dir)
    if (wanted("emulator")) await emulator()
  } finally {
    await sink.stop()
    rmSync(dir, { recursive: true, force: true })
    cleanBuild()
  }
  const header: Row = { name: "target", sdk: "SDK", baseline: "baseline", ratio: "ratio", target: "budget", pass: true }
  const columns = ["name", "sdk", "baseline", "ratio", "target"] as const
  const widths = columns.map((c) => Math.max(...[header, ...rows].map((r) => r[c].length)))
  const line = (r: Row, verdict: string) => [...columns.map((c, i) => r[c].padEnd(widths[i] ?? 0)), verdict].join("  ")
  console.log(
    `\nFluidCloud performance budget (${quick ? "quick" : "full"} run, ${fixed((performance.now() - started) / 1000, 0)} s; load average ${fixed(load)} at start, ${fixed(loadavg()[0] ?? 0)} at end)`
  )
  console.log(line(header, ""))
  for (const r of rows) console.log(line(r, r.pass ? "PASS" : "MISS"))
  for (const note of notes) console.log(`  ${note}`)
  const missed = rows.filter((r) => !r.pass).length
  console.log(`${rows.length - missed} of ${rows.length} targets met`)
  if (check && missed > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 2
})
