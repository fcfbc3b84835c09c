/**
 * @since 0.1.0
 */

/**
 * The `fluidcloud` command-line tool: its command tree and `run(argv)`.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
