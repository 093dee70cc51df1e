/**
 * Private addresses (Core Vol 6 Part B 1.3.2): making our resolvable private
 * address from our IRK, and resolving a peer's through the IRKs it gave us.
 * @module
 */
import { equalBytes } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import type { Toolbox } from '../crypto/toolbox.js';
import type { DeviceAddress } from '../smp/delegate.js';

/** The two most significant bits of a random address: 0b01 resolvable private (Vol 6 Part B 1.3.2.2). */
const RPA_TAG = 0x40;
/** 0b11: static random (Vol 6 Part B 1.3.2.1). */
const STATIC_TAG = 0xc0;

/**
 * Whether an address is a resolvable private address: random, with 0b01 in
 * its two most significant bits (octet 5 in wire order).
 * @example
 * ```ts
 * isResolvablePrivateAddress({ address: Uint8Array.of(1, 2, 3, 4, 5, 0x4a), type: 1 }); // true
 * ```
 */
export function isResolvablePrivateAddress(peer: DeviceAddress): boolean {
  return peer.type === 1 && peer.address.length === 6 && ((peer.address[5] ?? 0) & 0xc0) === RPA_TAG;
}

/**
 * Whether an address can be an identity address: public, or static random
 * (0b11 in its two most significant bits, not all zero nor all one otherwise).
 * @example
 * ```ts
 * isIdentityAddress({ address: Uint8Array.of(1, 2, 3, 4, 5, 0xc6), type: 1 }); // true
 * ```
 */
export function isIdentityAddress(peer: DeviceAddress): boolean {
  if (peer.type === 0) return true;
  if (((peer.address[5] ?? 0) & 0xc0) !== STATIC_TAG) return false;
  const rest = Uint8Array.from(peer.address);
  rest[5] = (rest[5] ?? 0) & 0x3f;
  return !rest.every((b) => b === 0) && !(rest.slice(0, 5).every((b) => b === 0xff) && rest[5] === 0x3f);
}

/**
 * A new resolvable private address for an IRK: prand (22 random bits under
 * the 0b01 tag) and hash = ah(IRK, prand), in wire order (hash first).
 * @example
 * ```ts
 * const rpa = makeResolvablePrivateAddress(tb, irk); // { address, type: 1 }
 * resolvesTo(tb, rpa.address, irk); // true
 * ```
 */
export function makeResolvablePrivateAddress(
  tb: Toolbox,
  irk: Uint8Array,
  random: (length: number) => Uint8Array = randomBytes,
): DeviceAddress {
  let prand: Uint8Array;
  do {
    prand = random(3);
    prand[2] = ((prand[2] ?? 0) & 0x3f) | RPA_TAG;
    // The random part of prand must not be all zeros or all ones (Vol 6 Part B 1.3.2.2).
  } while (
    (prand[0] === 0 && prand[1] === 0 && prand[2] === RPA_TAG) ||
    (prand[0] === 0xff && prand[1] === 0xff && prand[2] === 0x7f)
  );
  const hash = tb.ah(irk, prand);
  const address = new Uint8Array(6);
  address.set(hash, 0);
  address.set(prand, 3);
  return { address, type: 1 };
}

/**
 * Whether an RPA (6 octets, wire order) was made from this IRK: ah(IRK, prand) equals its hash.
 * @example
 * ```ts
 * resolvesTo(tb, connection.peer.address, bond.peerIrk); // true for a bonded peer on a new RPA
 * ```
 */
export function resolvesTo(tb: Toolbox, address: Uint8Array, irk: Uint8Array): boolean {
  return equalBytes(tb.ah(irk, address.subarray(3, 6)), address.subarray(0, 3));
}
