/**
 * The sha256 the upload engine computes as the bytes go. The default is the pure-JS
 * `@noble/hashes`; `@fluidcloud/node` provides `node:crypto`'s native one.
 *
 * @since 0.1.0
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context } from "effect"

/**
 * One running sha256: feed it bytes in order, then read the lowercase hex digest once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sha256Hash {
  readonly update: (bytes: Uint8Array) => void
  /** The lowercase hex digest; call once, after the last `update`. */
  readonly digestHex: () => string
}

/**
 * Creates running sha256 hashes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sha256Factory {
  readonly create: () => Sha256Hash
}

/**
 * The pure-JS sha256 of `@noble/hashes`, used on every platform unless replaced.
 *
 * @since 0.1.0
 * @category constructors
 */
export const noble: Sha256Factory = {
  create: () => {
    const hash = sha256.create()
    return {
      update: (bytes) => {
        hash.update(bytes)
      },
      digestHex: () => bytesToHex(hash.digest())
    }
  }
}

/**
 * The sha256 implementation of the upload engine, read when the client is built. Defaults to
 * `noble`; `NodeFluidCloud.layer` provides `node:crypto`'s.
 *
 * @since 0.1.0
 * @category references
 */
export class Sha256 extends Context.Reference<Sha256>()("@fluidcloud/core/Sha256", {
  defaultValue: (): Sha256Factory => noble
}) {}

/**
 * The sha256 of whole bytes, as lowercase hex.
 *
 * @since 0.1.0
 * @category utils
 */
export const digestHex = (factory: Sha256Factory, bytes: Uint8Array): string => {
  const hash = factory.create()
  hash.update(bytes)
  return hash.digestHex()
}
