/**
 * The command line of `files upload`, made parseable before `@effect/cli` sees it:
 *
 * - `-` (stdin) as a path: `@effect/cli` reads a lone `-` at the head of the arguments as an
 *   unknown flag (`files upload - --space ID` would fail), so a `-` that is a path of
 *   `files upload` (not the value of one of its options) becomes `STDIN`;
 * - global options after the paths (`files upload a.bin b.bin --space ID --json`): the paths
 *   are variadic and would take `--json` for one, so the global options that follow
 *   `files upload` are moved in front of `files`, where they belong.
 *
 * Other commands are left as they are.
 *
 * @internal
 */

/** What `-` becomes (no argument can hold a NUL). @internal */
export const STDIN = "\u0000stdin"

/** Whether a path of `files upload` means stdin. @internal */
export const isStdin = (path: string): boolean => path === "-" || path === STDIN

/** The options of `files upload` that take a value (a `-` after one of them is that value). @internal */
export const valueOptions: ReadonlySet<string> = new Set([
  "--space",
  "--folder",
  "--name",
  "--content-type",
  "--client-key",
  "--concurrency",
  "--part-size",
  "--size",
  "--jobs"
])

/** The global options (`globals.ts`): those that take a value, and `--json`. */
const globalValueOptions: ReadonlySet<string> = new Set(["--api-key", "--base-url", "--timeout"])
const globalFlags: ReadonlySet<string> = new Set(["--json"])

/** @internal */
export const normalize = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const files = argv.findIndex((arg, index) => arg === "files" && argv[index + 1] === "upload")
  if (files < 0) return argv
  const hoisted: Array<string> = []
  const rest: Array<string> = []
  let forced = false
  for (let index = files + 2; index < argv.length; index++) {
    const arg = argv[index] ?? ""
    const previous = argv[index - 1] ?? ""
    const name = arg.split("=")[0] ?? arg
    // after `--`, every argument is a path
    if (forced || arg === "--") {
      forced = true
      rest.push(arg === "-" ? STDIN : arg)
    } else if (globalFlags.has(name) || (globalValueOptions.has(name) && arg.includes("="))) hoisted.push(arg)
    else if (globalValueOptions.has(arg)) {
      hoisted.push(arg, argv[index + 1] ?? "")
      index++
    } else rest.push(arg === "-" && !valueOptions.has(previous) ? STDIN : arg)
  }
  return [...argv.slice(0, files), ...hoisted, "files", "upload", ...rest]
}
