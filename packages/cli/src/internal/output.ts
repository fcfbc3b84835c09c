/**
 * How a command's result reaches stdout: with `--json`, the domain schema's encoding (the API's
 * snake_case wire shape, `Schema.encode(Domain.X)`) as one pretty-printed JSON document; otherwise
 * its human rendering, made terminal-safe line by line. One `Output` per kind of result.
 *
 * @internal
 */
import { Domain } from "@fluidcloud/core"
import { Console, Effect, Schema } from "effect"
import * as Render from "./render.js"
import * as Sanitize from "./sanitize.js"

/**
 * How a result of type `A` is written: the schema whose encoding is its `--json` document, and
 * its human rendering.
 *
 * @internal
 */
export interface Output<A, I> {
  readonly schema: Schema.Schema<A, I>
  readonly human: (a: A) => string
}

/**
 * Writes `value` on stdout, as JSON when `json` is set, else for humans.
 *
 * @internal
 */
export const emit = <A, I>(json: boolean, output: Output<A, I>, value: A): Effect.Effect<void> =>
  json
    ? Schema.encode(output.schema)(value).pipe(
        Effect.orDie,
        Effect.flatMap((encoded) => Console.log(Sanitize.json(JSON.stringify(encoded, null, 2))))
      )
    : Console.log(Sanitize.lines(output.human(value)))

const make = <A, I>(schema: Schema.Schema<A, I>, human: (a: A) => string): Output<A, I> => ({ schema, human })

/** @internal */
export const spaces = make(Schema.Array(Domain.Space), Render.spaces)
/** @internal */
export const space = make(Domain.Space, Render.space)
/** @internal */
export const folders = make(Schema.Array(Domain.Folder), Render.folders)
/** @internal */
export const folder = make(Domain.Folder, Render.folder)
/** @internal */
export const files = make(Schema.Array(Domain.FluidFile), Render.files)
/** @internal */
export const file = make(Domain.FluidFile, Render.file)
/** @internal */
export const link = make(Domain.Link, Render.link)
/** `files url`: `{ "url": ... }`. @internal */
export const url = make(Schema.Struct({ url: Schema.String }), Render.url)
/** @internal */
export const shares = make(Schema.Array(Domain.Share), Render.shares)
/** `shares revoke`: `{ "id": ..., "revoked": true }`. @internal */
export const revoked = make(Schema.Struct({ id: Domain.ShareId, revoked: Schema.Literal(true) }), Render.revoked)
/** @internal */
export const quota = make(Domain.Quota, Render.quota)
/** `files download`: `{ "path", "size", "sha256" }`. @internal */
export const downloaded = make(
  Schema.Struct({ path: Schema.String, size: Schema.Number, sha256: Schema.String }),
  Render.downloaded
)
/**
 * `files upload` of several paths: `{ "uploaded": [File…], "failed": [{ "path", "tag", "detail" }] }`.
 * @internal
 */
export const uploaded = make(
  Schema.Struct({
    uploaded: Schema.Array(Domain.FluidFile),
    failed: Schema.Array(Schema.Struct({ path: Schema.String, tag: Schema.String, detail: Schema.String }))
  }),
  (result) => Render.files(result.uploaded)
)
/** `uploads ls`: `[{ "upload_id", "path", "parts_done", "parts_total", "created_at" }]`, ages at `now`. @internal */
export const held = (now: number) =>
  make(
    Schema.Array(
      Schema.Struct({
        upload_id: Schema.String,
        path: Schema.String,
        parts_done: Schema.Number,
        parts_total: Schema.Number,
        created_at: Schema.String
      })
    ),
    (list) => Render.held(list, now)
  )
/** `uploads abort`: `{ "upload_id": ..., "aborted": true }`. @internal */
export const aborted = make(
  Schema.Struct({ upload_id: Domain.UploadId, aborted: Schema.Literal(true) }),
  Render.aborted
)
