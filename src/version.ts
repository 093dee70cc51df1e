/**
 * The package version.
 * @module
 */

/**
 * The version of ble-smp, as in its package.json.
 * @example
 * ```ts
 * import { VERSION } from 'ble-smp';
 * console.log(VERSION); // '0.1.0'
 * ```
 */
export const VERSION = '0.1.0';
