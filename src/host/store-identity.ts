/**
 * Our identity for the Security Manager, with the IRK taken from the bond
 * store only when it is first needed.
 * @module
 */
import type { DeviceAddress } from '../smp/delegate.js';
import type { BondStore } from './bond-store.js';

/** Our identity as the Security Manager takes it: the address, and the IRK read on first use. */
export interface StoreIdentity {
  readonly address: DeviceAddress;
  readonly irk: Uint8Array;
}

/**
 * Our identity address with the bond store's IRK, read from the store the
 * first time `irk` is read (a pairing that distributes Identity Information,
 * or a resolvable private address being made) and kept after. A
 * `FileBondStore` makes its file when it first hands out the IRK, so a
 * host that never needs it (no bonded pairing, no privacy) writes no file.
 * @example
 * ```ts
 * host.security.setIdentity(storeIdentity(host.address, host.security.bonds)); // as Host.open does by default
 * ```
 */
export function storeIdentity(address: DeviceAddress, bonds: Pick<BondStore, 'localIrk'>): StoreIdentity {
  let irk: Uint8Array | undefined;
  return Object.freeze({
    address,
    get irk(): Uint8Array {
      irk ??= bonds.localIrk();
      return irk.slice();
    },
  });
}
