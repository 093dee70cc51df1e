/**
 * The AES building blocks in wire order: e (Core Vol 3 Part H 2.2.1) and
 * AES-CMAC (2.2.5). Wire order means the octets are reversed at the AES
 * boundary, exactly as HCI_LE_Encrypt carries key, plaintext and result.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { anyOctets, octets } from './check.js';
import { defaultBackend } from './default-backend.js';

/**
 * The security function e: AES-128 of one block (Core Vol 3 Part H 2.2.1).
 * Key, plaintext and result are little-endian, as in HCI_LE_Encrypt.
 * @example
 * ```ts
 * // FIPS-197 C.1, little-endian
 * e(fromHex('0f0e0d0c0b0a09080706050403020100'), fromHex('ffeeddccbbaa99887766554433221100'));
 * // -> 5ac5b47080b7cdd830047b6ad8e0c469
 * ```
 */
export function e(
  key: Uint8Array,
  plaintext: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('e', 'key', key, 16);
  octets('e', 'plaintext', plaintext, 16);
  return backend.e(key, plaintext);
}

/**
 * AES-CMAC (RFC 4493; Core Vol 3 Part H 2.2.5) in wire order: key, message and
 * MAC are the byte-reversed forms of the RFC's octet strings, as Linux's
 * `smp.c` takes them. For RFC 4493's own octet order, reverse all three.
 * @example
 * ```ts
 * aesCmac(key16, message); // 16 octets, little-endian
 * ```
 */
export function aesCmac(
  key: Uint8Array,
  message: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('aesCmac', 'key', key, 16);
  anyOctets('aesCmac', 'message', message);
  return backend.cmac(key, [message]);
}
