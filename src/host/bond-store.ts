/**
 * Bonds: the keys kept after a pairing so that a later connection can be
 * encrypted without pairing again (Core Vol 3 Part H 2.4.1; smp-rules.md 9).
 * @module
 */
import { formatAddress } from '../smp/delegate.js';
import type { DeviceAddress } from '../smp/index.js';

/** What is kept of one pairing, for one peer. */
export interface Bond {
  /** The peer's identity address (its Identity Address Information, else its address on the link). */
  readonly peer: DeviceAddress;
  /** The key the link is encrypted with on reconnection: the SC LTK, or the legacy LTK the peripheral distributed. */
  readonly ltk: Uint8Array;
  /** EDIV of that key: 0 for Secure Connections. */
  readonly ediv: number;
  /** Rand of that key, 8 octets: zero for Secure Connections. */
  readonly rand: Uint8Array;
  readonly secureConnections: boolean;
  readonly authenticated: boolean;
  readonly keySize: number;
  /** Our role on the link that paired: a central starts encryption, a peripheral answers LTK requests. */
  readonly localRole: 'central' | 'peripheral';
  /** The peer's Identity Resolving Key, when it distributed one. */
  readonly peerIrk?: Uint8Array;
  /** The peer's Connection Signature Resolving Key, when it distributed one. */
  readonly peerCsrk?: Uint8Array;
}

/** Where bonds are kept, by peer identity address. */
export interface BondStore {
  /** The bond with this peer, if any. */
  get(peer: DeviceAddress): Bond | undefined;
  /** Keeps a bond, replacing any with the same peer. */
  put(bond: Bond): void;
  /** Forgets the bond with this peer; returns whether there was one. */
  delete(peer: DeviceAddress): boolean;
  /** Every bond (a peripheral looks a legacy key up by EDIV and Rand). */
  list(): Iterable<Bond>;
}

/**
 * The key of a peer in a bond store: its address as printed and its type.
 * @example
 * ```ts
 * peerKey({ address: Uint8Array.of(1, 2, 3, 4, 5, 6), type: 0 }); // '06:05:04:03:02:01/0'
 * ```
 */
export function peerKey(peer: DeviceAddress): string {
  return `${formatAddress(peer.address)}/${peer.type}`;
}

/**
 * A bond store in memory: bonds last as long as the process.
 * @example
 * ```ts
 * const bonds = new MemoryBondStore();
 * const host = await Host.open(transport, { bondStore: bonds });
 * [...bonds.list()].length; // 0 until a bonded pairing completes
 * ```
 */
export class MemoryBondStore implements BondStore {
  readonly #bonds = new Map<string, Bond>();

  get(peer: DeviceAddress): Bond | undefined {
    return this.#bonds.get(peerKey(peer));
  }

  put(bond: Bond): void {
    this.#bonds.set(peerKey(bond.peer), bond);
  }

  delete(peer: DeviceAddress): boolean {
    return this.#bonds.delete(peerKey(peer));
  }

  list(): Iterable<Bond> {
    return [...this.#bonds.values()];
  }
}
