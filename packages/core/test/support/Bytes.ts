/**
 * Test bytes and hashes, shared by the upload tests of core and of test/upload.
 */
import { createHash } from "node:crypto"

/** Lowercase hex sha256, as the service stores it. */
export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** Deterministic pseudo-random bytes (xorshift32 from `seed`). */
export const bytesOf = (size: number, seed = 1): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}
