import { type Domain, FluidCloud, Upload } from "@fluidcloud/core"
import { Console, Effect, Stream } from "effect"

export const uploadReport = (spaceId: Domain.SpaceId, folderId: Domain.FolderId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud

    // A path (Node), with a progress callback. Name and content type come from the path.
    const file = yield* fc.files.upload("./out/report.pdf", spaceId, {
      folderId,
      clientKey: "results/job-7/report.pdf",
      concurrency: 4,
      onProgress: (event) =>
        event._tag === "PartUploaded" ? Console.log(`${event.uploadedBytes}/${event.totalBytes} bytes`) : Effect.void
    })

    // Bytes, minting a public hotlink once the scan is clean.
    const logo = yield* fc.files.upload(new TextEncoder().encode("<svg/>"), spaceId, {
      name: "logo.svg",
      public: true
    })
    yield* Console.log(logo.publicUrl)

    // Or as a stream of events.
    yield* fc.files.uploadStream(new Blob(["hello"]), spaceId, { name: "hello.txt" }).pipe(
      Stream.runForEach(
        Upload.UploadEvent.$match({
          Started: (e) => Console.log(`upload ${e.uploadId}: ${e.partCount} parts`),
          Progress: (e) => Console.log(`${e.sentBytes}/${e.totalBytes} bytes sent`),
          PartUploaded: (e) => Console.log(`part ${e.partNumber} stored`),
          Completed: (e) => Console.log(`stored as ${e.file.id}`)
        })
      )
    )
    return file
  })
