/**
 * An upload's parts as jobs, in part order: each part read from the source (into a pooled buffer,
 * or streamed when too big for one), fed to the sha256 in order, and PUT to its presigned URL.
 * A part the server already holds (a resumed upload) is read for the sha256 only, never sent.
 *
 * @internal
 */
import { Effect, Option, Schedule, Stream } from "effect"
import type * as Domain from "../Domain.js"
import type * as Errors from "../Errors.js"
import type { UploadError } from "../Upload.js"
import type * as Hash from "./hash.js"
import * as Parts from "./parts.js"
import type * as Source from "./source.js"
import type { PartBody, Transport } from "./transport/transport.js"

/** One part's work: its PUT, succeeding with its ETag, or `None` for a part already held. @internal */
export interface Job {
  readonly index: number
  readonly length: number
  readonly put: Effect.Effect<Option.Option<string>, UploadError>
}

/** What the jobs of one upload need. @internal */
export interface Input {
  readonly transport: Transport
  readonly source: Source.ResolvedSource
  /** The session's parts, in part-number order. */
  readonly parts: ReadonlyArray<Domain.UploadPart>
  readonly partSize: number
  /** Whether parts are streamed from the source (too big for one buffer), one at a time. */
  readonly streamed: boolean
  /** How many part buffers may be out at once (parts in flight + the one being read). */
  readonly buffers: number
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** The running sha256 of the bytes, fed in order; `undefined` when the source was hashed before. */
  readonly hash: Hash.Sha256Hash | undefined
  /** Whether the server holds part `index` already (a resumed upload). */
  readonly held: (index: number) => boolean
  /** The body as sent: counted for progress, or as it is. */
  readonly body: (body: PartBody) => PartBody
}

/** A part's PUT, in its span. */
const traced = (part: Domain.UploadPart, length: number) =>
  Effect.withSpan("FluidCloud.files.upload.part", {
    attributes: { "fluidcloud.part_number": part.partNumber, "fluidcloud.part_bytes": length }
  })

/** The jobs of an upload, in part order. @internal */
export const make = (input: Input): Stream.Stream<Job, Errors.SourceError> => {
  const { hash, held, parts, partSize, retry, source, transport } = input
  const size = source.size
  const sessionPart = (index: number) =>
    Option.fromNullable(parts[index]).pipe(
      Effect.orDieWith(() => new Error(`FluidCloud: part ${index + 1} is not in the checked session`))
    )

  const buffered = (): Stream.Stream<Job, Errors.SourceError> =>
    Stream.unwrap(
      Effect.map(Parts.makeBufferPool(input.buffers, Math.min(partSize, size)), (pool) =>
        source.parts(partSize, pool).pipe(
          Stream.zipWithIndex,
          // Sequential, in part order, before the PUT: the hash sees the bytes in order.
          Stream.map(([part, index]): Job => {
            hash?.update(part.bytes)
            const length = part.bytes.byteLength
            if (held(index)) return { index, length, put: Effect.as(part.release, Option.none()) }
            const put = Effect.flatMap(sessionPart(index), (target) =>
              transport.putPart(target, input.body(part.bytes), retry).pipe(traced(target, length))
            )
            return { index, length, put: Effect.ensuring(Effect.map(put, Option.some), part.release) }
          })
        )
      )
    )

  // Streamed parts go one at a time, so their bytes reach the hash in order; a retry reads its
  // range again, and only bytes past those already hashed are fed to it.
  let hashed = 0
  const feed = (offset: number, bytes: Uint8Array) => {
    const end = offset + bytes.byteLength
    if (hash !== undefined && end > hashed) {
      hash.update(offset >= hashed ? bytes : bytes.subarray(hashed - offset))
      hashed = end
    }
  }
  const streamed = (streamedParts: Stream.Stream<Parts.StreamedPart, Errors.SourceError>) =>
    streamedParts.pipe(
      Stream.zipWithIndex,
      Stream.map(([part, index]): Job => {
        let failure: Errors.SourceError | undefined
        const body = () =>
          Stream.suspend(() => {
            let offset = part.offset
            return part.body().pipe(
              Stream.map((bytes) => {
                feed(offset, bytes)
                offset += bytes.byteLength
                return bytes
              }),
              Stream.tapError((error) =>
                Effect.sync(() => {
                  failure = error
                })
              )
            )
          })
        if (held(index)) {
          // read for the hash only; an in-memory source was hashed before initiate
          const read = hash === undefined ? Effect.void : Stream.runDrain(body())
          return { index, length: part.length, put: Effect.as(read, Option.none()) }
        }
        const put = Effect.flatMap(sessionPart(index), (target) =>
          transport
            .putPart(target, input.body({ length: part.length, stream: body }), part.rereadable ? retry : Schedule.stop)
            .pipe(
              traced(target, part.length),
              // the source failed under the PUT: its error, not the request's
              Effect.catchAll((error) => Effect.fail(failure ?? error))
            )
        )
        return { index, length: part.length, put: Effect.map(put, Option.some) }
      })
    )

  return input.streamed && source.streamed !== undefined ? streamed(source.streamed(partSize)) : buffered()
}
