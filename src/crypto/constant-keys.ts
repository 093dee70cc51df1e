/**
 * AES-CMAC keys that the spec fixes (f5's SALT, the SALTs of h7's key
 * conversions): public constants, so a backend may keep their ciphers for the
 * life of the process. A backend must keep nothing that depends on a message
 * (the node backend uses ECB with the chaining done outside OpenSSL).
 * @module
 */

const constantKeys = new WeakSet<Uint8Array>();

/**
 * Marks a module's own constant key array (never changed after this call) as
 * public, and returns it.
 * @example
 * ```ts
 * const F5_SALT_LE = constantKey(reverse(fromHex('6c888391aaf5a53860370bdb5a6083be')));
 * ```
 */
export function constantKey(key: Uint8Array): Uint8Array {
  constantKeys.add(key);
  return key;
}

/**
 * Whether `key` is one of the spec's constant keys, marked by {@link constantKey}.
 * @example
 * ```ts
 * isConstantKey(F5_SALT_LE); // true; a nonce or a DHKey-derived key: false
 * ```
 */
export function isConstantKey(key: Uint8Array): boolean {
  return constantKeys.has(key);
}
