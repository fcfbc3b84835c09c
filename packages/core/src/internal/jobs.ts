/**
 * An upload's parts as jobs, in part order: each part read from the source (into a pooled buffer,
 * or streamed when too big for one), fed to the sha256 in order, and PUT to its presigned URL.
 * A part the server already holds (a resumed upload) is read for the sha256 only, never sent.
 * `results` works through them: `concurrency` workers, fed by one reader that stays a part ahead.
 *
 * @internal
 */
import { Chunk, Effect, Either, Mailbox, Option, Queue, Schedule, type Scope, Stream } from "effect"
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

/** The jobs of an upload, in part order, one at a time while the scope is open. @internal */
export const make = (
  input: Input
): Effect.Effect<Parts.Pull<Job, Errors.SourceError>, Errors.SourceError, Scope.Scope> => {
  const { hash, held, parts, partSize, retry, source, transport } = input
  const size = source.size
  const sessionPart = (index: number) =>
    Option.fromNullable(parts[index]).pipe(
      Effect.orDieWith(() => new Error(`FluidCloud: part ${index + 1} is not in the checked session`))
    )

  /** `pull`'s elements, each made a job with its index. */
  const indexed =
    <A>(toJob: (element: A, index: number) => Job) =>
    (pull: Parts.Pull<A, Errors.SourceError>): Parts.Pull<Job, Errors.SourceError> => {
      let index = 0
      return Effect.map(pull, (element) => toJob(element, index++))
    }

  const buffered = Effect.flatMap(Parts.makeBufferPool(input.buffers, Math.min(partSize, size)), (pool) =>
    Effect.map(
      source.parts(partSize, pool),
      // Sequential, in part order, before the PUT: the hash sees the bytes in order.
      indexed((part: Parts.Part, index): Job => {
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
    Effect.map(
      Parts.pullOne(streamedParts),
      indexed((part: Parts.StreamedPart, index): Job => {
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

  return input.streamed && source.streamed !== undefined ? streamed(source.streamed(partSize)) : buffered
}

/**
 * Runs `jobs` with `concurrency` workers, each taking the next job and running `work` on it. One
 * reader pulls the jobs, in order, and hands each over as soon as a worker is free, so it reads
 * one job ahead of them (with `concurrency + 1` part buffers, `concurrency` parts are in flight
 * while the next one is read). The first failure, of the reader or of a worker, interrupts the
 * rest. A fixed set of fibers for the whole upload: nothing is forked per part.
 */
const run = <A, E, E2>(
  jobs: Effect.Effect<Parts.Pull<A, E>, E, Scope.Scope>,
  concurrency: number,
  work: (job: A) => Effect.Effect<void, E2>
): Effect.Effect<void, E | E2> =>
  Effect.scoped(
    Effect.gen(function* () {
      const pull = yield* jobs
      // one job waits here while every worker is busy: the reader stays one ahead, no more
      const handOver = yield* Queue.bounded<A | undefined>(1)
      const reader = Effect.gen(function* () {
        while (true) {
          const next = yield* Effect.either(pull)
          if (Either.isLeft(next)) {
            if (Option.isSome(next.left)) return yield* Effect.fail(next.left.value)
            break
          }
          yield* Queue.offer(handOver, next.right)
        }
        // the end, once for each worker
        for (let i = 0; i < concurrency; i++) yield* Queue.offer(handOver, undefined)
      })
      const worker = Effect.gen(function* () {
        while (true) {
          const job = yield* Queue.take(handOver)
          if (job === undefined) return
          yield* work(job)
        }
      })
      const fibers: Array<Effect.Effect<void, E | E2>> = [reader]
      for (let i = 0; i < concurrency; i++) fibers.push(worker)
      yield* Effect.all(fibers, { concurrency: "unbounded", discard: true })
    })
  )

/**
 * The results of `work` over `jobs` (those that have one), as they come, run by `concurrency`
 * workers (see `run`). A worker starts a job only while fewer than `concurrency` results wait
 * for the consumer, who makes room by asking for more: the consumer holds the upload back as a
 * pulled stream would (with `concurrency: 1`, each result is handled before the next part is sent).
 * @internal
 */
export const results = <A, B, E, E2>(
  jobs: Effect.Effect<Parts.Pull<A, E>, E, Scope.Scope>,
  concurrency: number,
  work: (job: A) => Effect.Effect<Option.Option<B>, E2>
): Stream.Stream<B, E | E2> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const output = yield* Mailbox.make<B, E | E2>()
      const room = yield* Effect.makeSemaphore(concurrency)
      yield* run(jobs, concurrency, (job) =>
        Effect.zipRight(
          room.take(1),
          Effect.flatMap(work(job), (result) =>
            Option.isSome(result) ? Effect.asVoid(output.offer(result.value)) : Effect.asVoid(room.release(1))
          )
        )
      ).pipe(Mailbox.into(output), Effect.forkScoped)
      // the results handed over at the last pull, whose room is given back at the next one
      let handedOver = 0
      return Stream.repeatEffectChunkOption(
        Effect.suspend(() => {
          const taken = handedOver
          handedOver = 0
          return Effect.zipRight(
            taken === 0 ? Effect.void : room.release(taken),
            Effect.matchEffect(output.takeAll, {
              onFailure: (error) => Effect.fail(Option.some(error)),
              onSuccess: ([chunk, done]) => {
                handedOver = Chunk.size(chunk)
                return done && handedOver === 0 ? Effect.fail(Option.none()) : Effect.succeed(chunk)
              }
            })
          )
        })
      )
    })
  )
