/**
 * `ble-smp/crypto/node`: the `node:crypto` (OpenSSL) backend by name. It is
 * already the default under Node.js (`ble-smp/crypto` finds `node:crypto` at
 * run time, without importing it); import it to choose it explicitly or to
 * bind a toolbox to it.
 * @example
 * ```ts
 * import { setDefaultBackend } from 'ble-smp/crypto';
 * import { nodeBackend } from 'ble-smp/crypto/node';
 * setDefaultBackend(nodeBackend);
 * ```
 * @module
 */
export { nodeBackend } from './backends/node.js';
