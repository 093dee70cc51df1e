/**
 * Advertising data for `serve` (Core Supplement Part A 1.3, 1.4; Vol 3 Part C 11):
 * the Flags (LE General Discoverable, BR/EDR not supported) and the device name.
 * @module
 */

/** AD types (Assigned Numbers 2.3). */
const AD_FLAGS = 0x01;
const AD_SHORTENED_LOCAL_NAME = 0x08;
const AD_COMPLETE_LOCAL_NAME = 0x09;
/** LE General Discoverable Mode | BR/EDR Not Supported. */
const FLAGS = 0x06;
/** Legacy advertising data holds 31 octets. */
const MAX_ADVERTISING_DATA = 31;

/**
 * Flags and the name: complete when it fits in the 31 octets, else shortened
 * at a UTF-8 character boundary (as the Shortened Local Name AD type says).
 * @example
 * ```ts
 * advertisingData('speaker'); // 02 01 06 08 09 73 70 65 61 6b 65 72
 * ```
 */
export function advertisingData(name?: string): Uint8Array {
  const flags = [2, AD_FLAGS, FLAGS];
  if (name === undefined || name === '') return Uint8Array.from(flags);
  const room = MAX_ADVERTISING_DATA - flags.length - 2;
  const encoder = new TextEncoder();
  let bytes = encoder.encode(name);
  let type = AD_COMPLETE_LOCAL_NAME;
  if (bytes.length > room) {
    type = AD_SHORTENED_LOCAL_NAME;
    let chars = [...name];
    while (encoder.encode(chars.join('')).length > room) chars = chars.slice(0, -1);
    bytes = encoder.encode(chars.join(''));
  }
  return Uint8Array.from([...flags, bytes.length + 1, type, ...bytes]);
}
