/**
 * @since 0.1.0
 */

/**
 * The emulator model service, its helpers and fault injection.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * The emulator as a real HTTP server.
 *
 * @since 0.1.0
 */
export * as EmulatorServer from "./EmulatorServer.js"

/**
 * The emulator as an in-process `HttpClient` (and `FluidCloud` client) layer.
 *
 * @since 0.1.0
 */
export * as FluidCloudTest from "./FluidCloudTest.js"
