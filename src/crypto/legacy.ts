/**
 * LE legacy pairing functions: c1 (Core Vol 3 Part H 2.2.3) and s1 (2.2.4),
 * and the random address hash ah (2.2.2). All arguments in wire order.
 * @module
 */

import { e } from './aes.js';
import type { CryptoBackend } from './backend.js';
import { integer, octets } from './check.js';
import { defaultBackend } from './default-backend.js';

/**
 * The confirm value generation function c1 (Core Vol 3 Part H 2.2.3):
 * `e(k, e(k, r XOR p1) XOR p2)`, with `p1 = pres || preq || rat' || iat'` and
 * `p2 = 0^32 || ia || ra`. `preq` and `pres` are the 7-octet Pairing Request
 * and Response PDUs as sent (opcode first); `iat`/`rat` are 0 (public) or 1
 * (random); `ia`/`ra` are 6-octet addresses as in HCI.
 * @example
 * ```ts
 * const mconfirm = c1(tk, mrand, preq, pres, 1, ia, 0, ra); // 16 octets, as in Pairing Confirm
 * ```
 */
export function c1(
  k: Uint8Array,
  r: Uint8Array,
  preq: Uint8Array,
  pres: Uint8Array,
  iat: number,
  ia: Uint8Array,
  rat: number,
  ra: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('c1', 'k', k, 16);
  octets('c1', 'r', r, 16);
  octets('c1', 'preq', preq, 7);
  octets('c1', 'pres', pres, 7);
  integer('c1', 'iat', iat, 0, 1);
  octets('c1', 'ia', ia, 6);
  integer('c1', 'rat', rat, 0, 1);
  octets('c1', 'ra', ra, 6);
  // Little-endian: p1 = iat' || rat' || preq || pres, p2 = ra || ia || 0^32.
  const x = new Uint8Array(16);
  x[0] = iat;
  x[1] = rat;
  x.set(preq, 2);
  x.set(pres, 9);
  for (let i = 0; i < 16; i++) x[i]! ^= r[i]!;
  const y = e(k, x, backend);
  for (let i = 0; i < 6; i++) {
    y[i]! ^= ra[i]!;
    y[6 + i]! ^= ia[i]!;
  }
  return e(k, y, backend);
}

/**
 * The key generation function s1 (Core Vol 3 Part H 2.2.4):
 * `e(k, r1' || r2')` with the 64 least significant bits of each. For the STK
 * call `s1(tk, srand, mrand)`.
 * @example
 * ```ts
 * const stk = s1(tk, srand, mrand); // 16 octets, little-endian, before key-size masking
 * ```
 */
export function s1(
  k: Uint8Array,
  r1: Uint8Array,
  r2: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('s1', 'k', k, 16);
  octets('s1', 'r1', r1, 16);
  octets('s1', 'r2', r2, 16);
  const r = new Uint8Array(16);
  r.set(r2.subarray(0, 8), 0);
  r.set(r1.subarray(0, 8), 8);
  return e(k, r, backend);
}

/**
 * The random address hash function ah (Core Vol 3 Part H 2.2.2):
 * `e(k, 0^104 || r) mod 2^24`. `r` is the 3-octet prand, the result the
 * 3-octet hash, both little-endian as in a resolvable private address.
 * @example
 * ```ts
 * const hash = ah(irk, prand); // 3 octets: an RPA resolves when it equals the address's hash part
 * ```
 */
export function ah(k: Uint8Array, r: Uint8Array, backend: CryptoBackend = defaultBackend()): Uint8Array {
  octets('ah', 'k', k, 16);
  octets('ah', 'r', r, 3);
  const block = new Uint8Array(16);
  block.set(r);
  return e(k, block, backend).slice(0, 3);
}
