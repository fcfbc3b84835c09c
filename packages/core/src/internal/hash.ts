/**
 * The sha256 the upload engine computes as the bytes go. The default is `hash-wasm`'s WebAssembly
 * sha256, loaded once per client when its layer is built (its loading is asynchronous; hashing is
 * not); the pure-JS `@noble/hashes` stands in where WebAssembly cannot be loaded.
 * `@fluidcloud/node` provides `node:crypto`'s native one.
 *
 * @since 0.1.0
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect } from "effect"
import type { IHasher } from "hash-wasm"
import type { Sha256Factory, Sha256Hash } from "../Upload.js"

export type { Sha256Factory, Sha256Hash }

/**
 * The pure-JS sha256 of `@noble/hashes`: where WebAssembly cannot be loaded.
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
 * Any number of running hashes over one `hash-wasm` instance: the instance holds the state of the
 * hash last fed; another hash's turn saves it and loads that hash's own (`save` / `load`, a few
 * dozen bytes), so one upload at a time never swaps.
 */
const shared = (hasher: IHasher): Sha256Factory => {
  /** A running hash's state while another one is in the instance. */
  interface Slot {
    saved: Uint8Array | undefined
    done: boolean
  }
  let current: Slot | undefined
  const enter = (slot: Slot) => {
    if (slot.done) throw new Error("sha256: update or digest after digest")
    if (current === slot) return
    if (current !== undefined) current.saved = hasher.save()
    if (slot.saved === undefined) hasher.init()
    else hasher.load(slot.saved)
    current = slot
  }
  return {
    create: () => {
      const slot: Slot = { saved: undefined, done: false }
      return {
        update: (bytes) => {
          enter(slot)
          hasher.update(bytes)
        },
        digestHex: () => {
          enter(slot)
          slot.done = true
          current = undefined
          return hasher.digest("hex")
        }
      }
    }
  }
}

/**
 * Loads `hash-wasm`'s sha256; `noble` where WebAssembly cannot be loaded (a content security
 * policy without `wasm-unsafe-eval`, a runtime without WebAssembly). The module is imported here,
 * when first needed: a client given another sha256 (`NodeFluidCloud`'s `node:crypto`) never loads
 * its ~270 KB.
 *
 * @since 0.2.0
 * @category constructors
 */
export const wasm: Effect.Effect<Sha256Factory> = Effect.tryPromise(() =>
  import("./sha256Wasm.js").then((module) => module.create())
).pipe(
  Effect.map(shared),
  Effect.orElseSucceed(() => noble)
)

/**
 * The value of `Sha256` when none is provided: the client replaces it when it is built (`make`).
 * Used directly (outside a client), it hashes with `noble`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const standard: Sha256Factory = { create: () => noble.create() }

/**
 * The sha256 implementation of the upload engine, read when the client is built. Defaults to
 * `standard`: `hash-wasm`'s WebAssembly sha256 once loaded; `NodeFluidCloud.layer` provides
 * `node:crypto`'s.
 *
 * @since 0.1.0
 * @category references
 */
export class Sha256 extends Context.Reference<Sha256>()("@fluidcloud/core/Sha256", {
  defaultValue: (): Sha256Factory => standard
}) {}

/**
 * A factory that hashes with `noble` until `load` (run in the background: the caller does not wait
 * for it) has succeeded, and with what it loaded after. A hash keeps the implementation it was
 * created with; both give the same digests.
 *
 * @since 0.2.0
 * @category constructors
 */
export const loadingInBackground = (load: Effect.Effect<Sha256Factory>): Effect.Effect<Sha256Factory> =>
  Effect.suspend(() => {
    let loaded: Sha256Factory = noble
    const factory: Sha256Factory = { create: () => loaded.create() }
    return Effect.as(
      Effect.forkDaemon(
        Effect.map(load, (ready) => {
          loaded = ready
        })
      ),
      factory
    )
  })

/**
 * The factory a client hashes with, built once with the client: the one provided, or for the
 * default, `wasm` loading in the background (the layer does not wait for it).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: Effect.Effect<Sha256Factory> = Effect.flatMap(Sha256, (factory) =>
  factory === standard ? loadingInBackground(wasm) : Effect.succeed(factory)
)

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
