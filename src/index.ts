/**
 * `ble-smp`: a Bluetooth LE Security Manager (SMP) and HCI host in TypeScript.
 * This release ships the crypto toolbox; the pairing engine, the HCI host and
 * the bond stores join this entry point as they land.
 *
 * @example
 * ```ts
 * import { crypto, nodeBackend } from 'ble-smp';
 * crypto.setDefaultBackend(nodeBackend);
 * ```
 * @module
 */
export * as crypto from './crypto/index.js';
export { nodeBackend } from './crypto/node.js';
export { VERSION } from './version.js';
