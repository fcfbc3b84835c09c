/**
 * Cold start, the floor of any Effect client: import `effect` and `@effect/platform`'s undici
 * `HttpClient`, build its layer, one `GET /files/{id}` decoded with a `Schema`, print the id.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Effect, Schema } from "effect"

const [baseUrl = "", fileId = "", key = ""] = process.argv.slice(2)
const File = Schema.Struct({ id: Schema.UUID, original_name: Schema.String })
const file = await Effect.runPromise(
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.get(`${baseUrl}/api/v1/files/${fileId}`).pipe(
        HttpClientRequest.setHeaders({ "x-api-key": key, accept: "application/json" })
      )
    )
  ).pipe(
    Effect.flatMap((response) => response.json),
    Effect.flatMap(Schema.decodeUnknown(File)),
    Effect.provide(NodeHttpClient.layerUndici)
  )
)
process.stdout.write(`${file.id}\n`)
process.exit(0)
