/**
 * `hash-wasm`'s sha256 on its own: `hash.ts` imports this module dynamically, when a client needs
 * it, so a Node client (hashing with `node:crypto`) never loads `hash-wasm`; and the static named
 * import here lets bundlers keep only its sha256 (~18 KB minified of its ~270 KB).
 *
 * @internal
 */
import { createSHA256 } from "hash-wasm"

/** @internal */
export const create = createSHA256
