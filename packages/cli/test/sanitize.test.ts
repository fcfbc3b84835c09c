/**
 * Nothing that came from a server or a file name reaches the terminal raw: escape sequences and
 * control characters are stripped from tables, key/value blocks, URLs and error lines; `--json`
 * escapes what JSON leaves raw.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Domain, Errors, FluidCloud, TerminalText } from "@fluidcloud/core"
import { FluidCloudTest } from "@fluidcloud/testing"
import { Effect, Schema } from "effect"
import * as ExitCodes from "../src/internal/exitCodes.js"
import * as Sanitize from "../src/internal/sanitize.js"
import { fluidcloud, runWith } from "./inProcess.js"

/** What must never be printed raw: C0 controls but the line feed, DEL, C1 controls, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

const ESC = "\u001b"
const BEL = "\u0007"

describe("Sanitize", () => {
  // the cases of escape sequences and controls are TerminalText's (core's TerminalText.test.ts)
  it("Sanitize.text is the SDK's TerminalText.sanitize", () => {
    for (const raw of [`${ESC}]0;pwned${BEL}report.pdf`, "safe.txt\revil.sh", "invoice\u202egpj.exe", "plain"]) {
      expect(Sanitize.text(raw)).toBe(TerminalText.sanitize(raw))
      expect(Sanitize.text(raw)).not.toMatch(unsafe)
    }
    expect(Sanitize.text(`${ESC}[31mred${ESC}[0m.txt`)).toBe("red.txt")
  })

  it("Sanitize.json escapes what JSON.stringify leaves raw, and decodes to the same value", () => {
    const value = { name: `a${ESC}[31m\u009b1m\u202egpj\u2028\u007f` }
    const document = Sanitize.json(JSON.stringify(value))
    expect(document).not.toMatch(unsafe)
    expect(document).toContain("\\u009b")
    expect(document).toContain("\\u202e")
    expect(JSON.parse(document)).toEqual(value)
  })
})

describe("error lines", () => {
  it("strip escapes from the detail and the request id, on one line", () => {
    const error = new Errors.NotFoundError({
      status: 404,
      detail: `not_found${ESC}]0;pwned${BEL}${ESC}[2J\rFAKE`,
      requestId: `req${ESC}[31m_1`
    })
    expect(ExitCodes.describe(error)).toBe("fluidcloud: NotFoundError (HTTP 404): not_found FAKE [request req_1]")
    const decode = new Errors.DecodeError({
      method: "GET",
      url: "https://x",
      description: `bad ${ESC}[31mname`,
      requestId: `req${ESC}]8;;x${BEL}_2`
    })
    expect(ExitCodes.describe(decode)).toBe("fluidcloud: DecodeError: GET https://x: bad name [request req_2]")
  })

  it("the --public failure names the stored file and exits with its error's code", () => {
    const error = new ExitCodes.NotPublicError({
      fileId: Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      error: new Errors.ConflictError({ status: 409, detail: `file_infected${ESC}[8m` })
    })
    expect(ExitCodes.codeOf(error)).toBe(6)
    expect(ExitCodes.describe(error)).toBe(
      "fluidcloud: ConflictError (HTTP 409): file_infected; file 6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10 was stored but is not public"
    )
  })
})

describe("fluidcloud against a server that returns hostile text", () => {
  const hostileName = `${ESC}]0;pwned${BEL}Job${ESC}[31m Outputs\u202e\r`

  it.scoped("tables, key/value blocks and --json of names and client keys", () =>
    Effect.gen(function* () {
      const fc = yield* FluidCloud.FluidCloud
      const space = yield* fc.spaces.create(hostileName)
      yield* fc.folders.create(`in${ESC}[2Jbox`, space.id)
      const file = yield* fc.files.upload(new TextEncoder().encode("hello"), space.id, {
        name: `a${ESC}]8;;https://evil.example${ESC}\\b.txt`,
        clientKey: `key\u009b2J\bX`
      })

      const results = yield* Effect.all([
        fluidcloud("spaces", "ls"),
        fluidcloud("folders", "ls", "--space", space.id),
        fluidcloud("files", "ls", "--space", space.id),
        fluidcloud("files", "get", file.id),
        fluidcloud("spaces", "create", hostileName)
      ])
      for (const result of results) {
        expect(result.code).toBe(0)
        expect(result.stdout).not.toMatch(unsafe)
      }
      const [spaces, folders, files, get, created] = results.map((result) => result.stdout)
      expect(spaces).toMatch(/\n\S+ +Job Outputs {3}\d{4}-/)
      expect(folders).toContain("inbox")
      expect(files).toMatch(/ab\.txt +5 B .* keyX\n$/)
      expect(get).toMatch(/\nname +ab\.txt\n/)
      expect(get).toMatch(/\nclient key +keyX\n/)
      expect(created).toMatch(/\nname +Job Outputs \n/)

      const json = yield* fluidcloud("--json", "files", "get", file.id)
      expect(json.stdout).not.toMatch(unsafe)
      const decoded = Schema.decodeUnknownSync(Schema.parseJson(Domain.FluidFile))(json.stdout)
      expect(decoded.originalName).toBe(file.originalName)
    }).pipe(Effect.provide(FluidCloudTest.layer({ scanDelay: 0 })))
  )

  /** A fake API: a download URL with a hidden hyperlink, and a 404 whose detail clears the screen. */
  const hostile = HttpClient.make((request, url) =>
    Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        url.pathname.endsWith("/download")
          ? Response.json({
              url: `https://storage.example/f${ESC}]8;;https://evil.example${BEL}click${ESC}]8;;${BEL}`,
              expires_at: "2030-01-01T00:00:00Z"
            })
          : Response.json({ detail: `not_found${ESC}[2J${ESC}[H\rAll good` }, { status: 404 })
      )
    )
  )
  const args = ["--api-key", "fck_test_hostile", "--base-url", "http://api.hostile.test"]
  const fileId = "6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"

  it.effect("URLs and error details", () =>
    Effect.gen(function* () {
      const [url, notFound] = yield* Effect.all([
        runWith(hostile, [...args, "files", "url", fileId]),
        runWith(hostile, [...args, "files", "get", fileId])
      ])
      expect(url).toEqual({ code: 0, stdout: "https://storage.example/fclick\n", stderr: "" })
      expect(notFound).toEqual({
        code: 5,
        stdout: "",
        stderr: "fluidcloud: NotFoundError (HTTP 404): not_found All good\n"
      })
    })
  )
})
