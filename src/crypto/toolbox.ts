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
import { type F5Keys, f4, f5, f6, g2, g2Display } from './secure-connections.js';
import { attSignature } from './signing.js';

/** The toolbox with its backend fixed; each member is the function of the same name. */
export interface Toolbox {
  readonly backend: CryptoBackend;
  e(key: Uint8Array, plaintext: Uint8Array): Uint8Array;
  aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array;
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
  s1(k: Uint8Array, r1: Uint8Array, r2: Uint8Array): Uint8Array;
  ah(k: Uint8Array, r: Uint8Array): Uint8Array;
  f4(u: Uint8Array, v: Uint8Array, x: Uint8Array, z: number): Uint8Array;
  f5(w: Uint8Array, n1: Uint8Array, n2: Uint8Array, a1: Uint8Array, a2: Uint8Array): F5Keys;
  f6(
    w: Uint8Array,
    n1: Uint8Array,
    n2: Uint8Array,
    r: Uint8Array,
    ioCap: Uint8Array,
    a1: Uint8Array,
    a2: Uint8Array,
  ): Uint8Array;
  g2(u: Uint8Array, v: Uint8Array, x: Uint8Array, y: Uint8Array): number;
  g2Display(u: Uint8Array, v: Uint8Array, x: Uint8Array, y: Uint8Array): number;
  h6(w: Uint8Array, keyID: Uint8Array): Uint8Array;
  h7(salt: Uint8Array, w: Uint8Array): Uint8Array;
  h8(k: Uint8Array, s: Uint8Array, keyID: Uint8Array): Uint8Array;
  ltkToLinkKey(ltk: Uint8Array, ct2: number): Uint8Array;
  linkKeyToLtk(linkKey: Uint8Array, ct2: number): Uint8Array;
  attSignature(csrk: Uint8Array, message: Uint8Array, signCounter: number): Uint8Array;
  generateKeyPair(): P256KeyPair;
  derivePublicKey(privateKey: Uint8Array): Uint8Array;
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
