/**
 * The emulator as a real HTTP server (one listener serving the API, storage
 * and files origins, distinguished by path).
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Console, Effect, Layer, type Scope } from "effect"
import * as Emulator from "./Emulator.js"
import * as internalServer from "./internal/server.js"

/**
 * Options of the server: where to listen, plus the emulator's options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Emulator.Options {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number | undefined
  /** Host to bind; default `127.0.0.1`. */
  readonly host?: string | undefined
}

/**
 * Serve the emulator on the `HttpServer` in context (a Node server: a
 * connection-reset fault destroys the socket) and return the `Emulator`
 * service with its real URLs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Emulator.Options & { readonly host?: string | undefined } = {}
): Effect.Effect<Emulator.Service, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    const host = options.host ?? "127.0.0.1"
    const origin =
      address._tag === "TcpAddress"
        ? `http://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${address.port}`
        : "http://localhost"
    const emulator = yield* Emulator.make({
      ...options,
      baseUrl: options.baseUrl ?? origin,
      storageUrl: options.storageUrl ?? origin,
      filesUrl: options.filesUrl ?? origin
    })
    yield* server.serve(internalServer.forNodeServer(emulator.httpApp))
    return emulator
  })

/**
 * A scoped layer that starts the real server (port 0 = a free port) and
 * provides the `Emulator` service; the server stops when the scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator.Emulator, never> =>
  Layer.scoped(Emulator.Emulator, make(options)).pipe(
    Layer.provide(
      NodeHttpServer.layer(() => createServer(), { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })
    ),
    Layer.orDie
  )

/**
 * Runs the server until interrupted, after printing one JSON line on stdout once it listens:
 * `{"baseUrl", "storageUrl", "filesUrl", "apiKey"}` (`apiKey`, the default tenant's all-scopes
 * key, only when no `tenants` are given). What `fluidcloud-emulator` and `fluidcloud emulator` run.
 *
 * @since 0.1.0
 * @category running
 */
export const serve = (options: Options = {}): Effect.Effect<never> =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const line: Record<string, string> = {
      baseUrl: emulator.baseUrl,
      storageUrl: emulator.storageUrl,
      filesUrl: emulator.filesUrl
    }
    if (options.tenants === undefined) line.apiKey = emulator.apiKey
    yield* Console.log(JSON.stringify(line))
    return yield* Effect.never
  }).pipe(Effect.provide(layer(options)))
