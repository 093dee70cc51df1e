/**
 * The link key conversion functions h6, h7 (Core Vol 3 Part H 2.2.10, 2.2.11)
 * and h8 (Core Vol 6 Part E 1.1.1), and cross-transport key derivation built
 * on them (Core Vol 3 Part H 2.4.2.4, 2.4.2.5). All arguments in wire order.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { reverse } from './bytes.js';
import { integer, octets } from './check.js';
import { constantKey } from './constant-keys.js';
import { defaultBackend } from './default-backend.js';
import { CryptoInputError } from './errors.js';

/**
 * A four-character keyID as h6 and h8 take it, in wire order: `keyId('lebr')`
 * is the spec's 0x6c656272 little-endian (72 62 65 6c).
 * @example
 * ```ts
 * h6(ilk, keyId('lebr'));
 * ```
 */
export function keyId(name: string): Uint8Array {
  if (!/^[\x20-\x7e]{4}$/.test(name)) {
    throw new CryptoInputError('keyId', 'name', `must be 4 printable ASCII characters, got '${name}'`);
  }
  return reverse(new TextEncoder().encode(name));
}

/**
 * The link key conversion function h6 (Core Vol 3 Part H 2.2.10): `AES-CMAC_W(keyID)`.
 * @example
 * ```ts
 * const linkKey = h6(ilk, keyId('lebr'));
 * ```
 */
export function h6(w: Uint8Array, keyID: Uint8Array, backend: CryptoBackend = defaultBackend()): Uint8Array {
  octets('h6', 'W', w, 16);
  octets('h6', 'keyID', keyID, 4);
  return backend.cmac(w, [keyID]);
}

/**
 * The link key conversion function h7 (Core Vol 3 Part H 2.2.11):
 * `AES-CMAC_SALT(W)` (the SALT is the key).
 * @example
 * ```ts
 * const ilk = h7(saltTmp1, ltk);
 * ```
 */
export function h7(salt: Uint8Array, w: Uint8Array, backend: CryptoBackend = defaultBackend()): Uint8Array {
  octets('h7', 'SALT', salt, 16);
  octets('h7', 'W', w, 16);
  return backend.cmac(salt, [w]);
}

/**
 * The key derivation function h8 (Core Vol 6 Part E 1.1.1):
 * `AES-CMAC_IK(keyID)` with `IK = AES-CMAC_S(K)`.
 * @example
 * ```ts
 * const key = h8(k, s, keyId('bise'));
 * ```
 */
export function h8(
  k: Uint8Array,
  s: Uint8Array,
  keyID: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('h8', 'K', k, 16);
  octets('h8', 'S', s, 16);
  octets('h8', 'keyID', keyID, 4);
  return backend.cmac(backend.cmac(s, [k]), [keyID]);
}

/** SALT = 0x00..00 || keyID, Core Vol 3 Part H 2.4.2.4 / 2.4.2.5, little-endian. */
function salt(name: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(keyId(name));
  return constantKey(out);
}

/** The two SALTs of the key conversions, made once (public constants of the spec). */
const SALTS: Readonly<Record<string, Uint8Array>> = { tmp1: salt('tmp1'), tmp2: salt('tmp2') };

function derive(
  fn: string,
  argument: string,
  key: Uint8Array,
  ct2: number,
  intermediate: string,
  final: string,
  backend: CryptoBackend,
): Uint8Array {
  octets(fn, argument, key, 16);
  integer(fn, 'ct2', ct2, 0, 1);
  const ik = ct2 ? h7(SALTS[intermediate]!, key, backend) : h6(key, keyId(intermediate), backend);
  return h6(ik, keyId(final), backend);
}

/**
 * Derives the BR/EDR link key from an LE LTK (Core Vol 3 Part H 2.4.2.4):
 * `h6(CT2 ? h7(SALT 'tmp1', LTK) : h6(LTK, 'tmp1'), 'lebr')`. `ct2` is the CT2
 * bit both sides set (0 or 1).
 * @example
 * ```ts
 * const linkKey = ltkToLinkKey(ltk, 1);
 * ```
 */
export function ltkToLinkKey(
  ltk: Uint8Array,
  ct2: number,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  return derive('ltkToLinkKey', 'ltk', ltk, ct2, 'tmp1', 'lebr', backend);
}

/**
 * Derives the LE LTK from a BR/EDR link key (Core Vol 3 Part H 2.4.2.5):
 * `h6(CT2 ? h7(SALT 'tmp2', LinkKey) : h6(LinkKey, 'tmp2'), 'brle')`.
 * @example
 * ```ts
 * const ltk = linkKeyToLtk(linkKey, 1);
 * ```
 */
export function linkKeyToLtk(
  linkKey: Uint8Array,
  ct2: number,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  return derive('linkKeyToLtk', 'linkKey', linkKey, ct2, 'tmp2', 'brle', backend);
}
