#!/usr/bin/env node
/**
 * The `fluidcloud` command: runs `Cli.run` on `process.argv` and exits with its code. A reader
 * that goes away (`fluidcloud ... | head`) breaks the pipe: the run is interrupted as by Ctrl-C
 * (uploads in flight are aborted, a download keeps its `.part`) and exits 141, as a process
 * killed by SIGPIPE does, instead of crashing on the failed write.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import * as Cli from "../Cli.js"

/** 128 + SIGPIPE. */
const BROKEN_PIPE = 141

/** Succeeds when stdout or stderr fails with EPIPE; later write errors on them are ignored. */
const brokenPipe = Effect.async<number>((resume) => {
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") resume(Effect.succeed(BROKEN_PIPE))
  }
  process.stdout.on("error", onError)
  process.stderr.on("error", onError)
})

Effect.raceFirst(Cli.run(process.argv), brokenPipe).pipe(
  Effect.flatMap((code) =>
    Effect.sync(() => {
      process.exitCode = code
    })
  ),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // `Cli.run` logs to stderr itself
    disablePrettyLogger: true,
    teardown: (exit, onExit) => onExit(Exit.isFailure(exit) ? (Cause.isInterruptedOnly(exit.cause) ? 130 : 1) : 0)
  })
)
