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
 * per state octet), with rounds 2..9 unrolled; the key schedule is FIPS-197
 * 5.2 computed round by round into a preallocated Int32Array, with no
 * allocation in the loop. Every word is kept as a signed 32-bit integer, which
 * V8 holds unboxed. Per candidate: 40 S-box look-ups for the key schedule,
 * 3 + 128 + 16 for the first block and 144 + 4 for the second (crackle's
 * generic loop: 2 x (40 + 160 + 16)).
 *
 * A bitsliced AES was considered and not taken: on 32-bit words it runs 32
 * candidates per pass, but a round then costs 16 S-box circuits of about 115
 * gates (Boyar-Peralta) plus MixColumns and the per-candidate key schedule,
 * some 80 operations per candidate against about 60 for a table round; it
 * pays only with wider words, and JavaScript has no 128-bit SIMD outside
 * WebAssembly.
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
  // T-tables (FIPS-197 5.1.1-5.1.3 folded), four of 256 words in one array: T[256 * j + a] is the
  // MixColumns column of S(a) rotated right by 8 * j bits (T0..T3 of the literature). S[256 * j + a]
  // is S(a) alone in octet 3 - j (most significant first), for the last round and the key schedule.
  // One array each keeps the loops' live base pointers to two.
  const T = new Int32Array(1024);
  const S = new Int32Array(1024);
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const w = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    T[i] = w;
    T[256 | i] = (w >>> 8) | (w << 24);
    T[512 | i] = (w >>> 16) | (w << 16);
    T[768 | i] = (w >>> 24) | (w << 8);
    S[i] = s << 24;
    S[256 | i] = s << 16;
    S[512 | i] = s << 8;
    S[768 | i] = s;
  }
  // FIPS-197 5.2: Rcon[i] in the most significant octet.
  const RCON = Int32Array.of(0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36).map((r) => r << 24);
  // Round keys of the current candidate (words 0..3 are 0, 0, 0, passkey); the state between calls.
  const rk = new Int32Array(44);
  const state = new Int32Array(4);

  /** FIPS-197 5.2 for K = 0^96 || p: words 4..43 into rk. */
  function expand(p: number): void {
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = p | 0;
    rk[3] = k3;
    for (let i = 4, r = 0; i < 44; i += 4, r++) {
      // SubWord(RotWord(w[i-1])) XOR Rcon
      k0 ^=
        S[(k3 >>> 16) & 255]! ^
        S[256 | ((k3 >>> 8) & 255)]! ^
        S[512 | (k3 & 255)]! ^
        S[768 | (k3 >>> 24)]! ^
        RCON[r]!;
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
   * Rounds 2..9 of FIPS-197 5.1 (SubBytes, ShiftRows, MixColumns, AddRoundKey by T-table look-ups)
   * on the state (a, b, c, d) after round 1, into `state`. Unrolled: the round-key indices are
   * constants, which measured about a fifth faster than the loop.
   */
  function rounds2to9(a: number, b: number, c: number, d: number): void {
    let t0: number;
    let t1: number;
    let t2: number;
    // round 2
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[8]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[9]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[10]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[11]!;
    a = t0;
    b = t1;
    c = t2;
    // round 3
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[12]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[13]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[14]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[15]!;
    a = t0;
    b = t1;
    c = t2;
    // round 4
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[16]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[17]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[18]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[19]!;
    a = t0;
    b = t1;
    c = t2;
    // round 5
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[20]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[21]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[22]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[23]!;
    a = t0;
    b = t1;
    c = t2;
    // round 6
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[24]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[25]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[26]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[27]!;
    a = t0;
    b = t1;
    c = t2;
    // round 7
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[28]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[29]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[30]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[31]!;
    a = t0;
    b = t1;
    c = t2;
    // round 8
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[32]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[33]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[34]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[35]!;
    a = t0;
    b = t1;
    c = t2;
    // round 9
    t0 =
      T[a >>> 24]! ^
      T[256 | ((b >>> 16) & 255)]! ^
      T[512 | ((c >>> 8) & 255)]! ^
      T[768 | (d & 255)]! ^
      rk[36]!;
    t1 =
      T[b >>> 24]! ^
      T[256 | ((c >>> 16) & 255)]! ^
      T[512 | ((d >>> 8) & 255)]! ^
      T[768 | (a & 255)]! ^
      rk[37]!;
    t2 =
      T[c >>> 24]! ^
      T[256 | ((d >>> 16) & 255)]! ^
      T[512 | ((a >>> 8) & 255)]! ^
      T[768 | (b & 255)]! ^
      rk[38]!;
    d =
      T[d >>> 24]! ^
      T[256 | ((a >>> 16) & 255)]! ^
      T[512 | ((b >>> 8) & 255)]! ^
      T[768 | (c & 255)]! ^
      rk[39]!;
    a = t0;
    b = t1;
    c = t2;
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
  }

  /** Word `j` of the last round (SubBytes, ShiftRows, AddRoundKey; no MixColumns) of `state`. */
  function lastWord(j: number): number {
    const a = state[j]!;
    const b = state[(j + 1) & 3]!;
    const c = state[(j + 2) & 3]!;
    const d = state[(j + 3) & 3]!;
    return (
      S[a >>> 24]! ^
      S[256 | ((b >>> 16) & 255)]! ^
      S[512 | ((c >>> 8) & 255)]! ^
      S[768 | (d & 255)]! ^
      rk[40 + j]!
    );
  }

  /**
   * Round 1 with a fixed plaintext x, by columns: the initial AddRoundKey XORs 0, 0, 0, p, so only
   * state word 3 depends on the candidate, and it feeds one octet of each column. Returns the other
   * three look-ups of each column (done once per search) and x3; `roundOne` adds the candidate's.
   */
  function roundOneFixed(x: Int32Array): Int32Array {
    const [x0, x1, x2, x3] = [x[0]!, x[1]!, x[2]!, x[3]!];
    return Int32Array.of(
      T[x0 >>> 24]! ^ T[256 | ((x1 >>> 16) & 255)]! ^ T[512 | ((x2 >>> 8) & 255)]!, // column 0, with T3[s3 & 255]
      T[x1 >>> 24]! ^ T[256 | ((x2 >>> 16) & 255)]! ^ T[768 | (x0 & 255)]!, // column 1, with T2[(s3 >>> 8) & 255]
      T[x2 >>> 24]! ^ T[512 | ((x0 >>> 8) & 255)]! ^ T[768 | (x1 & 255)]!, // column 2, with T1[(s3 >>> 16) & 255]
      T[256 | ((x0 >>> 16) & 255)]! ^ T[512 | ((x1 >>> 8) & 255)]! ^ T[768 | (x2 & 255)]!, // column 3, with T0[s3 >>> 24]
      x3,
    );
  }

  /** Rounds 1..9 of a block whose plaintext gave `fixed`, under the expanded key of p, into `state`. */
  function encryptFixed(fixed: Int32Array, p: number): void {
    const s3 = fixed[4]! ^ p;
    rounds2to9(
      fixed[0]! ^ T[768 | (s3 & 255)]! ^ rk[4]!,
      fixed[1]! ^ T[512 | ((s3 >>> 8) & 255)]! ^ rk[5]!,
      fixed[2]! ^ T[256 | ((s3 >>> 16) & 255)]! ^ rk[6]!,
      fixed[3]! ^ T[s3 >>> 24]! ^ rk[7]!,
    );
  }

  function encrypt(passkey: number, block: Int32Array, out: Int32Array): void {
    expand(passkey);
    encryptFixed(roundOneFixed(block), passkey);
    for (let j = 0; j < 4; j++) out[j] = lastWord(j);
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
    const [q0, q1, q2, q3] = [p2[0]!, p2[1]!, p2[2]!, p2[3]!];
    const [g0, g1, g2, g3] = [target[0]!, target[1]!, target[2]!, target[3]!];
    for (let p = from; p <= to; p++) {
      if (stop !== undefined && (p - from) % STOP_EVERY === 0 && Atomics.load(stop, 0) < p) return -2;
      expand(p);
      // First block: e(TK, r XOR p1), then XOR p2 and the second block's initial round key 0, 0, 0, p.
      encryptFixed(fixed, p);
      const a = lastWord(0) ^ q0;
      const b = lastWord(1) ^ q1;
      const c = lastWord(2) ^ q2;
      const d = lastWord(3) ^ q3 ^ p;
      // Second block: round 1 in full, rounds 2..9, and the last round one word first (the other
      // three only when it matches: 1 candidate in 2^32).
      rounds2to9(
        T[a >>> 24]! ^
          T[256 | ((b >>> 16) & 255)]! ^
          T[512 | ((c >>> 8) & 255)]! ^
          T[768 | (d & 255)]! ^
          rk[4]!,
        T[b >>> 24]! ^
          T[256 | ((c >>> 16) & 255)]! ^
          T[512 | ((d >>> 8) & 255)]! ^
          T[768 | (a & 255)]! ^
          rk[5]!,
        T[c >>> 24]! ^
          T[256 | ((d >>> 16) & 255)]! ^
          T[512 | ((a >>> 8) & 255)]! ^
          T[768 | (b & 255)]! ^
          rk[6]!,
        T[d >>> 24]! ^
          T[256 | ((a >>> 16) & 255)]! ^
          T[512 | ((b >>> 8) & 255)]! ^
          T[768 | (c & 255)]! ^
          rk[7]!,
      );
      if (lastWord(0) === g0 && lastWord(1) === g1 && lastWord(2) === g2 && lastWord(3) === g3) return p;
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
    const [g0, g1, g2, g3] = [target[0]!, target[1]!, target[2]!, target[3]!];
    const [m0, m1, m2, m3] = [mask[0]!, mask[1]!, mask[2]!, mask[3]!];
    for (let p = from; p <= to; p++) {
      if (stop !== undefined && (p - from) % STOP_EVERY === 0 && Atomics.load(stop, 0) < p) return -2;
      expand(p);
      encryptFixed(fixed, p);
      // Word 3 (wire octets 0..3) is compared in full at every key size from 4 on: it goes first.
      if (
        (lastWord(3) & m3) === g3 &&
        (lastWord(2) & m2) === g2 &&
        (lastWord(1) & m1) === g1 &&
        (lastWord(0) & m0) === g0
      )
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
