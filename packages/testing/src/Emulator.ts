/**
 * The FluidCloud emulator: an in-memory model of the Partner API (API, storage
 * and files origins) with test helpers and fault injection. This module declares
 * the emulator's public types; `internal/` implements them.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import { Contract } from "@fluidcloud/core"
import { Context, type Duration, Effect, Layer, Redacted, Schema } from "effect"
import * as internal from "./internal/emulator.js"
import * as internalKeys from "./internal/tenants.js"
import * as internalTransport from "./internal/transport.js"

/**
 * The nine API-key scopes.
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = Contract.Scope

/**
 * Every scope, in contract order.
 *
 * @since 0.1.0
 * @category constants
 */
export const allScopes: ReadonlyArray<Scope> = Contract.scopes

/**
 * A tenant's plan: API access flag and byte / link limits (-1 = unlimited).
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly apiAccess: boolean
  readonly bytesLimit: number
  readonly linksLimit: number
}

/**
 * A partial plan (missing fields: API access on, unlimited).
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanInput {
  readonly apiAccess?: boolean | undefined
  readonly bytesLimit?: number | undefined
  readonly linksLimit?: number | undefined
}

/**
 * A key declared in a seed.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeySeed {
  readonly key: string
  readonly scopes: ReadonlyArray<Scope> | "all"
  readonly revoked?: boolean | undefined
}

/**
 * A tenant declared in a seed.
 *
 * @since 0.1.0
 * @category models
 */
export interface TenantSeed {
  readonly id: string
  readonly plan?: PlanInput | undefined
  readonly keys?: ReadonlyArray<KeySeed> | undefined
}

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
 * - `secret`: the key presigned URLs are signed with (random by default).
 *
 * @since 0.1.0
 * @category models
 */
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

/**
 * Which origin a request targeted.
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = Contract.Origin

/**
 * One entry of the request log.
 *
 * - `operationId`: the contract operation the request was routed to (`null`
 *   for a path or method the contract does not have), also when an injected
 *   429 burst or 5xx answered it.
 * - `params`: that operation's path parameters (e.g. `upload_id` and
 *   `part_number` of a part PUT).
 * - `status`: the status answered; `0` when the connection was reset before
 *   any response.
 * - `reset`: whether the connection was reset (before the response, or after
 *   some of its body bytes).
 * - `requestHeaders`: the request's headers (lower-case names) except
 *   `X-API-Key`, whose presence is `hadApiKey`: `range`, `if-range`,
 *   `content-length`, `content-type`, `user-agent`, ….
 * - `responseHeaders`: the response's headers (`etag`, `content-range`,
 *   `x-request-id`, …).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly requestId: string
  readonly method: string
  readonly origin: Origin
  readonly path: string
  readonly status: number
  readonly hadApiKey: boolean
  readonly at: number
  /** @since 0.2.0 */
  readonly operationId: Contract.OperationId | null
  /** @since 0.2.0 */
  readonly params: Readonly<Record<string, string>>
  /** @since 0.2.0 */
  readonly reset: boolean
  /** @since 0.2.0 */
  readonly requestHeaders: Readonly<Record<string, string>>
  /** @since 0.2.0 */
  readonly responseHeaders: Readonly<Record<string, string>>
}

/**
 * One part PUT, as `partPuts` lists it (from the request log).
 *
 * @since 0.2.0
 * @category models
 */
export interface PartPut {
  readonly requestId: string
  readonly uploadId: string
  readonly partNumber: number
  /** The status answered, `0` when the connection was reset. */
  readonly status: number
  readonly reset: boolean
  readonly at: number
}

/**
 * One storage GET (a download from a presigned URL), as `storageGets` lists it
 * (from the request log).
 *
 * @since 0.2.0
 * @category models
 */
export interface StorageGet {
  readonly requestId: string
  readonly fileId: string
  /** The request's `Range` header, if any. */
  readonly range: string | null
  /** The request's `If-Range` header, if any. */
  readonly ifRange: string | null
  /** 200, 206, 416, or a failure status (`0` when the connection was reset before the response). */
  readonly status: number
  /** The response's `Content-Range` header, if any. */
  readonly contentRange: string | null
  /** Whether the connection was reset (before the response, or after some body bytes). */
  readonly reset: boolean
  readonly at: number
}

/**
 * An upload that is neither completed, aborted nor expired.
 *
 * @since 0.1.0
 * @category models
 */
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

/**
 * Fail (with `status`, default 500) or reset the connection of the part PUT
 * with this `partNumber` on its `attempt`-th try (default 1, `"every"` = all),
 * of any upload or of `uploadId`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export interface PartFault {
  readonly partNumber: number
  readonly attempt?: number | "every" | undefined
  readonly uploadId?: string | undefined
  readonly status?: number | undefined
  readonly reset?: boolean | undefined
}

/**
 * Fail a fraction `rate` of all part PUTs, chosen by a PRNG seeded with `seed`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export interface PartFailureRate {
  readonly rate: number
  readonly seed: number
  readonly status?: number | undefined
  readonly reset?: boolean | undefined
}

/**
 * A fault of storage GETs (downloads from presigned URLs), of any file or of
 * `fileId`, on the `attempt`-th matching GET counted from when the fault is
 * added (default 1; `"every"` = all of them). What happens (one of):
 *
 * - `status`: the GET answers this status with no body before any byte is sent:
 *   a 5xx, or 403 as an expired or refused URL would;
 * - `resetAfterBytes`: the response starts as usual (200 or 206 with its
 *   headers) and the connection is reset once that many body bytes are sent;
 * - `corruptByteAt`: the byte at this offset of the file (counted from the
 *   file's start, whatever the range) is flipped on the way out, while the
 *   headers (the `ETag` included) stay those of the stored file. A response
 *   whose range does not cover the offset is sent intact.
 *
 * @example
 * ```ts
 * import { Emulator } from "@fluidcloud/testing"
 * import { Effect } from "effect"
 *
 * const faults = (fileId: string) =>
 *   Effect.gen(function* () {
 *     const emulator = yield* Emulator.Emulator
 *     // the first download of this file is cut after 1 MiB; the resumed one succeeds
 *     yield* emulator.failStorageGet({ fileId, resetAfterBytes: 1024 * 1024 })
 *     // every download of any file answers 503
 *     yield* emulator.failStorageGet({ attempt: "every", status: 503 })
 *   })
 * ```
 * @since 0.2.0
 * @category fault injection
 */
export interface StorageGetFault {
  readonly fileId?: string | undefined
  readonly attempt?: number | "every" | undefined
  readonly status?: number | undefined
  readonly resetAfterBytes?: number | undefined
  readonly corruptByteAt?: number | undefined
}

/**
 * Answer the next `count` requests (API and files origins, or those whose path
 * starts with `pathPrefix`) with 429 and `Retry-After: retryAfter`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export interface RateLimitBurst {
  readonly count: number
  readonly retryAfter: number
  readonly pathPrefix?: string | undefined
}

/**
 * Answer the next `count` matching requests with `status` and
 * `{"detail":"internal_error"}`.
 *
 * @since 0.1.0
 * @category fault injection
 */
export interface RequestFault {
  readonly count: number
  readonly status: number
  readonly pathPrefix?: string | undefined
  readonly method?: string | undefined
}

/**
 * A forced virus-scan outcome.
 *
 * @since 0.1.0
 * @category models
 */
export type ScanOutcome = "clean" | "infected" | "error"

/**
 * The signal of a connection-reset fault. `httpApp` fails with it when a reset
 * fires before a response, and the body stream of a response fails with it when
 * a reset fires mid-body. Both transports honour it: `EmulatorServer` destroys
 * the socket; the in-process client (`FluidCloudTest`) fails the call with an
 * `HttpClientError.RequestError` of reason `"Transport"` (before a response) or
 * fails the body stream (mid-body), as a dropped connection does on any
 * `HttpClient`. Serve `httpApp` on another server and you should do the same.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConnectionReset {
  readonly _tag: "ConnectionReset"
}

/**
 * Whether a failure (of `httpApp`, or of a response body stream) is the
 * connection-reset signal.
 *
 * @since 0.2.0
 * @category refinements
 */
export const isConnectionReset: (u: unknown) => u is ConnectionReset = internalTransport.isConnectionReset

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
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** Origin of the API; the API lives under `${baseUrl}/api/v1`. */
  readonly baseUrl: string
  /** Origin of presigned storage URLs. */
  readonly storageUrl: string
  /** Origin of share links (`${filesUrl}/s/<token>`). */
  readonly filesUrl: string
  /** The default all-scopes key (the first all-scopes key of the seed, or "" if none). */
  readonly apiKey: string
  /**
   * The one request handler serving all three origins. It fails with
   * `ConnectionReset` when a reset fault fires (see there).
   */
  readonly httpApp: HttpApp.Default<ConnectionReset>
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
  /**
   * The part PUTs in the request log, of every upload or of `uploadId`, in
   * order: `(yield* emulator.partPuts({ uploadId })).length` counts them.
   *
   * @since 0.2.0
   */
  readonly partPuts: (options?: { readonly uploadId?: string | undefined }) => Effect.Effect<ReadonlyArray<PartPut>>
  /**
   * The storage GETs (downloads) in the request log, of every file or of
   * `fileId`, in order, with their `Range` / `If-Range` and outcome.
   *
   * @since 0.2.0
   */
  readonly storageGets: (options?: { readonly fileId?: string | undefined }) => Effect.Effect<ReadonlyArray<StorageGet>>
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
  /**
   * Fail, cut short or corrupt chosen storage GETs (downloads).
   *
   * @since 0.2.0
   */
  readonly failStorageGet: (fault: StorageGetFault) => Effect.Effect<void>
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
export class Emulator extends Context.Tag("@fluidcloud/testing/Emulator")<Emulator, Service>() {}

/**
 * Build an emulator (no transport).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<Service> => Effect.sync(() => internal.make(options))

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
export const generateKey: (kind?: "live" | "test") => string = internalKeys.generateKey

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

const ScopeName: Schema.Schema<Scope, string> = Schema.String.pipe(
  Schema.filter((s): s is Scope => Contract.scopes.some((scope) => scope === s), {
    message: () => `Expected one of ${Contract.scopes.join(", ")}`
  })
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
            key: Schema.String.pipe(Schema.pattern(internalKeys.KEY_PATTERN)),
            scopes: Schema.Union(Schema.Literal("all"), Schema.Array(ScopeName)),
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
