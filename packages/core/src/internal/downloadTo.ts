/**
 * `files.downloadTo`: a download written to `path.part` through the platform's `FileSystem` and
 * renamed to `path` only once verified (a `.part` that is a symbolic link is refused, never
 * written through). With `resume`, an existing `.part` is hashed and
 * continued from its length. A verification failure (`IntegrityError`) removes the `.part`; any
 * other failure, and an interruption, leave it for a resumed run.
 *
 * @internal
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option, Stream } from "effect"
import type * as Domain from "../Domain.js"
import type { DownloadEvent, DownloadResult, DownloadToError, DownloadToOptions } from "../Download.js"
import * as Errors from "../Errors.js"
import type * as Download from "./download.js"
import type * as Hash from "./hash.js"
import { partPathOf } from "./partPath.js"

/** What `downloadTo` needs: the engine, the file system (when the client has one), sha256. @internal */
export interface Dependencies {
  readonly engine: ReturnType<typeof Download.make>
  readonly fileSystem: Option.Option<FileSystem.FileSystem>
  readonly sha256: Hash.Sha256Factory
}

const targetError = (description: string, cause?: unknown): Errors.TargetError =>
  new Errors.TargetError(cause === undefined ? { description } : { description, cause })

const noFileSystem = targetError(
  "downloadTo needs a FileSystem: provide NodeFluidCloud.layer (or @effect/platform's FileSystem) to the client"
)

const isNotFound = (error: PlatformError.PlatformError): boolean =>
  error._tag === "SystemError" && error.reason === "NotFound"

/** @internal */
export const make =
  (deps: Dependencies) =>
  (
    fileId: Domain.FileId,
    path: string,
    options: DownloadToOptions = {}
  ): Effect.Effect<DownloadResult, DownloadToError> =>
    Effect.gen(function* () {
      if (path.length === 0) {
        return yield* new Errors.ValidationError({ field: "path", description: "must be a non-empty path" })
      }
      const fs = yield* Option.match(deps.fileSystem, {
        onNone: () => Effect.fail(noFileSystem),
        onSome: Effect.succeed
      })
      const part = partPathOf(path)
      const failed = (what: string) => (cause: PlatformError.PlatformError) =>
        targetError(`could not ${what} ${part}: ${cause.message}`, cause)
      // `open` follows a symbolic link: a `.part` that is one would write wherever it points
      if (Option.isSome(yield* Effect.option(fs.readLink(part)))) {
        return yield* targetError(`${part} is a symbolic link: not followed, not replaced`)
      }
      const prepared = yield* deps.engine.prepare(fileId, undefined)
      const size = Option.getOrUndefined(prepared.file.size)

      // what a resumed run keeps: the `.part`'s bytes, if it has any and is not longer than the file
      const held =
        options.resume === true
          ? yield* fs.stat(part).pipe(
              Effect.map((info) => Number(info.size)),
              Effect.catchIf(isNotFound, () => Effect.succeed(0)),
              Effect.mapError(failed("read"))
            )
          : 0
      const keep = size !== undefined && held > size ? 0 : held
      const hash = deps.sha256.create()
      if (keep > 0) {
        yield* fs.stream(part, { bytesToRead: keep }).pipe(
          Stream.runForEach((chunk) => Effect.sync(() => hash.update(chunk))),
          Effect.mapError(failed("read"))
        )
      }

      let sha256: string | undefined
      const onProgress = (event: DownloadEvent): Effect.Effect<void> => {
        if (event._tag === "Completed") sha256 = event.sha256
        return options.onProgress === undefined ? Effect.void : options.onProgress(event)
      }
      const written = yield* Effect.scoped(
        Effect.gen(function* () {
          const file = yield* Effect.mapError(fs.open(part, { flag: keep > 0 ? "a" : "w" }), failed("open"))
          let bytes = keep
          yield* deps.engine
            .bytes(prepared, {
              retry: options.retry,
              onProgress,
              resumeAt: { bytes: keep, hash }
            })
            .pipe(
              Stream.runForEach((chunk) =>
                Effect.map(Effect.mapError(file.writeAll(chunk), failed("write")), () => {
                  bytes += chunk.byteLength
                })
              )
            )
          yield* Effect.mapError(file.sync, failed("write"))
          return bytes
        })
      ).pipe(Effect.tapErrorTag("IntegrityError", () => Effect.ignore(fs.remove(part))))
      yield* Effect.mapError(fs.rename(part, path), (cause) =>
        targetError(`could not rename ${part} to ${path}: ${cause.message}`, cause)
      )
      if (sha256 === undefined) return yield* Effect.dieMessage("the download ended without a Completed event")
      return { path, size: written, sha256 }
    })
