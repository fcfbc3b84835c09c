/**
 * The operation table: one typed entry per API `operationId` of the contract. Each holds its route
 * (method, path template, scopes, statuses, idempotency: `routes.ts`), the schema of its input
 * (path parameters, query and JSON body, in wire names, with the checks of `validation.ts`), the
 * schema of its success body, and the error tags its statuses map to beyond the common ones.
 * Encoders and decoders are compiled once, here; the results the API lists (files, folders,
 * spaces, shares) decode through a fast path for their usual wire shape (`decoders.ts`), the schema
 * deciding everything else. `FluidCloud.make` and the upload engine are
 * wiring over this table; a test checks it against `docs/openapi.yaml`.
 *
 * @internal
 */
import { Either, ParseResult, Schema, type SchemaAST } from "effect"
import type { OperationId, Route } from "../Contract.js"
import * as Domain from "../Domain.js"
import type * as Errors from "../Errors.js"
import * as Decoders from "./decoders.js"
import { routes } from "./routes.js"
import { template } from "./transport/url.js"
import * as Check from "./validation.js"

/** The HTTP error tags an operation may produce beyond the ones every API operation has. @internal */
export type ExtraTag = "NotFoundError" | "ConflictError" | "QuotaExceededError"

/** The documented status each extra tag comes from. @internal */
export const extraTagStatus: { readonly [T in ExtraTag]: number } = {
  QuotaExceededError: 402,
  NotFoundError: 404,
  ConflictError: 409
}

/** An operation's input as it goes on the wire: path parameters, query parameters, JSON body. @internal */
export interface Wire {
  readonly path?: { readonly [name: string]: string }
  readonly query?: { readonly [name: string]: string | undefined }
  readonly body?: object
}

/**
 * One API operation. `I` is its input (wire names, SDK types), `A` its decoded success, `E` its
 * extra error tags, `V` the error of a bad input (`never` for an operation without input).
 * @internal
 */
export interface Operation<Id extends OperationId, I, A, E extends ExtraTag, V> {
  readonly route: Route<Id>
  readonly errors: ReadonlyArray<E>
  /** The input schema's AST (`undefined` without input), for the contract test. */
  readonly input: SchemaAST.AST | undefined
  /** The success schema's AST. */
  readonly success: SchemaAST.AST
  /** Checks the input and encodes it for the wire. */
  readonly encode: (input: I) => Either.Either<Wire, V>
  /** Decodes a success body. */
  readonly decode: (body: unknown) => Either.Either<A, ParseResult.ParseIssue>
  /** The path below the API prefix, from the encoded path parameters. */
  readonly path: (params: Wire["path"]) => string
}

/** The input of an operation. @internal */
export type InputOf<O> = O extends Operation<OperationId, infer I, unknown, ExtraTag, unknown> ? I : never

/** The success decoder: the schema's, behind the fast path when there is one. */
const decoderOf = <A, AI>(
  success: Schema.Schema<A, AI>,
  fast: ((u: unknown) => A | undefined) | undefined
): ((body: unknown) => Either.Either<A, ParseResult.ParseIssue>) => {
  const schema = ParseResult.decodeUnknownEither(success)
  return fast === undefined ? schema : Decoders.withFastPath(fast, schema)
}

/** An operation whose input is checked and encoded by `input`. */
const withInput = <const Id extends OperationId, I, W extends Wire, A, AI, const E extends ExtraTag = never>(
  id: Id,
  spec: {
    readonly input: Schema.Schema<I, W>
    readonly success: Schema.Schema<A, AI>
    /** A fast path for the usual shape of the success body (`decoders.ts`). */
    readonly fast?: (u: unknown) => A | undefined
    readonly errors?: ReadonlyArray<E>
  }
): Operation<Id, I, A, E, Errors.ValidationError> => {
  const encode = ParseResult.encodeEither(spec.input, { errors: "first" })
  return {
    route: routes[id],
    errors: spec.errors ?? [],
    input: spec.input.ast,
    success: spec.success.ast,
    encode: (input) => Either.mapLeft(encode(input), Check.fromIssue),
    decode: decoderOf(spec.success, spec.fast),
    path: template(routes[id].path)
  }
}

const noInput: Either.Either<Wire> = Either.right({})

/** An operation without input. */
const withoutInput = <const Id extends OperationId, A, AI, const E extends ExtraTag = never>(
  id: Id,
  spec: {
    readonly success: Schema.Schema<A, AI>
    readonly fast?: (u: unknown) => A | undefined
    readonly errors?: ReadonlyArray<E>
  }
): Operation<Id, void, A, E, never> => ({
  route: routes[id],
  errors: spec.errors ?? [],
  input: undefined,
  success: spec.success.ast,
  encode: () => noInput,
  decode: decoderOf(spec.success, spec.fast),
  path: template(routes[id].path)
})

/** `true` on the wire as `true`; `false` is left out, as the service's default. */
const Flag = Schema.optional(Schema.transformLiteral("true", true))

const FolderPath = Schema.Struct({ folder_id: Check.FolderId })
const FilePath = Schema.Struct({ file_id: Check.FileId })
const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

const NotFound = ["NotFoundError"] as const

/** An operation on one folder by id (delete, restore), answering the folder. */
const aFolder = {
  input: Schema.Struct({ path: FolderPath }),
  success: Domain.Folder,
  fast: Decoders.folder,
  errors: NotFound
}
/** An operation on one file by id (get, delete, restore), answering the file. */
const aFile = {
  input: Schema.Struct({ path: FilePath }),
  success: Domain.FluidFile,
  fast: Decoders.fluidFile,
  errors: NotFound
}

/** Every API operation of the contract, in contract order. @internal */
export const operations = {
  listSpaces: withoutInput("listSpaces", {
    success: Schema.Array(Domain.Space),
    fast: Decoders.array(Decoders.space)
  }),
  createSpace: withInput("createSpace", {
    input: Schema.Struct({ body: Schema.Struct({ name: Check.Name }) }),
    success: Domain.Space,
    fast: Decoders.space
  }),
  listFolders: withInput("listFolders", {
    input: Schema.Struct({
      query: Schema.Struct({ space_id: Check.SpaceId, parent_id: Schema.optional(Check.FolderId), trash: Flag })
    }),
    success: Schema.Array(Domain.Folder),
    fast: Decoders.array(Decoders.folder),
    errors: NotFound
  }),
  createFolder: withInput("createFolder", {
    input: Schema.Struct({
      body: Schema.Struct({ name: Check.FolderName, space_id: Check.SpaceId, parent_id: nullable(Check.FolderId) })
    }),
    success: Domain.Folder,
    fast: Decoders.folder,
    errors: NotFound
  }),
  updateFolder: withInput("updateFolder", {
    input: Schema.Struct({
      path: FolderPath,
      body: Schema.Struct({ name: Schema.optional(Check.FolderName), parent_id: nullable(Check.FolderId) })
    }),
    success: Domain.Folder,
    fast: Decoders.folder,
    errors: NotFound
  }),
  deleteFolder: withInput("deleteFolder", aFolder),
  restoreFolder: withInput("restoreFolder", aFolder),
  listFiles: withInput("listFiles", {
    input: Schema.Struct({
      query: Schema.Struct({ space_id: Check.SpaceId, folder_id: Schema.optional(Check.FolderId), trash: Flag })
    }),
    success: Schema.Array(Domain.FluidFile),
    fast: Decoders.array(Decoders.fluidFile),
    errors: NotFound
  }),
  resolveFile: withInput("resolveFile", {
    input: Schema.Struct({ query: Schema.Struct({ client_key: Check.ClientKey }) }),
    success: Domain.FluidFile,
    fast: Decoders.fluidFile,
    errors: NotFound
  }),
  getFile: withInput("getFile", aFile),
  updateFile: withInput("updateFile", {
    input: Schema.Struct({
      path: FilePath,
      body: Schema.Struct({ name: Schema.optional(Check.Name), folder_id: nullable(Check.FolderId) })
    }),
    success: Domain.FluidFile,
    fast: Decoders.fluidFile,
    errors: NotFound
  }),
  deleteFile: withInput("deleteFile", aFile),
  restoreFile: withInput("restoreFile", aFile),
  getDownloadUrl: withInput("getDownloadUrl", {
    input: Schema.Struct({ path: FilePath }),
    success: Domain.DownloadUrl,
    errors: ["NotFoundError", "ConflictError"]
  }),
  initiateUpload: withInput("initiateUpload", {
    input: Schema.Struct({
      body: Schema.Struct({
        space_id: Check.SpaceId,
        folder_id: nullable(Check.FolderId),
        name: Check.Name,
        content_type: nullable(Check.ContentType),
        size: Check.Size,
        client_key: nullable(Check.ClientKey),
        sha256: nullable(Check.Sha256Hex),
        part_size: nullable(Check.PartSize)
      })
    }),
    success: Domain.UploadSession,
    errors: ["NotFoundError", "QuotaExceededError"]
  }),
  completeUpload: withInput("completeUpload", {
    input: Schema.Struct({
      body: Schema.Struct({
        upload_id: Check.UploadId,
        parts: Schema.Array(Schema.Struct({ part_number: Check.PartNumber, etag: Schema.String }))
      })
    }),
    success: Domain.FluidFile,
    fast: Decoders.fluidFile,
    errors: NotFound
  }),
  abortUpload: withInput("abortUpload", {
    input: Schema.Struct({ path: Schema.Struct({ upload_id: Check.UploadId }) }),
    success: Schema.Void
  }),
  createShare: withInput("createShare", {
    input: Schema.Struct({
      body: Schema.Struct({
        file_id: Check.FileId,
        expires_in_days: nullable(Check.ExpiresInDays),
        permission: nullable(Check.Permission),
        password: nullable(Schema.String),
        max_downloads: nullable(Check.MaxDownloads)
      })
    }),
    success: Domain.Link,
    errors: ["NotFoundError", "ConflictError", "QuotaExceededError"]
  }),
  listShares: withInput("listShares", {
    input: Schema.Struct({
      query: Schema.Struct({ file_id: Schema.optional(Check.FileId), include_inactive: Flag })
    }),
    success: Schema.Array(Domain.Share),
    fast: Decoders.array(Decoders.share)
  }),
  revokeShare: withInput("revokeShare", {
    input: Schema.Struct({ path: Schema.Struct({ share_id: Check.ShareId }) }),
    success: Schema.Void,
    errors: NotFound
  }),
  getQuota: withoutInput("getQuota", { success: Domain.Quota })
}

/** The `operationId`s of the API origin. @internal */
export type ApiOperationId = keyof typeof operations
