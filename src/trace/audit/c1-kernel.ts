/**
 * The cipher of the legacy passkey search: AES-128 (FIPS-197) specialised for
 * keys of the passkey's shape, TK = 0^96 || passkey in spec order (Core Vol 3
 * Part H 2.3.5.3), and for the two jobs the search does per candidate:
 *
 * - c1 (2.2.3): `confirm = e(TK, e(TK, r XOR p1) XOR p2)`. The first block's
 *   plaintext `r XOR p1` is the same for every candidate, and the initial
 *   AddRoundKey only touches its last word (the TK's first three words are
 *   zero), so 12 of the 16 round-1 table look-ups are done once per search.
 *   The second block's last round computes one output word, compares it, and
 *   only computes the other three when it matches (1 in 2^32 candidates).
 * - s1 (2.2.4): `STK = e(TK, r')` with `r'` fixed: the same round-1 saving,
 *   and the key-size mask applied to the compared words.
 *
 * The round function is the 32-bit T-table form of FIPS-197 5.1 (SubBytes,
 * ShiftRows and MixColumns folded into four tables of 256 words, one look-up
 * per state octet); the key schedule is FIPS-197 5.2 computed round by round
 * into a preallocated Int32Array, with no allocation in the loop. Every word
 * is kept as a signed 32-bit integer, which V8 holds unboxed.
 *
 * A bitsliced AES was considered and not taken: with 32-bit words it runs 32
 * candidates at once but needs about 30 times the logic operations per block
 * of a table look-up round, a net loss in JavaScript, which has no 128-bit
 * SIMD outside WebAssembly.
 *
 * `c1Kernel` is self-contained on purpose: it refers to nothing outside its own
 * body, so its source text (`c1Kernel.toString()`) is what the search workers
 * evaluate, and the calling thread compiles it the same way (passkey-pool.ts:
 * {@link compileKernel}). Each call builds its own tables. The tables and the
 * round-key array are variables of the factory's scope, which V8 treats as
 * constants of the compiled search loop only while one kernel exists per
 * compiled copy of the source: a second `c1Kernel()` from the same source makes
 * both about 25% slower, hence one fresh compilation per kernel.
 * @module
 */

/**
 * The search functions of one kernel. Blocks are four spec-order (big-endian)
 * words, as FIPS-197 writes them, stored as signed 32-bit integers.
 */
export interface C1Kernel {
  /**
   * The first passkey in `from`..`to` whose c1 gives `target`, or -1. `x` is
   * c1's first plaintext `r XOR p1`, `p2` c1's p2. `stop` (optional): the search
   * gives up, returning -2, once `stop[0]` is below the next candidate (another
   * thread found a smaller passkey); it is read every 4096 candidates.
   */
  searchConfirm(
    x: Int32Array,
    p2: Int32Array,
    target: Int32Array,
    from: number,
    to: number,
    stop?: Int32Array,
  ): number;
  /** The first passkey in `from`..`to` whose `e(TK, r) AND mask` is `target` (already masked), or -1, or -2 as above. */
  searchStk(
    r: Int32Array,
    target: Int32Array,
    mask: Int32Array,
    from: number,
    to: number,
    stop?: Int32Array,
  ): number;
  /** AES-128 of `block` under TK = 0^96 || `passkey` (any 32-bit value), into `out`: to check the kernel against `e`. */
  encrypt(passkey: number, block: Int32Array, out: Int32Array): void;
}

/**
 * Builds the tables and returns the search functions.
 * @example
 * ```ts
 * const kernel = c1Kernel();
 * const passkey = kernel.searchConfirm(x, p2, target, 0, 999_999); // -1 when none matches
 * ```
 */
export function c1Kernel(): C1Kernel {
  // FIPS-197 5.1.1: the S-box is the GF(2^8) inverse followed by an affine map.
  const SBOX = new Uint8Array(256);
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
  for (let i = 0, b = 1; i < 255; i++) {
    exp[i] = b;
    log[b] = i;
    b ^= xtime(b); // multiply by the generator 3
  }
  const rotl8 = (b: number, n: number) => ((b << n) | (b >> (8 - n))) & 0xff;
  for (let i = 0; i < 256; i++) {
    const inv = i === 0 ? 0 : exp[(255 - log[i]!) % 255]!;
    SBOX[i] = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
  }
  // T-tables (FIPS-197 5.1.1-5.1.3 folded): T0[a] is the MixColumns column of S(a) in row 0,
  // T1..T3 the same rotated. S24..S0: S(a) placed in one octet, for the last round and the key schedule.
  const T0 = new Int32Array(256);
  const T1 = new Int32Array(256);
  const T2 = new Int32Array(256);
  const T3 = new Int32Array(256);
  const S24 = new Int32Array(256);
  const S16 = new Int32Array(256);
  const S8 = new Int32Array(256);
  const S0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const w = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    T0[i] = w;
    T1[i] = (w >>> 8) | (w << 24);
    T2[i] = (w >>> 16) | (w << 16);
    T3[i] = (w >>> 24) | (w << 8);
    S24[i] = s << 24;
    S16[i] = s << 16;
    S8[i] = s << 8;
    S0[i] = s;
  }
  // FIPS-197 5.2: Rcon[i] in the most significant octet.
  const RCON = Int32Array.of(0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36).map((r) => r << 24);
  // Round keys 1..10 (words 4..43) of the current candidate; words 0..3 are 0, 0, 0, passkey.
  const rk = new Int32Array(44);

  /** FIPS-197 5.2 for K = 0^96 || p: words 4..43 into rk. */
  function expand(p: number): void {
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = p | 0;
    rk[3] = k3;
    for (let i = 4, r = 0; i < 44; i += 4, r++) {
      // SubWord(RotWord(w[i-1])) XOR Rcon
      k0 ^= S24[(k3 >>> 16) & 255]! ^ S16[(k3 >>> 8) & 255]! ^ S8[k3 & 255]! ^ S0[k3 >>> 24]! ^ RCON[r]!;
      k1 ^= k0;
      k2 ^= k1;
      k3 ^= k2;
      rk[i] = k0;
      rk[i + 1] = k1;
      rk[i + 2] = k2;
      rk[i + 3] = k3;
    }
  }

  /**
   * Rounds 2..9 of FIPS-197 5.1 on state (a, b, c, d) after round 1, then the last round, into out.
   * Written once and used by `encrypt` and the searches' first block.
   */
  function rounds2to10(a: number, b: number, c: number, d: number, out: Int32Array): void {
    for (let i = 8; i < 40; i += 4) {
      const t0 = T0[a >>> 24]! ^ T1[(b >>> 16) & 255]! ^ T2[(c >>> 8) & 255]! ^ T3[d & 255]! ^ rk[i]!;
      const t1 = T0[b >>> 24]! ^ T1[(c >>> 16) & 255]! ^ T2[(d >>> 8) & 255]! ^ T3[a & 255]! ^ rk[i + 1]!;
      const t2 = T0[c >>> 24]! ^ T1[(d >>> 16) & 255]! ^ T2[(a >>> 8) & 255]! ^ T3[b & 255]! ^ rk[i + 2]!;
      const t3 = T0[d >>> 24]! ^ T1[(a >>> 16) & 255]! ^ T2[(b >>> 8) & 255]! ^ T3[c & 255]! ^ rk[i + 3]!;
      a = t0;
      b = t1;
      c = t2;
      d = t3;
    }
    // Last round: SubBytes, ShiftRows, AddRoundKey (no MixColumns).
    out[0] = S24[a >>> 24]! ^ S16[(b >>> 16) & 255]! ^ S8[(c >>> 8) & 255]! ^ S0[d & 255]! ^ rk[40]!;
    out[1] = S24[b >>> 24]! ^ S16[(c >>> 16) & 255]! ^ S8[(d >>> 8) & 255]! ^ S0[a & 255]! ^ rk[41]!;
    out[2] = S24[c >>> 24]! ^ S16[(d >>> 16) & 255]! ^ S8[(a >>> 8) & 255]! ^ S0[b & 255]! ^ rk[42]!;
    out[3] = S24[d >>> 24]! ^ S16[(a >>> 16) & 255]! ^ S8[(b >>> 8) & 255]! ^ S0[c & 255]! ^ rk[43]!;
  }

  /**
   * Round 1 with a fixed plaintext x, by columns: the initial AddRoundKey XORs 0, 0, 0, p, so only
   * state word 3 depends on the candidate, and it feeds one octet of each column. `fixed` holds the
   * other three look-ups of each column (computed once per search); the candidate adds one each.
   */
  function roundOneFixed(x: Int32Array): Int32Array {
    const [x0, x1, x2, x3] = [x[0]!, x[1]!, x[2]!, x[3]!];
    return Int32Array.of(
      T0[x0 >>> 24]! ^ T1[(x1 >>> 16) & 255]! ^ T2[(x2 >>> 8) & 255]!, // column 0, with T3[s3 & 255]
      T0[x1 >>> 24]! ^ T1[(x2 >>> 16) & 255]! ^ T3[x0 & 255]!, // column 1, with T2[(s3 >>> 8) & 255]
      T0[x2 >>> 24]! ^ T2[(x0 >>> 8) & 255]! ^ T3[x1 & 255]!, // column 2, with T1[(s3 >>> 16) & 255]
      T1[(x0 >>> 16) & 255]! ^ T2[(x1 >>> 8) & 255]! ^ T3[x2 & 255]!, // column 3, with T0[s3 >>> 24]
      x3,
    );
  }

  /** Rounds 1..10 of a block whose plaintext gave `fixed`, under the expanded key of p. */
  function encryptFixed(fixed: Int32Array, p: number, out: Int32Array): void {
    const s3 = fixed[4]! ^ p;
    rounds2to10(
      fixed[0]! ^ T3[s3 & 255]! ^ rk[4]!,
      fixed[1]! ^ T2[(s3 >>> 8) & 255]! ^ rk[5]!,
      fixed[2]! ^ T1[(s3 >>> 16) & 255]! ^ rk[6]!,
      fixed[3]! ^ T0[s3 >>> 24]! ^ rk[7]!,
      out,
    );
  }

  function encrypt(passkey: number, block: Int32Array, out: Int32Array): void {
    expand(passkey);
    encryptFixed(roundOneFixed(block), passkey, out);
  }

  const STOP_EVERY = 4096;

  function searchConfirm(
    x: Int32Array,
    p2: Int32Array,
    target: Int32Array,
    from: number,
    to: number,
    stop?: Int32Array,
  ): number {
    const fixed = roundOneFixed(x);
    const m = new Int32Array(4);
    const [q0, q1, q2, q3] = [p2[0]!, p2[1]!, p2[2]!, p2[3]!];
    const [g0, g1, g2, g3] = [target[0]!, target[1]!, target[2]!, target[3]!];
    for (let p = from; p <= to; p++) {
      if (stop !== undefined && (p - from) % STOP_EVERY === 0 && Atomics.load(stop, 0) < p) return -2;
      expand(p);
      // First block: e(TK, r XOR p1).
      encryptFixed(fixed, p, m);
      // Second block: e(TK, m XOR p2); the initial round key is 0, 0, 0, p.
      let a = m[0]! ^ q0;
      let b = m[1]! ^ q1;
      let c = m[2]! ^ q2;
      let d = m[3]! ^ q3 ^ p;
      for (let i = 4; i < 40; i += 4) {
        const t0 = T0[a >>> 24]! ^ T1[(b >>> 16) & 255]! ^ T2[(c >>> 8) & 255]! ^ T3[d & 255]! ^ rk[i]!;
        const t1 = T0[b >>> 24]! ^ T1[(c >>> 16) & 255]! ^ T2[(d >>> 8) & 255]! ^ T3[a & 255]! ^ rk[i + 1]!;
        const t2 = T0[c >>> 24]! ^ T1[(d >>> 16) & 255]! ^ T2[(a >>> 8) & 255]! ^ T3[b & 255]! ^ rk[i + 2]!;
        const t3 = T0[d >>> 24]! ^ T1[(a >>> 16) & 255]! ^ T2[(b >>> 8) & 255]! ^ T3[c & 255]! ^ rk[i + 3]!;
        a = t0;
        b = t1;
        c = t2;
        d = t3;
      }
      // Last round, one word first: the other three only when it matches (1 candidate in 2^32).
      if ((S24[a >>> 24]! ^ S16[(b >>> 16) & 255]! ^ S8[(c >>> 8) & 255]! ^ S0[d & 255]! ^ rk[40]!) !== g0)
        continue;
      if (
        (S24[b >>> 24]! ^ S16[(c >>> 16) & 255]! ^ S8[(d >>> 8) & 255]! ^ S0[a & 255]! ^ rk[41]!) === g1 &&
        (S24[c >>> 24]! ^ S16[(d >>> 16) & 255]! ^ S8[(a >>> 8) & 255]! ^ S0[b & 255]! ^ rk[42]!) === g2 &&
        (S24[d >>> 24]! ^ S16[(a >>> 16) & 255]! ^ S8[(b >>> 8) & 255]! ^ S0[c & 255]! ^ rk[43]!) === g3
      ) {
        return p;
      }
    }
    return -1;
  }

  function searchStk(
    r: Int32Array,
    target: Int32Array,
    mask: Int32Array,
    from: number,
    to: number,
    stop?: Int32Array,
  ): number {
    const fixed = roundOneFixed(r);
    const out = new Int32Array(4);
    const [g0, g1, g2, g3] = [target[0]!, target[1]!, target[2]!, target[3]!];
    const [m0, m1, m2, m3] = [mask[0]!, mask[1]!, mask[2]!, mask[3]!];
    for (let p = from; p <= to; p++) {
      if (stop !== undefined && (p - from) % STOP_EVERY === 0 && Atomics.load(stop, 0) < p) return -2;
      expand(p);
      encryptFixed(fixed, p, out);
      // Word 3 (wire octets 0..3) is compared in full at every key size from 4 on: it goes first.
      if ((out[3]! & m3) === g3 && (out[2]! & m2) === g2 && (out[1]! & m1) === g1 && (out[0]! & m0) === g0)
        return p;
    }
    return -1;
  }

  return { searchConfirm, searchStk, encrypt };
}

/**
 * A kernel from a fresh compilation of `c1Kernel`'s source text, so that its
 * search loop is specialised to its own tables whatever other kernels exist
 * (see the module notes). Where code generation from strings is disallowed it
 * is `c1Kernel()` itself: the same answers, somewhat slower.
 * @example
 * ```ts
 * const kernel = compileKernel();
 * kernel.searchStk(r, target, mask, 0, 999_999);
 * ```
 */
export function compileKernel(): C1Kernel {
  try {
    // `__name`: a no-op for the naming helper some TypeScript transforms insert into functions.
    const factory = new Function(`'use strict'; var __name = (f) => f; return (${c1Kernel.toString()});`);
    return (factory() as typeof c1Kernel)();
  } catch {
    return c1Kernel();
  }
}
