/**
 * Pins each method's error union and success type at the type level (checked by `pnpm typecheck`).
 */

import type { DateTime, Duration, Effect, Option, Stream } from "effect"
import { describe, expectTypeOf, it } from "vitest"
import type {
  ApiError,
  AuthError,
  ConflictError,
  DecodeError,
  Domain,
  Download,
  FluidCloud,
  IntegrityError,
  NotFoundError,
  PermissionError,
  QuotaExceededError,
  RateLimitError,
  SourceError,
  Sync,
  TargetError,
  TransportError,
  Upload,
  ValidationError
} from "../src/index.js"
import type { InputOf, operations } from "../src/internal/operations.js"
import { FILE_ID, SPACE_ID } from "./support/Fixtures.js"

type Service = FluidCloud.Service
type CommonError = FluidCloud.CommonError
type ErrorOf<F extends (...args: never) => Effect.Effect<unknown, unknown, unknown>> = Effect.Effect.Error<
  ReturnType<F>
>
type SuccessOf<F extends (...args: never) => Effect.Effect<unknown, unknown, unknown>> = Effect.Effect.Success<
  ReturnType<F>
>
type ContextOf<F extends (...args: never) => Effect.Effect<unknown, unknown, unknown>> = Effect.Effect.Context<
  ReturnType<F>
>

describe("error unions", () => {
  it("CommonError is exactly the errors every API call can fail with", () => {
    expectTypeOf<CommonError>().toEqualTypeOf<
      AuthError | PermissionError | RateLimitError | ApiError | TransportError | DecodeError
    >()
  })

  it("spaces", () => {
    expectTypeOf<ErrorOf<Service["spaces"]["list"]>>().toEqualTypeOf<CommonError>()
    expectTypeOf<ErrorOf<Service["spaces"]["create"]>>().toEqualTypeOf<CommonError | ValidationError>()
  })

  it("folders: every method that takes an id or a name may fail with ValidationError", () => {
    expectTypeOf<ErrorOf<Service["folders"]["list"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["folders"]["create"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["folders"]["rename"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["folders"]["move"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["folders"]["delete"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["folders"]["restore"]>>().toEqualTypeOf<
      CommonError | NotFoundError | ValidationError
    >()
  })

  it("files", () => {
    expectTypeOf<ErrorOf<Service["files"]["list"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["get"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["resolve"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["rename"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["move"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["delete"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["restore"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["files"]["downloadUrl"]>>().toEqualTypeOf<
      CommonError | NotFoundError | ConflictError | ValidationError
    >()
    expectTypeOf<ErrorOf<Service["files"]["publicUrl"]>>().toEqualTypeOf<
      CommonError | NotFoundError | ConflictError | QuotaExceededError | ValidationError
    >()
    expectTypeOf<ErrorOf<Service["files"]["signedUrl"]>>().toEqualTypeOf<
      CommonError | NotFoundError | ConflictError | QuotaExceededError | ValidationError
    >()
    expectTypeOf<ErrorOf<Service["files"]["waitUntilClean"]>>().toEqualTypeOf<
      CommonError | NotFoundError | ConflictError | ValidationError
    >()
  })

  it("shares and quota", () => {
    expectTypeOf<ErrorOf<Service["shares"]["list"]>>().toEqualTypeOf<CommonError | ValidationError>()
    expectTypeOf<ErrorOf<Service["shares"]["revoke"]>>().toEqualTypeOf<CommonError | NotFoundError | ValidationError>()
    expectTypeOf<ErrorOf<Service["quota"]["usage"]>>().toEqualTypeOf<CommonError>()
  })

  it("download and downloadTo: the API's errors, the storage's, IntegrityError; downloadTo also TargetError", () => {
    expectTypeOf<Download.DownloadError>().toEqualTypeOf<
      CommonError | NotFoundError | ConflictError | ValidationError | IntegrityError
    >()
    expectTypeOf<
      Stream.Stream.Error<ReturnType<Service["files"]["download"]>>
    >().toEqualTypeOf<Download.DownloadError>()
    expectTypeOf<Stream.Stream.Success<ReturnType<Service["files"]["download"]>>>().toEqualTypeOf<Uint8Array>()
    expectTypeOf<Stream.Stream.Context<ReturnType<Service["files"]["download"]>>>().toEqualTypeOf<never>()
    expectTypeOf<ErrorOf<Service["files"]["downloadTo"]>>().toEqualTypeOf<Download.DownloadError | TargetError>()
    expectTypeOf<SuccessOf<Service["files"]["downloadTo"]>>().toEqualTypeOf<Download.DownloadResult>()
    expectTypeOf<ContextOf<Service["files"]["downloadTo"]>>().toEqualTypeOf<never>()
    expectTypeOf<Parameters<Service["files"]["download"]>[1]>().toEqualTypeOf<Download.DownloadOptions | undefined>()
  })

  it("uploads.abort: the common errors and a bad id, nothing else (abort is idempotent)", () => {
    expectTypeOf<ErrorOf<Service["uploads"]["abort"]>>().toEqualTypeOf<CommonError | ValidationError>()
    expectTypeOf<SuccessOf<Service["uploads"]["abort"]>>().toEqualTypeOf<void>()
    expectTypeOf<Parameters<Service["uploads"]["abort"]>[0]>().toEqualTypeOf<Domain.UploadId>()
  })

  it("upload and uploadStream fail with UploadError", () => {
    expectTypeOf<ErrorOf<Service["files"]["upload"]>>().toEqualTypeOf<Upload.UploadError>()
    expectTypeOf<
      Stream.Stream.Error<ReturnType<Service["files"]["uploadStream"]>>
    >().toEqualTypeOf<Upload.UploadError>()
  })
})

describe("sync", () => {
  it("push and pull are streams of SyncEvent that fail only for what stops the whole run", () => {
    expectTypeOf<Sync.PushError>().toEqualTypeOf<CommonError | NotFoundError | ValidationError | SourceError>()
    expectTypeOf<Sync.PullError>().toEqualTypeOf<CommonError | NotFoundError | ValidationError | TargetError>()
    expectTypeOf<Stream.Stream.Error<ReturnType<Service["sync"]["push"]>>>().toEqualTypeOf<Sync.PushError>()
    expectTypeOf<Stream.Stream.Error<ReturnType<Service["sync"]["pull"]>>>().toEqualTypeOf<Sync.PullError>()
    expectTypeOf<Stream.Stream.Success<ReturnType<Service["sync"]["push"]>>>().toEqualTypeOf<Sync.SyncEvent>()
    expectTypeOf<Stream.Stream.Success<ReturnType<Service["sync"]["pull"]>>>().toEqualTypeOf<Sync.SyncEvent>()
    expectTypeOf<Stream.Stream.Context<ReturnType<Service["sync"]["push"]>>>().toEqualTypeOf<never>()
    expectTypeOf<Stream.Stream.Context<ReturnType<Service["sync"]["pull"]>>>().toEqualTypeOf<never>()
  })

  it("a file's failure is an event carrying any error of an upload or a download to a file", () => {
    expectTypeOf<Sync.SyncFileError>().toEqualTypeOf<Upload.UploadError | Download.DownloadToError>()
    expectTypeOf<Extract<Sync.SyncEvent, { readonly _tag: "Failed" }>["error"]>().toEqualTypeOf<Sync.SyncFileError>()
  })
})

describe("success types and requirements", () => {
  it("results are the domain classes; no method needs anything from the context", () => {
    expectTypeOf<SuccessOf<Service["spaces"]["list"]>>().toEqualTypeOf<ReadonlyArray<Domain.Space>>()
    expectTypeOf<SuccessOf<Service["spaces"]["create"]>>().toEqualTypeOf<Domain.Space>()
    expectTypeOf<SuccessOf<Service["folders"]["list"]>>().toEqualTypeOf<ReadonlyArray<Domain.Folder>>()
    expectTypeOf<SuccessOf<Service["folders"]["move"]>>().toEqualTypeOf<Domain.Folder>()
    expectTypeOf<SuccessOf<Service["files"]["list"]>>().toEqualTypeOf<ReadonlyArray<Domain.FluidFile>>()
    expectTypeOf<SuccessOf<Service["files"]["get"]>>().toEqualTypeOf<Domain.FluidFile>()
    expectTypeOf<SuccessOf<Service["files"]["downloadUrl"]>>().toEqualTypeOf<string>()
    expectTypeOf<SuccessOf<Service["files"]["signedUrl"]>>().toEqualTypeOf<Domain.Link>()
    expectTypeOf<SuccessOf<Service["shares"]["list"]>>().toEqualTypeOf<ReadonlyArray<Domain.Share>>()
    expectTypeOf<SuccessOf<Service["shares"]["revoke"]>>().toEqualTypeOf<void>()
    expectTypeOf<SuccessOf<Service["quota"]["usage"]>>().toEqualTypeOf<Domain.Quota>()
    expectTypeOf<ContextOf<Service["files"]["get"]>>().toEqualTypeOf<never>()
    expectTypeOf<ContextOf<Service["files"]["upload"]>>().toEqualTypeOf<never>()
  })

  it("ids are branded: a plain string is not a FileId, and ids do not mix", () => {
    expectTypeOf<string>().not.toExtend<Domain.FileId>()
    expectTypeOf<Domain.FolderId>().not.toExtend<Domain.FileId>()
    expectTypeOf<Parameters<Service["files"]["get"]>[0]>().toEqualTypeOf<Domain.FileId>()
    expectTypeOf<Parameters<Service["folders"]["move"]>[1]>().toEqualTypeOf<Domain.FolderId | null>()
  })
})

describe("decoded fields", () => {
  it("ids are branded, nullable fields are Options, timestamps are DateTime.Utc", () => {
    expectTypeOf<Domain.Space["id"]>().toEqualTypeOf<Domain.SpaceId>()
    expectTypeOf<Domain.Space["createdAt"]>().toEqualTypeOf<Option.Option<DateTime.Utc>>()
    expectTypeOf<Domain.Folder["id"]>().toEqualTypeOf<Domain.FolderId>()
    expectTypeOf<Domain.Folder["parentId"]>().toEqualTypeOf<Option.Option<Domain.FolderId>>()
    expectTypeOf<Domain.Folder["spaceId"]>().toEqualTypeOf<Option.Option<Domain.SpaceId>>()
    expectTypeOf<Domain.FluidFile["id"]>().toEqualTypeOf<Domain.FileId>()
    expectTypeOf<Domain.FluidFile["folderId"]>().toEqualTypeOf<Option.Option<Domain.FolderId>>()
    expectTypeOf<Domain.FluidFile["scanStatus"]>().toEqualTypeOf<Option.Option<Domain.ScanStatus>>()
    expectTypeOf<Domain.FluidFile["size"]>().toEqualTypeOf<Option.Option<number>>()
    expectTypeOf<Domain.FluidFile["deletedAt"]>().toEqualTypeOf<Option.Option<DateTime.Utc>>()
    expectTypeOf<Domain.Link["id"]>().toEqualTypeOf<Domain.ShareId>()
    expectTypeOf<Domain.Link["expiresAt"]>().toEqualTypeOf<Option.Option<DateTime.Utc>>()
    expectTypeOf<Domain.Share["fileId"]>().toEqualTypeOf<Domain.FileId>()
    expectTypeOf<Domain.Share["maxDownloads"]>().toEqualTypeOf<Option.Option<number>>()
    expectTypeOf<Domain.Quota["bytesLimit"]>().toEqualTypeOf<number>()
  })

  it("error fields: requestId optional, retryAfter a Duration, issues for 422", () => {
    expectTypeOf<NotFoundError["requestId"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<RateLimitError["retryAfter"]>().toEqualTypeOf<Duration.Duration | undefined>()
    expectTypeOf<QuotaExceededError["resource"]>().toEqualTypeOf<"storage" | "links" | undefined>()
    expectTypeOf<PermissionError["requiredScope"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<TransportError["reason"]>().toEqualTypeOf<"Transport" | "Timeout">()
  })
})

describe("the wire is typed", () => {
  it("an operation's input is in wire names: a snake_case typo does not compile", () => {
    const input: InputOf<typeof operations.createFolder> = {
      body: {
        name: "inbox",
        space_id: SPACE_ID,
        // @ts-expect-error: `parnet_id` is not a field of the contract's FolderCreate
        parnet_id: null
      }
    }
    const share: InputOf<typeof operations.createShare>["body"] = {
      file_id: FILE_ID,
      // @ts-expect-error: `expires_in_day` is not a field of the contract's ShareCreate
      expires_in_day: 7
    }
    expectTypeOf(input).not.toBeAny()
    expectTypeOf(share).not.toBeAny()
  })

  it("a timeout is a Duration, a string with a unit or [seconds, nanos]: never a bare number", () => {
    expectTypeOf<number>().not.toExtend<FluidCloud.Timeout>()
    expectTypeOf<bigint>().not.toExtend<FluidCloud.Timeout>()
    expectTypeOf<Duration.Duration>().toExtend<FluidCloud.Timeout>()
    expectTypeOf<"300 seconds">().toExtend<FluidCloud.Timeout>()
    expectTypeOf<FluidCloud.Options["timeout"]>().toEqualTypeOf<FluidCloud.Timeout | undefined>()
  })
})
