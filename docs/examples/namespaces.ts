import { Domain, FluidCloud } from "@fluidcloud/core"
import { Effect, Option } from "effect"

export const tour = Effect.gen(function* () {
  const fc = yield* FluidCloud.FluidCloud

  // Spaces
  const brand = yield* fc.spaces.create("Brand Assets")

  // Folders: list the Space root, inside a folder, or the trash
  const inbox = yield* fc.folders.create("inbox", brand.id)
  const top = yield* fc.folders.list(brand.id)
  const children = yield* fc.folders.list(brand.id, { parentId: inbox.id })
  yield* fc.folders.rename(inbox.id, "incoming")
  yield* fc.folders.move(inbox.id, null) // null = the Space root (sent explicitly)
  yield* fc.folders.delete(inbox.id) // soft delete to trash
  const trashed = yield* fc.folders.list(brand.id, { trash: true })
  yield* fc.folders.restore(inbox.id)

  // Files: ids you stored yourself become branded ids with `make`
  const fileId = Domain.FileId.make("6f1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10")
  const file = yield* fc.files.get(fileId)
  const same = yield* Option.match(file.clientKey, {
    onNone: () => Effect.succeed(file),
    onSome: (key) => fc.files.resolve(key)
  })
  yield* fc.files.rename(file.id, "logo-final.png")
  yield* fc.files.move(file.id, inbox.id)
  const url = yield* fc.files.downloadUrl(file.id) // short-lived presigned GET
  const hotlink = yield* fc.files.publicUrl(file.id) // permanent, until revoked
  const expiring = yield* fc.files.signedUrl(file.id, { expiresInDays: 7, permission: "download" })

  // Shares and quota
  const active = yield* fc.shares.list({ fileId: file.id })
  yield* fc.shares.revoke(expiring.id)
  const quota = yield* fc.quota.usage()

  return { top, children, trashed, same, url, hotlink, active, quota }
})
