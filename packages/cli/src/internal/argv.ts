/**
 * The command line, made parseable before `@effect/cli` sees it:
 *
 * - global options after the command (`spaces create NAME --api-key KEY`, `files upload a.bin
 *   b.bin --space ID --json`): `@effect/cli` reads the global options only in front of the
 *   command, and would take one after it for an argument (a Space named after the key, a path
 *   named `--json`), so every global option that follows the command (up to a `--`) is moved in
 *   front of it, where it belongs (but `files wait`'s own `--timeout`, the wait for the scan);
 * - `-` (stdin) as a path of `files upload`: `@effect/cli` reads a lone `-` at the head of the
 *   arguments as an unknown flag (`files upload - --space ID` would fail), so a `-` that is a
 *   path (not the value of one of its options) becomes `STDIN`.
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

/** Whether `arg`, named `name`, is a global option (`--json`, or a value option written `--name=value`). */
const isGlobal = (arg: string, name: string): boolean =>
  globalFlags.has(name) || (globalValueOptions.has(name) && arg.includes("="))

/** @internal */
export const normalize = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  // the command starts at the first word that is neither an option nor a global option's value
  let command = -1
  for (let index = 2; index < argv.length; index++) {
    const arg = argv[index] ?? ""
    if (arg === "--") break
    if (globalValueOptions.has(arg)) index++
    else if (!arg.startsWith("-")) {
      command = index
      break
    }
  }
  if (command < 0) return argv
  const upload = argv[command] === "files" && argv[command + 1] === "upload"
  // `files wait` has an option of its own named `--timeout` (how long to wait for the scan)
  const ownTimeout = argv[command] === "files" && argv[command + 1] === "wait"
  const hoists = (name: string) => !(ownTimeout && name === "--timeout")
  const hoisted: Array<string> = []
  const rest: Array<string> = []
  let forced = false
  for (let index = command; index < argv.length; index++) {
    const arg = argv[index] ?? ""
    const previous = argv[index - 1] ?? ""
    const name = arg.split("=")[0] ?? arg
    // after `--`, every argument is an argument
    if (forced || arg === "--") {
      forced = true
      rest.push(upload && arg === "-" ? STDIN : arg)
    } else if (isGlobal(arg, name) && hoists(name)) hoisted.push(arg)
    else if (globalValueOptions.has(arg) && hoists(arg)) {
      hoisted.push(arg, argv[index + 1] ?? "")
      index++
    } else rest.push(upload && index > command + 1 && arg === "-" && !valueOptions.has(previous) ? STDIN : arg)
  }
  return [...argv.slice(0, command), ...hoisted, ...rest]
}
