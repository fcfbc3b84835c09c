/**
 * Starting the benchmark's processes: the sink (kept running), and the one-shot clients whose one
 * JSON line is their result.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { bundlePath, type Entry } from "./build.js"

/** The first line a process prints; fails if it exits first. */
export const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    if (child.stdout === null) return reject(new Error("no stdout"))
    const lines = createInterface({ input: child.stdout })
    let done = false
    lines.once("line", (line) => {
      done = true
      lines.close()
      resolve(line)
    })
    child.once("exit", (code) => {
      if (!done) reject(new Error(`the process exited (${code}) without output`))
    })
  })

/** Starts a bundled entry with plain node. */
export const start = (entry: Entry, args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, [bundlePath(entry), ...args], { stdio: ["ignore", "pipe", "inherit"] })

/** Runs a bundled entry to its one JSON result line. */
export const runJson = async (entry: Entry, args: ReadonlyArray<string>): Promise<unknown> => {
  const child = start(entry, args)
  const line = await firstLine(child)
  await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)))
  return JSON.parse(line)
}

/** Runs a bundled entry and times it from spawn to its first line (milliseconds). */
export const timeToFirstLine = async (entry: Entry, args: ReadonlyArray<string>): Promise<number> => {
  const t0 = performance.now()
  const child = start(entry, args)
  await firstLine(child)
  const elapsed = performance.now() - t0
  await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(undefined)))
  return elapsed
}

/** A long-running process (the sink, the emulator) and what it printed first. */
export const serve = async (entry: Entry, args: ReadonlyArray<string>) => {
  const child = start(entry, args)
  const info: unknown = JSON.parse(await firstLine(child))
  return {
    child,
    info,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
    }
  }
}
