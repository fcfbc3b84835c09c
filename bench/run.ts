/**
 * Benchmarks, each against a baseline run in the same process on the same data, printing ratios.
 *
 * 1. Upload throughput: `files.upload` (NodeFluidCloud, undici) vs a minimal hand-written `fetch`
 *    client doing the same initiate → concurrent part PUTs → complete against the same emulator.
 * 2. Response decoding: `Schema` decoding of a 5,000-file listing into `FluidFile`s vs `JSON.parse`
 *    alone (the floor any client pays).
 *
 * Run with `pnpm bench` (optionally `BENCH_MIB=256 pnpm bench`).
 */
import { Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Duration, Effect, Layer, Redacted, Schema } from "effect"

const MiB = 1024 * 1024
const sizeMiB = Number(process.env.BENCH_MIB ?? 64)
const partSize = 8 * MiB
const concurrency = 4
const rounds = 3

const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const timed = async (f: () => Promise<unknown>) => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

const decodeSession = Schema.decodeUnknownSync(Domain.UploadSession)

/** The baseline: what a careful hand-written client does, with nothing else (no retries, no hashing). */
const rawUpload = async (baseUrl: string, apiKey: string, spaceId: string, bytes: Uint8Array<ArrayBuffer>) => {
  const api = `${baseUrl}/api/v1`
  const headers = { "x-api-key": apiKey, "content-type": "application/json" }
  const initiate = await fetch(`${api}/uploads/initiate`, {
    method: "POST",
    headers,
    body: JSON.stringify({ space_id: spaceId, name: "raw.bin", size: bytes.length, part_size: partSize })
  })
  const session = decodeSession(await initiate.json())
  const etags: Array<{ part_number: number; etag: string }> = []
  let next = 0
  const worker = async () => {
    while (next < session.parts.length) {
      const part = session.parts[next++]
      if (part === undefined) return
      const start = (part.partNumber - 1) * session.partSize
      const body = bytes.subarray(start, Math.min(bytes.length, start + session.partSize))
      const response = await fetch(part.url, { method: "PUT", headers: part.headers, body })
      etags.push({ part_number: part.partNumber, etag: response.headers.get("etag") ?? "" })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  etags.sort((a, b) => a.part_number - b.part_number)
  const complete = await fetch(`${api}/uploads/complete`, {
    method: "POST",
    headers,
    body: JSON.stringify({ upload_id: session.uploadId, parts: etags })
  })
  if (complete.status !== 200) throw new Error(`complete answered ${complete.status}`)
}

const uploadBench = Effect.gen(function* () {
  const emulator = yield* Emulator.Emulator
  const client = yield* FluidCloud.FluidCloud
  const space = yield* client.spaces.create("bench")
  const bytes = new Uint8Array(sizeMiB * MiB)
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff
  const sdk: Array<number> = []
  const raw: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    raw.push(yield* Effect.promise(() => timed(() => rawUpload(emulator.baseUrl, emulator.apiKey, space.id, bytes))))
    const [elapsed] = yield* Effect.timed(
      client.files.upload(bytes, space.id, { name: "sdk.bin", partSize, concurrency })
    )
    sdk.push(Duration.toMillis(elapsed))
  }
  const mbps = (ms: number) => (sizeMiB / (ms / 1000)).toFixed(1)
  console.log(`upload ${sizeMiB} MiB, ${concurrency} × ${partSize / MiB} MiB parts, median of ${rounds}:`)
  console.log(`  baseline (fetch, no hashing, no retries): ${mbps(median(raw))} MiB/s`)
  console.log(`  files.upload (sha256, retries, spans):    ${mbps(median(sdk))} MiB/s`)
  console.log(`  ratio sdk/baseline throughput: ${(median(raw) / median(sdk)).toFixed(2)}`)
}).pipe(
  Effect.provide(
    Layer.unwrapEffect(
      Effect.map(Emulator.Emulator, (emulator) =>
        NodeFluidCloud.layer({ apiKey: Redacted.make(emulator.apiKey), baseUrl: emulator.baseUrl })
      )
    ).pipe(Layer.provideMerge(EmulatorServer.layer({ minPartSize: MiB })))
  )
)

const decodeBench = Effect.sync(() => {
  const now = new Date().toISOString()
  const wire = Array.from({ length: 5000 }, (_, i) => ({
    id: crypto.randomUUID(),
    original_name: `file-${i}.png`,
    space_id: crypto.randomUUID(),
    folder_id: null,
    mime: "image/png",
    size: i,
    sha256: "a".repeat(64),
    scan_status: "clean",
    status: "ready",
    client_key: `k/${i}`,
    deleted_at: null,
    created_at: now,
    updated_at: now
  }))
  const text = JSON.stringify(wire)
  const decode = Schema.decodeUnknownSync(Schema.Array(Domain.FluidFile))
  const parseOnly: Array<number> = []
  const full: Array<number> = []
  for (let round = 0; round < 7; round++) {
    let start = performance.now()
    JSON.parse(text)
    parseOnly.push(performance.now() - start)
    start = performance.now()
    decode(JSON.parse(text))
    full.push(performance.now() - start)
  }
  console.log("decode a 5,000-file listing, median of 7:")
  console.log(`  baseline JSON.parse: ${median(parseOnly).toFixed(1)} ms`)
  console.log(`  JSON.parse + Schema decode to FluidFile: ${median(full).toFixed(1)} ms`)
  console.log(`  ratio decode/baseline time: ${(median(full) / median(parseOnly)).toFixed(2)}`)
})

Effect.runPromise(Effect.zipRight(decodeBench, uploadBench)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
