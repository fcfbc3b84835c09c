/**
 * @since 0.1.0
 */

/**
 * Checkpoints of resumable uploads: the `UploadCheckpoints` store, in memory or on a file system.
 *
 * @since 0.2.0
 */
export * as Checkpoints from "./Checkpoints.js"

/**
 * The wire contract as data: every operation's id, method, path, origin, scopes and statuses.
 *
 * @since 0.2.0
 */
export * as Contract from "./Contract.js"
/**
 * The result objects: `Space`, `Folder`, `FluidFile`, `Link`, `Share`, `Quota`, and branded ids.
 *
 * @since 0.1.0
 */
export * as Domain from "./Domain.js"
/**
 * Download options, progress events, results and errors.
 *
 * @since 0.2.0
 */
export * as Download from "./Download.js"

/**
 * The tagged errors of the SDK.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * The error classes, also at the package root for `instanceof` checks and `Effect.catchTag`.
 *
 * @since 0.1.0
 */
export {
  ApiError,
  AuthError,
  ConflictError,
  DecodeError,
  IntegrityError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  SourceError,
  TargetError,
  TransportError,
  ValidationError
} from "./Errors.js"
/**
 * The `FluidCloud` service, `make`, `layer` and `layerConfig`.
 *
 * @since 0.1.0
 */
export * as FluidCloud from "./FluidCloud.js"
/**
 * The metadata of an API response: `X-Request-Id` and the `X-RateLimit-*` headers, read with
 * `FluidCloud.withResponseMetadata`.
 *
 * @since 0.2.0
 */
export * as ResponseMetadata from "./ResponseMetadata.js"

/**
 * Upload sources, options and progress events.
 *
 * @since 0.1.0
 */
export * as Upload from "./Upload.js"
