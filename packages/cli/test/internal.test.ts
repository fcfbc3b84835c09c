/**
 * The CLI's pieces in process (no subprocess): exit codes against docs/cli.md, the progress
 * reporter under TestClock, formatting, and `Cli.run` on usage errors.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Domain, Errors, type FluidCloud, Upload } from "@fluidcloud/core"
import { ConfigProvider, Duration, Effect, TestClock } from "effect"
import { Cli } from "../src/index.js"
import * as Argv from "../src/internal/argv.js"
import * as ExitCodes from "../src/internal/exitCodes.js"
import * as Format from "../src/internal/format.js"
import * as Progress from "../src/internal/progress.js"
import { clientLayer, runWithLayer } from "./inProcess.js"

const MiB = 1024 * 1024

describe("exit codes", () => {
  const errors: ReadonlyArray<ExitCodes.CliError> = [
    new Errors.ValidationError({ field: "f", description: "d" }),
    new Errors.AuthError({ status: 401, detail: "invalid_api_key" }),
    new Errors.PermissionError({ status: 403, detail: "insufficient_scope" }),
    new Errors.NotFoundError({ status: 404, detail: "not_found", requestId: "req_1" }),
    new Errors.ConflictError({ status: 409, detail: "file_not_ready" }),
    new Errors.QuotaExceededError({ status: 402, detail: "quota_exceeded" }),
    new Errors.RateLimitError({ status: 429, detail: "rate_limited" }),
    new Errors.ApiError({ status: 500, detail: "internal_error" }),
    new Errors.TransportError({ reason: "Timeout", method: "GET", url: "https://x/api/v1/quota" }),
    new Errors.DecodeError({ method: "GET", url: "https://x", description: "bad\n  nested", requestId: "req_2" }),
    new Errors.IntegrityError({
      fileId: Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      expected: "a",
      actual: "b"
    }),
    new Errors.SourceError({ description: "no such file" }),
    new ExitCodes.ConfigError({ description: "no API key" }),
    new Errors.TargetError({ description: "could not open out.bin.part: permission denied" })
  ]

  it("gives each API error tag its own code, and documents every one in docs/cli.md", () => {
    const codes = errors.map(ExitCodes.codeOf)
    expect(codes).toEqual([14, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 2, 16])
    const docs = readFileSync(fileURLToPath(new URL("../../../docs/cli.md", import.meta.url)), "utf8")
    for (const error of errors) {
      expect(docs).toMatch(new RegExp(`\\| ${ExitCodes.codeOf(error)}\\s+\\|[^\\n]*\`${error._tag}\``))
    }
    for (const row of ExitCodes.table) expect(docs).toMatch(new RegExp(`\\| ${row.code}\\s+\\|`))
  })

  it("describes an error in one line with its tag and request id", () => {
    const lines = errors.map(ExitCodes.describe)
    for (const [i, line] of lines.entries()) {
      expect(line).toBeDefined()
      expect(line).not.toContain("\n")
      expect(line).toContain(errors[i]?._tag)
    }
    expect(lines[3]).toBe("fluidcloud: NotFoundError (HTTP 404): not_found [request req_1]")
    expect(lines[9]).toBe("fluidcloud: DecodeError: GET https://x: bad nested [request req_2]")
  })
})

describe("progress", () => {
  const events = [
    Upload.UploadEvent.Started({
      uploadId: Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      fileId: Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      totalBytes: 10 * MiB,
      partSize: 5 * MiB,
      partCount: 2,
      resumedParts: 0,
      resumedBytes: 0
    }),
    Upload.UploadEvent.PartUploaded({
      partNumber: 2,
      partBytes: 5 * MiB,
      uploadedBytes: 5 * MiB,
      totalBytes: 10 * MiB
    }),
    Upload.UploadEvent.PartUploaded({
      partNumber: 1,
      partBytes: 5 * MiB,
      uploadedBytes: 10 * MiB,
      totalBytes: 10 * MiB
    })
  ]

  const feed = (tty: boolean) =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const onEvent = yield* Progress.make({
        tty,
        width: 10,
        write: (text) => Effect.sync(() => void written.push(text))
      })
      for (const event of events) {
        yield* onEvent(event)
        yield* TestClock.adjust("1 second")
      }
      return written
    })

  it.effect("prints plain lines with bytes, rate and ETA when not a TTY", () =>
    Effect.gen(function* () {
      const written = yield* feed(false)
      expect(written).toEqual([
        "upload started: 10.0 MiB in 2 parts of 5.0 MiB\n",
        "part 2 uploaded (1/2): 5.0 MiB / 10.0 MiB (50%), 5.0 MiB/s, ETA 1s\n",
        "part 1 uploaded (2/2): 10.0 MiB / 10.0 MiB (100%), 5.0 MiB/s, ETA 0s\n"
      ])
    })
  )

  it.effect("redraws one bar in place on a TTY", () =>
    Effect.gen(function* () {
      const written = yield* feed(true)
      expect(written[1]).toBe("\r\x1b[2K[█████░░░░░]  50%  5.0 MiB / 10.0 MiB  5.0 MiB/s  ETA 1s")
      expect(written[2]).toBe("\r\x1b[2K[██████████] 100%  10.0 MiB / 10.0 MiB  5.0 MiB/s  ETA 0s")
    })
  )

  const resumed = [
    Upload.UploadEvent.Started({
      uploadId: Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      fileId: Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10"),
      totalBytes: 10 * MiB,
      partSize: 2 * MiB,
      partCount: 5,
      resumedParts: 3,
      resumedBytes: 6 * MiB
    }),
    Upload.UploadEvent.Progress({ uploadedBytes: 6 * MiB, sentBytes: 7 * MiB, totalBytes: 10 * MiB }),
    Upload.UploadEvent.PartUploaded({ partNumber: 4, partBytes: 2 * MiB, uploadedBytes: 8 * MiB, totalBytes: 10 * MiB })
  ]

  const feedResumed = (tty: boolean, label?: string) =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const onEvent = yield* Progress.make(
        { tty, width: 10, write: (text) => Effect.sync(() => void written.push(text)) },
        label
      )
      for (const event of resumed) {
        yield* TestClock.adjust("1 second")
        yield* onEvent(event)
      }
      return written
    })

  it.effect("a resumed upload: the parts already stored are said, and not counted in the rate", () =>
    Effect.gen(function* () {
      expect(yield* feedResumed(false, "big.iso")).toEqual([
        "big.iso: upload started: 10.0 MiB in 5 parts of 2.0 MiB; resuming: 3 parts (6.0 MiB) already stored\n",
        // no line for Progress; 2 MiB sent in 2 s
        "big.iso: part 4 uploaded (4/5): 8.0 MiB / 10.0 MiB (80%), 1.0 MiB/s, ETA 2s\n"
      ])
    })
  )

  it.effect("on a TTY the bar moves with the bytes sent within a part", () =>
    Effect.gen(function* () {
      const written = yield* feedResumed(true)
      expect(written[0]).toBe("\r\x1b[2K[██████░░░░]  60%  6.0 MiB / 10.0 MiB  0 B/s  ETA --")
      expect(written[1]).toBe("\r\x1b[2K[███████░░░]  70%  7.0 MiB / 10.0 MiB  1.0 MiB/s  ETA 3s")
      expect(written[2]).toBe("\r\x1b[2K[████████░░]  80%  8.0 MiB / 10.0 MiB  1.0 MiB/s  ETA 2s")
    })
  )
})

describe("format", () => {
  it("sizes, tables and key/value blocks", () => {
    expect([0, 512, 1536, 5 * MiB, 3 * 1024 * MiB].map(Format.bytes)).toEqual([
      "0 B",
      "512 B",
      "1.5 KiB",
      "5.0 MiB",
      "3.0 GiB"
    ])
    expect(
      Format.table(
        ["ID", "NAME"],
        [
          ["a", "first"],
          ["bbbb", "x"]
        ]
      )
    ).toBe("ID    NAME\na     first\nbbbb  x")
    expect(Format.table(["ID"], [])).toBe("(none)")
    expect(
      Format.fields([
        ["id", "1"],
        ["name", "n"]
      ])
    ).toBe("id    1\nname  n")
  })
})

describe("--timeout", () => {
  /** A fake API answering every request with an empty quota. */
  const quota = HttpClient.make((request) =>
    Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        Response.json({ bytes_used: 0, bytes_limit: -1, links_used: 0, links_limit: -1 })
      )
    )
  )

  /** Runs `fluidcloud ...args quota` with `env` as the environment; returns the client's timeout. */
  const timeoutGiven = (args: ReadonlyArray<string>, env: ReadonlyArray<readonly [string, string]> = []) =>
    Effect.gen(function* () {
      const seen: Array<FluidCloud.Options["timeout"]> = []
      const result = yield* runWithLayer(
        (options) => {
          seen.push(options.timeout)
          return clientLayer(quota)(options)
        },
        ["--api-key", "fck_test_x", ...args, "quota"]
      ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env))))
      expect(result.code).toBe(0)
      expect(seen).toHaveLength(1)
      return seen[0]
    })

  it.effect("is parsed by FluidCloud.TimeoutFromString and given to the client layer as a Duration", () =>
    Effect.gen(function* () {
      expect(yield* timeoutGiven(["--timeout", "2.5"])).toEqual(Duration.seconds(2.5))
      expect(yield* timeoutGiven(["--timeout", "5 minutes"])).toEqual(Duration.minutes(5))
      // FLUIDCLOUD_TIMEOUT is its fallback; the option wins over it
      expect(yield* timeoutGiven([], [["FLUIDCLOUD_TIMEOUT", "90 seconds"]])).toEqual(Duration.seconds(90))
      expect(yield* timeoutGiven(["--timeout", "30"], [["FLUIDCLOUD_TIMEOUT", "90"]])).toEqual(Duration.seconds(30))
      // without either, the SDK's default applies
      expect(yield* timeoutGiven([])).toBeUndefined()
    })
  )

  it.effect("a bad value is a ConfigError (exit 2) naming it, before any request", () =>
    Effect.gen(function* () {
      const result = yield* runWithLayer(clientLayer(quota), ["--api-key", "fck_test_x", "--timeout", "0", "quota"])
      expect(result).toEqual({
        code: 2,
        stdout: "",
        stderr:
          'fluidcloud: ConfigError: --timeout / FLUIDCLOUD_TIMEOUT: expected a positive number of seconds or a duration such as "5 minutes", got "0"\n'
      })
    })
  )
})

describe("Cli.run", () => {
  it.effect("returns 2 for usage errors and a missing key, before any request", () =>
    Effect.gen(function* () {
      expect(yield* Cli.run(["node", "fluidcloud", "files", "get", "not-a-uuid"])).toBe(2)
      expect(yield* Cli.run(["node", "fluidcloud", "spaces", "frobnicate"])).toBe(2)
      expect(yield* Cli.run(["node", "fluidcloud", "--api-key", "", "quota"])).toBe(2)
      // a --timeout the SDK's parser rejects is a ConfigError, before any request
      expect(yield* Cli.run(["node", "fluidcloud", "--api-key", "fck_test_x", "--timeout", "soon", "quota"])).toBe(2)
    })
  )
})

describe("files upload's command line, made parseable", () => {
  const normalize = (...args: ReadonlyArray<string>) => Argv.normalize(["node", "fluidcloud", ...args])

  it("a path - becomes stdin; the value of an option stays -", () => {
    expect(normalize("files", "upload", "-", "--space", "S")).toEqual([
      "node",
      "fluidcloud",
      "files",
      "upload",
      Argv.STDIN,
      "--space",
      "S"
    ])
    expect(normalize("files", "upload", "a", "--name", "-", "--", "-").slice(4)).toEqual([
      "a",
      "--name",
      "-",
      "--",
      Argv.STDIN
    ])
  })

  it("every command: global options after it move before it (never taken for an argument)", () => {
    expect(normalize("spaces", "create", "NAME", "--api-key", "K")).toEqual([
      "node",
      "fluidcloud",
      "--api-key",
      "K",
      "spaces",
      "create",
      "NAME"
    ])
    expect(normalize("spaces", "create", "--api-key=K", "NAME")).toEqual([
      "node",
      "fluidcloud",
      "--api-key=K",
      "spaces",
      "create",
      "NAME"
    ])
    expect(normalize("--base-url", "http://x", "files", "get", "--json", "ID")).toEqual([
      "node",
      "fluidcloud",
      "--base-url",
      "http://x",
      "--json",
      "files",
      "get",
      "ID"
    ])
    // `files wait --timeout SECONDS` is its own option, left where it is
    expect(normalize("files", "wait", "ID", "--timeout", "60", "--json")).toEqual([
      "node",
      "fluidcloud",
      "--json",
      "files",
      "wait",
      "ID",
      "--timeout",
      "60"
    ])
    // after `--`, everything is an argument
    expect(normalize("spaces", "create", "--", "--json")).toEqual([
      "node",
      "fluidcloud",
      "spaces",
      "create",
      "--",
      "--json"
    ])
  })

  it("global options after the paths move before the command", () => {
    expect(normalize("files", "upload", "a", "b", "--json", "--timeout", "5", "--base-url=http://x")).toEqual([
      "node",
      "fluidcloud",
      "--json",
      "--timeout",
      "5",
      "--base-url=http://x",
      "files",
      "upload",
      "a",
      "b"
    ])
    expect(normalize("files", "download", "ID", "-o", "-", "--json")).toEqual([
      "node",
      "fluidcloud",
      "--json",
      "files",
      "download",
      "ID",
      "-o",
      "-"
    ])
  })
})
