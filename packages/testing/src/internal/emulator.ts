/**
 * The `Emulator` service: the state (`state.ts`) seeded with tenants and keys, the request handler
 * over it (`app.ts`), and the helpers tests use to shape and read that state and to inject faults.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { Options, PartPut, Service, StorageGet } from "../Emulator.js"
import * as App from "./app.js"
import * as Faults from "./faults.js"
import * as Scanning from "./scanning.js"
import * as State from "./state.js"
import * as Tenants from "./tenants.js"

/** @internal */
export const make = (options: Options = {}): Service => {
  const state = State.make(options)
  Tenants.seed(state, options)

  const partPuts = (uploadId: string | undefined): ReadonlyArray<PartPut> =>
    state.log.flatMap((e) => {
      const id = e.params.upload_id
      if (e.operationId !== "putUploadPart" || id === undefined || (uploadId !== undefined && id !== uploadId))
        return []
      const partNumber = Number(e.params.part_number)
      return [{ requestId: e.requestId, uploadId: id, partNumber, status: e.status, reset: e.reset, at: e.at }]
    })

  const storageGets = (fileId: string | undefined): ReadonlyArray<StorageGet> =>
    state.log.flatMap((e) => {
      const id = e.params.file_id
      if (e.operationId !== "getStorageObject" || id === undefined || (fileId !== undefined && id !== fileId)) return []
      return [
        {
          requestId: e.requestId,
          fileId: id,
          range: e.requestHeaders.range ?? null,
          ifRange: e.requestHeaders["if-range"] ?? null,
          status: e.status,
          contentRange: e.responseHeaders["content-range"] ?? null,
          reset: e.reset,
          at: e.at
        }
      ]
    })

  return {
    baseUrl: state.config.baseUrl,
    storageUrl: state.config.storageUrl,
    filesUrl: state.config.filesUrl,
    apiKey: state.defaultKey,
    httpApp: App.make(state),
    createTenant: (opts) =>
      Effect.sync(
        () => Tenants.addTenant(state, opts?.id ?? `tenant_${randomUUID().slice(0, 8)}`, opts?.plan ?? {}).id
      ),
    createKey: (opts) =>
      Effect.sync(() => {
        const tenantId = opts?.tenantId ?? state.tenants.keys().next().value ?? "default"
        Tenants.addTenant(state, tenantId, undefined)
        return Tenants.addKey(
          state,
          tenantId,
          opts?.key ?? Tenants.generateKey(opts?.kind ?? "test"),
          opts?.scopes ?? "all",
          opts?.revoked ?? false
        )
      }),
    revokeKey: (key) =>
      Effect.sync(() => {
        const k = state.keys.get(key)
        if (k !== undefined) k.revoked = true
      }),
    setPlan: (tenantId, plan) => Effect.sync(() => void Tenants.addTenant(state, tenantId, plan)),
    setScanOutcome: (fileId, outcome) => Effect.sync(() => Scanning.force(state, fileId, outcome)),
    openUploads: Effect.sync(() =>
      [...state.uploads.values()]
        .filter((u) => u.state === "open")
        .map((u) => ({
          uploadId: u.id,
          fileId: u.fileId,
          tenantId: u.tenantId,
          size: u.size,
          partSize: u.partSize,
          partCount: u.partCount,
          partsStored: u.parts.size,
          expiresAt: u.expiresAt
        }))
    ),
    storedParts: Effect.sync(() => {
      let count = 0
      let bytes = 0
      for (const u of state.uploads.values()) {
        for (const p of u.parts.values()) {
          count += 1
          bytes += p.size
        }
      }
      for (const f of state.files.values()) {
        for (const b of f.blobs) {
          count += 1
          bytes += b.size
        }
      }
      return { count, bytes }
    }),
    requestLog: Effect.sync(() => [...state.log]),
    clearRequestLog: Effect.sync(() => {
      state.log.length = 0
    }),
    partPuts: (opts) => Effect.sync(() => partPuts(opts?.uploadId)),
    storageGets: (opts) => Effect.sync(() => storageGets(opts?.fileId)),
    maxConcurrentPartPuts: Effect.sync(() => state.maxInFlightPuts),
    resetConcurrencyHighWaterMark: Effect.sync(() => {
      state.maxInFlightPuts = state.inFlightPuts
    }),
    apiKeySentOutsideApi: Effect.sync(() => state.keyOutsideApi),
    failPartPut: (fault) => Effect.sync(() => Faults.addPartFault(state, fault)),
    setPartFailureRate: (opts) => Effect.sync(() => Faults.setPartFailureRate(state, opts)),
    failStorageGet: (fault) => Effect.sync(() => Faults.addStorageGetFault(state, fault)),
    rateLimitBurst: (burst) => Effect.sync(() => Faults.addBurst(state, burst)),
    failNextComplete: (opts) => Effect.sync(() => Faults.failNextComplete(state, opts)),
    failRequests: (fault) => Effect.sync(() => Faults.addRequestFault(state, fault)),
    setLatency: (latency, opts) => Effect.sync(() => Faults.setLatency(state, latency, opts?.pathPrefix)),
    clearFaults: Effect.sync(() => Faults.clear(state))
  }
}
