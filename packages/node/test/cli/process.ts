/**
 * Runs the `fluidcloud` bin (or an example) from source as a subprocess: `node --import tsx`.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, type Scope } from "effect"

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
export const cliBin = fileURLToPath(new URL("../../src/bin/fluidcloud.ts", import.meta.url))
export const demoScript = fileURLToPath(new URL("../../examples/demo.ts", import.meta.url))

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment without any FLUIDCLOUD_* variable of the caller, plus `extra`. */
export const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("FLUIDCLOUD_")) env[key] = value
  }
  return { ...env, NO_COLOR: "1", ...extra }
}

/** Runs `script` with `args` under `node --import tsx` and collects its exit code and output. */
export const runScript = (script: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Effect.Effect<Result> =>
  Effect.async<Result>((resume) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

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
    Effect.sync(() =>
      spawn(process.execPath, ["--import", "tsx", script, ...args], {
        cwd: repoRoot,
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
    ),
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
