/**
 * The wire objects the benchmarks serve and decode: a `File` as the API sends it (snake_case, every
 * field listed, `null` when empty), the key and the ids the clients use.
 */
import { randomUUID } from "node:crypto"

export const API_KEY = "fck_test_benchbenchbenchbenchbench0"
export const SPACE_ID = "6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b"
export const FILE_ID = "0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10"

/** One wire `File`; `i` varies the name, the size and whether it is in a folder. */
export const file = (i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, i % 1000)).toISOString()
  return {
    id: randomUUID(),
    original_name: `photo-${i}.png`,
    space_id: SPACE_ID,
    folder_id: i % 2 === 0 ? null : randomUUID(),
    mime: "image/png",
    size: 1000 + i,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    scan_status: "clean",
    status: "ready",
    client_key: i % 3 === 0 ? null : `photos/${i}`,
    deleted_at: null,
    created_at: at,
    updated_at: at,
    public_url: null,
    ...overrides
  }
}

/** A property of a JSON value the baselines parsed (they check nothing else). */
export const field = (u: unknown, name: string): unknown =>
  typeof u === "object" && u !== null && name in u ? Reflect.get(u, name) : undefined

/** The body of `POST /uploads/initiate` for the file at `path`, as both baselines send it. */
export const initiateBody = (path: string, size: number, partSize: number) => ({
  space_id: SPACE_ID,
  name: path.split("/").pop(),
  size,
  part_size: partSize
})

/** The body of `POST /uploads/complete`: the parts' ETags, in part order. */
export const completeBody = (session: unknown, etags: ReadonlyArray<string>) => ({
  upload_id: field(session, "upload_id"),
  parts: etags.map((etag, index) => ({ part_number: index + 1, etag }))
})
