/**
 * The one URL builder: the API prefix (the base URL + `/api/v1`), path templates filled with
 * encoded parameters, and the form of a URL that is safe to show (no query: presigned URLs sign
 * there).
 *
 * @internal
 */

/** @internal */
export const API_PREFIX = "/api/v1"
/** @internal */
export const DEFAULT_BASE_URL = "https://api-cloud.fluidvip.com"

/**
 * The API prefix of a base URL: `https://host[:port][/path]/api/v1`, normalised as the `URL`
 * parser writes it (lower-case scheme and host, no default port), so that it compares equal to a
 * URL the platform rebuilt. A base URL that does not parse is kept as written: its requests then
 * fail as they are sent, with a `TransportError`.
 * @internal
 */
export const apiPrefix = (baseUrl: string | undefined): string => {
  const raw = `${(baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")}${API_PREFIX}`
  try {
    const url = new URL(raw)
    return url.search === "" && url.hash === "" ? url.href.replace(/\/+$/, "") : raw
  } catch {
    return raw
  }
}

/** Whether `url` is under the API prefix: the only URLs the key may go to. @internal */
export const isUnder = (prefix: string, url: string): boolean =>
  url.length > prefix.length && url.startsWith(prefix) && (url[prefix.length] === "/" || url[prefix.length] === "?")

/**
 * Compiles a path template (`/files/{file_id}/download`) once into a function of its parameters,
 * each percent-encoded. A template parameter missing from `params` is a defect of the operation
 * table, never of the caller's input (the input schemas require every path parameter).
 * @internal
 */
export const template = (path: string): ((params: { readonly [name: string]: string } | undefined) => string) => {
  const parts = path.split(/\{([a-z_]+)\}/)
  if (parts.length === 1) return () => path
  return (params) => {
    let out = ""
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] ?? ""
      if (index % 2 === 0) {
        out += part
      } else {
        const value = params?.[part]
        if (value === undefined) throw new Error(`FluidCloud: the path parameter ${part} of ${path} is missing`)
        out += encodeURIComponent(value)
      }
    }
    return out
  }
}

/** The names of a path template's parameters, in order. @internal */
export const templateParams = (path: string): ReadonlyArray<string> =>
  Array.from(path.matchAll(/\{([a-z_]+)\}/g), (match) => match[1] ?? "")

/** A URL without its query string or fragment, safe to show (presigned URLs sign there). @internal */
export const displayUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  return cut === -1 ? url : url.slice(0, cut)
}
