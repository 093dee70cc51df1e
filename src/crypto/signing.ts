/**
 * ATT data signing with the CSRK (Core Vol 3 Part H 2.4.5).
 * @module
 */
import type { CryptoBackend } from './backend.js';
import { anyOctets, integer, octets } from './check.js';
import { defaultBackend } from './default-backend.js';

/**
 * The 12-octet signature of a signed ATT PDU (Core Vol 3 Part H 2.4.5):
 * SignCounter (4 octets, little-endian) followed by the 64 most significant
 * bits of `AES-CMAC_CSRK(message || SignCounter)`, sent least significant
 * octet first. `message` is the ATT PDU as sent (opcode first), `csrk` the
 * 16-octet key as distributed in Signing Information.
 * @example
 * ```ts
 * const signature = attSignature(csrk, Uint8Array.of(0xd2, 0x12, 0x00, 0x13, 0x37), 1);
 * ```
 */
export function attSignature(
  csrk: Uint8Array,
  message: Uint8Array,
  signCounter: number,
  backend: CryptoBackend = defaultBackend(),
): Uint8Array {
  octets('attSignature', 'csrk', csrk, 16);
  anyOctets('attSignature', 'message', message);
  integer('attSignature', 'signCounter', signCounter, 0, 0xffffffff);
  const signed = new Uint8Array(message.length + 4);
  signed.set(message);
  new DataView(signed.buffer).setUint32(message.length, signCounter, true);
  // The spec message is the octets as sent, reversed: exactly one wire-order field.
  const mac = backend.cmac(csrk, [signed]);
  const out = new Uint8Array(12);
  out.set(signed.subarray(message.length), 0);
  // The MAC's 64 most significant bits, least significant octet first: octets 8..15 in wire order.
  out.set(mac.subarray(8, 16), 4);
  return out;
}
