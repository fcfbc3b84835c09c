import { type Domain, FluidCloud, Sync } from "@fluidcloud/core"
import { Console, Effect, Stream } from "effect"

export const publishOutputs = (spaceId: Domain.SpaceId) =>
  Effect.gen(function* () {
    const fc = yield* FluidCloud.FluidCloud

    // Mirror ./out into the folder results/job-7 (created if missing): only what changed is sent,
    // replaced files go to the trash, and each file's client key is its path under the prefix.
    yield* fc.sync
      .push(
        "./out",
        { spaceId, path: "results/job-7" },
        { exclude: ["**/*.tmp"], delete: true, jobs: 8, clientKeyPrefix: "results/job-7" }
      )
      .pipe(
        Stream.runForEach(
          Sync.SyncEvent.$match({
            Planned: () => Effect.void,
            FolderCreated: (e) => Console.log(`mkdir ${e.path}`),
            Progress: () => Effect.void,
            Uploaded: (e) => Console.log(`uploaded ${e.path} as ${e.file.id}`),
            Downloaded: () => Effect.void,
            Skipped: () => Effect.void,
            Deleted: (e) => Console.log(`trashed ${e.path}`),
            Warning: (e) => Console.warn(`${e.path}: ${e.detail}`),
            // a failed file never stops the others
            Failed: (e) => Console.error(`${e.action} ${e.path}: ${e.error.message}`),
            Summary: (s) => Console.log(`${s.uploaded} uploaded, ${s.skipped} unchanged, ${s.failed} failed`)
          })
        )
      )

    // And back, elsewhere: verified downloads through .part files; a dry run first.
    const plan = yield* fc.sync
      .pull({ spaceId, path: "results/job-7" }, "./restore", { dryRun: true })
      .pipe(Stream.filter(Sync.SyncEvent.$is("Planned")), Stream.runCollect)
    yield* Console.log(`${plan.length} actions planned`)
    yield* fc.sync.pull({ spaceId, path: "results/job-7" }, "./restore").pipe(Stream.runDrain)
  })
