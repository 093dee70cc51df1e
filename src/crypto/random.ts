/**
 * The one source of randomness in ble-smp: the platform's cryptographic RNG.
 * @module
 */

/** A source of random octets; the SMP engine takes one so tests can inject theirs. */
export type RandomSource = (length: number) => Uint8Array;

/**
 * Octets from `crypto.getRandomValues`, drawn 512 at a time: one call costs
 * microseconds whatever its size, and a pairing asks for many small values.
 * Each octet is handed out once and zeroed in the pool as it goes.
 */
const pool = new Uint8Array(512);
let poolOffset = pool.length;

function fill(out: Uint8Array): void {
  // getRandomValues fills at most 65536 octets per call.
  for (let offset = 0; offset < out.length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(out.length, offset + 65536)));
  }
}

/**
 * `length` octets from `crypto.getRandomValues` (a cryptographic RNG).
 * @example
 * ```ts
 * const mrand = randomBytes(16);
 * ```
 */
export const randomBytes: RandomSource = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  if (length > 64) {
    fill(out);
    return out;
  }
  if (poolOffset + length > pool.length) {
    fill(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + length);
  out.set(slice);
  slice.fill(0);
  poolOffset += length;
  return out;
};
