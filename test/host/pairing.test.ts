import { describe, expect, it } from 'vitest';
import { Host } from '../../src/host/host.js';
import { EncryptionError, PairingError } from '../../src/host/security-errors.js';
import { acceptAll, type PairingDelegate } from '../../src/smp/delegate.js';
import { TestAir } from './fake-controller.js';
import { link } from './link-hosts.js';

async function pair(options: Parameters<typeof Host.open>[1] = {}) {
  const air = new TestAir();
  const a = await Host.open(air.a, options);
  const b = await Host.open(air.b, options);
  return { air, a, b };
}

describe('pairing between two hosts over a test air', () => {
  it('pairs with LE Secure Connections, bonds both sides, and re-encrypts on reconnection', async () => {
    const { air, a, b } = await pair();
    const { central, peripheral } = await link(air, a, b);
    const phases: string[] = [];
    central.on('pairing', (p) => phases.push(p));
    const peripheralEncrypted = new Promise<boolean>((resolve) => peripheral.once('encrypted', resolve));
    const result = await central.pair({ delegate: acceptAll });
    expect(result.secureConnections).toBe(true);
    expect(result.method).toBe('sc');
    expect(result.bonded).toBe(true);
    expect(phases).toEqual([
      'awaiting-response',
      'secure-connections',
      'encrypting',
      'distributing',
      'completed',
    ]);
    expect(await peripheralEncrypted).toBe(false);
    expect(central.encrypted && peripheral.encrypted).toBe(true);
    const bondA = a.security.bonds.get(central.peer);
    const bondB = b.security.bonds.get(peripheral.peer);
    expect(bondA?.peerLtk?.ltk).toEqual(result.encryptionKey);
    expect(bondB?.localLtk?.ltk).toEqual(result.encryptionKey);
    expect(bondA?.peerLtk?.ediv).toBe(0);
    expect(bondA?.createdAt).toBeGreaterThan(Date.now() - 60_000);

    // The Public Key PDU (69 octets with its header) crossed the air in 27-octet fragments.
    expect(air.relayed.some((r) => r.data.length === 27)).toBe(true);

    await central.disconnect();
    expect(peripheral.connected).toBe(false);
    const again = await link(air, a, b);
    const bonded = new Promise<boolean>((resolve) => again.peripheral.once('encrypted', resolve));
    await again.central.encrypt();
    expect(await bonded).toBe(true);
    await a.close();
    await b.close();
  });

  it('pairs with LE legacy pairing and keeps the EDIV/Rand the peripheral distributed', async () => {
    const { air, a, b } = await pair({ policy: { allowLegacy: true, secureConnections: false } });
    const { central, peripheral } = await link(air, a, b);
    const result = await central.pair();
    expect(result.secureConnections).toBe(false);
    expect(result.method).toBe('legacy');
    const bondA = a.security.bonds.get(central.peer)!;
    const bondB = b.security.bonds.get(peripheral.peer)!;
    expect(bondA.peerLtk?.ltk).toEqual(result.peerKeys.ltk);
    expect(bondA.peerLtk?.ediv).toBe(result.peerKeys.ediv);
    expect(bondA.localLtk?.ltk).toEqual(result.localKeys.ltk);
    expect(bondB.localLtk?.ltk).toEqual(bondA.peerLtk?.ltk);
    expect(bondB.localLtk?.rand).toEqual(bondA.peerLtk?.rand);
    expect(bondB.peerLtk?.ltk).toEqual(bondA.localLtk?.ltk);
    await central.disconnect();
    const again = await link(air, a, b);
    await again.central.encrypt();
    expect(again.peripheral.encrypted).toBe(true);
    await a.close();
    await b.close();
  });

  it('rejects encrypt() with key-missing when the peripheral lost the bond, and mic-failure on a wrong key', async () => {
    const { air, a, b } = await pair();
    const first = await link(air, a, b);
    await first.central.pair();
    await first.central.disconnect();

    b.security.bonds.delete(first.peripheral.peer);
    const second = await link(air, a, b);
    const missing = await second.central.encrypt().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(EncryptionError);
    expect((missing as EncryptionError).code).toBe('key-missing');
    expect((missing as EncryptionError).status).toBe(0x06);
    await second.central.disconnect();

    const bond = a.security.bonds.get(first.central.peer)!;
    b.security.bonds.put({
      ...bond,
      peer: first.peripheral.peer,
      localLtk: { ltk: new Uint8Array(16).fill(7), ediv: 0, rand: new Uint8Array(8) },
    });
    const third = await link(air, a, b);
    const mic = await third.central.encrypt().catch((e: unknown) => e);
    expect((mic as EncryptionError).code).toBe('mic-failure');
    expect((mic as EncryptionError).status).toBe(0x3d);
    expect(third.central.connected).toBe(false);
    await a.close();
    await b.close();
  });

  it('fails a pairing cut by a disconnection with a clear PairingError', async () => {
    // The peripheral's user never answers the pairing prompt.
    const silent: PairingDelegate = {
      ...acceptAll,
      acceptPairing: () => new Promise<boolean>(() => undefined),
    };
    const air = new TestAir();
    const a = await Host.open(air.a);
    const b = await Host.open(air.b, { delegate: silent });
    const { central, peripheral } = await link(air, a, b);
    const pairing = central.pair();
    await new Promise((r) => setTimeout(r, 5));
    expect(b.security.phase(peripheral.handle)).toBe('awaiting-accept');
    await peripheral.disconnect(0x13);
    const error = await pairing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PairingError);
    expect((error as PairingError).by).toBe('local');
    expect((error as PairingError).message).toBe(
      'disconnected during pairing (reason 0x13 Remote User Terminated Connection)',
    );
    expect(a.security.phase(central.handle)).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('reports a refusal by the peer as a PairingError with the SMP reason', async () => {
    const air = new TestAir();
    const a = await Host.open(air.a);
    const b = await Host.open(air.b, { delegate: { ...acceptAll, acceptPairing: () => false } });
    const { central } = await link(air, a, b);
    const error = (await central.pair().catch((e: unknown) => e)) as PairingError;
    expect(error).toBeInstanceOf(PairingError);
    expect(error.reason).toBe(0x05);
    expect(error.by).toBe('peer');
    await a.close();
    await b.close();
  });
});
