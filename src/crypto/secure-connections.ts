/**
 * LE Secure Connections functions (Core Vol 3 Part H 2.2.6-2.2.9): f4, f5, f6
 * and g2. All arguments and results in wire order.
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { fromHex, reverse } from './bytes.js';
import { integer, octets } from './check.js';
import { constantKey } from './constant-keys.js';
import { defaultBackend } from './default-backend.js';

/** f5's SALT 0x6C888391AAF5A53860370BDB5A6083BE, Core Vol 3 Part H 2.2.7, little-endian. */
const F5_SALT_LE = constantKey(reverse(fromHex('6c888391aaf5a53860370bdb5a6083be')));
/** f5's keyID "btle" (0x62746c65) and Length 256 (0x0100), little-endian. */
const F5_KEY_ID_LE = fromHex('656c7462');
const F5_LENGTH_LE = fromHex('0001');

/**
 * The confirm value function f4 (Core Vol 3 Part H 2.2.6):
 * `AES-CMAC_X(U || V || Z)`. `U` and `V` are 32-octet public-key X
 * coordinates, `X` a 16-octet nonce, `z` one octet (0 for Just Works and
 * Numeric Comparison, `0x80 | ri` in passkey round i).
 * @example
 * ```ts
 * const cb = f4(pkbX, pkaX, nb, 0); // 16 octets, as in Pairing Confirm
 * ```
 */
export function f4(
  u: Uint8Array,
  v: Uint8Array,
  x: Uint8Array,
  z: number,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('f4', 'U', u, 32);
  octets('f4', 'V', v, 32);
  octets('f4', 'X', x, 16);
  integer('f4', 'Z', z, 0, 255);
  return backend.cmac(x, [u, v, Uint8Array.of(z)]);
}

/** AES-CMAC of each message under one key: one cipher for all where the backend offers `cmacs`. */
function cmacEach(
  backend: CryptoBackend,
  key: Uint8Array,
  messages: readonly (readonly Uint8Array[])[],
): Uint8Array[] {
  return backend.cmacs ? backend.cmacs(key, messages) : messages.map((message) => backend.cmac(key, message));
}

/** The two keys that f5 derives. */
export interface F5Keys {
  /** The key for f6 (the DHKey checks), 16 octets, little-endian. */
  readonly macKey: Uint8Array;
  /** The Long Term Key, 16 octets, little-endian, before key-size masking. */
  readonly ltk: Uint8Array;
}

/**
 * The key generation function f5 (Core Vol 3 Part H 2.2.7). `w` is the
 * 32-octet DHKey, `n1`/`n2` the nonces Na and Nb, `a1`/`a2` the 7-octet
 * device addresses (address then type octet: 0 public, 1 random).
 * @example
 * ```ts
 * const { macKey, ltk } = f5(dhkey, na, nb, a, b);
 * ```
 */
export function f5(
  w: Uint8Array,
  n1: Uint8Array,
  n2: Uint8Array,
  a1: Uint8Array,
  a2: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): F5Keys {
  octets('f5', 'W', w, 32);
  octets('f5', 'N1', n1, 16);
  octets('f5', 'N2', n2, 16);
  octets('f5', 'A1', a1, 7);
  octets('f5', 'A2', a2, 7);
  const t = backend.cmac(F5_SALT_LE, [w]);
  const messages = [0, 1].map((counter) => [
    Uint8Array.of(counter),
    F5_KEY_ID_LE,
    n1,
    n2,
    a1,
    a2,
    F5_LENGTH_LE,
  ]);
  // MacKey (counter 0) and LTK (counter 1), both under T: one cipher for both where the backend offers it.
  const [macKey, ltk] = cmacEach(backend, t, messages);
  t.fill(0);
  return { macKey: macKey!, ltk: ltk! };
}

/**
 * The check value function f6 (Core Vol 3 Part H 2.2.8):
 * `AES-CMAC_W(N1 || N2 || R || IOcap || A1 || A2)`. `ioCap` is 3 octets in
 * wire order: IO capability, OOB flag, AuthReq (octets 1-3 of the Pairing
 * Request or Response).
 * @example
 * ```ts
 * const ea = f6(macKey, na, nb, rb, ioCapA, a, b); // 16 octets, as in DHKey Check
 * ```
 */
export function f6(
  w: Uint8Array,
  n1: Uint8Array,
  n2: Uint8Array,
  r: Uint8Array,
  ioCap: Uint8Array,
  a1: Uint8Array,
  a2: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('f6', 'W', w, 16);
  octets('f6', 'N1', n1, 16);
  octets('f6', 'N2', n2, 16);
  octets('f6', 'R', r, 16);
  octets('f6', 'IOcap', ioCap, 3);
  octets('f6', 'A1', a1, 7);
  octets('f6', 'A2', a2, 7);
  return backend.cmac(w, [n1, n2, r, ioCap, a1, a2]);
}

/** The two DHKey check values of a Secure Connections pairing. */
export interface DhKeyChecks {
  /** Ea, the initiator's check: f6(MacKey, Na, Nb, rb, IOcapA, A, B). */
  readonly ea: Uint8Array;
  /** Eb, the responder's check: f6(MacKey, Nb, Na, ra, IOcapB, B, A). */
  readonly eb: Uint8Array;
}

/**
 * Both DHKey check values of authentication stage 2 (Core Vol 3 Part H
 * 2.3.5.6.5): Ea = f6(MacKey, Na, Nb, rb, IOcapA, A, B) and Eb =
 * f6(MacKey, Nb, Na, ra, IOcapB, B, A). Each side sends one and checks the
 * other, so it needs both; computed together they share one cipher where the
 * backend allows. Arguments as for {@link f6}: `a` and `b` are the
 * initiator's and the responder's 7-octet address with its type.
 * @example
 * ```ts
 * const { ea, eb } = dhKeyChecks(macKey, na, nb, ra, rb, ioCapA, ioCapB, a, b);
 * // the initiator sends ea and compares the responder's check with eb
 * ```
 */
export function dhKeyChecks(
  macKey: Uint8Array,
  na: Uint8Array,
  nb: Uint8Array,
  ra: Uint8Array,
  rb: Uint8Array,
  ioCapA: Uint8Array,
  ioCapB: Uint8Array,
  a: Uint8Array,
  b: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): DhKeyChecks {
  octets('dhKeyChecks', 'MacKey', macKey, 16);
  octets('dhKeyChecks', 'Na', na, 16);
  octets('dhKeyChecks', 'Nb', nb, 16);
  octets('dhKeyChecks', 'ra', ra, 16);
  octets('dhKeyChecks', 'rb', rb, 16);
  octets('dhKeyChecks', 'IOcapA', ioCapA, 3);
  octets('dhKeyChecks', 'IOcapB', ioCapB, 3);
  octets('dhKeyChecks', 'A', a, 7);
  octets('dhKeyChecks', 'B', b, 7);
  const [ea, eb] = cmacEach(backend, macKey, [
    [na, nb, rb, ioCapA, a, b],
    [nb, na, ra, ioCapB, b, a],
  ]);
  return { ea: ea!, eb: eb! };
}

/**
 * The numeric comparison function g2 (Core Vol 3 Part H 2.2.9):
 * `AES-CMAC_X(U || V || Y) mod 2^32`, as an unsigned 32-bit integer.
 * @example
 * ```ts
 * const value = g2(pkaX, pkbX, na, nb) % 1_000_000; // or g2Display(...)
 * ```
 */
export function g2(
  u: Uint8Array,
  v: Uint8Array,
  x: Uint8Array,
  y: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): number {
  octets('g2', 'U', u, 32);
  octets('g2', 'V', v, 32);
  octets('g2', 'X', x, 16);
  octets('g2', 'Y', y, 16);
  // mod 2^32: the MAC's four least significant octets, which wire order puts first.
  const mac = backend.cmac(x, [u, v, y]);
  return (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0;
}

/**
 * The six-digit value both users compare in Numeric Comparison: g2 mod 10^6
 * (Core Vol 3 Part H 2.3.5.6.2). Show it zero-padded to six digits.
 * @example
 * ```ts
 * String(g2Display(pkaX, pkbX, na, nb)).padStart(6, '0'); // e.g. '938554'
 * ```
 */
export function g2Display(
  u: Uint8Array,
  v: Uint8Array,
  x: Uint8Array,
  y: Uint8Array,
  backend: CryptoBackend = defaultBackend(),
): number {
  return g2(u, v, x, y, backend) % 1_000_000;
}
