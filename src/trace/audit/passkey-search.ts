/**
 * Recovering an LE legacy TK from a capture: the TK of Passkey Entry is the
 * passkey (0..999999) as a 128-bit integer (Core Vol 3 Part H 2.3.5.3), so
 * all 10^6 candidates are tried against a confirm value with c1 (2.2.3), or,
 * where the confirms cannot be checked, against the STK with s1 (2.2.4).
 * Everything that does not depend on the TK (p1 XOR r, p2, the target, round
 * 1's look-ups on fixed octets) is computed once; the cipher is AES
 * specialised for the passkey's key shape (c1-kernel.ts), and ranges of 50,000
 * candidates and more are shared among all cores (passkey-pool.ts), still
 * called synchronously.
 * @module
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { defaultPool } from './passkey-pool.js';

/** The inputs of c1 other than the TK, all in wire order as on the air (2.2.3). */
export interface ConfirmInputs {
  /** The confirm value to match (Mconfirm or Sconfirm). */
  readonly confirm: Uint8Array;
  /** The random it commits to (Mrand or Srand). */
  readonly random: Uint8Array;
  /** Pairing Request and Response, 7 octets each, code first. */
  readonly preq: Uint8Array;
  readonly pres: Uint8Array;
  readonly iat: number;
  readonly ia: Uint8Array;
  readonly rat: number;
  readonly ra: Uint8Array;
}

/**
 * The largest passkey (2.3.5.3): six decimal digits.
 * @example
 * ```ts
 * searchPasskey(inputs, 'tables', 0, MAX_PASSKEY);
 * ```
 */
export const MAX_PASSKEY = 999_999;

/** c1's first block `r XOR p1` and `p2`, in wire order (p1 = pres || preq || rat' || iat', p2 = 0^32 || ia || ra). */
function fixedBlocks(inputs: ConfirmInputs): { x: Uint8Array; p2: Uint8Array } {
  const x = new Uint8Array(16);
  x[0] = inputs.iat;
  x[1] = inputs.rat;
  x.set(inputs.preq, 2);
  x.set(inputs.pres, 9);
  for (let i = 0; i < 16; i++) x[i]! ^= inputs.random[i]!;
  const p2 = new Uint8Array(16);
  p2.set(inputs.ra, 0);
  p2.set(inputs.ia, 6);
  return { x, p2 };
}

/** The TK for a passkey, wire order. */
export function passkeyTk(passkey: number): Uint8Array {
  const tk = new Uint8Array(16);
  tk[0] = passkey & 0xff;
  tk[1] = (passkey >> 8) & 0xff;
  tk[2] = (passkey >> 16) & 0xff;
  return tk;
}

/**
 * Searches passkeys `from`..`to` (inclusive) for the one whose c1 gives the
 * confirm. Returns the first such passkey or undefined, and the c1
 * evaluations a search in order makes to get there (the range size when none
 * matches). `engine`: `tables` (AES specialised for the passkey's key shape,
 * on every core from 50,000 candidates on; synchronous all the same) or a
 * crypto backend's `e` (one thread, to compare backends).
 * @example
 * ```ts
 * const { passkey } = searchPasskey({ confirm, random: mrand, preq, pres, iat, ia, rat, ra });
 * ```
 */
export function searchPasskey(
  inputs: ConfirmInputs,
  engine: 'tables' | CryptoBackend = 'tables',
  from = 0,
  to = MAX_PASSKEY,
): { passkey: number | undefined; evaluations: number } {
  const { x, p2 } = fixedBlocks(inputs);
  if (engine !== 'tables') {
    const y = new Uint8Array(16);
    for (let passkey = from; passkey <= to; passkey++) {
      const tk = passkeyTk(passkey);
      const first = engine.e(tk, x);
      for (let i = 0; i < 16; i++) y[i] = first[i]! ^ p2[i]!;
      const confirm = engine.e(tk, y);
      let same = true;
      for (let i = 0; i < 16 && same; i++) same = confirm[i] === inputs.confirm[i];
      if (same) return { passkey, evaluations: passkey - from + 1 };
    }
    return { passkey: undefined, evaluations: to - from + 1 };
  }
  // 'tables': the specialised table AES on every core.
  const words = new Int32Array(12);
  words.set(wireToWords(x), 0);
  words.set(wireToWords(p2), 4);
  words.set(wireToWords(inputs.confirm), 8);
  return outcome(defaultPool().search('confirm', words, from, to), from, to);
}

/** A search's result as the single-threaded loop reports it: evaluations up to the match, or the range size. */
function outcome(
  found: number,
  from: number,
  to: number,
): { passkey: number | undefined; evaluations: number } {
  return found >= 0
    ? { passkey: found, evaluations: found - from + 1 }
    : { passkey: undefined, evaluations: Math.max(0, to - from + 1) };
}

/** Four spec-order (big-endian) words of a 16-octet block given in wire order (little-endian), as signed integers. */
function wireToWords(wire: Uint8Array): Int32Array {
  const words = new Int32Array(4);
  for (let w = 0; w < 4; w++) {
    const i = 15 - 4 * w;
    words[w] = (wire[i]! << 24) | (wire[i - 1]! << 16) | (wire[i - 2]! << 8) | wire[i - 3]!;
  }
  return words;
}

/** Inputs of s1 (Core Vol 3 Part H 2.2.4): STK = e(TK, r'), r' = Srand[low 64] || Mrand[low 64]; wire order as on the air. */
export interface StkInputs {
  /** The STK as carried by HCI LE Start Encryption or LE Long Term Key Request Reply. */
  readonly stk: Uint8Array;
  /** The responder's random (Pairing Random from the slave). */
  readonly srand: Uint8Array;
  /** The initiator's random (Pairing Random from the master). */
  readonly mrand: Uint8Array;
  /** negotiated key size 7..16: the STK's most significant 16-size octets are zero and not compared */
  readonly keySize: number;
}

/**
 * Searches passkeys `from`..`to` (inclusive) for the one whose STK
 * `s1(TK, Srand, Mrand)` (2.2.4) equals the STK seen on HCI, for pairings
 * whose confirms cannot be checked (device addresses missing). Only the
 * first `keySize` wire octets are compared (2.3.4: the STK is masked to the
 * negotiated size). Returns the passkey or undefined, and how many AES
 * evaluations it made.
 * @example
 * ```ts
 * const { passkey } = searchPasskeyByStk({ stk, srand, mrand, keySize: 16 });
 * ```
 */
export function searchPasskeyByStk(
  inputs: StkInputs,
  from = 0,
  to = MAX_PASSKEY,
): { passkey: number | undefined; evaluations: number } {
  // r' = r1' || r2' in spec order (r1 = Srand most significant), so in wire order Mrand's low half comes first.
  const r = new Uint8Array(16);
  r.set(inputs.mrand.subarray(0, 8), 0);
  r.set(inputs.srand.subarray(0, 8), 8);
  const size = Math.min(16, Math.max(0, inputs.keySize | 0));
  // The compared octets as word masks: wire octet i is spec word 3 - (i >> 2), bits 8 * (i & 3).
  const mask = new Int32Array(4);
  for (let i = 0; i < size; i++) mask[3 - (i >> 2)]! |= 0xff << (8 * (i & 3));
  const target = wireToWords(inputs.stk);
  for (let w = 0; w < 4; w++) target[w]! &= mask[w]!;
  const words = new Int32Array(12);
  words.set(wireToWords(r), 0);
  words.set(mask, 4);
  words.set(target, 8);
  return outcome(defaultPool().search('stk', words, from, to), from, to);
}
