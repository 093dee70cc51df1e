import { describe, expect, it } from 'vitest';
import { bondOfPairing } from '../../src/host/bond-of-pairing.js';
import type { DeviceAddress } from '../../src/smp/delegate.js';
import type { PairingResult } from '../../src/smp/session-types.js';

const bytes = (fill: number, length = 16) => new Uint8Array(length).fill(fill);
const linkIdentity: DeviceAddress = { address: bytes(0xaa, 6), type: 1 };
const distributedIdentity: DeviceAddress = { address: Uint8Array.of(1, 2, 3, 4, 5, 0xc6), type: 1 };

function result(overrides: Partial<PairingResult>): PairingResult {
  return {
    secureConnections: true,
    method: 'sc',
    model: 'numeric-comparison',
    keySize: 16,
    authenticated: true,
    bonded: true,
    debugKey: false,
    encryptionKey: bytes(0x11),
    localKeys: {},
    peerKeys: {},
    ...overrides,
  };
}

describe('bondOfPairing: what a pairing leaves to keep', () => {
  it('keeps nothing without bonding, or after a debug-key pairing', () => {
    expect(bondOfPairing(result({ bonded: false }), 'central', linkIdentity)).toBeUndefined();
    expect(bondOfPairing(result({ debugKey: true }), 'central', linkIdentity)).toBeUndefined();
  });

  it('SC: both LTKs are the pairing key with EDIV and Rand 0; the peer is known by the identity it distributed', () => {
    const bond = bondOfPairing(
      result({ peerKeys: { irk: bytes(0x22), identityAddress: distributedIdentity, csrk: bytes(0x33) } }),
      'peripheral',
      linkIdentity,
      1234,
    );
    expect(bond).toEqual({
      peer: distributedIdentity,
      peerLtk: { ltk: bytes(0x11), ediv: 0, rand: bytes(0, 8) },
      localLtk: { ltk: bytes(0x11), ediv: 0, rand: bytes(0, 8) },
      secureConnections: true,
      authenticated: true,
      keySize: 16,
      localRole: 'peripheral',
      createdAt: 1234,
      peerIrk: bytes(0x22),
      peerCsrk: { csrk: bytes(0x33), counter: 0 },
    });
  });

  it('legacy: each LTK is the one its side distributed, kept only with its EDIV and Rand', () => {
    const bond = bondOfPairing(
      result({
        secureConnections: false,
        model: 'passkey',
        keySize: 12,
        peerKeys: { ltk: bytes(0x44), ediv: 0x1234, rand: bytes(0x55, 8) },
        localKeys: { ltk: bytes(0x66), csrk: bytes(0x77) }, // no EDIV/Rand: not a usable key
      }),
      'central',
      linkIdentity,
      99,
    );
    expect(bond?.peer).toEqual(linkIdentity);
    expect(bond?.peerLtk).toEqual({ ltk: bytes(0x44), ediv: 0x1234, rand: bytes(0x55, 8) });
    expect(bond).not.toHaveProperty('localLtk');
    expect(bond?.localCsrk).toEqual({ csrk: bytes(0x77), counter: 0 });
    expect(bond).toMatchObject({
      secureConnections: false,
      keySize: 12,
      localRole: 'central',
      createdAt: 99,
    });
  });
});
