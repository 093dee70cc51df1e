/**
 * Encryption key size masking (Core Vol 3 Part H 2.3.4).
 * @module
 */
import { integer, octets } from './check.js';

/**
 * A 16-octet key (STK or LTK, little-endian) shortened to `keySize` octets:
 * the most significant `16 - keySize` octets are set to zero (Core Vol 3
 * Part H 2.3.4). Returns a new array.
 * @example
 * ```ts
 * maskKey(stk, 7); // octets 7..15 are zero
 * ```
 */
export function maskKey(key: Uint8Array, keySize: number): Uint8Array {
  octets('maskKey', 'key', key, 16);
  integer('maskKey', 'keySize', keySize, 7, 16);
  const out = key.slice();
  out.fill(0, keySize);
  return out;
}
