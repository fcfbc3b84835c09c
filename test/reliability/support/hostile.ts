/**
 * Hostile servers on real loopback sockets: a `node:http` server answering with a handler of the
 * test's, and body generators that never end (or end after 2 GiB), drip one byte at a time, or
 * echo text. Each generated response records how many bytes it wrote and whether the client
 * dropped the connection before the end.
 */
import * as Http from "node:http"
import { Effect } from "effect"

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

/** What a generated body saw. */
export interface Sent {
  bytes: number
  /** The client closed the connection before the body ended. */
  dropped: boolean
  /** The body ended normally. */
  finished: boolean
}

export interface Server {
  url: string
  /** Every generated body, in order. */
  readonly sent: Array<Sent>
  /** The requests received: method and path. */
  readonly requests: Array<{ readonly method: string; readonly path: string }>
}

export type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse, server: Server) => void

/** A loopback server on a free port, closed (its sockets destroyed) with the scope. */
export const serve = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Server; readonly http: Http.Server }>((resume) => {
      const state: Server = { url: "", sent: [], requests: [] }
      const http = Http.createServer((request, response) => {
        state.requests.push({ method: request.method ?? "", path: request.url ?? "" })
        // read (and drop) the request body before answering
        request.resume()
        request.on("end", () => handler(request, response, state))
      })
      http.listen(0, "127.0.0.1", () => {
        const address = http.address()
        state.url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
        resume(Effect.succeed({ server: state, http }))
      })
    }),
    ({ http }) =>
      Effect.async<void>((resume) => {
        http.closeAllConnections()
        http.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ server }) => server))

const chunk = new Uint8Array(64 * 1024).fill(0x61)

const track = (server: Server, response: Http.ServerResponse): Sent => {
  const record: Sent = { bytes: 0, dropped: false, finished: false }
  server.sent.push(record)
  response.on("close", () => {
    if (!record.finished) record.dropped = true
  })
  return record
}

/**
 * A body of `total` bytes (`Infinity`: never-ending, chunked), written as fast as the client
 * reads it (backpressure respected, so the server itself never buffers much).
 */
export const generated = (
  server: Server,
  response: Http.ServerResponse,
  options: {
    readonly status: number
    readonly total: number
    readonly headers?: Record<string, string>
    readonly contentLength?: number | undefined
  }
): void => {
  const record = track(server, response)
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers }
  if (options.contentLength !== undefined) headers["content-length"] = String(options.contentLength)
  response.writeHead(options.status, headers)
  response.write("[")
  const pump = () => {
    while (!response.destroyed && record.bytes < options.total) {
      const size = Math.min(chunk.byteLength, options.total - record.bytes)
      record.bytes += size
      if (!response.write(size === chunk.byteLength ? chunk : chunk.subarray(0, size))) {
        response.once("drain", pump)
        return
      }
    }
    if (!response.destroyed) {
      record.finished = true
      response.end()
    }
  }
  pump()
}

/** One byte every `everyMillis`, forever (until the client hangs up). */
export const drip = (
  server: Server,
  response: Http.ServerResponse,
  options: { readonly status: number; readonly everyMillis: number; readonly headers?: Record<string, string> }
): void => {
  const record = track(server, response)
  response.writeHead(options.status, { "content-type": "application/json", ...options.headers })
  response.flushHeaders()
  const timer = setInterval(() => {
    if (response.destroyed) {
      clearInterval(timer)
      return
    }
    record.bytes += 1
    response.write(" ")
  }, options.everyMillis)
  response.on("close", () => clearInterval(timer))
}

/** A JSON answer. */
export const json = (
  response: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void => {
  const text = body === undefined ? "" : JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(text)
}

/**
 * The resident set size while `effect` runs: sampled every 5 ms, the highest growth over the
 * value before it started.
 */
export const peakRssGrowth = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const before = process.memoryUsage().rss
      const state = { before, peak: before }
      const timer = setInterval(() => {
        state.peak = Math.max(state.peak, process.memoryUsage().rss)
      }, 5)
      return { state, timer }
    }),
    ({ state }) =>
      Effect.map(effect, (value) => {
        state.peak = Math.max(state.peak, process.memoryUsage().rss)
        return { value, growth: state.peak - state.before, peak: state.peak }
      }),
    ({ timer }) => Effect.sync(() => clearInterval(timer))
  )
