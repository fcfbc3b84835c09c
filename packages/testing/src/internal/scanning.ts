/**
 * Virus scanning and hashing. Completing an upload reads its parts back once, for the file's
 * sha256 and the EICAR test string (`infected`); the scan then settles `scanDelay` after the
 * complete, measured with Effect's `Clock`, unless a test forced the outcome.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { ScanOutcome } from "../Emulator.js"
import type { StoredBlob } from "./blobs.js"
import type { State } from "./state.js"

const EICAR = Buffer.from("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "latin1")
const EDGE = EICAR.length - 1

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Looks for EICAR in a stream of chunks without keeping or concatenating them: within each chunk,
 * and across each boundary, in a small window holding the last `EDGE` bytes seen before a chunk
 * followed by its first `EDGE` bytes. The window is copied into byte by byte (at most `2 * EDGE`
 * bytes per chunk), so a chunk may be a buffer the caller reuses once `update` returns.
 */
const eicarScanner = () => {
  const window = Buffer.alloc(2 * EDGE)
  /** How many of the last bytes seen `window` holds at its start (at most `EDGE`). */
  let held = 0
  let infected = false
  return {
    update: (bytes: Uint8Array) => {
      const n = bytes.byteLength
      if (infected || n === 0) return
      const head = Math.min(EDGE, n)
      for (let i = 0; i < head; i++) window[held + i] = bytes[i] ?? 0
      if (held > 0) {
        // EICAR has no zero byte: the zeros after what the window holds cannot complete a match
        window.fill(0, held + head)
        if (window.includes(EICAR)) infected = true
      }
      if (!infected && n >= EICAR.length && asBuffer(bytes).includes(EICAR)) infected = true
      if (n >= EDGE) {
        for (let i = 0; i < EDGE; i++) window[i] = bytes[n - EDGE + i] ?? 0
        held = EDGE
      } else {
        // the window holds the old tail and the whole chunk: keep its last `EDGE` bytes
        const total = held + n
        const keep = Math.min(EDGE, total)
        window.copyWithin(0, total - keep, total)
        held = keep
      }
    },
    infected: () => infected
  }
}

/** The sha256 of the blobs' bytes in order, and whether they contain EICAR: one pass over them. @internal */
export const scanAndHash = (state: State, blobs: ReadonlyArray<StoredBlob>) =>
  Effect.suspend(() => {
    const sha = createHash("sha256")
    const eicar = eicarScanner()
    const feed = (bytes: Uint8Array) => {
      sha.update(bytes)
      eicar.update(bytes)
    }
    return Effect.forEach(blobs, (b) => state.blobs.forEach(b.key, feed), { discard: true }).pipe(
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
