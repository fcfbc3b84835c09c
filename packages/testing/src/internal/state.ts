/**
 * The emulator's state, in one place: the options resolved into a `Config`, the records of every
 * resource (tenants, keys, spaces, folders, files, uploads, shares), the rate-limit windows, the
 * request log, the counters, and the injected faults. Every other module reads and changes this
 * one object; nothing else holds mutable state.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import { Duration } from "effect"
import type { Options, PartFault, Plan, RequestLogEntry, ScanOutcome, Scope, StorageGetFault } from "../Emulator.js"
import * as Blobs from "./blobs.js"

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** @internal */
export interface TenantRec {
  readonly id: string
  plan: Plan
}

/** @internal */
export interface KeyRec {
  readonly key: string
  readonly tenantId: string
  readonly scopes: ReadonlySet<Scope>
  revoked: boolean
}

/** @internal */
export interface SpaceRec {
  readonly id: string
  readonly tenantId: string
  readonly name: string
  readonly createdAt: number
  readonly updatedAt: number
}

/** What folders and files have in common: they live in a Space's tree and go to trash. @internal */
export interface ItemRec {
  readonly id: string
  readonly tenantId: string
  readonly spaceId: string
  name: string
  deletedAt: number | null
  readonly createdAt: number
  updatedAt: number
}

/** @internal */
export interface FolderRec extends ItemRec {
  parentId: string | null
}

/** @internal */
export type ScanStatus = "pending" | "clean" | "infected" | "error"

/** @internal */
export interface FileRec extends ItemRec {
  folderId: string | null
  readonly mime: string
  readonly size: number
  sha256: string | null
  scanStatus: ScanStatus | null
  scanDueAt: number | null
  infected: boolean
  forcedScan: ScanOutcome | null
  completed: boolean
  blobs: ReadonlyArray<Blobs.StoredBlob>
  readonly clientKey: string | null
}

/** @internal */
export interface UploadRec {
  readonly id: string
  readonly tenantId: string
  readonly fileId: string
  readonly size: number
  readonly partSize: number
  readonly partCount: number
  readonly expiresAt: number
  readonly sha256: string | null
  readonly parts: Map<number, Blobs.StoredBlob>
  readonly attempts: Map<number, number>
  state: "open" | "completed" | "aborted" | "expired"
}

/** @internal */
export interface ShareRec {
  readonly id: string
  readonly tenantId: string
  readonly fileId: string
  readonly token: string
  readonly permission: "view" | "download"
  readonly expiresAt: number | null
  readonly maxDownloads: number | null
  downloadCount: number
  revoked: boolean
  readonly password: string | null
  readonly createdAt: number
  updatedAt: number
}

// ---------------------------------------------------------------------------------------------
// Faults (the public fault types plus what the emulator tracks of them)
// ---------------------------------------------------------------------------------------------

/** @internal */
export interface Faults {
  parts: Array<PartFault & { used: boolean }>
  partRate:
    | { readonly rate: number; readonly next: () => number; readonly status: number; readonly reset: boolean }
    | undefined
  storageGets: Array<StorageGetFault & { seen: number; used: boolean }>
  bursts: Array<{ remaining: number; readonly retryAfter: number; readonly pathPrefix: string | undefined }>
  requests: Array<{
    remaining: number
    readonly status: number
    readonly pathPrefix: string | undefined
    readonly method: string | undefined
  }>
  complete: { readonly status: number; readonly commit: boolean } | undefined
  latency: { readonly ms: number; readonly pathPrefix: string | undefined } | undefined
}

/** @internal */
export const noFaults = (): Faults => ({
  parts: [],
  partRate: undefined,
  storageGets: [],
  bursts: [],
  requests: [],
  complete: undefined,
  latency: undefined
})

// ---------------------------------------------------------------------------------------------
// Config and state
// ---------------------------------------------------------------------------------------------

/** The options, resolved. @internal */
export interface Config {
  readonly baseUrl: string
  readonly storageUrl: string
  readonly filesUrl: string
  readonly secret: string
  readonly scanDelayMs: number
  readonly minPartSize: number
  readonly forcePartSize: number | undefined
  readonly downloadTtlMs: number
  readonly uploadTtlMs: number
  readonly rateLimit: { readonly limit: number; readonly windowMs: number } | undefined
}

/** @internal */
export interface State {
  readonly config: Config
  readonly blobs: Blobs.BlobStore
  readonly tenants: Map<string, TenantRec>
  readonly keys: Map<string, KeyRec>
  readonly spaces: Map<string, SpaceRec>
  readonly folders: Map<string, FolderRec>
  readonly files: Map<string, FileRec>
  readonly uploads: Map<string, UploadRec>
  readonly shares: Map<string, ShareRec>
  readonly sharesByToken: Map<string, ShareRec>
  readonly rateWindows: Map<string, { start: number; count: number }>
  readonly log: Array<RequestLogEntry>
  faults: Faults
  blobCounter: number
  inFlightPuts: number
  maxInFlightPuts: number
  keyOutsideApi: boolean
  /** The default all-scopes key ("" when the seed has none). */
  defaultKey: string
}

const MiB = 1024 * 1024

const trimSlash = (s: string) => s.replace(/\/+$/, "")
const millis = (d: Duration.DurationInput) => Duration.toMillis(Duration.decode(d))

/** @internal */
export const config = (options: Options): Config => ({
  baseUrl: trimSlash(options.baseUrl ?? "http://api.fluidcloud.test"),
  storageUrl: trimSlash(options.storageUrl ?? "http://storage.fluidcloud.test"),
  filesUrl: trimSlash(options.filesUrl ?? "http://files.fluidcloud.test"),
  secret: options.secret ?? randomBytes(32).toString("hex"),
  scanDelayMs: millis(options.scanDelay ?? "50 millis"),
  minPartSize: Math.max(1, Math.floor(options.minPartSize ?? 5 * MiB)),
  forcePartSize: options.forcePartSize === undefined ? undefined : Math.max(1, Math.floor(options.forcePartSize)),
  downloadTtlMs: millis(options.downloadUrlTtl ?? "15 minutes"),
  uploadTtlMs: millis(options.uploadTtl ?? "24 hours"),
  rateLimit:
    options.rateLimit === undefined
      ? undefined
      : { limit: options.rateLimit.limit, windowMs: millis(options.rateLimit.window ?? "1 minute") }
})

/** An empty emulator (no tenants yet). @internal */
export const make = (options: Options): State => ({
  config: config(options),
  blobs: options.dataDir === undefined ? Blobs.memory() : Blobs.directory(options.dataDir),
  tenants: new Map(),
  keys: new Map(),
  spaces: new Map(),
  folders: new Map(),
  files: new Map(),
  uploads: new Map(),
  shares: new Map(),
  sharesByToken: new Map(),
  rateWindows: new Map(),
  log: [],
  faults: noFaults(),
  blobCounter: 0,
  inFlightPuts: 0,
  maxInFlightPuts: 0,
  keyOutsideApi: false,
  defaultKey: ""
})
