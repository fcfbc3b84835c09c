/**
 * The emulator as an in-process `HttpClient`: no sockets, time from Effect's
 * `Clock` (so `TestClock` moves expiries and scan delays).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { Context, Effect, Layer } from "effect"
import * as Emulator from "./Emulator.js"
import * as internalClient from "./internal/client.js"

/**
 * Options of the in-process emulator (the emulator's options).
 *
 * @since 0.1.0
 * @category models
 */
export type Options = Emulator.Options

/**
 * An `HttpClient` that routes every request to the emulator's handler
 * in-process. A connection reset fault fails the call with a
 * `RequestError` of reason `"Transport"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (emulator: Emulator.Emulator): HttpClient.HttpClient => internalClient.make(emulator.httpApp)

/**
 * The in-process `HttpClient` and the `Emulator` service (baseUrl
 * `http://api.fluidcloud.test`, storage `http://storage.fluidcloud.test`,
 * files `http://files.fluidcloud.test`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (options?: Options): Layer.Layer<HttpClient.HttpClient | Emulator.Emulator> =>
  Layer.effectContext(
    Effect.map(Emulator.make(options), (emulator) =>
      Context.make(Emulator.Emulator, emulator).pipe(Context.add(HttpClient.HttpClient, makeClient(emulator)))
    )
  )
