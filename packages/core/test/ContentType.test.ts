/**
 * The content types uploads are given by name (internal/contentType.ts): each extension of the
 * small table gives what the `mime` package gives, names are read as `mime.getType` reads them,
 * and an extension outside the table gives none (the upload is then sent without one).
 */
import { describe, expect, it } from "@effect/vitest"
import mime from "mime"
import * as ContentType from "../src/internal/contentType.js"

describe("content types by name", () => {
  it("every extension of the table has the type mime gives it", () => {
    const known = ContentType.extensions()
    expect(known.length).toBeGreaterThan(80)
    for (const ext of known) expect([ext, ContentType.getType(`file.${ext}`)]).toEqual([ext, mime.getType(ext)])
  })

  it("names are read as mime reads them: last segment, last dot, any case, a bare extension", () => {
    const names = [
      "photo.PNG",
      "archive.tar.gz",
      "dir/report.pdf",
      "dir\\notes.txt",
      "pdf",
      ".png",
      "dir/pdf",
      "dir.d/README",
      "file.",
      "",
      "a.b/c",
      "x.JPEG"
    ]
    for (const name of names) expect([name, ContentType.getType(name)]).toEqual([name, mime.getType(name)])
  })

  it("an extension outside the table gives no type", () => {
    expect(ContentType.getType("model.glb")).toBeNull()
    expect(ContentType.getType("no-extension")).toBeNull()
  })
})
