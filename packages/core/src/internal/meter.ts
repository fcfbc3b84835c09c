/**
 * Progress within parts: each part's body counted as the HTTP client takes it (a buffered part
 * is handed over in slices of `SLICE` bytes, views that copy nothing), and `Progress` events,
 * at most every 100 ms (the download's throttle), merged into the upload's events.
 *
 * `sentBytes` counts the bytes taken by the HTTP client, stored parts included; a part that is
 * retried counts from zero again. `uploadedBytes` counts stored parts only (as `PartUploaded`).
 * Both are computed where the events are emitted, in order, so they never go back between two
 * events of one attempt (but `sentBytes` does when a part is retried).
 *
 * @internal
 */
import { Effect, Either, Option, Queue, type Scope, Stream } from "effect"
import { UploadEvent } from "../Upload.js"
import * as Throttle from "./throttle.js"
import type { PartBody } from "./transport/transport.js"

/**
 * The slice a buffered part is handed to the HTTP client in: 1 MiB keeps the cost of counting
 * within a few percent of sending the part whole (256 KiB slices cost about 20 % more CPU), and
 * moves a progress bar at least ten times a second down to 10 MiB/s.
 * @internal
 */
export const SLICE = 1024 * 1024

/** One part stored. @internal */
export interface Stored {
  readonly partNumber: number
  readonly partBytes: number
}

/** @internal */
export interface Meter {
  /** `body`, counted as it is sent: a stream made afresh for each attempt. */
  readonly body: (body: PartBody) => PartBody
  /** The events of `stored`, with `Progress` events between them. */
  readonly events: <E>(stored: Stream.Stream<Stored, E>) => Stream.Stream<UploadEvent, E>
}

/**
 * The `PartUploaded` events of stored parts, `uploadedBytes` counted from `storedBytes` (those
 * stored before, a resumed upload); `uploaded()` is the count so far.
 */
const partCounter = (totalBytes: number, storedBytes: number) => {
  let uploaded = storedBytes
  return {
    uploaded: () => uploaded,
    event: ({ partBytes, partNumber }: Stored): UploadEvent => {
      uploaded += partBytes
      return UploadEvent.PartUploaded({ partNumber, partBytes, uploadedBytes: uploaded, totalBytes })
    }
  }
}

/**
 * The events of `stored` without a meter: a `PartUploaded` for each, no `Progress`. @internal
 */
export const partEvents = <E>(
  stored: Stream.Stream<Stored, E>,
  totalBytes: number,
  storedBytes: number
): Stream.Stream<UploadEvent, E> => Stream.suspend(() => Stream.map(stored, partCounter(totalBytes, storedBytes).event))

/** A buffered part as a stream of slices, one per pull. */
const slices = (bytes: Uint8Array): Stream.Stream<Uint8Array> =>
  Stream.suspend(() => {
    let offset = 0
    return Stream.repeatEffectOption(
      Effect.suspend(() => {
        if (offset >= bytes.byteLength) return Effect.fail(Option.none())
        const slice = bytes.subarray(offset, Math.min(offset + SLICE, bytes.byteLength))
        offset += slice.byteLength
        return Effect.succeed(slice)
      })
    )
  })

/**
 * A meter of `totalBytes` in parts of `partSize`, `storedBytes` of which were stored before (a
 * resumed upload). @internal
 */
export const make = (
  totalBytes: number,
  storedBytes: number,
  partSize: number
): Effect.Effect<Meter, never, Scope.Scope> =>
  Effect.gen(function* () {
    // no part over one slice: none is counted as it goes (see `body`), so no `Progress` between
    const partsCounted = Math.min(partSize, totalBytes) > SLICE
    const ticks = yield* Effect.acquireRelease(Queue.sliding<void>(1), Queue.shutdown)
    let sent = storedBytes
    const parts = partCounter(totalBytes, storedBytes)
    // the first `Progress` comes a whole interval after `Started`, which follows at once
    const throttle = Throttle.make()
    yield* throttle.restart
    const meter: Meter = {
      body: (body) => {
        // a part of one slice or less is sent as it is: counting it as it goes would give no
        // event between its start and its `PartUploaded`, and a streamed body costs a small
        // request more than the bytes (a 1 KiB file took twice as long with `onProgress`)
        if (body instanceof Uint8Array && body.byteLength <= SLICE) return body
        const length = body instanceof Uint8Array ? body.byteLength : body.length
        let counted = 0
        return {
          length,
          stream: () =>
            Stream.suspend(() => {
              // a new attempt: what the last one counted is sent again
              sent -= counted
              counted = 0
              const bytes = body instanceof Uint8Array ? slices(body) : body.stream()
              return Stream.tap(bytes, (chunk) => {
                counted += chunk.byteLength
                sent += chunk.byteLength
                return Queue.offer(ticks, undefined)
              })
            })
        }
      },
      events: (stored) =>
        // the stored parts are the events, with `Progress` between them if parts are counted
        !partsCounted
          ? Stream.map(stored, parts.event)
          : Stream.merge(Stream.map(stored, Either.left), Stream.map(Stream.fromQueue(ticks), Either.right), {
              haltStrategy: "left"
            }).pipe(
              Stream.mapEffect((signal: Either.Either<void, Stored>): Effect.Effect<Option.Option<UploadEvent>> => {
                if (Either.isRight(signal)) {
                  return Effect.map(throttle.due, (due) =>
                    due
                      ? Option.some(
                          UploadEvent.Progress({
                            uploadedBytes: parts.uploaded(),
                            sentBytes: Math.max(sent, parts.uploaded()),
                            totalBytes
                          })
                        )
                      : Option.none()
                  )
                }
                return Effect.succeed(Option.some(parts.event(signal.left)))
              }),
              Stream.filterMap((event) => event)
            )
    }
    return meter
  })
