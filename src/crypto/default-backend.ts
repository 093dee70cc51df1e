/**
 * Which backend the toolbox functions use when none is passed: OpenSSL
 * through `node:crypto` where the runtime has it (Node.js; also Deno and Bun,
 * which provide `process.getBuiltinModule`), else the pure-JavaScript one.
 * The module is found at run time, with no static import of `node:crypto`, so
 * `ble-smp/crypto` still loads in a browser or a worker without Node's modules.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './backends/noble.js';
import { type OpenSslApi, opensslBackend } from './backends/openssl.js';

/**
 * The backend of this runtime: `node:crypto` when `process.getBuiltinModule`
 * (Node.js 20.16 and later) gives it, else the pure-JavaScript backend.
 */
function platformBackend(): CryptoBackend {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  let api: Partial<OpenSslApi> | undefined;
  try {
    api = process?.getBuiltinModule?.('node:crypto') as Partial<OpenSslApi> | undefined;
  } catch {
    api = undefined;
  }
  return typeof api?.createCipheriv === 'function' && typeof api.createECDH === 'function'
    ? opensslBackend(api as OpenSslApi)
    : nobleBackend;
}

let current: CryptoBackend = platformBackend();

/**
 * The backend used when a toolbox function is called without one: under
 * Node.js the `node:crypto` (OpenSSL) backend, where `node:crypto` is absent
 * the pure-JavaScript one, unless {@link setDefaultBackend} chose another.
 * @example
 * ```ts
 * defaultBackend().name; // 'node' under Node.js, 'noble' in a browser
 * ```
 */
export function defaultBackend(): CryptoBackend {
  return current;
}

/**
 * Chooses the backend for calls that do not pass one; returns the previous one.
 * @example
 * ```ts
 * import { nobleBackend, setDefaultBackend } from 'ble-smp/crypto';
 * setDefaultBackend(nobleBackend); // the pure-JavaScript backend, even under Node.js
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
