import { type Domain, FluidCloud } from "@fluidcloud/core"
import { Console, Effect, Stream } from "effect"

export const fetchReport = (fileId: Domain.FileId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud

    // To a file (Node): written to report.pdf.part, renamed once its sha256 matched. After a
    // crash or Ctrl-C, `resume: true` continues the .part from its length.
    const saved = yield* fc.files.downloadTo(fileId, "./report.pdf", {
      resume: true,
      onProgress: (event) =>
        event._tag === "Progress" ? Console.log(`${event.receivedBytes}/${event.totalBytes} bytes`) : Effect.void
    })
    yield* Console.log(`${saved.path}: ${saved.size} bytes, sha256 ${saved.sha256}`)

    // As a stream of bytes, on any platform: memory stays flat, and the sha256 is checked
    // once the last byte arrived (IntegrityError otherwise).
    const size = yield* fc.files.download(fileId).pipe(Stream.runFold(0, (n, chunk) => n + chunk.byteLength))

    // Part of a file: 1 KiB from byte 4096 (a range is checked by its ETag, not hashed).
    const header = yield* fc.files.download(fileId, { range: { offset: 4096, length: 1024 } }).pipe(Stream.runCollect)

    return { saved, size, header }
  }).pipe(
    // a dropped connection, a stall, a 5xx or an expired URL resumed from the last byte, until the
    // retry schedule gave up
    Effect.catchTag("TransportError", (e) => Console.error(`download failed: ${e.message}`))
  )
