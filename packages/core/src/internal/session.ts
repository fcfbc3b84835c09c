/**
 * The server is not trusted blindly: an upload session must satisfy the contract before any part
 * is sent, else `DecodeError` (and the upload is aborted).
 *
 * - `part_size` is an integer from 1 byte to 5 GiB. The contract's floor is 5 MiB, but the server
 *   decides the part size and the emulator may be told to cut smaller parts (`minPartSize`,
 *   `forcePartSize`), so a smaller one is accepted as long as the rest holds: the SDK follows the
 *   server's clamp and only refuses what no clamp could give.
 * - The parts cover the size exactly: `ceil(size / part_size)` of them (one for an empty file), at
 *   most 10,000, numbered 1..n once each.
 * - Each part's URL is absolute `http:` or `https:`, and its method is PUT (the schema's).
 *
 * @internal
 */
import { Either } from "effect"
import type * as Domain from "../Domain.js"
import * as Errors from "../Errors.js"
import { partCountOf } from "./parts.js"
import { MAX_PART_SIZE, MAX_PARTS } from "./validation.js"

/** A session that satisfies the contract: its parts in part-number order. @internal */
export interface Checked {
  readonly partSize: number
  readonly partCount: number
  readonly parts: ReadonlyArray<Domain.UploadPart>
}

const isHttpUrl = (url: string): boolean => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "http:" || parsed.protocol === "https:"
  } catch {
    return false
  }
}

/** Why a session breaks the contract for an upload of `size` bytes, or its checked form. */
const problem = (session: Domain.UploadSession, size: number): Either.Either<Checked, string> => {
  const partSize = session.partSize
  if (!Number.isSafeInteger(partSize) || partSize < 1 || partSize > MAX_PART_SIZE) {
    return Either.left(`part_size ${partSize} is not an integer from 1 to 5 GiB (${MAX_PART_SIZE})`)
  }
  const partCount = partCountOf(size, partSize)
  if (partCount > MAX_PARTS) {
    return Either.left(
      `part_size ${partSize} cuts ${size} bytes into ${partCount} parts; the contract allows at most ${MAX_PARTS}`
    )
  }
  if (session.parts.length !== partCount) {
    return Either.left(
      `the session has ${session.parts.length} parts; ${size} bytes in parts of ${partSize} need ${partCount}`
    )
  }
  const parts = [...session.parts].sort((a, b) => a.partNumber - b.partNumber)
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]
    if (part === undefined || part.partNumber !== index + 1) {
      return Either.left(`the session's part numbers are not 1 to ${partCount}, each once`)
    }
    if (!isHttpUrl(part.url)) return Either.left(`part ${part.partNumber}'s URL is not an absolute http(s) URL`)
  }
  return Either.right({ partSize, partCount, parts })
}

/**
 * Checks `session` for an upload of `size` bytes; a `DecodeError` (`description` starting with
 * `invalid_session`) names the first broken rule. `url` is the initiate URL, for the error.
 * @internal
 */
export const check = (
  session: Domain.UploadSession,
  size: number,
  url: string
): Either.Either<Checked, Errors.DecodeError> =>
  Either.mapLeft(
    problem(session, size),
    (description) => new Errors.DecodeError({ method: "POST", url, description: `invalid_session: ${description}` })
  )
