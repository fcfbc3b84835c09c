/**
 * The constructors of `SyncEvent` (declared in `Sync.ts`, which re-exports them).
 *
 * @internal
 */
import { Data } from "effect"
import type { SyncEvent as Event } from "../../Sync.js"

/** @internal */
export const SyncEvent = Data.taggedEnum<Event>()

/** An event about one path (every event but the `Summary`). @internal */
export type PathEvent = Exclude<Event, { readonly _tag: "Summary" }>
