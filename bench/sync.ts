/**
 * Sync of many small files against the emulator over real HTTP (`EmulatorServer`, undici,
 * `NodeFluidCloud`): a tree of `BENCH_FILES` files (default 1,000, of 1 KiB in 20 directories)
 * is pushed, pushed again by the same client (the hash cache answers), pushed again by a fresh
 * client (every file hashed again), pulled into a new directory, and pulled again. Prints the
 * wall time of each run and the requests the emulator served for it, next to the baseline: the
 * same files uploaded with `files.upload`, `jobs` at once, without sync (no listing, no folders).
 *
 * Run with `pnpm bench:sync` (optionally `BENCH_FILES=5000 BENCH_JOBS=8 pnpm bench:sync`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FluidCloud, type Sync } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Option, Redacted, Stream } from "effect"

const files = Number(process.env.BENCH_FILES ?? 1000)
const jobs = Number(process.env.BENCH_JOBS ?? 8)
const directories = 20
const size = 1024

const root = mkdtempSync(join(tmpdir(), "fluidcloud-bench-sync-"))
const source = join(root, "source")
const paths: Array<string> = []
for (let i = 0; i < files; i++) {
  const dir = join(source, `dir-${i % directories}`)
  mkdirSync(dir, { recursive: true })
  paths.push(join(dir, `file-${i}.txt`))
  writeFileSync(join(dir, `file-${i}.txt`), Buffer.alloc(size, i % 251))
}

const client = Layer.unwrapEffect(
  Effect.map(Emulator.Emulator, (emulator) =>
    NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
  )
)

/** Runs `stream`, returning its summary, the wall time and the requests served meanwhile. */
const measured = (label: string, stream: Stream.Stream<Sync.SyncEvent, unknown>) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    yield* emulator.clearRequestLog
    const start = performance.now()
    const summary = Option.getOrUndefined(
      yield* Stream.runFold(stream, Option.none<Sync.SyncSummary>(), (last, event) =>
        event._tag === "Summary" ? Option.some(event) : last
      )
    )
    const ms = performance.now() - start
    const log = yield* emulator.requestLog
    const writes = log.filter((entry) => entry.method !== "GET").length
    return {
      run: label,
      ms: Math.round(ms),
      "files/s": Math.round((files / ms) * 1000),
      transferred: (summary?.uploaded ?? 0) + (summary?.downloaded ?? 0),
      skipped: summary?.skipped ?? 0,
      failed: summary?.failed ?? 0,
      requests: log.length,
      writes
    }
  })

const program = Effect.gen(function* () {
  const rows: Array<Record<string, unknown>> = []
  const spaceId = yield* Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
    Effect.map(fc.spaces.create("bench sync"), (space) => space.id)
  )
  const target = { spaceId, path: "bench" }
  const baseline = Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
    Effect.succeed(
      Stream.fromIterable(paths).pipe(
        Stream.mapEffect((path) => fc.files.upload(path, spaceId), { concurrency: jobs }),
        Stream.drain
      )
    )
  )
  rows.push(yield* measured("baseline: files.upload of each file", yield* baseline))
  const push = Effect.flatMap(FluidCloud.FluidCloud, (fc) => Effect.succeed(fc.sync.push(source, target, { jobs })))
  rows.push(yield* measured("push (all new)", yield* push))
  rows.push(yield* measured("push again (same client: cached hashes)", yield* push))
  // a fresh client has an empty hash cache: every file is read and hashed
  rows.push(
    yield* Effect.flatMap(push, (stream) => measured("push again (fresh client: hashing)", stream)).pipe(
      Effect.provide(client)
    )
  )
  const pull = Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
    Effect.succeed(fc.sync.pull(target, join(root, "copy"), { jobs }))
  )
  rows.push(yield* measured("pull (all new)", yield* pull))
  rows.push(yield* measured("pull again", yield* pull))
  console.log(`sync of ${files} files of ${size} B in ${directories} directories, jobs ${jobs}, over HTTP`)
  console.table(rows)
})

program.pipe(
  Effect.provide(client.pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0, scanDelay: 0 })))),
  Effect.ensuring(Effect.sync(() => rmSync(root, { recursive: true, force: true }))),
  Effect.runPromise
)
