/**
 * In-process measurements: decoding a listing (what `files.list` does with a body: `JSON.parse` +
 * the operation's decoder) against `JSON.parse` alone, and the sha256 the SDK hashes uploads with
 * when `node:crypto` is absent against `node:crypto`'s. Timed in CPU time (`process.cpuUsage`), so
 * other processes on a busy machine count as little as they can.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { Effect, Either } from "effect"
import * as Hash from "../../packages/core/src/internal/hash.js"
import { operations } from "../../packages/core/src/internal/operations.js"
import { percentile } from "./measure.js"
import { file } from "./wire.js"

const MiB = 1024 * 1024

/** Milliseconds of CPU time of this process so far. */
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * Microseconds per file: JSON.parse alone, and JSON.parse + decode. Each is timed as a loop of
 * `rounds` rounds, so each pays for the garbage it makes (timing the two alternately per round
 * would bill one's garbage collection to the other); three loops each, alternating, the median.
 */
export const decodeList = (files: number, rounds: number) => {
  const text = JSON.stringify(Array.from({ length: files }, (_, i) => file(i)))
  const parseLoop = () => {
    const t0 = cpuMs()
    for (let round = 0; round < rounds; round++) JSON.parse(text)
    return (cpuMs() - t0) / rounds
  }
  const fullLoop = () => {
    const t0 = cpuMs()
    for (let round = 0; round < rounds; round++) {
      const decoded = operations.listFiles.decode(JSON.parse(text))
      if (Either.isLeft(decoded) || decoded.right.length !== files) throw new Error("the listing did not decode")
    }
    return (cpuMs() - t0) / rounds
  }
  // warm-up: both paths compiled before anything is timed
  parseLoop()
  fullLoop()
  const parseOnly: Array<number> = []
  const full: Array<number> = []
  for (let turn = 0; turn < 3; turn++) {
    parseOnly.push(parseLoop())
    full.push(fullLoop())
  }
  const perFile = (ms: number) => (ms * 1000) / files
  return { sdk: perFile(percentile(full, 0.5)), baseline: perFile(percentile(parseOnly, 0.5)) }
}

const throughput = (create: () => { update: (b: Uint8Array) => void; digest: () => string }, totalMiB: number) => {
  const chunk = new Uint8Array(8 * MiB).map((_, i) => i * 31)
  const rounds: Array<number> = []
  for (let round = 0; round < 3; round++) {
    const hash = create()
    const t0 = cpuMs()
    for (let done = 0; done < totalMiB; done += 8) hash.update(chunk)
    hash.digest()
    rounds.push(totalMiB / ((cpuMs() - t0) / 1000))
  }
  return percentile(rounds, 0.5)
}

/** MiB/s of the SDK's default sha256 (no `node:crypto`) and of `node:crypto`'s. */
export const sha256 = async (totalMiB: number) => {
  const factory = await Effect.runPromise(Hash.wasm)
  const sdk = throughput(() => {
    const h = factory.create()
    return { update: h.update, digest: h.digestHex }
  }, totalMiB)
  const node = throughput(() => {
    const h = createHash("sha256")
    return { update: (b) => h.update(b), digest: () => h.digest("hex") }
  }, totalMiB)
  return { sdk, baseline: node }
}

/**
 * CPU seconds per GiB of what the emulator cannot avoid for an upload: the part's MD5 (its `ETag`,
 * as the contract says) and the file's sha256, over 64 KiB chunks as a socket hands them out.
 */
export const hashFloor = (totalMiB: number): number => {
  const chunk = new Uint8Array(64 * 1024).map((_, i) => i * 7)
  const md5 = createHash("md5")
  const sha = createHash("sha256")
  const t0 = cpuMs()
  for (let done = 0; done < totalMiB * 16; done++) {
    md5.update(chunk)
    sha.update(chunk)
  }
  md5.digest()
  sha.digest()
  return (cpuMs() - t0) / 1000 / (totalMiB / 1024)
}

/**
 * MiB/s of `node:crypto`'s sha256 in a child process whose OpenSSL may not use the CPU's SHA
 * extensions (`OPENSSL_ia32cap` masks them on x86; elsewhere the mask is ignored and this is plain
 * `node:crypto`): the best native code on this machine that, like WebAssembly, runs without them.
 * The same loop as `sha256`: 8 MiB chunks, CPU time, the median of three rounds.
 */
export const sha256WithoutShaExtensions = (totalMiB: number): number => {
  const script = `
    const { createHash } = require("node:crypto")
    const chunk = new Uint8Array(${8 * MiB}).map((_, i) => i * 31)
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
    const rounds = []
    for (let round = 0; round < 3; round++) {
      const hash = createHash("sha256")
      const t0 = cpu()
      for (let done = 0; done < ${totalMiB}; done += 8) hash.update(chunk)
      hash.digest()
      rounds.push(${totalMiB} / ((cpu() - t0) / 1000))
    }
    process.stdout.write(String(rounds.sort((a, b) => a - b)[1]))
  `
  const out = execFileSync(process.execPath, ["-e", script], {
    env: { ...process.env, OPENSSL_ia32cap: ":~0x20000000" },
    encoding: "utf8"
  })
  return Number(out)
}
