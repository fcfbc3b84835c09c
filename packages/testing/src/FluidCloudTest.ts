/**
 * The emulator as an in-process `HttpClient`: no sockets, time from Effect's
 * `Clock` (so `TestClock` moves expiries and scan delays).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { FluidCloud } from "@fluidcloud/core"
import { Context, Effect, Layer, Redacted } from "effect"
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
 * in-process. A connection-reset fault before the response fails the call
 * with a `RequestError` of reason `"Transport"`; one after some body bytes
 * fails the response's body stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (emulator: Emulator.Service): HttpClient.HttpClient => internalClient.make(emulator.httpApp)

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

/**
 * Options of `layer`: the emulator's options, plus options passed on to
 * `FluidCloud.layer` (everything but `apiKey` and `baseUrl`, which come from
 * the emulator).
 *
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends Options {
  readonly client?: Omit<FluidCloud.Options, "apiKey" | "baseUrl"> | undefined
}

/**
 * A `FluidCloud` client wired to an in-process emulator with the emulator's
 * default key, plus the `Emulator` service to shape and inspect its state, and
 * the in-process `HttpClient` (to fetch download URLs and share links, or to
 * build clients with other keys via `FluidCloud.make`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: LayerOptions
): Layer.Layer<FluidCloud.FluidCloud | Emulator.Emulator | HttpClient.HttpClient> =>
  Layer.provideMerge(
    Layer.unwrapEffect(
      Effect.map(Emulator.Emulator, (emulator) =>
        FluidCloud.layer({
          ...options?.client,
          apiKey: Redacted.make(emulator.apiKey),
          baseUrl: emulator.baseUrl
        })
      )
    ),
    layerClient(options)
  )
