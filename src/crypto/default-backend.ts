/**
 * Which backend the toolbox functions use when none is passed.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './backends/noble.js';

let current: CryptoBackend = nobleBackend;

/**
 * The backend used when a toolbox function is called without one (the pure-JS
 * backend unless {@link setDefaultBackend} chose another).
 * @example
 * ```ts
 * defaultBackend().name; // 'noble'
 * ```
 */
export function defaultBackend(): CryptoBackend {
  return current;
}

/**
 * Chooses the backend for calls that do not pass one; returns the previous one.
 * @example
 * ```ts
 * import { setDefaultBackend } from 'ble-smp/crypto';
 * import { nodeBackend } from 'ble-smp/crypto/node';
 * setDefaultBackend(nodeBackend);
 * ```
 */
export function setDefaultBackend(backend: CryptoBackend): CryptoBackend {
  for (const method of ['e', 'cmac', 'p256GenerateKeyPair', 'p256PublicKey', 'p256Ecdh'] as const) {
    if (typeof backend?.[method] !== 'function') {
      throw new TypeError(`setDefaultBackend: backend has no ${method} function`);
    }
  }
  const previous = current;
  current = backend;
  return previous;
}
