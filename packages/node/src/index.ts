/**
 * @since 0.1.0
 */

/**
 * Node.js layers of the FluidCloud client.
 *
 * @since 0.1.0
 */
export * as NodeFluidCloud from "./NodeFluidCloud.js"
