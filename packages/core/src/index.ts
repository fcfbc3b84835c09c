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
  /**
   * `Errors.ApiError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  ApiError,
  /**
   * `Errors.AuthError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  AuthError,
  /**
   * `Errors.ConflictError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  ConflictError,
  /**
   * `Errors.DecodeError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  DecodeError,
  /**
   * `Errors.IntegrityError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  IntegrityError,
  /**
   * `Errors.NotFoundError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  NotFoundError,
  /**
   * `Errors.PermissionError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  PermissionError,
  /**
   * `Errors.QuotaExceededError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  QuotaExceededError,
  /**
   * `Errors.RateLimitError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  RateLimitError,
  /**
   * `Errors.SourceError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  SourceError,
  /**
   * `Errors.TargetError` at the package root.
   *
   * @since 0.2.0
   * @category errors
   */
  TargetError,
  /**
   * `Errors.TransportError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
  TransportError,
  /**
   * `Errors.ValidationError` at the package root.
   *
   * @since 0.1.0
   * @category errors
   */
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
 * Sync: mirror a local directory tree into a Space folder and back (`sync.push`, `sync.pull`):
 * options, events, errors and the hash cache.
 *
 * @since 0.2.0
 */
export * as Sync from "./Sync.js"

/**
 * Text made safe to print on a terminal: escape sequences, control and bidi characters removed.
 *
 * @since 0.2.0
 */
export * as TerminalText from "./TerminalText.js"

/**
 * Upload sources, options and progress events.
 *
 * @since 0.1.0
 */
export * as Upload from "./Upload.js"
