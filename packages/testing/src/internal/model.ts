import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { IncomingMessage } from "node:http"
import * as Headers from "@effect/platform/Headers"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Clock, Data, Duration, Effect, Option, Stream } from "effect"
import type { Emulator } from "../Emulator.js"
import * as Blobs from "./blobs.js"
import { checkObject, checkValue, type FieldSpec, type Issue, isRecord, isUuid, parseBool } from "./validation.js"

// ---------------------------------------------------------------------------
// Public-facing data types (re-exported by Emulator.ts)
// ---------------------------------------------------------------------------

/** @internal */
export const ALL_SCOPES = [
  "spaces:read",
  "spaces:write",
  "folders:read",
  "folders:write",
  "files:read",
  "files:write",
  "shares:read",
  "shares:write",
  "quota:read"
] as const

/** @internal */
export type Scope = (typeof ALL_SCOPES)[number]

/** @internal */
export const isScope = (s: unknown): s is Scope => typeof s === "string" && ALL_SCOPES.some((scope) => scope === s)

/** @internal */
export interface Plan {
  readonly apiAccess: boolean
  readonly bytesLimit: number
  readonly linksLimit: number
}

/** @internal */
export interface PlanInput {
  readonly apiAccess?: boolean | undefined
  readonly bytesLimit?: number | undefined
  readonly linksLimit?: number | undefined
}

/** @internal */
export interface KeySeed {
  readonly key: string
  readonly scopes: ReadonlyArray<Scope> | "all"
  readonly revoked?: boolean | undefined
}

/** @internal */
export interface TenantSeed {
  readonly id: string
  readonly plan?: PlanInput | undefined
  readonly keys?: ReadonlyArray<KeySeed> | undefined
}

/** @internal */
export interface Options {
  readonly tenants?: ReadonlyArray<TenantSeed> | undefined
  readonly scanDelay?: Duration.DurationInput | undefined
  readonly minPartSize?: number | undefined
  readonly forcePartSize?: number | undefined
  readonly dataDir?: string | undefined
  readonly rateLimit?: { readonly limit: number; readonly window?: Duration.DurationInput | undefined } | undefined
  readonly downloadUrlTtl?: Duration.DurationInput | undefined
  readonly uploadTtl?: Duration.DurationInput | undefined
  readonly baseUrl?: string | undefined
  readonly storageUrl?: string | undefined
  readonly filesUrl?: string | undefined
  readonly secret?: string | undefined
}

/** @internal */
export type Origin = "api" | "storage" | "files"

/** @internal */
export interface RequestLogEntry {
  readonly requestId: string
  readonly method: string
  readonly origin: Origin
  readonly path: string
  readonly status: number
  readonly hadApiKey: boolean
  readonly at: number
}

/** @internal */
export interface OpenUpload {
  readonly uploadId: string
  readonly fileId: string
  readonly tenantId: string
  readonly size: number
  readonly partSize: number
  readonly partCount: number
  readonly partsStored: number
  readonly expiresAt: number
}

/** @internal */
export interface PartFault {
  readonly partNumber: number
  readonly attempt?: number | "every" | undefined
  readonly uploadId?: string | undefined
  readonly status?: number | undefined
  readonly reset?: boolean | undefined
}

/** @internal */
export interface PartFailureRate {
  readonly rate: number
  readonly seed: number
  readonly status?: number | undefined
  readonly reset?: boolean | undefined
}

/** @internal */
export interface RateLimitBurst {
  readonly count: number
  readonly retryAfter: number
  readonly pathPrefix?: string | undefined
}

/** @internal */
export interface RequestFault {
  readonly count: number
  readonly status: number
  readonly pathPrefix?: string | undefined
  readonly method?: string | undefined
}

/** @internal */
export type ScanOutcome = "clean" | "infected" | "error"

// ---------------------------------------------------------------------------
// Internal records
// ---------------------------------------------------------------------------

interface TenantRec {
  readonly id: string
  plan: Plan
}
interface KeyRec {
  readonly key: string
  readonly tenantId: string
  readonly scopes: ReadonlySet<Scope>
  revoked: boolean
}
interface SpaceRec {
  readonly id: string
  readonly tenantId: string
  readonly name: string
  readonly createdAt: number
  readonly updatedAt: number
}
interface FolderRec {
  readonly id: string
  readonly tenantId: string
  readonly spaceId: string
  parentId: string | null
  name: string
  deletedAt: number | null
  readonly createdAt: number
  updatedAt: number
}
interface FileRec {
  readonly id: string
  readonly tenantId: string
  readonly spaceId: string
  folderId: string | null
  name: string
  readonly mime: string
  readonly size: number
  sha256: string | null
  scanStatus: "pending" | "clean" | "infected" | "error" | null
  scanDueAt: number | null
  infected: boolean
  forcedScan: ScanOutcome | null
  completed: boolean
  blobs: ReadonlyArray<Blobs.StoredBlob>
  readonly clientKey: string | null
  deletedAt: number | null
  readonly createdAt: number
  updatedAt: number
}
interface PartRec {
  readonly blob: Blobs.StoredBlob
}
interface UploadRec {
  readonly id: string
  readonly tenantId: string
  readonly fileId: string
  readonly size: number
  readonly partSize: number
  readonly partCount: number
  readonly expiresAt: number
  readonly sha256: string | null
  readonly parts: Map<number, PartRec>
  readonly attempts: Map<number, number>
  state: "open" | "completed" | "aborted" | "expired"
}
interface ShareRec {
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

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

const MiB = 1024 * 1024
const DEFAULT_MIN_PART = 5 * MiB
const MAX_PART = 5 * 1024 * MiB
const DEFAULT_PART = 8 * MiB
const MAX_SIZE = 5 * 1024 * 1024 * MiB
const MAX_PARTS = 10_000
const EICAR = Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "latin1")
const RESET_HEADER = "x-fluidcloud-emulator-reset"

/** @internal */
export const resetHeader = RESET_HEADER

const KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** @internal */
export const generateKey = (kind: "live" | "test" = "test"): string => {
  const bytes = randomBytes(32)
  let out = ""
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length]
  return `fck_${kind}_${out}`
}

/** @internal */
export const KEY_PATTERN = /^fck_(live|test)_[0-9A-Za-z]{24,}$/

const MIME: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  csv: "text/csv",
  js: "text/javascript",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime"
}

const guessMime = (name: string): string => {
  const dot = name.lastIndexOf(".")
  if (dot < 0) return "application/octet-stream"
  return MIME[name.slice(dot + 1).toLowerCase()] ?? "application/octet-stream"
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const mulberry32 = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}> {}

const fail = (status: number, body: unknown, headers?: Record<string, string>): Effect.Effect<never, ApiFailure> =>
  Effect.fail(new ApiFailure(headers === undefined ? { status, body } : { status, body, headers }))
const notFound = (): Effect.Effect<never, ApiFailure> => fail(404, { detail: "not_found" })
const invalid = (issues: ReadonlyArray<Issue>) => fail(422, { detail: issues })
const badRequest = (detail: string) => fail(400, { detail })

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

/** The model is the `Emulator` service, documented there. @internal */
export type Model = Emulator

interface Ctx {
  readonly tenant: TenantRec
  readonly key: KeyRec
  readonly now: number
  readonly url: URL
  readonly request: HttpServerRequest.HttpServerRequest
}

type Handler = (
  ctx: Ctx,
  params: ReadonlyArray<string>
) => Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure>

interface Route {
  readonly method: string
  readonly pattern: RegExp
  readonly scopes: ReadonlyArray<Scope>
  readonly params: ReadonlyArray<string>
  readonly handler: Handler
}

const trimSlash = (s: string) => s.replace(/\/+$/, "")

/** @internal */
export const make = (options: Options = {}): Model => {
  const baseUrl = trimSlash(options.baseUrl ?? "http://api.fluidcloud.test")
  const storageUrl = trimSlash(options.storageUrl ?? "http://storage.fluidcloud.test")
  const filesUrl = trimSlash(options.filesUrl ?? "http://files.fluidcloud.test")
  const secret = options.secret ?? randomBytes(32).toString("hex")
  const scanDelayMs = Duration.toMillis(Duration.decode(options.scanDelay ?? "50 millis"))
  const minPartSize = Math.max(1, Math.floor(options.minPartSize ?? DEFAULT_MIN_PART))
  const forcePartSize = options.forcePartSize === undefined ? undefined : Math.max(1, Math.floor(options.forcePartSize))
  const downloadTtlMs = Duration.toMillis(Duration.decode(options.downloadUrlTtl ?? "15 minutes"))
  const uploadTtlMs = Duration.toMillis(Duration.decode(options.uploadTtl ?? "24 hours"))
  const rateLimit =
    options.rateLimit === undefined
      ? undefined
      : {
          limit: options.rateLimit.limit,
          windowMs: Duration.toMillis(Duration.decode(options.rateLimit.window ?? "1 minute"))
        }
  const blobs = options.dataDir === undefined ? Blobs.memory() : Blobs.directory(options.dataDir)

  const tenants = new Map<string, TenantRec>()
  const keys = new Map<string, KeyRec>()
  const spaces = new Map<string, SpaceRec>()
  const folders = new Map<string, FolderRec>()
  const files = new Map<string, FileRec>()
  const uploads = new Map<string, UploadRec>()
  const shares = new Map<string, ShareRec>()
  const sharesByToken = new Map<string, ShareRec>()
  const rateWindows = new Map<string, { start: number; count: number }>()
  const log: Array<RequestLogEntry> = []
  let blobCounter = 0
  let inFlightPuts = 0
  let maxInFlightPuts = 0
  let keyOutsideApi = false

  // faults
  let partFaults: Array<PartFault & { used: boolean }> = []
  let partRate: { rate: number; next: () => number; status: number; reset: boolean } | undefined
  let bursts: Array<{ remaining: number; retryAfter: number; pathPrefix: string | undefined }> = []
  let requestFaults: Array<{
    remaining: number
    status: number
    pathPrefix: string | undefined
    method: string | undefined
  }> = []
  let completeFault: { status: number; commit: boolean } | undefined
  let latency: { ms: number; pathPrefix: string | undefined } | undefined

  const fullPlan = (plan: PlanInput | undefined): Plan => ({
    apiAccess: plan?.apiAccess ?? true,
    bytesLimit: plan?.bytesLimit ?? -1,
    linksLimit: plan?.linksLimit ?? -1
  })

  const addTenant = (id: string, plan: PlanInput | undefined) => {
    const existing = tenants.get(id)
    if (existing !== undefined) {
      if (plan !== undefined) {
        existing.plan = {
          apiAccess: plan.apiAccess ?? existing.plan.apiAccess,
          bytesLimit: plan.bytesLimit ?? existing.plan.bytesLimit,
          linksLimit: plan.linksLimit ?? existing.plan.linksLimit
        }
      }
      return existing
    }
    const rec: TenantRec = { id, plan: fullPlan(plan) }
    tenants.set(id, rec)
    return rec
  }
  const addKey = (tenantId: string, key: string, scopes: ReadonlyArray<Scope> | "all", revoked: boolean) => {
    keys.set(key, { key, tenantId, scopes: new Set(scopes === "all" ? ALL_SCOPES : scopes), revoked })
    return key
  }

  let defaultKey = ""
  if (options.tenants === undefined) {
    addTenant("default", undefined)
    defaultKey = addKey("default", generateKey("test"), "all", false)
  } else {
    for (const t of options.tenants) {
      addTenant(t.id, t.plan)
      for (const k of t.keys ?? []) {
        addKey(t.id, k.key, k.scopes, k.revoked ?? false)
        if (defaultKey === "" && k.scopes === "all" && k.revoked !== true) defaultKey = k.key
      }
    }
  }

  // --- signing -------------------------------------------------------------

  const sign = (path: string, expires: number) =>
    createHmac("sha256", secret).update(`${path}\n${expires}`).digest("hex")
  const signedUrl = (origin: string, path: string, expiresMs: number) => {
    const expires = Math.floor(expiresMs / 1000)
    return `${origin}${path}?expires=${expires}&signature=${sign(path, expires)}`
  }
  const verifySignature = (path: string, url: URL, now: number): boolean => {
    const expires = url.searchParams.get("expires")
    const signature = url.searchParams.get("signature")
    if (expires === null || signature === null || !/^\d+$/.test(expires)) return false
    const expected = Buffer.from(sign(path, Number(expires)))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false
    return Number(expires) * 1000 > now
  }

  // --- tree helpers -----------------------------------------------------------

  const underTrash = (folderId: string | null): boolean => {
    let id = folderId
    let guard = 0
    while (id !== null && guard++ < 100_000) {
      const f = folders.get(id)
      if (f === undefined) return false
      if (f.deletedAt !== null) return true
      id = f.parentId
    }
    return false
  }
  const folderHidden = (f: FolderRec) => f.deletedAt === null && underTrash(f.parentId)
  const fileHidden = (f: FileRec) => f.deletedAt === null && underTrash(f.folderId)
  const liveFolder = (tenantId: string, id: string): FolderRec | undefined => {
    const f = folders.get(id)
    if (f === undefined || f.tenantId !== tenantId || f.deletedAt !== null || underTrash(f.parentId)) return undefined
    return f
  }
  const isLiveFolderId = (id: string | null) => {
    if (id === null) return true
    const f = folders.get(id)
    return f !== undefined && f.deletedAt === null && !underTrash(f.parentId)
  }

  // --- lazy time-driven state --------------------------------------------------

  const removeFile = (file: FileRec) => {
    files.delete(file.id)
    return Effect.forEach(file.blobs, (b) => blobs.remove(b.key), { discard: true })
  }
  const freeUploadParts = (upload: UploadRec) =>
    Effect.suspend(() => {
      const parts = [...upload.parts.values()]
      upload.parts.clear()
      return Effect.forEach(parts, (p) => blobs.remove(p.blob.key), { discard: true })
    })

  const tick = (now: number) =>
    Effect.suspend(() => {
      const effects: Array<Effect.Effect<void>> = []
      for (const upload of uploads.values()) {
        if (upload.state === "open" && now >= upload.expiresAt) {
          upload.state = "expired"
          effects.push(freeUploadParts(upload))
          const file = files.get(upload.fileId)
          if (file !== undefined) effects.push(removeFile(file))
        }
      }
      for (const file of files.values()) {
        if (file.scanStatus === "pending" && file.scanDueAt !== null && now >= file.scanDueAt) {
          file.scanStatus = file.forcedScan ?? (file.infected ? "infected" : "clean")
          file.updatedAt = file.scanDueAt
        }
      }
      return Effect.all(effects, { discard: true })
    })

  // --- JSON views -------------------------------------------------------------

  const spaceJson = (s: SpaceRec) => ({
    id: s.id,
    name: s.name,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt)
  })
  const folderJson = (f: FolderRec) => ({
    id: f.id,
    name: f.name,
    space_id: f.spaceId,
    parent_id: f.parentId,
    deleted_at: iso(f.deletedAt),
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt)
  })
  const fileStatus = (f: FileRec) => (f.deletedAt !== null ? "deleted" : f.completed ? "ready" : "uploading")
  const fileJson = (f: FileRec) => ({
    id: f.id,
    original_name: f.name,
    space_id: f.spaceId,
    folder_id: f.folderId,
    mime: f.mime,
    size: f.size,
    sha256: f.sha256,
    scan_status: f.scanStatus,
    status: fileStatus(f),
    client_key: f.clientKey,
    deleted_at: iso(f.deletedAt),
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
    public_url: null
  })
  const shareActive = (s: ShareRec, now: number) => !s.revoked && (s.expiresAt === null || s.expiresAt > now)
  const shareJson = (s: ShareRec) => ({
    id: s.id,
    file_id: s.fileId,
    permission: s.permission,
    expires_at: iso(s.expiresAt),
    max_downloads: s.maxDownloads,
    download_count: s.downloadCount,
    revoked: s.revoked,
    has_password: s.password !== null,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt)
  })

  const json = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })

  // --- request helpers ----------------------------------------------------------

  const readJson = (request: HttpServerRequest.HttpServerRequest) =>
    request.text.pipe(
      Effect.orElseSucceed(() => ""),
      Effect.flatMap((text) => {
        try {
          return Effect.succeed<unknown>(JSON.parse(text))
        } catch {
          return invalid([{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }])
        }
      })
    )

  const pathUuid = (name: string, value: string) =>
    isUuid(value)
      ? Effect.void
      : invalid([{ loc: ["path", name], msg: "Input should be a valid UUID", type: "uuid_parsing" }])

  const queryIssues = (
    url: URL,
    specs: Record<
      string,
      { kind: "uuid" | "bool" | "string"; required?: boolean; minLength?: number; maxLength?: number }
    >
  ) => {
    const issues: Array<Issue> = []
    for (const [name, spec] of Object.entries(specs)) {
      const value = url.searchParams.get(name)
      if (value === null) {
        if (spec.required === true) issues.push({ loc: ["query", name], msg: "Field required", type: "missing" })
        continue
      }
      if (spec.kind === "uuid" && !isUuid(value))
        issues.push({ loc: ["query", name], msg: "Input should be a valid UUID", type: "uuid_parsing" })
      if (spec.kind === "bool" && parseBool(value) === undefined)
        issues.push({ loc: ["query", name], msg: "Input should be a valid boolean", type: "bool_parsing" })
      if (spec.kind === "string") {
        const stringSpec: FieldSpec = {
          kind: "string",
          ...(spec.minLength === undefined ? {} : { minLength: spec.minLength }),
          ...(spec.maxLength === undefined ? {} : { maxLength: spec.maxLength })
        }
        const issue = checkValue(["query", name], stringSpec, value)
        if (issue !== undefined) issues.push(issue)
      }
    }
    return issues.length > 0 ? invalid(issues) : Effect.void
  }

  const getSpace = (tenantId: string, id: string): Effect.Effect<SpaceRec, ApiFailure> => {
    const s = spaces.get(id)
    return s === undefined || s.tenantId !== tenantId ? notFound() : Effect.succeed(s)
  }
  const getFolder = (tenantId: string, id: string): Effect.Effect<FolderRec, ApiFailure> => {
    const f = folders.get(id)
    return f === undefined || f.tenantId !== tenantId || folderHidden(f) ? notFound() : Effect.succeed(f)
  }
  const getFile = (tenantId: string, id: string): Effect.Effect<FileRec, ApiFailure> => {
    const f = files.get(id)
    return f === undefined || f.tenantId !== tenantId || fileHidden(f) ? notFound() : Effect.succeed(f)
  }
  const readableFile = (tenantId: string, id: string): Effect.Effect<FileRec, ApiFailure> =>
    getFile(tenantId, id).pipe(Effect.filterOrElse((f) => f.deletedAt === null, notFound))
  const requireClean = (f: FileRec): Effect.Effect<void, ApiFailure> =>
    f.scanStatus === "clean"
      ? Effect.void
      : f.scanStatus === "infected"
        ? fail(409, { detail: "file_infected" })
        : fail(409, { detail: "file_not_ready" })

  const bytesUsed = (tenantId: string) => {
    let total = 0
    for (const f of files.values()) if (f.tenantId === tenantId) total += f.size
    return total
  }
  const linksUsed = (tenantId: string, now: number) => {
    let total = 0
    for (const s of shares.values()) if (s.tenantId === tenantId && shareActive(s, now)) total += 1
    return total
  }

  const fileStream = (f: FileRec): Stream.Stream<Uint8Array> =>
    Stream.fromIterable(f.blobs).pipe(Stream.flatMap((b) => blobs.read(b.key)))

  // --- API handlers -------------------------------------------------------------

  const listSpaces: Handler = (ctx) =>
    Effect.succeed(json(200, [...spaces.values()].filter((s) => s.tenantId === ctx.tenant.id).map(spaceJson)))

  const createSpace: Handler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, { name: { kind: "string", required: true, minLength: 1, maxLength: 255 } })
      if (issues.length > 0 || !isRecord(body) || typeof body.name !== "string") return yield* invalid(issues)
      const space: SpaceRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        name: body.name,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      spaces.set(space.id, space)
      return json(201, spaceJson(space))
    })

  /**
   * GET /folders and GET /files: the Space's items that are in trash (`trash=true`, the folder scope
   * ignored), or its live items directly in `scopeParam` (absent = the Space root), which must be a
   * live folder of that Space.
   */
  const listIn = <R extends { readonly spaceId: string; readonly deletedAt: number | null }>(
    ctx: Ctx,
    items: Iterable<R>,
    scopeParam: "parent_id" | "folder_id",
    scopeOf: (item: R) => string | null,
    toJson: (item: R) => unknown
  ) =>
    Effect.gen(function* () {
      yield* queryIssues(ctx.url, {
        space_id: { kind: "uuid", required: true },
        [scopeParam]: { kind: "uuid" },
        trash: { kind: "bool" }
      })
      const space = yield* getSpace(ctx.tenant.id, ctx.url.searchParams.get("space_id") ?? "")
      const inSpace = [...items].filter((item) => item.spaceId === space.id)
      if (parseBool(ctx.url.searchParams.get("trash") ?? "false") === true) {
        return json(200, inSpace.filter((item) => item.deletedAt !== null).map(toJson))
      }
      const scope = ctx.url.searchParams.get(scopeParam)
      if (scope !== null) {
        const folder = liveFolder(ctx.tenant.id, scope)
        if (folder === undefined || folder.spaceId !== space.id) return yield* notFound()
      }
      return json(200, inSpace.filter((item) => scopeOf(item) === scope && item.deletedAt === null).map(toJson))
    })

  const listFolders: Handler = (ctx) => listIn(ctx, folders.values(), "parent_id", (f) => f.parentId, folderJson)

  const NAME_NO_SLASH = /^[^/]+$/

  const createFolder: Handler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        name: { kind: "string", required: true, minLength: 1, maxLength: 255, pattern: NAME_NO_SLASH },
        space_id: { kind: "uuid", required: true },
        parent_id: { kind: "uuid", nullable: true }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const space = yield* getSpace(ctx.tenant.id, String(body.space_id))
      const parentId = typeof body.parent_id === "string" ? body.parent_id : null
      if (parentId !== null) {
        const parent = liveFolder(ctx.tenant.id, parentId)
        if (parent === undefined || parent.spaceId !== space.id) return yield* notFound()
      }
      const folder: FolderRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        spaceId: space.id,
        parentId,
        name: String(body.name),
        deletedAt: null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      folders.set(folder.id, folder)
      return json(201, folderJson(folder))
    })

  const updateFolder: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("folder_id", id)
      const body = yield* readJson(ctx.request)
      const issues = checkObject(
        body,
        {
          name: { kind: "string", minLength: 1, maxLength: 255, pattern: NAME_NO_SLASH },
          parent_id: { kind: "uuid", nullable: true }
        },
        { forbidExtra: true, minProperties: 1 }
      )
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const folder = yield* getFolder(ctx.tenant.id, id)
      let newParent: string | null | undefined
      if ("parent_id" in body) {
        if (typeof body.parent_id === "string") {
          const target = liveFolder(ctx.tenant.id, body.parent_id)
          if (target === undefined) return yield* notFound()
          if (target.spaceId !== folder.spaceId) return yield* badRequest("cross_space_move")
          let cursor: FolderRec | undefined = target
          while (cursor !== undefined) {
            if (cursor.id === folder.id) return yield* badRequest("folder_cycle")
            cursor = cursor.parentId === null ? undefined : folders.get(cursor.parentId)
          }
          newParent = target.id
        } else {
          newParent = null
        }
      }
      if (typeof body.name === "string") folder.name = body.name
      if (newParent !== undefined) folder.parentId = newParent
      folder.updatedAt = ctx.now
      return json(200, folderJson(folder))
    })

  const deleteFolder: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("folder_id", id)
      const folder = yield* getFolder(ctx.tenant.id, id)
      if (folder.deletedAt === null) {
        folder.deletedAt = ctx.now
        folder.updatedAt = ctx.now
      }
      return json(200, folderJson(folder))
    })

  const restoreFolder: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("folder_id", id)
      const folder = yield* getFolder(ctx.tenant.id, id)
      if (folder.deletedAt !== null) {
        folder.deletedAt = null
        if (!isLiveFolderId(folder.parentId)) folder.parentId = null
        folder.updatedAt = ctx.now
      }
      return json(200, folderJson(folder))
    })

  const listFiles: Handler = (ctx) => listIn(ctx, files.values(), "folder_id", (f) => f.folderId, fileJson)

  const resolveFile: Handler = (ctx) =>
    Effect.gen(function* () {
      yield* queryIssues(ctx.url, { client_key: { kind: "string", required: true, minLength: 1, maxLength: 1024 } })
      const clientKey = ctx.url.searchParams.get("client_key")
      let found: FileRec | undefined
      for (const f of files.values()) {
        if (f.tenantId !== ctx.tenant.id || f.clientKey !== clientKey || f.deletedAt !== null || fileHidden(f)) continue
        if (found === undefined || f.createdAt >= found.createdAt) found = f
      }
      return found === undefined ? yield* notFound() : json(200, fileJson(found))
    })

  const getFileOp: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("file_id", id)
      return json(200, fileJson(yield* getFile(ctx.tenant.id, id)))
    })

  const updateFile: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("file_id", id)
      const body = yield* readJson(ctx.request)
      const issues = checkObject(
        body,
        { name: { kind: "string", minLength: 1, maxLength: 255 }, folder_id: { kind: "uuid", nullable: true } },
        { forbidExtra: true, minProperties: 1 }
      )
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const file = yield* getFile(ctx.tenant.id, id)
      let newFolder: string | null | undefined
      if ("folder_id" in body) {
        if (typeof body.folder_id === "string") {
          const target = liveFolder(ctx.tenant.id, body.folder_id)
          if (target === undefined) return yield* notFound()
          if (target.spaceId !== file.spaceId) return yield* badRequest("cross_space_move")
          newFolder = target.id
        } else {
          newFolder = null
        }
      }
      if (typeof body.name === "string") file.name = body.name
      if (newFolder !== undefined) file.folderId = newFolder
      file.updatedAt = ctx.now
      return json(200, fileJson(file))
    })

  const deleteFile: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("file_id", id)
      const file = yield* getFile(ctx.tenant.id, id)
      if (file.deletedAt === null) {
        file.deletedAt = ctx.now
        file.updatedAt = ctx.now
      }
      return json(200, fileJson(file))
    })

  const restoreFile: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("file_id", id)
      const file = yield* getFile(ctx.tenant.id, id)
      if (file.deletedAt !== null) {
        file.deletedAt = null
        if (!isLiveFolderId(file.folderId)) file.folderId = null
        file.updatedAt = ctx.now
      }
      return json(200, fileJson(file))
    })

  const getDownloadUrl: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("file_id", id)
      const file = yield* readableFile(ctx.tenant.id, id)
      yield* requireClean(file)
      const expiresAt = ctx.now + downloadTtlMs
      return json(200, {
        url: signedUrl(storageUrl, `/storage/files/${file.id}`, expiresAt),
        expires_at: iso(Math.floor(expiresAt / 1000) * 1000)
      })
    })

  const initiateUpload: Handler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        space_id: { kind: "uuid", required: true },
        folder_id: { kind: "uuid", nullable: true },
        name: { kind: "string", required: true, minLength: 1, maxLength: 255 },
        content_type: { kind: "string", nullable: true, minLength: 1 },
        size: { kind: "int", required: true, min: 0 },
        client_key: { kind: "string", nullable: true, minLength: 1, maxLength: 1024 },
        sha256: { kind: "string", nullable: true, pattern: /^[0-9a-f]{64}$/ },
        part_size: { kind: "int", nullable: true, min: 1 }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const space = yield* getSpace(ctx.tenant.id, String(body.space_id))
      const folderId = typeof body.folder_id === "string" ? body.folder_id : null
      if (folderId !== null) {
        const folder = liveFolder(ctx.tenant.id, folderId)
        if (folder === undefined || folder.spaceId !== space.id) return yield* notFound()
      }
      const size = Number(body.size)
      if (size > MAX_SIZE) return yield* fail(413, { detail: "file_too_large" })
      const limit = ctx.tenant.plan.bytesLimit
      if (limit >= 0 && bytesUsed(ctx.tenant.id) + size > limit) {
        return yield* fail(402, { detail: "quota_exceeded", resource: "storage" })
      }
      const hint = typeof body.part_size === "number" ? body.part_size : DEFAULT_PART
      const partSize = Math.max(
        forcePartSize ?? Math.min(Math.max(hint, minPartSize), MAX_PART),
        Math.ceil(size / MAX_PARTS),
        1
      )
      const partCount = size === 0 ? 1 : Math.ceil(size / partSize)
      const name = String(body.name)
      const mime = typeof body.content_type === "string" ? body.content_type : guessMime(name)
      const file: FileRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        spaceId: space.id,
        folderId,
        name,
        mime,
        size,
        sha256: null,
        scanStatus: null,
        scanDueAt: null,
        infected: false,
        forcedScan: null,
        completed: false,
        blobs: [],
        clientKey: typeof body.client_key === "string" ? body.client_key : null,
        deletedAt: null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      const upload: UploadRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        fileId: file.id,
        size,
        partSize,
        partCount,
        expiresAt: ctx.now + uploadTtlMs,
        sha256: typeof body.sha256 === "string" ? body.sha256 : null,
        parts: new Map(),
        attempts: new Map(),
        state: "open"
      }
      files.set(file.id, file)
      uploads.set(upload.id, upload)
      const parts = []
      for (let n = 1; n <= partCount; n++) {
        parts.push({
          part_number: n,
          url: signedUrl(storageUrl, `/storage/uploads/${upload.id}/parts/${n}`, upload.expiresAt),
          method: "PUT",
          headers: partCount === 1 ? { "Content-Type": mime } : {}
        })
      }
      return json(201, {
        upload_id: upload.id,
        file_id: file.id,
        expires_at: iso(upload.expiresAt),
        part_size: partSize,
        parts
      })
    })

  const partSizeOf = (upload: UploadRec, n: number) =>
    n < upload.partCount ? upload.partSize : upload.size - upload.partSize * (upload.partCount - 1)

  /** An upload's state read afresh (not narrowed by an earlier check). */
  const stateOf = (upload: { readonly state: string }): string => upload.state

  const scanAndHash = (blobList: ReadonlyArray<Blobs.StoredBlob>) =>
    Effect.suspend(() => {
      const sha = createHash("sha256")
      let tail = Buffer.alloc(0)
      let infected = false
      return Stream.fromIterable(blobList).pipe(
        Stream.flatMap((b) => blobs.read(b.key)),
        Stream.runForEach((chunk) =>
          Effect.sync(() => {
            sha.update(chunk)
            if (!infected) {
              const window = Buffer.concat([tail, chunk])
              if (window.includes(EICAR)) infected = true
              tail = window.subarray(Math.max(0, window.length - EICAR.length + 1))
            }
          })
        ),
        Effect.map(() => ({ sha256: sha.digest("hex"), infected }))
      )
    })

  const completeUpload: Handler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        upload_id: { kind: "uuid", required: true },
        parts: { kind: "array", required: true }
      })
      const partIssues: Array<Issue> = []
      const parts: Array<{ part_number: number; etag: string }> = []
      if (isRecord(body) && Array.isArray(body.parts)) {
        body.parts.forEach((p: unknown, i: number) => {
          if (!isRecord(p)) {
            partIssues.push({ loc: ["body", "parts", i], msg: "Input should be a valid dictionary", type: "dict_type" })
            return
          }
          const a =
            p.part_number === undefined
              ? { loc: ["body", "parts", i, "part_number"], msg: "Field required", type: "missing" }
              : checkValue(["body", "parts", i, "part_number"], { kind: "int", min: 1 }, p.part_number)
          const b =
            p.etag === undefined
              ? { loc: ["body", "parts", i, "etag"], msg: "Field required", type: "missing" }
              : checkValue(["body", "parts", i, "etag"], { kind: "string" }, p.etag)
          if (a !== undefined) partIssues.push(a)
          if (b !== undefined) partIssues.push(b)
          if (a === undefined && b === undefined)
            parts.push({ part_number: Number(p.part_number), etag: String(p.etag) })
        })
      }
      if (issues.length > 0 || partIssues.length > 0 || !isRecord(body))
        return yield* invalid([...issues, ...partIssues])
      const upload = uploads.get(String(body.upload_id))
      if (upload === undefined || upload.tenantId !== ctx.tenant.id) return yield* notFound()
      if (upload.state === "completed") {
        const file = files.get(upload.fileId)
        return file === undefined ? yield* notFound() : json(200, fileJson(file))
      }
      if (upload.state !== "open") return yield* notFound()
      const file = files.get(upload.fileId)
      if (file === undefined) return yield* notFound()
      if (parts.length !== upload.partCount) return yield* badRequest("invalid_parts")
      const ordered: Array<Blobs.StoredBlob> = []
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]
        const stored = upload.parts.get(i + 1)
        if (p === undefined || p.part_number !== i + 1 || stored === undefined)
          return yield* badRequest("invalid_parts")
        if (p.etag.replace(/^"|"$/g, "").toLowerCase() !== stored.blob.md5) return yield* badRequest("invalid_parts")
        ordered.push(stored.blob)
      }
      const fault = completeFault
      if (fault !== undefined && !fault.commit) {
        completeFault = undefined
        return yield* fail(fault.status, { detail: "internal_error" })
      }
      // Reading the parts yields: a concurrent complete, abort or expiry may change the upload meanwhile
      // (and an abort frees the blobs being read).
      // A read of a freed part dies (ENOENT on disk): keep the whole exit and look at the state first.
      const scanned = yield* Effect.exit(scanAndHash(ordered))
      const state = stateOf(upload)
      if (state === "completed") {
        // a concurrent complete won the race: answer idempotently with the File as it is now
        const current = files.get(upload.fileId)
        return current === undefined ? yield* notFound() : json(200, fileJson(current))
      }
      // aborted or expired while the parts were being read: the contract answers 404
      if (state !== "open") return yield* notFound()
      if (scanned._tag === "Failure") return yield* Effect.failCause(scanned.cause)
      const { infected, sha256 } = scanned.value
      if (upload.sha256 !== null && upload.sha256 !== sha256) {
        upload.state = "aborted"
        yield* freeUploadParts(upload)
        files.delete(file.id)
        return yield* badRequest("checksum_mismatch")
      }
      upload.state = "completed"
      upload.parts.clear()
      file.blobs = ordered
      file.sha256 = sha256
      file.infected = infected
      file.completed = true
      file.scanStatus = "pending"
      file.scanDueAt = ctx.now + scanDelayMs
      file.updatedAt = ctx.now
      if (fault !== undefined) {
        completeFault = undefined
        return yield* fail(fault.status, { detail: "internal_error" })
      }
      return json(200, fileJson(file))
    })

  const abortUpload: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("upload_id", id)
      const upload = uploads.get(id)
      if (upload !== undefined && upload.tenantId === ctx.tenant.id && upload.state === "open") {
        upload.state = "aborted"
        yield* freeUploadParts(upload)
        files.delete(upload.fileId)
      }
      return HttpServerResponse.empty({ status: 204 })
    })

  const createShare: Handler = (ctx) =>
    Effect.gen(function* () {
      const body = yield* readJson(ctx.request)
      const issues = checkObject(body, {
        file_id: { kind: "uuid", required: true },
        expires_in_days: { kind: "int", nullable: true, min: 1, max: 365 },
        permission: { kind: "enum", nullable: true, values: ["view", "download"] },
        password: { kind: "string", nullable: true },
        max_downloads: { kind: "int", nullable: true, min: 1 }
      })
      if (issues.length > 0 || !isRecord(body)) return yield* invalid(issues)
      const file = yield* readableFile(ctx.tenant.id, String(body.file_id))
      yield* requireClean(file)
      const limit = ctx.tenant.plan.linksLimit
      if (limit >= 0 && linksUsed(ctx.tenant.id, ctx.now) + 1 > limit) {
        return yield* fail(402, { detail: "quota_exceeded", resource: "links" })
      }
      const share: ShareRec = {
        id: randomUUID(),
        tenantId: ctx.tenant.id,
        fileId: file.id,
        token: randomBytes(24).toString("base64url"),
        permission: body.permission === "download" ? "download" : "view",
        expiresAt: typeof body.expires_in_days === "number" ? ctx.now + body.expires_in_days * 86_400_000 : null,
        maxDownloads: typeof body.max_downloads === "number" ? body.max_downloads : null,
        downloadCount: 0,
        revoked: false,
        password: typeof body.password === "string" ? body.password : null,
        createdAt: ctx.now,
        updatedAt: ctx.now
      }
      shares.set(share.id, share)
      sharesByToken.set(share.token, share)
      return json(201, {
        url: `${filesUrl}/s/${share.token}`,
        id: share.id,
        permission: share.permission,
        expires_at: iso(share.expiresAt)
      })
    })

  const listShares: Handler = (ctx) =>
    Effect.gen(function* () {
      yield* queryIssues(ctx.url, { file_id: { kind: "uuid" }, include_inactive: { kind: "bool" } })
      const fileId = ctx.url.searchParams.get("file_id")
      const all = parseBool(ctx.url.searchParams.get("include_inactive") ?? "false") === true
      return json(
        200,
        [...shares.values()]
          .filter(
            (s) =>
              s.tenantId === ctx.tenant.id &&
              (fileId === null || s.fileId === fileId) &&
              (all || shareActive(s, ctx.now))
          )
          .map(shareJson)
      )
    })

  const revokeShare: Handler = (ctx, [id = ""]) =>
    Effect.gen(function* () {
      yield* pathUuid("share_id", id)
      const share = shares.get(id)
      if (share === undefined || share.tenantId !== ctx.tenant.id) return yield* notFound()
      if (!share.revoked) {
        share.revoked = true
        share.updatedAt = ctx.now
      }
      return HttpServerResponse.empty({ status: 204 })
    })

  const getQuota: Handler = (ctx) =>
    Effect.succeed(
      json(200, {
        bytes_used: bytesUsed(ctx.tenant.id),
        bytes_limit: ctx.tenant.plan.bytesLimit,
        links_used: linksUsed(ctx.tenant.id, ctx.now),
        links_limit: ctx.tenant.plan.linksLimit
      })
    )

  const UUID_SEG = "([^/]+)"
  const routes: ReadonlyArray<Route> = [
    { method: "GET", pattern: /^\/spaces$/, scopes: ["spaces:read"], params: [], handler: listSpaces },
    { method: "POST", pattern: /^\/spaces$/, scopes: ["spaces:write"], params: [], handler: createSpace },
    { method: "GET", pattern: /^\/folders$/, scopes: ["folders:read"], params: [], handler: listFolders },
    { method: "POST", pattern: /^\/folders$/, scopes: ["folders:write"], params: [], handler: createFolder },
    {
      method: "PATCH",
      pattern: new RegExp(`^/folders/${UUID_SEG}$`),
      scopes: ["folders:write"],
      params: ["folder_id"],
      handler: updateFolder
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/folders/${UUID_SEG}$`),
      scopes: ["folders:write"],
      params: ["folder_id"],
      handler: deleteFolder
    },
    {
      method: "POST",
      pattern: new RegExp(`^/folders/${UUID_SEG}/restore$`),
      scopes: ["folders:write"],
      params: ["folder_id"],
      handler: restoreFolder
    },
    { method: "GET", pattern: /^\/files$/, scopes: ["files:read"], params: [], handler: listFiles },
    { method: "GET", pattern: /^\/files\/resolve$/, scopes: ["files:read"], params: [], handler: resolveFile },
    {
      method: "GET",
      pattern: new RegExp(`^/files/${UUID_SEG}$`),
      scopes: ["files:read"],
      params: ["file_id"],
      handler: getFileOp
    },
    {
      method: "PATCH",
      pattern: new RegExp(`^/files/${UUID_SEG}$`),
      scopes: ["files:write"],
      params: ["file_id"],
      handler: updateFile
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/files/${UUID_SEG}$`),
      scopes: ["files:write"],
      params: ["file_id"],
      handler: deleteFile
    },
    {
      method: "POST",
      pattern: new RegExp(`^/files/${UUID_SEG}/restore$`),
      scopes: ["files:write"],
      params: ["file_id"],
      handler: restoreFile
    },
    {
      method: "GET",
      pattern: new RegExp(`^/files/${UUID_SEG}/download$`),
      scopes: ["files:read"],
      params: ["file_id"],
      handler: getDownloadUrl
    },
    { method: "POST", pattern: /^\/uploads\/initiate$/, scopes: ["files:write"], params: [], handler: initiateUpload },
    { method: "POST", pattern: /^\/uploads\/complete$/, scopes: ["files:write"], params: [], handler: completeUpload },
    {
      method: "DELETE",
      pattern: new RegExp(`^/uploads/${UUID_SEG}$`),
      scopes: ["files:write"],
      params: ["upload_id"],
      handler: abortUpload
    },
    { method: "POST", pattern: /^\/shares$/, scopes: ["shares:write", "files:read"], params: [], handler: createShare },
    { method: "GET", pattern: /^\/shares$/, scopes: ["shares:read"], params: [], handler: listShares },
    {
      method: "DELETE",
      pattern: new RegExp(`^/shares/${UUID_SEG}$`),
      scopes: ["shares:write"],
      params: ["share_id"],
      handler: revokeShare
    },
    { method: "GET", pattern: /^\/quota$/, scopes: ["quota:read"], params: [], handler: getQuota }
  ]

  // --- rate limiting ------------------------------------------------------------

  const rateHeaders = (key: string | undefined, now: number, consume: boolean) => {
    const limit = rateLimit?.limit ?? 1_000_000
    const windowMs = rateLimit?.windowMs ?? 60_000
    const id = key ?? "anonymous"
    let w = rateWindows.get(id)
    if (w === undefined || now >= w.start + windowMs) {
      w = { start: now, count: 0 }
      rateWindows.set(id, w)
    }
    if (consume) w.count += 1
    const reset = Math.max(0, Math.ceil((w.start + windowMs - now) / 1000))
    return {
      limited: rateLimit !== undefined && w.count > limit,
      reset,
      headers: {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": String(Math.max(0, limit - w.count)),
        "x-ratelimit-reset": String(reset)
      }
    }
  }

  // --- API dispatch ---------------------------------------------------------------

  const handleApi = (request: HttpServerRequest.HttpServerRequest, url: URL, now: number) =>
    Effect.gen(function* () {
      const path = url.pathname.slice("/api/v1".length) || "/"
      const apiKey = Headers.get(request.headers, "x-api-key")
      const rate = rateHeaders(Option.getOrUndefined(apiKey), now, Option.isSome(apiKey))
      const response = yield* Effect.gen(function* () {
        if (Option.isNone(apiKey) || apiKey.value === "") return yield* fail(401, { detail: "missing_api_key" })
        const key = keys.get(apiKey.value)
        if (key === undefined || !KEY_PATTERN.test(apiKey.value)) return yield* fail(401, { detail: "invalid_api_key" })
        if (key.revoked) return yield* fail(401, { detail: "revoked_api_key" })
        const tenant = tenants.get(key.tenantId)
        if (tenant === undefined) return yield* fail(401, { detail: "invalid_api_key" })
        if (!tenant.plan.apiAccess) return yield* fail(403, { detail: "feature_not_in_plan" })
        if (rate.limited) return yield* fail(429, { detail: "rate_limited" }, { "retry-after": String(rate.reset) })
        for (const route of routes) {
          const m = route.pattern.exec(path)
          if (m === null || route.method !== request.method) continue
          for (const scope of route.scopes) {
            if (!key.scopes.has(scope)) return yield* fail(403, { detail: "insufficient_scope", required_scope: scope })
          }
          const params = m.slice(1).map((s) => decodeURIComponent(s))
          return yield* route.handler({ tenant, key, now, url, request }, params)
        }
        return yield* notFound()
      }).pipe(Effect.catchTag("ApiFailure", (e) => Effect.succeed(errorResponse(e))))
      return HttpServerResponse.setHeaders(response, rate.headers)
    })

  const errorResponse = (e: ApiFailure) => {
    const res = json(e.status, e.body)
    return e.headers === undefined ? res : HttpServerResponse.setHeaders(res, e.headers)
  }

  // --- storage origin ---------------------------------------------------------------

  // The storage origin's error bodies are not part of the contract: answer with an empty body and the reason in a header.
  const storageError = (status: number, detail: string) =>
    HttpServerResponse.empty({ status, headers: Headers.fromInput({ "x-fluidcloud-error": detail }) })
  const resetResponse = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.sync(() => {
      if (request.source instanceof IncomingMessage) request.source.socket.destroy()
      return HttpServerResponse.empty({ status: 500, headers: Headers.fromInput({ [RESET_HEADER]: "1" }) })
    })

  const drain = (request: HttpServerRequest.HttpServerRequest) => Stream.runDrain(request.stream).pipe(Effect.ignore)

  const putPart = (request: HttpServerRequest.HttpServerRequest, url: URL, now: number, uploadId: string, n: number) =>
    Effect.gen(function* () {
      if (!verifySignature(url.pathname, url, now)) {
        yield* drain(request)
        return storageError(403, "signature_invalid")
      }
      const upload = uploads.get(uploadId)
      if (upload === undefined || upload.state !== "open" || n < 1 || n > upload.partCount) {
        yield* drain(request)
        return storageError(404, "not_found")
      }
      const attempt = (upload.attempts.get(n) ?? 0) + 1
      upload.attempts.set(n, attempt)
      const lengthHeader = Headers.get(request.headers, "content-length")
      const expected = partSizeOf(upload, n)
      if (Option.isNone(lengthHeader) || !/^\d+$/.test(lengthHeader.value) || Number(lengthHeader.value) !== expected) {
        yield* drain(request)
        return storageError(400, "bad_content_length")
      }
      const fault = partFaults.find(
        (f) =>
          !f.used &&
          f.partNumber === n &&
          (f.uploadId === undefined || f.uploadId === uploadId) &&
          (f.attempt === "every" || (f.attempt ?? 1) === attempt)
      )
      let failure: { status: number; reset: boolean } | undefined
      if (fault !== undefined) {
        if (fault.attempt !== "every") fault.used = true
        failure = { status: fault.status ?? 500, reset: fault.reset === true }
      } else if (partRate !== undefined && partRate.next() < partRate.rate) {
        failure = { status: partRate.status, reset: partRate.reset }
      }
      if (failure?.reset === true) return yield* resetResponse(request)
      inFlightPuts += 1
      maxInFlightPuts = Math.max(maxInFlightPuts, inFlightPuts)
      return yield* Effect.gen(function* () {
        yield* applyLatency(url.pathname)
        if (failure !== undefined) {
          yield* drain(request)
          return storageError(failure.status, "internal_error")
        }
        blobCounter += 1
        const key = `part-${uploadId}-${n}-${blobCounter}`
        const stored = yield* blobs.write(key, request.stream).pipe(Effect.either)
        if (stored._tag === "Left") return storageError(400, "body_read_failed")
        if (stored.right.size !== expected) {
          yield* blobs.remove(key)
          return storageError(400, "bad_content_length")
        }
        if (upload.state !== "open") {
          yield* blobs.remove(key)
          return storageError(404, "not_found")
        }
        const previous = upload.parts.get(n)
        upload.parts.set(n, { blob: stored.right })
        if (previous !== undefined) yield* blobs.remove(previous.blob.key)
        return HttpServerResponse.empty({ status: 200, headers: Headers.fromInput({ etag: `"${stored.right.md5}"` }) })
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            inFlightPuts -= 1
          })
        )
      )
    })

  const getObject = (url: URL, now: number, fileId: string) =>
    Effect.sync(() => {
      if (!verifySignature(url.pathname, url, now)) return storageError(403, "signature_invalid")
      const file = files.get(fileId)
      if (file === undefined || !file.completed || file.deletedAt !== null || fileHidden(file)) {
        return storageError(404, "not_found")
      }
      return HttpServerResponse.stream(fileStream(file), { contentType: file.mime, contentLength: file.size })
    })

  const handleStorage = (request: HttpServerRequest.HttpServerRequest, url: URL, now: number) => {
    const put = /^\/storage\/uploads\/([^/]+)\/parts\/([^/]+)$/.exec(url.pathname)
    if (put !== null && request.method === "PUT") {
      const n = /^\d+$/.test(put[2] ?? "") ? Number(put[2]) : -1
      return putPart(request, url, now, put[1] ?? "", n)
    }
    const get = /^\/storage\/files\/([^/]+)$/.exec(url.pathname)
    if (get !== null && (request.method === "GET" || request.method === "HEAD"))
      return getObject(url, now, get[1] ?? "")
    return Effect.succeed(storageError(404, "not_found"))
  }

  // --- files origin -------------------------------------------------------------------

  const handleFiles = (request: HttpServerRequest.HttpServerRequest, url: URL, now: number) =>
    Effect.sync(() => {
      const m = /^\/s\/([^/]+)$/.exec(url.pathname)
      const share = m === null ? undefined : sharesByToken.get(decodeURIComponent(m[1] ?? ""))
      const file = share === undefined ? undefined : files.get(share.fileId)
      if (
        request.method !== "GET" ||
        share === undefined ||
        file === undefined ||
        !shareActive(share, now) ||
        (share.maxDownloads !== null && share.downloadCount >= share.maxDownloads) ||
        file.deletedAt !== null ||
        fileHidden(file) ||
        file.scanStatus !== "clean"
      ) {
        return json(404, { detail: "not_found" })
      }
      share.downloadCount += 1
      return HttpServerResponse.stream(fileStream(file), {
        contentType: file.mime,
        contentLength: file.size,
        headers: Headers.fromInput({
          "cache-control": "public, max-age=3600",
          "content-disposition":
            share.permission === "download"
              ? `attachment; filename="${file.name.replace(/["\\\r\n]/g, "_")}"`
              : "inline"
        })
      })
    })

  // --- top level --------------------------------------------------------------------------

  const applyLatency = (path: string) =>
    Effect.suspend(() =>
      latency !== undefined && (latency.pathPrefix === undefined || path.startsWith(latency.pathPrefix))
        ? Effect.sleep(Duration.millis(latency.ms))
        : Effect.void
    )

  const originOf = (path: string): Origin =>
    path.startsWith("/storage/") ? "storage" : path.startsWith("/s/") ? "files" : "api"

  const httpApp = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const now = yield* Clock.currentTimeMillis
    const url = new URL(request.url, "http://emulator.invalid")
    const origin = originOf(url.pathname)
    const hadApiKey = Option.isSome(Headers.get(request.headers, "x-api-key"))
    if (hadApiKey && origin !== "api") keyOutsideApi = true
    const requestId = `req_${randomUUID().replace(/-/g, "")}`
    const path = url.pathname
    const isPartPut = origin === "storage" && request.method === "PUT"
    if (!isPartPut) yield* applyLatency(path)
    yield* tick(now)
    const burstIndex = bursts.findIndex((b) =>
      b.pathPrefix === undefined ? origin !== "storage" : path.startsWith(b.pathPrefix)
    )
    const faultIndex = requestFaults.findIndex(
      (f) =>
        (f.pathPrefix === undefined ? origin !== "storage" : path.startsWith(f.pathPrefix)) &&
        (f.method === undefined || f.method.toUpperCase() === request.method)
    )
    let response: HttpServerResponse.HttpServerResponse
    const burst = bursts[burstIndex]
    const rfault = requestFaults[faultIndex]
    if (burst !== undefined) {
      burst.remaining -= 1
      if (burst.remaining <= 0) bursts = bursts.filter((b) => b !== burst)
      yield* drain(request)
      response = HttpServerResponse.setHeaders(
        origin === "storage" ? storageError(429, "rate_limited") : json(429, { detail: "rate_limited" }),
        {
          "retry-after": String(burst.retryAfter),
          ...(origin === "api" ? rateHeaders(undefined, now, false).headers : {})
        }
      )
    } else if (rfault !== undefined) {
      rfault.remaining -= 1
      if (rfault.remaining <= 0) requestFaults = requestFaults.filter((f) => f !== rfault)
      yield* drain(request)
      response =
        origin === "storage"
          ? storageError(rfault.status, "internal_error")
          : json(rfault.status, { detail: "internal_error" })
      if (origin === "api")
        response = HttpServerResponse.setHeaders(response, rateHeaders(undefined, now, false).headers)
    } else if (origin === "storage") {
      response = yield* handleStorage(request, url, now)
    } else if (origin === "files") {
      response = yield* handleFiles(request, url, now)
    } else if (path === "/api/v1" || path.startsWith("/api/v1/")) {
      response = yield* handleApi(request, url, now)
    } else {
      response = json(404, { detail: "not_found" })
    }
    response = HttpServerResponse.setHeader(response, "x-request-id", requestId)
    log.push({ requestId, method: request.method, origin, path, status: response.status, hadApiKey, at: now })
    return response
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.as(
        Effect.logError("fluidcloud emulator: unexpected failure while handling a request", cause),
        HttpServerResponse.unsafeJson(
          { detail: "internal_error" },
          { status: 500, headers: Headers.fromInput({ "x-request-id": `req_${randomUUID().replace(/-/g, "")}` }) }
        )
      )
    )
  )

  // --- helpers ---------------------------------------------------------------------------

  return {
    baseUrl,
    storageUrl,
    filesUrl,
    apiKey: defaultKey,
    httpApp,
    createTenant: (opts) =>
      Effect.sync(() => addTenant(opts?.id ?? `tenant_${randomUUID().slice(0, 8)}`, opts?.plan ?? {}).id),
    createKey: (opts) =>
      Effect.sync(() => {
        const tenantId = opts?.tenantId ?? tenants.keys().next().value ?? "default"
        addTenant(tenantId, undefined)
        return addKey(
          tenantId,
          opts?.key ?? generateKey(opts?.kind ?? "test"),
          opts?.scopes ?? "all",
          opts?.revoked ?? false
        )
      }),
    revokeKey: (key) =>
      Effect.sync(() => {
        const k = keys.get(key)
        if (k !== undefined) k.revoked = true
      }),
    setPlan: (tenantId, plan) => Effect.sync(() => void addTenant(tenantId, plan)),
    setScanOutcome: (fileId, outcome) =>
      Effect.sync(() => {
        const f = files.get(fileId)
        if (f === undefined) return
        f.forcedScan = outcome
        if (f.scanStatus !== null && f.scanStatus !== "pending") f.scanStatus = outcome
      }),
    openUploads: Effect.sync(() =>
      [...uploads.values()]
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
      for (const u of uploads.values()) {
        for (const p of u.parts.values()) {
          count += 1
          bytes += p.blob.size
        }
      }
      for (const f of files.values()) {
        for (const b of f.blobs) {
          count += 1
          bytes += b.size
        }
      }
      return { count, bytes }
    }),
    requestLog: Effect.sync(() => [...log]),
    clearRequestLog: Effect.sync(() => {
      log.length = 0
    }),
    maxConcurrentPartPuts: Effect.sync(() => maxInFlightPuts),
    resetConcurrencyHighWaterMark: Effect.sync(() => {
      maxInFlightPuts = inFlightPuts
    }),
    apiKeySentOutsideApi: Effect.sync(() => keyOutsideApi),
    failPartPut: (fault) => Effect.sync(() => void partFaults.push({ ...fault, used: false })),
    setPartFailureRate: (opts) =>
      Effect.sync(() => {
        partRate =
          opts === null
            ? undefined
            : { rate: opts.rate, next: mulberry32(opts.seed), status: opts.status ?? 503, reset: opts.reset === true }
      }),
    rateLimitBurst: (burst) =>
      Effect.sync(
        () =>
          void bursts.push({
            remaining: burst.count,
            retryAfter: Math.max(0, Math.round(burst.retryAfter)),
            pathPrefix: burst.pathPrefix
          })
      ),
    failNextComplete: (opts) =>
      Effect.sync(() => {
        completeFault = { status: opts?.status ?? 503, commit: opts?.commit ?? true }
      }),
    failRequests: (fault) =>
      Effect.sync(
        () =>
          void requestFaults.push({
            remaining: fault.count,
            status: fault.status,
            pathPrefix: fault.pathPrefix,
            method: fault.method
          })
      ),
    setLatency: (duration, opts) =>
      Effect.sync(() => {
        const ms = Duration.toMillis(Duration.decode(duration))
        latency = ms <= 0 ? undefined : { ms, pathPrefix: opts?.pathPrefix }
      }),
    clearFaults: Effect.sync(() => {
      partFaults = []
      partRate = undefined
      bursts = []
      requestFaults = []
      completeFault = undefined
      latency = undefined
    })
  }
}
