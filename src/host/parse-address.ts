/**
 * Device addresses as people write them.
 * @module
 */

/**
 * Parses an address as people write it (`aa:bb:cc:dd:ee:ff`, most significant
 * octet first) to 6 octets in wire order.
 * @throws TypeError when the text is not six hex octets separated by colons.
 * @example
 * ```ts
 * parseAddress('d2:a7:4c:76:f3:e0'); // Uint8Array [0xe0, 0xf3, 0x76, 0x4c, 0xa7, 0xd2]
 * ```
 */
export function parseAddress(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`not a device address: ${JSON.stringify(text)} (expected aa:bb:cc:dd:ee:ff)`);
  }
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16))).reverse();
}
