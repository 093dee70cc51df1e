/**
 * What a completed pairing leaves to keep: the bond (Core Vol 3 Part H 2.4.1,
 * 3.6; smp-rules.md 9).
 * @module
 */
import type { DeviceAddress } from '../smp/delegate.js';
import type { DistributedKeys, PairingResult } from '../smp/session-types.js';
import type { Bond, BondKey } from './bond-store.js';

/**
 * The bond to keep after a pairing (smp-rules.md 9), or undefined when nothing
 * is to be kept: not bonding, or a debug key on either side. The peer is known
 * by the identity it distributed, else by `identity` (its address, or the
 * identity its RPA resolved to). Under SC both LTKs are the pairing's key, with
 * EDIV and Rand 0; under legacy each is the one its side distributed.
 * @example
 * ```ts
 * const bond = bondOfPairing(result, 'central', connection.identity);
 * if (bond) store.put(bond);
 * ```
 */
export function bondOfPairing(
  result: PairingResult,
  localRole: Bond['localRole'],
  identity: DeviceAddress,
  createdAt: number = Date.now(),
): Bond | undefined {
  if (!result.bonded || result.debugKey) return undefined;
  const peer = result.peerKeys.identityAddress ?? identity;
  let peerLtk: BondKey | undefined;
  let localLtk: BondKey | undefined;
  if (result.secureConnections) {
    peerLtk = localLtk = { ltk: result.encryptionKey, ediv: 0, rand: new Uint8Array(8) };
  } else {
    peerLtk = legacyKey(result.peerKeys);
    localLtk = legacyKey(result.localKeys);
  }
  return {
    peer,
    ...(peerLtk ? { peerLtk } : {}),
    ...(localLtk ? { localLtk } : {}),
    secureConnections: result.secureConnections,
    authenticated: result.authenticated,
    keySize: result.keySize,
    localRole,
    createdAt,
    ...(result.peerKeys.irk ? { peerIrk: result.peerKeys.irk } : {}),
    ...(result.peerKeys.csrk ? { peerCsrk: { csrk: result.peerKeys.csrk, counter: 0 } } : {}),
    ...(result.localKeys.csrk ? { localCsrk: { csrk: result.localKeys.csrk, counter: 0 } } : {}),
  };
}

/** A legacy LTK with its EDIV and Rand from distributed keys, when all three were distributed. */
function legacyKey(keys: DistributedKeys): BondKey | undefined {
  return keys.ltk && keys.ediv !== undefined && keys.rand
    ? { ltk: keys.ltk, ediv: keys.ediv, rand: keys.rand }
    : undefined;
}
