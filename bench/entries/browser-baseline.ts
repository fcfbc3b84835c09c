/**
 * The browser baseline: an app on `effect` + `@effect/platform` alone (an HTTP call over
 * `FetchHttpClient`, its JSON decoded with `Schema`), what an Effect app has before the SDK.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Schema } from "effect"

const Quota = Schema.Struct({ bytes_used: Schema.Number, bytes_limit: Schema.Number })

export const program = Effect.flatMap(HttpClient.HttpClient, (client) =>
  client.get("https://example.invalid/quota")
).pipe(
  Effect.flatMap((response) => response.json),
  Effect.flatMap(Schema.decodeUnknown(Quota)),
  Effect.provide(FetchHttpClient.layer)
)
