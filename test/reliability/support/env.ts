/**
 * The reliability suite's environment: the SDK on Node (`NodeFluidCloud.layer`, undici) against
 * the emulator over real sockets (`EmulatorServer`), its size (`FLUIDCLOUD_SOAK` multiplies it:
 * `pnpm test` runs the CI size in a few seconds, `pnpm test:soak` a bigger run), downloads
 * through the API and storage, a seeded PRNG, and the table printed to the log.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type Domain, FluidCloud } from "@fluidcloud/core"
import { NodeFluidCloud } from "@fluidcloud/node"
import { Emulator, EmulatorServer } from "@fluidcloud/testing"
import { Effect, Layer, Redacted, Schedule } from "effect"

/** How many times the CI size a run is (`FLUIDCLOUD_SOAK`, default 1). */
export const scale = (() => {
  const raw = Number(process.env.FLUIDCLOUD_SOAK ?? "1")
  return Number.isFinite(raw) && raw >= 1 ? Math.floor(raw) : 1
})()

/** A test's timeout, grown with the scale. */
export const timeout = (ciMillis: number) => ciMillis * scale

export const KiB = 1024

/** Fast retries, so that a run takes seconds: 4 attempts, 5 ms apart, doubling. */
export const retry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("5 millis").pipe(
  Schedule.intersect(Schedule.recurs(3))
)

/**
 * `NodeFluidCloud.layer` against a real emulator server (parts of `partSize`, clean scans at
 * once), the `Emulator`, and an undici `HttpClient` for the tests' downloads. `transformClient`
 * wraps the SDK's client (for test hooks).
 */
export const layer = (
  options: {
    readonly partSize?: number
    readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  } = {}
) =>
  Layer.provideMerge(
    Layer.unwrapEffect(
      Effect.map(Emulator.Emulator, (emulator) =>
        NodeFluidCloud.layer({
          apiKey: Redacted.make(emulator.apiKey),
          baseUrl: emulator.baseUrl,
          retry,
          timeout: "30 seconds",
          ...(options.transformClient === undefined ? {} : { transformClient: options.transformClient })
        })
      )
    ),
    Layer.merge(
      EmulatorServer.layer({ port: 0, minPartSize: KiB, forcePartSize: options.partSize ?? 4 * KiB, scanDelay: 0 }),
      // for the tests' own downloads
      NodeHttpClient.layerUndici
    )
  )

/** The stored bytes of a file, through a fresh download URL and the storage origin. */
export const download = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud
    yield* fc.files.waitUntilClean(fileId, { schedule: Schedule.recurs(5) })
    const url = yield* fc.files.downloadUrl(fileId)
    const response = yield* HttpClient.get(url)
    return new Uint8Array(yield* response.arrayBuffer)
  })

/** A plain-text table (CI logs keep it aligned, unlike console.table's colours). */
export const table = (title: string, rows: ReadonlyArray<Record<string, string | number>>): string => {
  const columns = Object.keys(rows[0] ?? {})
  const width = (column: string) => Math.max(column.length, ...rows.map((row) => String(row[column] ?? "").length))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => cell.padEnd(width(columns[i] ?? ""))).join(" | ")} |`
  return [
    title,
    line(columns),
    `|${columns.map((column) => "-".repeat(width(column) + 2)).join("|")}|`,
    ...rows.map((row) => line(columns.map((column) => String(row[column] ?? ""))))
  ].join("\n")
}
