/**
 * Runs the `fluidcloud` bin (bundled from source once per test run) or another bundle as a
 * `node` subprocess.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process"
import type { Readable } from "node:stream"
import { fileURLToPath } from "node:url"
import { type Duration, Effect, Schedule, type Scope } from "effect"
import { inject } from "vitest"

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
export const cliBin = fileURLToPath(new URL("../src/bin/fluidcloud.ts", import.meta.url))

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment without any FLUIDCLOUD_* variable of the caller, plus `extra`. */
export const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    // the run's state directory (vitest.config.ts) stays: checkpoints never go to the user's home
    if (!key.startsWith("FLUIDCLOUD_") || key === "FLUIDCLOUD_STATE_DIR") env[key] = value
  }
  return { ...env, NO_COLOR: "1", ...extra }
}

/**
 * How to start `script`: the CLI bin runs from the esbuild bundle of its source made once by the
 * global setup (test/setup/bundle-cli.ts); anything else (a JavaScript bundle) as it is.
 */
const nodeArgs = (script: string, args: ReadonlyArray<string>): Array<string> =>
  script === cliBin ? [inject("fluidcloudCliBundle"), ...args] : [script, ...args]

/** Spawns `script` (see `nodeArgs`) with piped stdout and stderr. */
const spawnChild = (script: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd = repoRoot) =>
  spawn(process.execPath, nodeArgs(script, args), { cwd, env, stdio: ["ignore", "pipe", "pipe"] })

/** Runs `script` with `args` (in `cwd`, default the repository) and collects its exit code and output; interruption kills it. */
export const runScript = (
  script: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  cwd?: string
): Effect.Effect<Result> =>
  Effect.scoped(Effect.flatMap(spawnScript(script, args, env, cwd), (spawned) => spawned.result))

/**
 * Starts `script` (a long-running server) in the scope, and returns the first line it prints on
 * stdout; the process is killed when the scope closes.
 */
export const startScript = (
  script: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv
): Effect.Effect<string, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => spawnChild(script, args, env)),
    (child) => Effect.sync(() => child.kill("SIGTERM"))
  ).pipe(
    Effect.flatMap((child) =>
      Effect.async<string, Error>((resume) => {
        let stdout = ""
        let stderr = ""
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
          stderr += chunk
        })
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk
          const newline = stdout.indexOf("\n")
          if (newline >= 0) resume(Effect.succeed(stdout.slice(0, newline)))
        })
        child.on("exit", (code) => resume(Effect.fail(new Error(`exited with ${code}: ${stderr}`))))
      })
    )
  )

/** A child started by `spawnScript`: signal it with `child`, and await its `result`. */
export interface Spawned {
  readonly child: ChildProcessByStdio<null, Readable, Readable>
  readonly result: Effect.Effect<Result>
  /** What it wrote on stderr so far. */
  readonly stderr: Effect.Effect<string>
}

/**
 * Starts `script` in the scope and returns the child (to send it a signal) with its eventual
 * exit code and output; the process is killed when the scope closes if still running.
 */
export const spawnScript = (
  script: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  cwd?: string
): Effect.Effect<Spawned, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawnChild(script, args, env, cwd)
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
      })
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
      })
      const closed = new Promise<Result>((resolve) => {
        child.on("close", (code) => resolve({ code, stdout, stderr }))
      })
      return { child, result: Effect.promise(() => closed), stderr: Effect.sync(() => stderr) }
    }),
    ({ child }) =>
      Effect.sync(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      })
  )

/** Polls `check` every 100 ms until it holds or `within` has passed; then its last answer. */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, within: Duration.DurationInput) =>
  check.pipe(
    Effect.filterOrFail(
      (ok) => ok,
      () => "not yet"
    ),
    Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo(within))),
    Effect.orElse(() => check)
  )
