import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, type Option, type Schedule, Stream } from "effect"
import type * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import type { UploadError, UploadEvent, UploadOptions, UploadSource } from "../Upload.js"
import type * as Http from "./http.js"

/** What the upload engine needs from the client. @internal */
export interface Dependencies {
  readonly api: Http.Api
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly getFile: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError>
  readonly deleteFile: (fileId: Domain.FileId) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError>
  readonly publicUrl: (
    fileId: Domain.FileId
  ) => Effect.Effect<
    Domain.Link,
    Http.BaseError | Errors.NotFoundError | Errors.ConflictError | Errors.QuotaExceededError
  >
  readonly waitUntilClean: (
    fileId: Domain.FileId,
    options?: { readonly schedule?: Schedule.Schedule<unknown, unknown> | undefined }
  ) => Effect.Effect<Domain.FluidFile, Http.BaseError | Errors.NotFoundError | Errors.ConflictError>
}

/** @internal */
export interface Uploader {
  readonly upload: (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options?: UploadOptions
  ) => Effect.Effect<Domain.FluidFile, UploadError>
  readonly uploadStream: (
    source: UploadSource,
    spaceId: Domain.SpaceId,
    options?: UploadOptions
  ) => Stream.Stream<UploadEvent, UploadError>
}

/** @internal */
export const make = (_deps: Dependencies): Uploader => {
  const notYet = Effect.fail(
    new Errors.ValidationError({ field: "source", description: "uploads are not implemented yet" })
  )
  return {
    upload: () => notYet,
    uploadStream: () => Stream.fromEffect(notYet)
  }
}
