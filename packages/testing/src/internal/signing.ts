/**
 * Presigned storage URLs: the API signs a path and an expiry with the emulator's secret (part
 * PUT URLs at initiate, download URLs), and the storage origin checks both.
 *
 * @internal
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import type { Config } from "./state.js"

const sign = (config: Config, path: string, expires: number) =>
  createHmac("sha256", config.secret).update(`${path}\n${expires}`).digest("hex")

/** A URL of the storage origin for `path`, valid until `expiresMs` (rounded down to the second). @internal */
export const signedUrl = (config: Config, path: string, expiresMs: number): string => {
  const expires = Math.floor(expiresMs / 1000)
  return `${config.storageUrl}${path}?expires=${expires}&signature=${sign(config, path, expires)}`
}

/** Whether a request URL carries a valid, unexpired signature of its path. @internal */
export const verify = (config: Config, url: URL, now: number): boolean => {
  const expires = url.searchParams.get("expires")
  const signature = url.searchParams.get("signature")
  if (expires === null || signature === null || !/^\d+$/.test(expires)) return false
  const expected = Buffer.from(sign(config, url.pathname, Number(expires)))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false
  return Number(expires) * 1000 > now
}
