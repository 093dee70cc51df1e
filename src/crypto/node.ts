/**
 * `ble-smp/crypto/node`: the `node:crypto` (OpenSSL) backend, kept on its own
 * subpath so that `ble-smp/crypto` imports nothing Node-specific.
 * @example
 * ```ts
 * import { setDefaultBackend } from 'ble-smp/crypto';
 * import { nodeBackend } from 'ble-smp/crypto/node';
 * setDefaultBackend(nodeBackend);
 * ```
 * @module
 */
export { nodeBackend } from './backends/node.js';
