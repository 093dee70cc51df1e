/**
 * The LE link layer's CRC-24 (Core Vol 6 Part B 3.1.1): polynomial
 * x^24 + x^10 + x^9 + x^6 + x^4 + x^3 + x + 1 over the PDU (header and
 * payload), each octet least significant bit first, the shift register
 * preset with CRCInit (0x555555 on the advertising physical channel, the
 * CONNECT_IND's CRCInit on a connection), its most significant bit in
 * position 0; the register is sent position 23 first. Checked against the
 * CRCs the crackle captures hold (test/trace/decrypt.test.ts).
 * @module
 */

/**
 * The CRCInit of the advertising physical channel (Vol 6 Part B 3.1.1).
 * @example
 * ```ts
 * const crc = leCrc(advertisingPdu, ADVERTISING_CRC_INIT);
 * ```
 */
export const ADVERTISING_CRC_INIT = 0x555555;

/** The taps of the polynomial, register position 0 in bit 23 (the register shifts right). */
const TAPS = 0xda6000;

/** CRCInit with its bits reversed: its most significant bit goes to register position 0. */
const reverse24 = (value: number) => {
  let out = 0;
  for (let i = 0; i < 24; i++) out |= ((value >> i) & 1) << (23 - i);
  return out >>> 0;
};

/**
 * The 3 CRC octets of `pdu` (header and payload) as they follow it in a
 * capture of link type 251 or 256. `crcInit` is the value of the CONNECT_IND's
 * CRCInit field (its 3 octets read little-endian).
 * @example
 * ```ts
 * const crc = leCrc(pdu, ADVERTISING_CRC_INIT); // 3 octets to append after the PDU
 * ```
 */
export function leCrc(pdu: Uint8Array, crcInit: number): Uint8Array {
  let state = reverse24(crcInit & 0xffffff);
  for (const octet of pdu) {
    for (let bit = 0; bit < 8; bit++) {
      const feedback = (state ^ (octet >> bit)) & 1;
      state >>>= 1;
      if (feedback) state ^= TAPS;
    }
  }
  return Uint8Array.of(state & 0xff, (state >> 8) & 0xff, (state >> 16) & 0xff);
}
