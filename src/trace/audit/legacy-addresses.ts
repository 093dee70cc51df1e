/**
 * The device addresses of an LE legacy pairing, recovered from a confirm
 * when the capture does not show them (Core Vol 3 Part H 2.2.3): c1 is
 * `confirm = e(TK, e(TK, r XOR p1) XOR p2)` with `p2 = padding(32 zero bits)
 * || ia || ra`, so with the TK known, `p2 = e(TK, r XOR p1) XOR d(TK,
 * confirm)` (d: AES-128 decryption). p1 holds the two address types, which
 * are tried in turn; only the right ones give p2's 32 zero bits (a wrong
 * guess passes with probability 2^-32), and an address the capture does show
 * must come out as itself.
 * @module
 */
import { ecb } from '@noble/ciphers/aes.js';
import type { Toolbox } from '../../crypto/toolbox.js';
import type { DeviceAddress } from '../events.js';
import { sameBytes } from './values.js';

/** What a confirm commits to, besides the addresses: wire order, as on the air. */
export interface ConfirmCommitment {
  readonly tk: Uint8Array;
  readonly confirm: Uint8Array;
  /** The random the confirm commits to (Mrand for Mconfirm, Srand for Sconfirm). */
  readonly random: Uint8Array;
  /** Pairing Request and Response, 7 octets each, code first. */
  readonly preq: Uint8Array;
  readonly pres: Uint8Array;
}

const reversed = (bytes: Uint8Array) => Uint8Array.from(bytes).reverse();

/** AES-128 decryption of one block, wire order in and out (the inverse of the toolbox's `e`). */
function decryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  return reversed(ecb(reversed(key), { disablePadding: true }).decrypt(reversed(block)));
}

/**
 * Both addresses of a legacy pairing from one confirm and its random, with
 * `known` addresses (those the capture shows) held fixed. Undefined when no
 * pair of address types gives p2's zero padding or a known address differs:
 * the TK is not the one used, or the confirm is not c1's.
 * @example
 * ```ts
 * const addresses = recoverAddresses(crypto, { tk, confirm: mconfirm, random: mrand, preq, pres });
 * addresses?.initiator.type; // 0 public, 1 random
 * ```
 */
export function recoverAddresses(
  crypto: Toolbox,
  commitment: ConfirmCommitment,
  known: { readonly initiator?: DeviceAddress; readonly responder?: DeviceAddress } = {},
): { initiator: DeviceAddress; responder: DeviceAddress } | undefined {
  const { tk, confirm, random, preq, pres } = commitment;
  const inner = decryptBlock(tk, confirm);
  const types = (address: DeviceAddress | undefined) => (address ? [address.type] : [0, 1]);
  for (const iat of types(known.initiator)) {
    for (const rat of types(known.responder)) {
      // p1 = pres || preq || rat' || iat' (2.2.3); in wire order iat' comes first.
      const p1 = new Uint8Array(16);
      p1[0] = iat;
      p1[1] = rat;
      p1.set(preq.subarray(0, 7), 2);
      p1.set(pres.subarray(0, 7), 9);
      const x = new Uint8Array(16);
      for (let i = 0; i < 16; i++) x[i] = random[i]! ^ p1[i]!;
      const first = crypto.e(tk, x);
      const p2 = new Uint8Array(16);
      for (let i = 0; i < 16; i++) p2[i] = first[i]! ^ inner[i]!;
      // p2 in wire order: ra (octets 0-5), ia (6-11), then the 32-bit zero padding.
      if (p2[12] || p2[13] || p2[14] || p2[15]) continue;
      const initiator = { address: p2.slice(6, 12), type: iat };
      const responder = { address: p2.slice(0, 6), type: rat };
      if (known.initiator && !sameBytes(known.initiator.address, initiator.address)) continue;
      if (known.responder && !sameBytes(known.responder.address, responder.address)) continue;
      return { initiator, responder };
    }
  }
  return undefined;
}
