/**
 * AES-128 encryption with 32-bit lookup tables (FIPS-197 5.1, 5.2), for one
 * job: the legacy passkey search, which runs a fresh key schedule and two
 * blocks for each of 10^6 candidate keys. Values are in spec order
 * (big-endian words), as FIPS-197 writes them; the SMP toolbox's `e` stays
 * the general-purpose, checked implementation.
 * @module
 */

const SBOX = new Uint8Array(256);
const T0 = new Uint32Array(256);
const T1 = new Uint32Array(256);
const T2 = new Uint32Array(256);
const T3 = new Uint32Array(256);
/** Round constants (FIPS-197 5.2), in the top octet. */
const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36].map((r) => (r << 24) >>> 0);

const xtime = (x: number) => ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;

/** The S-box from GF(2^8) inverses and the affine map (FIPS-197 5.1.1), then the round tables. */
function initialise(): void {
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= xtime(x); // multiply by the generator 3
  }
  const rotl8 = (b: number, n: number) => ((b << n) | (b >> (8 - n))) & 0xff;
  for (let i = 0; i < 256; i++) {
    const inverse = i === 0 ? 0 : exp[(255 - log[i]!) % 255]!;
    const s = inverse ^ rotl8(inverse, 1) ^ rotl8(inverse, 2) ^ rotl8(inverse, 3) ^ rotl8(inverse, 4) ^ 0x63;
    SBOX[i] = s;
    const word = ((xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s)) >>> 0;
    T0[i] = word;
    T1[i] = ((word >>> 8) | (word << 24)) >>> 0;
    T2[i] = ((word >>> 16) | (word << 16)) >>> 0;
    T3[i] = ((word >>> 24) | (word << 8)) >>> 0;
  }
}
initialise();

/** The 44-word key schedule of a 128-bit key given as four big-endian words (FIPS-197 5.2). */
export function expandKey(
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  out: Uint32Array = new Uint32Array(44),
): Uint32Array {
  out[0] = k0;
  out[1] = k1;
  out[2] = k2;
  out[3] = k3;
  for (let i = 4; i < 44; i++) {
    let t = out[i - 1]!;
    if ((i & 3) === 0) {
      t =
        ((SBOX[(t >>> 16) & 0xff]! << 24) |
          (SBOX[(t >>> 8) & 0xff]! << 16) |
          (SBOX[t & 0xff]! << 8) |
          SBOX[t >>> 24]!) ^
        RCON[(i >> 2) - 1]!;
    }
    out[i] = (out[i - 4]! ^ t) >>> 0;
  }
  return out;
}

/** Encrypts one block (four big-endian words in `block`) with schedule `rk`, into `out`. */
export function encryptBlock(rk: Uint32Array, block: Uint32Array, out: Uint32Array): void {
  let s0 = block[0]! ^ rk[0]!;
  let s1 = block[1]! ^ rk[1]!;
  let s2 = block[2]! ^ rk[2]!;
  let s3 = block[3]! ^ rk[3]!;
  for (let r = 4; r < 40; r += 4) {
    const t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ rk[r]!;
    const t1 =
      T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ rk[r + 1]!;
    const t2 =
      T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ rk[r + 2]!;
    const t3 =
      T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ rk[r + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  const last = (a: number, b: number, c: number, d: number, k: number) =>
    (((SBOX[a >>> 24]! << 24) |
      (SBOX[(b >>> 16) & 0xff]! << 16) |
      (SBOX[(c >>> 8) & 0xff]! << 8) |
      SBOX[d & 0xff]!) ^
      k) >>>
    0;
  out[0] = last(s0, s1, s2, s3, rk[40]!);
  out[1] = last(s1, s2, s3, s0, rk[41]!);
  out[2] = last(s2, s3, s0, s1, rk[42]!);
  out[3] = last(s3, s0, s1, s2, rk[43]!);
}

/** Four big-endian words of a 16-octet block given in wire order (little-endian): the spec-order value. */
export function wireToWords(wire: Uint8Array): Uint32Array {
  const words = new Uint32Array(4);
  for (let w = 0; w < 4; w++) {
    const i = 15 - 4 * w;
    words[w] = ((wire[i]! << 24) | (wire[i - 1]! << 16) | (wire[i - 2]! << 8) | wire[i - 3]!) >>> 0;
  }
  return words;
}
