/**
 * The FluidCloud emulator: an in-memory model of the Partner API (API, storage
 * and files origins) with test helpers and fault injection.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import { Context, type Duration, Effect, Layer, Redacted, Schema } from "effect"
import * as internal from "./internal/model.js"

/**
 * The nine API-key scopes.
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = internal.Scope

/**
 * Every scope, in contract order.
 *
 * @since 0.1.0
 * @category constants
 */
export const allScopes: ReadonlyArray<Scope> = internal.ALL_SCOPES

/**
 * A tenant's plan: API access flag and byte / link limits (-1 = unlimited).
 *
 * @since 0.1.0
 * @category models
 */
export type Plan = internal.Plan

/**
 * A partial plan (missing fields: API access on, unlimited).
 *
 * @since 0.1.0
 * @category models
 */
export type PlanInput = internal.PlanInput

/**
 * A key declared in a seed.
 *
 * @since 0.1.0
 * @category models
 */
export type KeySeed = internal.KeySeed

/**
 * A tenant declared in a seed.
 *
 * @since 0.1.0
 * @category models
 */
export type TenantSeed = internal.TenantSeed

/**
 * Options of the emulator. Without `tenants`, a tenant `default` with an
 * unlimited plan and an all-scopes key (`Emulator.apiKey`) is created.
 *
 * - `scanDelay` (default 50 ms; 0 = clean on the next read): time from
 *   complete until the scan settles, measured with Effect's `Clock`.
 * - `minPartSize` (default 5 MiB): lower bound of the part size clamp.
 * - `forcePartSize`: ignore the client's hint and use this part size (still
 *   raised to ceil(size / 10000)), to exercise multipart flows with small files.
 * - `dataDir`: store part bodies as files in this directory (streamed, never
 *   buffered whole) instead of in memory.
 * - `rateLimit`: `{ limit, window }` requests per key (off by default).
 * - `downloadUrlTtl` (15 minutes), `uploadTtl` (24 hours).
 * - `baseUrl` / `storageUrl` / `filesUrl`: the origins written into returned URLs.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = internal.Options

/**
 * Which origin a request targeted.
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = internal.Origin

/**
 * One entry of the request log.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestLogEntry = internal.RequestLogEntry

/**
 * An upload that is neither completed, aborted nor expired.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenUpload = internal.OpenUpload

/**
 * Fail (with `status`, default 500) or reset the connection of the part PUT
 * with this `partNumber` on its `attempt`-th try (default 1, `"every"` = all).
 *
 * @since 0.1.0
 * @category fault injection
 */
export type PartFault = internal.PartFault

/**
 * Fail a fraction `rate` of all part PUTs, chosen by a PRNG seeded with `seed`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export type PartFailureRate = internal.PartFailureRate

/**
 * Answer the next `count` requests (API and files origins, or those whose path
 * starts with `pathPrefix`) with 429 and `Retry-After: retryAfter`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export type RateLimitBurst = internal.RateLimitBurst

/**
 * Answer the next `count` matching requests with `status` and
 * `{"detail":"internal_error"}`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export type RequestFault = internal.RequestFault

/**
 * A forced virus-scan outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type ScanOutcome = internal.ScanOutcome

/**
 * The EICAR anti-virus test string: a file containing it scans `infected`.
 *
 * @since 0.1.0
 * @category constants
 */
export const eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

/**
 * The emulator service: the request handler, the URLs it is reachable at, and
 * helpers to shape and inspect its state.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** Origin of the API; the API lives under `${baseUrl}/api/v1`. */
  readonly baseUrl: string
  /** Origin of presigned storage URLs. */
  readonly storageUrl: string
  /** Origin of share links (`${filesUrl}/s/<token>`). */
  readonly filesUrl: string
  /** The default all-scopes key (the first all-scopes key of the seed, or "" if none). */
  readonly apiKey: string
  /** The one request handler serving all three origins. */
  readonly httpApp: HttpApp.Default
  /** Create (or update the plan of) a tenant; returns its id. */
  readonly createTenant: (options?: { readonly id?: string; readonly plan?: PlanInput }) => Effect.Effect<string>
  /** Create a key (default: all scopes, tenant = first tenant); returns it. */
  readonly createKey: (options?: {
    readonly tenantId?: string
    readonly scopes?: ReadonlyArray<Scope> | "all"
    readonly kind?: "live" | "test"
    readonly key?: string
    readonly revoked?: boolean
  }) => Effect.Effect<string>
  /** Revoke a key: it then answers 401 `revoked_api_key`. */
  readonly revokeKey: (key: string) => Effect.Effect<void>
  /** Change a tenant's plan (creating the tenant if needed). */
  readonly setPlan: (tenantId: string, plan: PlanInput) => Effect.Effect<void>
  /** Force the scan outcome of a file (e.g. `"error"`). */
  readonly setScanOutcome: (fileId: string, outcome: ScanOutcome) => Effect.Effect<void>
  /** Uploads in progress. */
  readonly openUploads: Effect.Effect<ReadonlyArray<OpenUpload>>
  /** Stored part blobs (of open uploads and of completed files) and their bytes. */
  readonly storedParts: Effect.Effect<{ readonly count: number; readonly bytes: number }>
  /** Every request served so far. */
  readonly requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  /** Empty the request log. */
  readonly clearRequestLog: Effect.Effect<void>
  /** Highest number of part PUTs whose bodies were being received at once. */
  readonly maxConcurrentPartPuts: Effect.Effect<number>
  /** Reset the high-water mark of concurrent part PUTs. */
  readonly resetConcurrencyHighWaterMark: Effect.Effect<void>
  /** Whether any request to the storage or files origin carried `X-API-Key`. */
  readonly apiKeySentOutsideApi: Effect.Effect<boolean>
  /** Fail or reset a chosen part PUT. */
  readonly failPartPut: (fault: PartFault) => Effect.Effect<void>
  /** Fail a seeded random fraction of part PUTs (`null` turns it off). */
  readonly setPartFailureRate: (options: PartFailureRate | null) => Effect.Effect<void>
  /** Answer the next requests with 429 and `Retry-After`. */
  readonly rateLimitBurst: (burst: RateLimitBurst) => Effect.Effect<void>
  /**
   * Answer the next complete with `status` (default 503). With `commit` (the
   * default) the upload is completed first, so a retry gets the File.
   */
  readonly failNextComplete: (options?: { readonly status?: number; readonly commit?: boolean }) => Effect.Effect<void>
  /** Answer the next matching requests with a 5xx. */
  readonly failRequests: (fault: RequestFault) => Effect.Effect<void>
  /** Add latency (an `Effect.sleep`) before matching requests are handled. */
  readonly setLatency: (
    latency: Duration.DurationInput,
    options?: { readonly pathPrefix?: string }
  ) => Effect.Effect<void>
  /** Remove every injected fault and latency. */
  readonly clearFaults: Effect.Effect<void>
}

/**
 * The emulator service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const Emulator: Context.Tag<Emulator, Emulator> = Context.GenericTag<Emulator>("@fluidcloud/testing/Emulator")

/**
 * Build an emulator (no transport).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<Emulator> => Effect.sync(() => internal.make(options))

/**
 * A layer with an emulator and no transport; see `FluidCloudTest` and
 * `EmulatorServer` for the in-process client and the real server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Emulator> => Layer.effect(Emulator, make(options))

/**
 * The default key as a `Redacted`, as `FluidCloud.layer` expects it.
 *
 * @since 0.1.0
 * @category accessors
 */
export const apiKey: Effect.Effect<Redacted.Redacted<string>, never, Emulator> = Effect.map(Emulator, (e) =>
  Redacted.make(e.apiKey)
)

/**
 * Generate a random key of the contract's format (`fck_test_…` by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKey: (kind?: "live" | "test") => string = internal.generateKey

/**
 * The request log of the current emulator.
 *
 * @since 0.1.0
 * @category accessors
 */
export const requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>, never, Emulator> = Effect.flatMap(
  Emulator,
  (e) => e.requestLog
)

/**
 * The open uploads of the current emulator.
 *
 * @since 0.1.0
 * @category accessors
 */
export const openUploads: Effect.Effect<ReadonlyArray<OpenUpload>, never, Emulator> = Effect.flatMap(
  Emulator,
  (e) => e.openUploads
)

/**
 * The seed file of `fluidcloud-emulator --seed FILE` (and `fluidcloud emulator --seed`): tenants,
 * their plans and keys. Keys must have the production format; `scopes` is a list or `"all"`.
 *
 * @example
 * ```ts
 * import { Emulator } from "@fluidcloud/testing"
 * import { Schema } from "effect"
 *
 * // a seed file holds this JSON
 * const seed = Schema.decodeUnknownSync(Schema.parseJson(Emulator.SeedFile))(`
 *   {"tenants": [{"id": "acme", "plan": {"apiAccess": true, "bytesLimit": -1, "linksLimit": -1},
 *     "keys": [{"key": "fck_test_000000000000000000000001", "scopes": "all"}]}]}`)
 * ```
 * @since 0.1.0
 * @category seed
 */
export const SeedFile = Schema.Struct({
  tenants: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      plan: Schema.optional(
        Schema.Struct({
          apiAccess: Schema.optional(Schema.Boolean),
          bytesLimit: Schema.optional(Schema.Int),
          linksLimit: Schema.optional(Schema.Int)
        })
      ),
      keys: Schema.optional(
        Schema.Array(
          Schema.Struct({
            key: Schema.String.pipe(Schema.pattern(/^fck_(live|test)_[0-9A-Za-z]{24,}$/)),
            scopes: Schema.Union(Schema.Literal("all"), Schema.Array(Schema.Literal(...internal.ALL_SCOPES))),
            revoked: Schema.optional(Schema.Boolean)
          })
        )
      )
    })
  )
})

/**
 * Decodes the text of a seed file (JSON) into the emulator's `tenants` option.
 *
 * @since 0.1.0
 * @category seed
 */
export const decodeSeedFile = (text: string) =>
  Effect.map(Schema.decodeUnknown(Schema.parseJson(SeedFile))(text), (seed): ReadonlyArray<TenantSeed> => seed.tenants)
