/** Cold start, raw: import undici, one `GET /files/{id}` + `JSON.parse`, print the id. */
import { Agent } from "undici"

const [baseUrl = "", fileId = "", key = ""] = process.argv.slice(2)
const agent = new Agent()
const response = await agent.request({
  origin: baseUrl,
  path: `/api/v1/files/${fileId}`,
  method: "GET",
  headers: { "x-api-key": key, accept: "application/json" }
})
const body: unknown = JSON.parse(await response.body.text())
process.stdout.write(`${typeof body === "object" && body !== null && "id" in body ? String(body.id) : ""}\n`)
process.exit(0)
