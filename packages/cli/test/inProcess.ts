/**
 * Runs `Cli.run` in this process, its client built on a given `HttpClient` (the in-process
 * emulator of `FluidCloudTest`, or a fake) instead of undici, with stdout (text, and the bytes of
 * `files download -o -`), stderr and progress captured.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Checkpoints, type Errors, FluidCloud } from "@fluidcloud/core"
import { Emulator } from "@fluidcloud/testing"
import { Effect, Layer, Stream } from "effect"
import { Cli } from "../src/index.js"
import { CheckpointsLayer } from "../src/internal/checkpoints.js"
import { Stdout } from "../src/internal/download.js"
import { ClientLayer } from "../src/internal/globals.js"
import { Stderr } from "../src/internal/progress.js"
import { Stdin } from "../src/internal/stdin.js"

export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** The bytes `files download -o -` wrote on stdout (absent when it wrote none). */
  readonly stdoutBytes?: Uint8Array
}

/** The client layer of `FluidCloud.Options` on `client` (and the Node file system, for paths). */
export const clientLayer =
  (client: HttpClient.HttpClient) =>
  (options: FluidCloud.Options): Layer.Layer<FluidCloud.FluidCloud> =>
    FluidCloud.layer(options).pipe(
      Layer.provide(Layer.merge(Layer.succeed(HttpClient.HttpClient, client), NodeFileSystem.layer))
    )

/** What a run reads besides its arguments. */
export interface Inputs {
  /** The bytes on stdin (default: none). */
  readonly stdin?: Stream.Stream<Uint8Array, Errors.SourceError> | undefined
  /** Where checkpoints are kept (default: a file-system store in `FLUIDCLOUD_STATE_DIR`, as the bin). */
  readonly stateDir?: string | undefined
}

/** `fluidcloud ...args` with its client on `client`. */
export const runWith = (
  client: HttpClient.HttpClient,
  args: ReadonlyArray<string>,
  inputs: Inputs = {}
): Effect.Effect<Result> => runWithLayer(clientLayer(client), args, inputs)

/** The file-system checkpoint store in `dir`. */
export const checkpointsIn = (dir: string): Layer.Layer<Checkpoints.UploadCheckpoints> =>
  Checkpoints.layerFileSystem(dir).pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))

/** `fluidcloud ...args` with its client built by `layer` from the global options. */
export const runWithLayer = (
  layer: (options: FluidCloud.Options) => Layer.Layer<FluidCloud.FluidCloud>,
  args: ReadonlyArray<string>,
  inputs: Inputs = {}
): Effect.Effect<Result> =>
  Effect.gen(function* () {
    let stdout = ""
    let stderr = ""
    const bytes: Array<Uint8Array> = []
    const line = (args: ReadonlyArray<unknown>) => `${args.map(String).join(" ")}\n`
    const console = yield* Effect.console
    const code = yield* Cli.run(["node", "fluidcloud", ...args]).pipe(
      Effect.withConsole({
        ...console,
        log: (...args: ReadonlyArray<unknown>) =>
          Effect.sync(() => {
            stdout += line(args)
          }),
        error: (...args: ReadonlyArray<unknown>) =>
          Effect.sync(() => {
            stderr += line(args)
          })
      }),
      Effect.provideService(ClientLayer, layer),
      Effect.provideService(Stdin, inputs.stdin ?? Stream.empty),
      (run) =>
        inputs.stateDir === undefined
          ? run
          : Effect.provideService(run, CheckpointsLayer, checkpointsIn(inputs.stateDir)),
      Effect.provideService(Stdout, { write: (chunk) => Effect.sync(() => void bytes.push(chunk)) }),
      Effect.provideService(Stderr, {
        tty: false,
        write: (text) =>
          Effect.sync(() => {
            stderr += text
          })
      })
    )
    return bytes.length === 0 ? { code, stdout, stderr } : { code, stdout, stderr, stdoutBytes: Buffer.concat(bytes) }
  })

/** `fluidcloud ...args` against the emulator of `FluidCloudTest.layer`, with its key and URL. */
export const fluidcloud = (
  ...args: ReadonlyArray<string>
): Effect.Effect<Result, never, Emulator.Emulator | HttpClient.HttpClient> => fluidcloudWith({}, ...args)

/** `fluidcloud ...args` against the emulator of `FluidCloudTest.layer`, with `inputs`. */
export const fluidcloudWith = (
  inputs: Inputs,
  ...args: ReadonlyArray<string>
): Effect.Effect<Result, never, Emulator.Emulator | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const client = yield* HttpClient.HttpClient
    return yield* runWith(client, ["--api-key", emulator.apiKey, "--base-url", emulator.baseUrl, ...args], inputs)
  })
