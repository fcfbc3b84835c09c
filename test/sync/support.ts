/**
 * What the sync tests share: a client on `NodeFluidCloud`'s platform (undici, the Node file
 * system and paths) against an emulator over real HTTP that cuts small parts, temporary trees
 * written from a description, a tree read back byte for byte, and the emulator's write requests.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import type { Checkpoints } from "@fluidcloud/core"
import { FluidCloud, type Sync } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Chunk, Effect, Layer, Redacted, Schedule, Stream } from "effect"

import { bytesOf } from "../../packages/core/test/support/Bytes.js"

export { bytesOf, sha256 } from "../../packages/core/test/support/Bytes.js"

export const KiB = 1024
/** The emulator cuts parts of this size, so a few KiB make a multi-part upload. */
export const PART = 4 * KiB

/** The emulator over HTTP (parts of `PART`, scanned clean at once). */
export const emulatorLayer = EmulatorServer.layer({ port: 0, minPartSize: KiB, forcePartSize: PART, scanDelay: 0 })

/** The client on Node's platform against the emulator in context, with a hash cache or a checkpoint store when given. */
export const clientLayer = <Extra extends Sync.HashCache | Checkpoints.UploadCheckpoints = never>(
  cache?: Layer.Layer<Extra>
) =>
  Layer.unwrapEffect(
    Effect.map(Emulator.Emulator, (emulator) =>
      FluidCloud.layer({
        apiKey: Redacted.make(emulator.apiKey),
        baseUrl: emulator.baseUrl,
        retry: Schedule.recurs(2)
      }).pipe(
        Layer.provide(
          cache === undefined ? NodeFluidCloud.layerPlatform : Layer.merge(NodeFluidCloud.layerPlatform, cache)
        )
      )
    )
  )

/** A description of a tree: a file's bytes (or text), `null` for an empty directory, `{ link }` for a symlink. */
export type Tree = Readonly<Record<string, Uint8Array | string | null | { readonly link: string }>>

/** The tree most tests sync: nested, empty, unicode and space names, an empty file, a multi-part file. */
export const tree = {
  "a.txt": "alpha",
  "empty.bin": "",
  "big.bin": bytesOf(10 * KiB + 3, 7),
  "docs/read me.md": "# hello",
  "docs/ünïcødé 文件.txt": "unicode",
  "docs/deep/er/nested.txt": "nested",
  "empty dir": null,
  "docs/empty/inner": null
} as const

/** A temporary directory, removed with the scope. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "fluidcloud-sync-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** Writes `tree` under `root`. */
export const write = (root: string, tree: Tree): void => {
  for (const [path, content] of Object.entries(tree)) {
    const target = join(root, ...path.split("/"))
    if (content === null) {
      mkdirSync(target, { recursive: true })
      continue
    }
    mkdirSync(dirname(target), { recursive: true })
    if (typeof content === "object" && "link" in content) symlinkSync(content.link, target)
    else writeFileSync(target, content)
  }
}

/** Every regular file under `root` with its bytes, and every directory (`null`), by relative path. */
export const read = (root: string): Record<string, string | null> => {
  const out: Record<string, string | null> = {}
  const visit = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        out[path] = null
        visit(join(dir, entry.name), path)
      } else if (entry.isFile()) out[path] = readFileSync(join(dir, entry.name)).toString("base64")
    }
  }
  visit(root, "")
  return out
}

/** A fresh Space of the emulator in context. */
export const space = Effect.flatMap(FluidCloud.FluidCloud, (fc) =>
  Effect.map(fc.spaces.create("sync"), (space) => space.id)
)

/** Runs a sync stream to its end; its events. */
export const run = <E>(stream: Stream.Stream<Sync.SyncEvent, E>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** The summary of `events` (the last one). */
export const summaryOf = (events: ReadonlyArray<Sync.SyncEvent>): Sync.SyncSummary => {
  const last = events.at(-1)
  if (last === undefined || last._tag !== "Summary") throw new Error("the stream did not end with a Summary")
  return last
}

/** The paths of the events of one tag, sorted. */
export const pathsOf = (events: ReadonlyArray<Sync.SyncEvent>, tag: Exclude<Sync.SyncEvent["_tag"], "Summary">) =>
  events.flatMap((event) => (event._tag === tag ? [event.path] : [])).sort()

/** The write requests (anything but GET) the emulator served since the log was last cleared. */
export const writes = Effect.map(Emulator.requestLog, (log) =>
  log.filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.operationId ?? entry.path}`)
)

/** Empties the emulator's request log. */
export const clearLog = Effect.flatMap(Emulator.Emulator, (emulator) => emulator.clearRequestLog)

/** `tree` written in a temporary directory and pushed into a new Space (the Space root). */
export const pushed = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud
  const dir = yield* tempDir
  write(dir, tree)
  const spaceId = yield* space
  yield* run(fc.sync.push(dir, { spaceId }))
  return { fc, dir, spaceId }
})
