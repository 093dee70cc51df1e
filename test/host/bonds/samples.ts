/**
 * Bonds for the bond store tests, made from a number so that a test (or a
 * child process) can say which bonds it expects without sharing state.
 */
import type { Bond } from '../../../src/host/bond-store.js';
import type { DeviceAddress } from '../../../src/smp/index.js';

/** Our identity in the tests. */
export const LOCAL: DeviceAddress = { address: Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06), type: 0 };

/** `length` octets counting up from `seed`: a recognisable key that differs per bond. */
export function keyBytes(seed: number, length = 16): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff);
}

/** A static random identity address for peer `n` of writer `writer`. */
export function peerAddress(n: number, writer = 0): DeviceAddress {
  return {
    address: Uint8Array.of(n & 0xff, (n >> 8) & 0xff, writer, 0x5a, 0xa5, 0xc0 | (writer & 0x3f)),
    type: 1,
  };
}

/** A legacy bond with every field set (both LTKs, the IRK, both CSRKs). */
export function legacyBond(n: number, writer = 0): Bond {
  return {
    peer: peerAddress(n, writer),
    peerLtk: { ltk: keyBytes(n), ediv: (n * 257 + 1) & 0xffff, rand: keyBytes(n + 1, 8) },
    localLtk: { ltk: keyBytes(n + 2), ediv: (n * 7 + 2) & 0xffff, rand: keyBytes(n + 3, 8) },
    secureConnections: false,
    authenticated: n % 2 === 0,
    keySize: 7 + (n % 10),
    localRole: n % 3 === 0 ? 'peripheral' : 'central',
    createdAt: Date.UTC(2025, 0, 1) + n * 1001,
    peerIrk: keyBytes(n + 4),
    peerCsrk: { csrk: keyBytes(n + 5), counter: n * 3 },
    localCsrk: { csrk: keyBytes(n + 6), counter: 0xffffffff - n },
  };
}

/** A Secure Connections bond: one LTK (EDIV 0, Rand 0) both ways, with the peer's IRK. */
export function scBond(n: number, writer = 0): Bond {
  const key = { ltk: keyBytes(n + 100), ediv: 0, rand: new Uint8Array(8) };
  return {
    peer: peerAddress(n, writer),
    peerLtk: key,
    localLtk: key,
    secureConnections: true,
    authenticated: true,
    keySize: 16,
    localRole: 'central',
    createdAt: Date.UTC(2025, 5, 1) + n,
    peerIrk: keyBytes(n + 101),
  };
}
