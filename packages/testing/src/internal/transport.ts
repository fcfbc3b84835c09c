/**
 * The connection-reset signal. A reset fault makes the emulator's handler fail with
 * `ConnectionReset` (before any response), or makes a response's body stream fail with it (after
 * some bytes). Both transports honour it: the Node server (`server.ts`) destroys the socket; the
 * in-process client (`client.ts`) turns the first into a `RequestError` of reason "Transport"
 * and lets the second fail the body stream.
 *
 * @internal
 */
import { Data, Predicate } from "effect"
import type * as Emulator from "../Emulator.js"

/** @internal */
export class ConnectionReset extends Data.TaggedError("ConnectionReset")<{}> implements Emulator.ConnectionReset {}

/** @internal */
export const isConnectionReset = (u: unknown): u is Emulator.ConnectionReset => Predicate.isTagged(u, "ConnectionReset")
