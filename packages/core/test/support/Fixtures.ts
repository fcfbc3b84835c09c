/**
 * Wire objects (snake_case, as the API sends them) and their ids, for the client's unit tests.
 * Each carries an unknown field the SDK must ignore.
 */
import { Domain } from "../../src/index.js"

export const SPACE_ID = Domain.SpaceId.make("0b6f3c1e-6a1f-4a57-9a55-4d1b5c6b2f10")
export const FOLDER_ID = Domain.FolderId.make("1c7a4d2f-7b20-4b68-8b66-5e2c6d7c3a21")
export const PARENT_ID = Domain.FolderId.make("2d8b5e30-8c31-4c79-9c77-6f3d7e8d4b32")
export const FILE_ID = Domain.FileId.make("3e9c6f41-9d42-4d8a-8d88-704e8f9e5c43")
export const SHARE_ID = Domain.ShareId.make("4fad7052-ae53-4e9b-9e99-815f90af6d54")
export const UPLOAD_ID = Domain.UploadId.make("5b1c1f5e-2d55-4c39-9a0e-3f7d2b8c4a10")

export const CREATED = "2025-01-02T03:04:05Z"
export const UPDATED = "2025-01-02T03:04:06.250Z"

export const spaceWire = (overrides: Record<string, unknown> = {}) => ({
  id: SPACE_ID,
  name: "Brand Assets",
  created_at: CREATED,
  updated_at: UPDATED,
  tenant_region: "eu-west",
  ...overrides
})

export const folderWire = (overrides: Record<string, unknown> = {}) => ({
  id: FOLDER_ID,
  name: "inbox",
  space_id: SPACE_ID,
  parent_id: PARENT_ID,
  deleted_at: null,
  created_at: CREATED,
  updated_at: UPDATED,
  item_count: 3,
  ...overrides
})

export const fileWire = (overrides: Record<string, unknown> = {}) => ({
  id: FILE_ID,
  original_name: "out.png",
  space_id: SPACE_ID,
  folder_id: FOLDER_ID,
  mime: "image/png",
  size: 1234,
  sha256: "a".repeat(64),
  scan_status: "clean",
  status: "ready",
  client_key: "results/job-7/out.png",
  deleted_at: null,
  created_at: CREATED,
  updated_at: UPDATED,
  storage_class: "standard",
  ...overrides
})

export const linkWire = (overrides: Record<string, unknown> = {}) => ({
  url: "https://files.fluidadmin.com/s/tok_abc",
  id: SHARE_ID,
  permission: "view",
  expires_at: null,
  token_hint: "abc",
  ...overrides
})

export const shareWire = (overrides: Record<string, unknown> = {}) => ({
  id: SHARE_ID,
  file_id: FILE_ID,
  permission: "download",
  expires_at: "2025-02-01T00:00:00Z",
  max_downloads: null,
  download_count: 2,
  revoked: false,
  has_password: true,
  created_at: CREATED,
  updated_at: UPDATED,
  edge_cached: true,
  ...overrides
})

export const quotaWire = (overrides: Record<string, unknown> = {}) => ({
  bytes_used: 1000,
  bytes_limit: 5000,
  links_used: 3,
  links_limit: -1,
  plan: "pro",
  ...overrides
})
