/**
 * Octet-string helpers shared by the crypto layer and everything above it.
 * Every byte array in ble-smp is a `Uint8Array` in wire order (little-endian,
 * as on air and in HCI); these helpers do the few conversions that needs.
 * @module
 */

/**
 * Returns a new array with the octets of `bytes` in reverse order: wire order
 * to spec order and back.
 * @example
 * ```ts
 * reverse(Uint8Array.of(1, 2, 3)); // Uint8Array [3, 2, 1]
 * ```
 */
export function reverse(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0, j = bytes.length - 1; j >= 0; i++, j--) out[i] = bytes[j]!;
  return out;
}

/**
 * Joins octet strings into one new array.
 * @example
 * ```ts
 * concat(Uint8Array.of(1), Uint8Array.of(2, 3)); // Uint8Array [1, 2, 3]
 * ```
 */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * XOR of two octet strings of the same length, as a new array.
 * @example
 * ```ts
 * xor(Uint8Array.of(0xf0), Uint8Array.of(0x0f)); // Uint8Array [0xff]
 * ```
 */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`xor: lengths differ (${a.length} and ${b.length})`);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * Constant-time comparison of two octet strings (for confirm values and DHKey
 * checks, where an early exit would leak how many octets matched).
 * @example
 * ```ts
 * equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)); // true
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Lower-case hex of an octet string, in the order the octets are stored.
 * @example
 * ```ts
 * toHex(Uint8Array.of(0xde, 0xad)); // 'dead'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * Parses hex (even length, no prefix; spaces and colons are ignored) into an
 * octet string, first pair first.
 * @throws RangeError on an odd length or a character that is not hex.
 * @example
 * ```ts
 * fromHex('de ad'); // Uint8Array [0xde, 0xad]
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new RangeError(`fromHex: not an even-length hex string: '${hex}'`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Big-endian octets to a non-negative bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}
