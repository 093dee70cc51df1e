/**
 * The backend on `node:crypto` (OpenSSL): the default under Node.js, and the
 * fastest choice there.
 * @module
 */
import * as nodeCrypto from 'node:crypto';
import type { CryptoBackend } from '../backend.js';
import { opensslBackend } from './openssl.js';

/**
 * The `node:crypto` backend (OpenSSL AES, CMAC over AES-CBC, and ECDH). Under
 * Node it is already the default; name it to be explicit, or to bind a toolbox.
 * @example
 * ```ts
 * import { setDefaultBackend } from 'ble-smp/crypto';
 * import { nodeBackend } from 'ble-smp/crypto/node';
 * setDefaultBackend(nodeBackend);
 * ```
 */
export const nodeBackend: CryptoBackend = opensslBackend(nodeCrypto);
