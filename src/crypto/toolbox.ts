/**
 * Every toolbox function bound to one backend: the object the SMP engine
 * takes, so a session (or a test) chooses its crypto without a global.
 * @module
 */
import { aesCmac, e } from './aes.js';
import type { CryptoBackend, P256KeyPair } from './backend.js';
import { h6, h7, h8, linkKeyToLtk, ltkToLinkKey } from './key-conversion.js';
import { ah, c1, s1 } from './legacy.js';
import { derivePublicKey, dhKey, generateKeyPair } from './p256.js';
import {
  type DhKeyChecks,
  dhKeyChecks,
  type F5Keys,
  f4,
  f5,
  f6,
  g2,
  g2Display,
} from './secure-connections.js';
import { attSignature } from './signing.js';

/**
 * The toolbox with its backend fixed; each member is the function of the same name.
 * @example
 * ```ts
 * const tb: Toolbox = toolbox(nodeBackend);
 * tb.backend.name; // 'node'
 * ```
 */
export interface Toolbox {
  readonly backend: CryptoBackend;
  /**
   * {@link e}, AES-128 of one block, with this backend.
   * @example
   * ```ts
   * tb.e(key, plaintext); // 16 octets, little-endian, as HCI_LE_Encrypt returns it
   * ```
   */
  e(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * {@link aesCmac} with this backend.
   * @example
   * ```ts
   * tb.aesCmac(key16, message); // 16 octets, little-endian
   * ```
   */
  aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array;
  /**
   * {@link c1}, the legacy confirm value, with this backend.
   * @example
   * ```ts
   * const mconfirm = tb.c1(tk, mrand, preq, pres, 1, ia, 0, ra);
   * ```
   */
  c1(
    k: Uint8Array,
    r: Uint8Array,
    preq: Uint8Array,
    pres: Uint8Array,
    iat: number,
    ia: Uint8Array,
    rat: number,
    ra: Uint8Array,
  ): Uint8Array;
  /**
   * {@link s1}, the legacy STK, with this backend.
   * @example
   * ```ts
   * const stk = tb.s1(tk, srand, mrand);
   * ```
   */
  s1(k: Uint8Array, r1: Uint8Array, r2: Uint8Array): Uint8Array;
  /**
   * {@link ah}, the random address hash, with this backend.
   * @example
   * ```ts
   * const hash = tb.ah(irk, prand); // 3 octets
   * ```
   */
  ah(k: Uint8Array, r: Uint8Array): Uint8Array;
  /**
   * {@link f4}, the SC confirm value, with this backend.
   * @example
   * ```ts
   * const cb = tb.f4(pkbX, pkaX, nb, 0);
   * ```
   */
  f4(u: Uint8Array, v: Uint8Array, x: Uint8Array, z: number): Uint8Array;
  /**
   * {@link f5}, the SC MacKey and LTK, with this backend.
   * @example
   * ```ts
   * const { macKey, ltk } = tb.f5(dhkey, na, nb, a, b);
   * ```
   */
  f5(w: Uint8Array, n1: Uint8Array, n2: Uint8Array, a1: Uint8Array, a2: Uint8Array): F5Keys;
  /**
   * {@link f6}, the DHKey check value, with this backend.
   * @example
   * ```ts
   * const ea = tb.f6(macKey, na, nb, rb, ioCapA, a, b);
   * ```
   */
  f6(
    w: Uint8Array,
    n1: Uint8Array,
    n2: Uint8Array,
    r: Uint8Array,
    ioCap: Uint8Array,
    a1: Uint8Array,
    a2: Uint8Array,
  ): Uint8Array;
  /**
   * {@link dhKeyChecks}, both DHKey check values (Ea and Eb), with this backend.
   * @example
   * ```ts
   * const { ea, eb } = tb.dhKeyChecks(macKey, na, nb, ra, rb, ioCapA, ioCapB, a, b);
   * ```
   */
  dhKeyChecks(
    macKey: Uint8Array,
    na: Uint8Array,
    nb: Uint8Array,
    ra: Uint8Array,
    rb: Uint8Array,
    ioCapA: Uint8Array,
    ioCapB: Uint8Array,
    a: Uint8Array,
    b: Uint8Array,
  ): DhKeyChecks;
  /**
   * {@link g2}, the numeric comparison value, with this backend.
   * @example
   * ```ts
   * const value = tb.g2(pkaX, pkbX, na, nb) % 1_000_000;
   * ```
   */
  g2(u: Uint8Array, v: Uint8Array, x: Uint8Array, y: Uint8Array): number;
  /**
   * {@link g2Display}, the six digits to compare, with this backend.
   * @example
   * ```ts
   * String(tb.g2Display(pkaX, pkbX, na, nb)).padStart(6, '0');
   * ```
   */
  g2Display(u: Uint8Array, v: Uint8Array, x: Uint8Array, y: Uint8Array): number;
  /**
   * {@link h6} with this backend.
   * @example
   * ```ts
   * const linkKey = tb.h6(ilk, keyId('lebr'));
   * ```
   */
  h6(w: Uint8Array, keyID: Uint8Array): Uint8Array;
  /**
   * {@link h7} with this backend.
   * @example
   * ```ts
   * const ilk = tb.h7(saltTmp1, ltk);
   * ```
   */
  h7(salt: Uint8Array, w: Uint8Array): Uint8Array;
  /**
   * {@link h8} with this backend.
   * @example
   * ```ts
   * const key = tb.h8(k, s, keyId('bise'));
   * ```
   */
  h8(k: Uint8Array, s: Uint8Array, keyID: Uint8Array): Uint8Array;
  /**
   * {@link ltkToLinkKey} with this backend.
   * @example
   * ```ts
   * const linkKey = tb.ltkToLinkKey(ltk, 1);
   * ```
   */
  ltkToLinkKey(ltk: Uint8Array, ct2: number): Uint8Array;
  /**
   * {@link linkKeyToLtk} with this backend.
   * @example
   * ```ts
   * const ltk = tb.linkKeyToLtk(linkKey, 1);
   * ```
   */
  linkKeyToLtk(linkKey: Uint8Array, ct2: number): Uint8Array;
  /**
   * {@link attSignature}, a signed ATT PDU's signature, with this backend.
   * @example
   * ```ts
   * const signature = tb.attSignature(csrk, pdu, signCounter); // 12 octets
   * ```
   */
  attSignature(csrk: Uint8Array, message: Uint8Array, signCounter: number): Uint8Array;
  /**
   * {@link generateKeyPair} with this backend.
   * @example
   * ```ts
   * const { privateKey, publicKey } = tb.generateKeyPair();
   * ```
   */
  generateKeyPair(): P256KeyPair;
  /**
   * {@link derivePublicKey} with this backend.
   * @example
   * ```ts
   * tb.derivePublicKey(DEBUG_PRIVATE_KEY); // equals DEBUG_PUBLIC_KEY
   * ```
   */
  derivePublicKey(privateKey: Uint8Array): Uint8Array;
  /**
   * {@link dhKey}, the DHKey, with this backend.
   * @example
   * ```ts
   * const dhkey = tb.dhKey(ours.privateKey, peerPublicKey); // throws InvalidPublicKeyError for a bad point
   * ```
   */
  dhKey(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

/**
 * The toolbox bound to `backend`.
 * @example
 * ```ts
 * import { toolbox } from 'ble-smp/crypto';
 * import { nodeBackend } from 'ble-smp/crypto/node';
 * const { f5 } = toolbox(nodeBackend);
 * ```
 */
export function toolbox(backend: CryptoBackend): Toolbox {
  return Object.freeze({
    backend,
    e: (key, plaintext) => e(key, plaintext, backend),
    aesCmac: (key, message) => aesCmac(key, message, backend),
    c1: (k, r, preq, pres, iat, ia, rat, ra) => c1(k, r, preq, pres, iat, ia, rat, ra, backend),
    s1: (k, r1, r2) => s1(k, r1, r2, backend),
    ah: (k, r) => ah(k, r, backend),
    f4: (u, v, x, z) => f4(u, v, x, z, backend),
    f5: (w, n1, n2, a1, a2) => f5(w, n1, n2, a1, a2, backend),
    f6: (w, n1, n2, r, ioCap, a1, a2) => f6(w, n1, n2, r, ioCap, a1, a2, backend),
    dhKeyChecks: (macKey, na, nb, ra, rb, ioCapA, ioCapB, a, b) =>
      dhKeyChecks(macKey, na, nb, ra, rb, ioCapA, ioCapB, a, b, backend),
    g2: (u, v, x, y) => g2(u, v, x, y, backend),
    g2Display: (u, v, x, y) => g2Display(u, v, x, y, backend),
    h6: (w, keyID) => h6(w, keyID, backend),
    h7: (salt, w) => h7(salt, w, backend),
    h8: (k, s, keyID) => h8(k, s, keyID, backend),
    ltkToLinkKey: (ltk, ct2) => ltkToLinkKey(ltk, ct2, backend),
    linkKeyToLtk: (linkKey, ct2) => linkKeyToLtk(linkKey, ct2, backend),
    attSignature: (csrk, message, signCounter) => attSignature(csrk, message, signCounter, backend),
    generateKeyPair: () => generateKeyPair(backend),
    derivePublicKey: (privateKey) => derivePublicKey(privateKey, backend),
    dhKey: (privateKey, peerPublicKey) => dhKey(privateKey, peerPublicKey, backend),
  } satisfies Toolbox);
}
