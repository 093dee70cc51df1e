/**
 * The one source of randomness in ble-smp: the platform's cryptographic RNG.
 * @module
 */

/** A source of random octets; the SMP engine takes one so tests can inject theirs. */
export type RandomSource = (length: number) => Uint8Array;

/**
 * `length` octets from `crypto.getRandomValues` (a cryptographic RNG).
 * @example
 * ```ts
 * const mrand = randomBytes(16);
 * ```
 */
export const randomBytes: RandomSource = (length: number): Uint8Array => {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 octets per call.
  for (let offset = 0; offset < length; offset += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
};
