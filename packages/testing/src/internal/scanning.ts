/**
 * Virus scanning and hashing. Completing an upload reads its parts back once, for the file's
 * sha256 and the EICAR test string (`infected`); the scan then settles `scanDelay` after the
 * complete, measured with Effect's `Clock`, unless a test forced the outcome.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { Chunk, Effect, Stream } from "effect"
import type { ScanOutcome } from "../Emulator.js"
import type { StoredBlob } from "./blobs.js"
import type { State } from "./state.js"

const EICAR = Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "latin1")
const EDGE = EICAR.length - 1

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Looks for EICAR in a stream of chunks without copying them: within each chunk, and across each
 * boundary (the last `EDGE` bytes seen before a chunk and the first `EDGE` bytes of it).
 */
const eicarScanner = () => {
  let tail: Buffer = Buffer.alloc(0)
  let infected = false
  return {
    update: (bytes: Uint8Array) => {
      if (infected || bytes.byteLength === 0) return
      const chunk = asBuffer(bytes)
      if (tail.length > 0 && Buffer.concat([tail, chunk.subarray(0, EDGE)]).includes(EICAR)) infected = true
      else if (chunk.includes(EICAR)) infected = true
      tail = chunk.length >= EDGE ? chunk.subarray(chunk.length - EDGE) : Buffer.concat([tail, chunk]).subarray(-EDGE)
    },
    infected: () => infected
  }
}

/** The sha256 of the blobs' bytes in order, and whether they contain EICAR. @internal */
export const scanAndHash = (state: State, blobs: ReadonlyArray<StoredBlob>) =>
  Effect.suspend(() => {
    const sha = createHash("sha256")
    const eicar = eicarScanner()
    return Stream.fromIterable(blobs).pipe(
      Stream.flatMap((b) => state.blobs.read(b.key, 0, b.size)),
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const bytes of Chunk.toReadonlyArray(chunk)) {
            sha.update(bytes)
            eicar.update(bytes)
          }
        })
      ),
      Effect.map(() => ({ sha256: sha.digest("hex"), infected: eicar.infected() }))
    )
  })

/** Settle the scans that are due by `now`. @internal */
export const settle = (state: State, now: number): void => {
  for (const file of state.files.values()) {
    if (file.scanStatus === "pending" && file.scanDueAt !== null && now >= file.scanDueAt) {
      file.scanStatus = file.forcedScan ?? (file.infected ? "infected" : "clean")
      file.updatedAt = file.scanDueAt
    }
  }
}

/** Force a file's scan outcome (now if it has settled, else when it does). @internal */
export const force = (state: State, fileId: string, outcome: ScanOutcome): void => {
  const f = state.files.get(fileId)
  if (f === undefined) return
  f.forcedScan = outcome
  if (f.scanStatus !== null && f.scanStatus !== "pending") f.scanStatus = outcome
}
