/**
 * Bonds: the keys kept after a pairing so that a later connection can be
 * encrypted without pairing again (Core Vol 3 Part H 2.4.1; smp-rules.md 9).
 * @module
 */
import { randomBytes } from '../crypto/random.js';
import { formatAddress } from '../smp/delegate.js';
import type { DeviceAddress } from '../smp/index.js';

/** An encryption key of a bond: the LTK with its EDIV and Rand (both zero for Secure Connections). */
export interface BondKey {
  /** The Long Term Key, 16 octets, wire order. */
  readonly ltk: Uint8Array;
  /** EDIV: 0 for Secure Connections. */
  readonly ediv: number;
  /** Rand, 8 octets, wire order: zero for Secure Connections. */
  readonly rand: Uint8Array;
}

/** A signature key (CSRK) with its sign counter (Core Vol 3 Part H 2.4.5). */
export interface SigningKey {
  /** The Connection Signature Resolving Key, 16 octets, wire order. */
  readonly csrk: Uint8Array;
  /** The last sign counter used (ours) or accepted (the peer's). */
  readonly counter: number;
}

/** What is kept of one pairing, for one peer. */
export interface Bond {
  /** The peer's identity address (its Identity Address Information, else its address on the link). */
  readonly peer: DeviceAddress;
  /**
   * The key a central starts encryption with: the SC LTK, or the legacy LTK the
   * peer distributed (Encryption Information with its Central Identification).
   */
  readonly peerLtk?: BondKey;
  /**
   * The key a peripheral answers LE Long Term Key Requests with: the SC LTK,
   * or the legacy LTK we distributed.
   */
  readonly localLtk?: BondKey;
  /** Made by LE Secure Connections (else LE legacy pairing). */
  readonly secureConnections: boolean;
  /** Made with MITM protection (Numeric Comparison, Passkey Entry or OOB). */
  readonly authenticated: boolean;
  /** The negotiated encryption key size in octets (7 to 16). */
  readonly keySize: number;
  /** Our role on the link that paired. */
  readonly localRole: 'central' | 'peripheral';
  /** When the pairing completed, in milliseconds since the Unix epoch. */
  readonly createdAt: number;
  /** The peer's Identity Resolving Key, when it distributed one. */
  readonly peerIrk?: Uint8Array;
  /** The peer's signature key, when it distributed one, with the last counter accepted. */
  readonly peerCsrk?: SigningKey;
  /** Our signature key, when we distributed one, with the last counter used. */
  readonly localCsrk?: SigningKey;
}

/** Where bonds are kept, by peer identity address, for one local identity. */
export interface BondStore {
  /**
   * The bond with this peer, if any.
   * @example
   * ```ts
   * const bond = host.security.bonds.get(connection.identity);
   * if (bond?.authenticated) console.log('bonded with MITM protection');
   * ```
   */
  get(peer: DeviceAddress): Bond | undefined;
  /**
   * Keeps a bond, replacing any with the same peer.
   * @example
   * ```ts
   * store.put(bond); // the Security Manager does this when a bonded pairing completes
   * ```
   */
  put(bond: Bond): void;
  /**
   * Forgets the bond with this peer; returns whether there was one.
   * @example
   * ```ts
   * host.security.bonds.delete(connection.identity); // the peer must pair again
   * ```
   */
  delete(peer: DeviceAddress): boolean;
  /**
   * Every bond (a peripheral looks a legacy key up by EDIV and Rand; RPAs are resolved through the IRKs).
   * @example
   * ```ts
   * for (const bond of host.security.bonds.list()) console.log(formatAddress(bond.peer.address), bond.keySize);
   * ```
   */
  list(): Iterable<Bond>;
  /**
   * Our Identity Resolving Key: made once from the CSPRNG, then the same for the life of the store.
   * @example
   * ```ts
   * const irk = store.localIrk(); // 16 octets, distributed in Identity Information
   * ```
   */
  localIrk(): Uint8Array;
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
 * A bond store in memory: bonds (and our IRK) last as long as the process.
 * @example
 * ```ts
 * const bonds = new MemoryBondStore();
 * const host = await Host.open(transport, { bondStore: bonds });
 * [...bonds.list()].length; // 0 until a bonded pairing completes
 * ```
 */
export class MemoryBondStore implements BondStore {
  /** Made with the first bond (a host that never bonds pays nothing for it). */
  #bonds: Map<string, Bond> | undefined;
  #irk: Uint8Array | undefined;

  /**
   * The bond with this peer (by its identity address and type), if any.
   * @example
   * ```ts
   * bonds.get({ address: parseAddress('b8:27:eb:15:50:70'), type: 0 }); // undefined until it bonds
   * ```
   */
  get(peer: DeviceAddress): Bond | undefined {
    return this.#bonds?.get(peerKey(peer));
  }

  /**
   * Keeps a bond, replacing any with the same peer.
   * @example
   * ```ts
   * bonds.put(bond);
   * bonds.get(bond.peer) === bond; // true: kept as given
   * ```
   */
  put(bond: Bond): void {
    this.#bonds ??= new Map();
    this.#bonds.set(peerKey(bond.peer), bond);
  }

  /**
   * Forgets the bond with this peer; returns whether there was one.
   * @example
   * ```ts
   * bonds.delete(bond.peer); // true, then false on a second call
   * ```
   */
  delete(peer: DeviceAddress): boolean {
    return this.#bonds?.delete(peerKey(peer)) ?? false;
  }

  /**
   * Every bond, as a snapshot: changing the store while iterating is safe.
   * @example
   * ```ts
   * const peers = [...bonds.list()].map((bond) => formatAddress(bond.peer.address));
   * ```
   */
  list(): Iterable<Bond> {
    return this.#bonds ? [...this.#bonds.values()] : [];
  }

  /**
   * Our Identity Resolving Key: 16 random octets made on the first call, the
   * same after (a copy each time), lost when the process ends.
   * @example
   * ```ts
   * const irk = bonds.localIrk();
   * ```
   */
  localIrk(): Uint8Array {
    this.#irk ??= randomBytes(16);
    return this.#irk.slice();
  }
}
