/**
 * The whole stack, end to end: two Hosts on two virtual controllers sharing
 * one air pair in every model (started by the central, or by the peripheral
 * through a Security Request), then disconnect, reconnect and re-encrypt from
 * the bond without pairing again.
 */
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { toHex } from '../../src/crypto/bytes.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import type { Bond } from '../../src/host/bond-store.js';
import type { Connection } from '../../src/host/connection.js';
import { Host } from '../../src/host/host.js';
import type { PairingError } from '../../src/host/security-errors.js';
import { IoCapability } from '../../src/smp/constants.js';
import { fixedAnswers, type PairingDelegate } from '../../src/smp/delegate.js';
import type { PairingPolicy } from '../../src/smp/policy.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';

const crypto = toolbox(nodeBackend);
const PERIPHERAL = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06);

interface Model {
  name: string;
  central: Partial<PairingPolicy>;
  peripheral: Partial<PairingPolicy>;
  expect: { secureConnections: boolean; model: string; authenticated: boolean };
  /** SC OOB: which sides hold the other's OOB data, exchanged before connecting. */
  oob?: { central: boolean; peripheral: boolean };
}
const legacy = { allowLegacy: true, secureConnections: false };
const MODELS: Model[] = [
  {
    name: 'legacy Just Works',
    central: { ...legacy, ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { allowLegacy: true, ioCapability: IoCapability.NoInputNoOutput },
    expect: { secureConnections: false, model: 'just-works', authenticated: false },
  },
  {
    name: 'legacy Passkey Entry',
    central: { ...legacy, ioCapability: IoCapability.KeyboardOnly },
    peripheral: { allowLegacy: true, ioCapability: IoCapability.DisplayOnly },
    expect: { secureConnections: false, model: 'passkey', authenticated: true },
  },
  {
    name: 'SC Just Works',
    central: { ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { ioCapability: IoCapability.NoInputNoOutput },
    expect: { secureConnections: true, model: 'just-works', authenticated: false },
  },
  {
    name: 'SC Numeric Comparison',
    central: { ioCapability: IoCapability.DisplayYesNo },
    peripheral: { ioCapability: IoCapability.KeyboardDisplay },
    expect: { secureConnections: true, model: 'numeric-comparison', authenticated: true },
  },
  {
    name: 'SC Passkey Entry',
    central: { ioCapability: IoCapability.KeyboardOnly },
    peripheral: { ioCapability: IoCapability.DisplayOnly },
    expect: { secureConnections: true, model: 'passkey', authenticated: true },
  },
  {
    // Without OOB, NoInputNoOutput on both sides would be Just Works.
    name: "SC OOB, the peripheral holds the central's data",
    central: { ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { ioCapability: IoCapability.NoInputNoOutput },
    expect: { secureConnections: true, model: 'oob', authenticated: true },
    oob: { central: false, peripheral: true },
  },
  {
    name: "SC OOB, the central holds the peripheral's data",
    central: { ioCapability: IoCapability.NoInputNoOutput },
    peripheral: { ioCapability: IoCapability.NoInputNoOutput },
    expect: { secureConnections: true, model: 'oob', authenticated: true },
    oob: { central: true, peripheral: false },
  },
  {
    name: "SC OOB, both sides hold each other's data",
    central: { ioCapability: IoCapability.KeyboardDisplay },
    peripheral: { ioCapability: IoCapability.NoInputNoOutput },
    expect: { secureConnections: true, model: 'oob', authenticated: true },
    oob: { central: true, peripheral: true },
  },
];

/** Users who see each other's screens: the typing side types what the other shows; numbers are compared. */
function users() {
  let show!: (passkey: number) => void;
  const shown = new Promise<number>((resolve) => {
    show = resolve;
  });
  const numbers: number[] = [];
  const user = (): PairingDelegate => ({
    ...fixedAnswers({}),
    displayPasskey: (_peer, passkey) => show(passkey),
    enterPasskey: () => shown,
    confirmNumber: (_peer, value) => {
      numbers.push(value);
      return true;
    },
  });
  return { central: user(), peripheral: user(), numbers };
}

async function setUp(model: Model) {
  const air = new VirtualAir();
  const people = users();
  const central = await Host.open(air.createController(), {
    crypto,
    policy: model.central,
    delegate: people.central,
  });
  const peripheral = await Host.open(air.createController({ address: PERIPHERAL }), {
    crypto,
    policy: model.peripheral,
    delegate: people.peripheral,
  });
  if (model.oob?.central) central.security.addPeerOobData(peripheral.localOobData());
  if (model.oob?.peripheral) peripheral.security.addPeerOobData(central.localOobData());
  return { central, peripheral, people };
}

async function connect(central: Host, peripheral: Host): Promise<{ c: Connection; p: Connection }> {
  const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
  await peripheral.startAdvertising();
  const c = await central.connect(PERIPHERAL, 0, { timeoutMs: 2000 });
  return { c, p: await incoming };
}

const nextEvent = <T extends unknown[]>(conn: Connection, name: 'bonded' | 'encrypted') =>
  new Promise<T>((resolve) => conn.once(name, (...args: unknown[]) => resolve(args as T)));

describe.each(MODELS)('full stack over the virtual controller: $name', (model) => {
  it.each(['central', 'peripheral'] as const)(
    'pairing started by the %s bonds both sides with the same key, then a reconnection re-encrypts from the bond',
    async (starter) => {
      const { central, peripheral, people } = await setUp(model);
      try {
        const { c, p } = await connect(central, peripheral);
        const bonds = Promise.all([nextEvent<[Bond]>(c, 'bonded'), nextEvent<[Bond]>(p, 'bonded')]);
        const result = await (starter === 'central' ? c.pair() : p.pair());
        expect(result).toMatchObject(model.expect);
        expect(result.keySize).toBe(16);
        const [[centralBond], [peripheralBond]] = await bonds;
        expect(centralBond.peerLtk).toBeDefined();
        expect(toHex(centralBond.peerLtk!.ltk)).toBe(toHex(peripheralBond.localLtk!.ltk));
        expect(centralBond.peerLtk!.ediv).toBe(peripheralBond.localLtk!.ediv);
        expect(c.encrypted && p.encrypted).toBe(true);
        if (model.expect.model === 'numeric-comparison') {
          expect(people.numbers).toHaveLength(2);
          expect(people.numbers[0]).toBe(people.numbers[1]);
        }

        // Disconnect, reconnect, re-encrypt with the stored keys: no new pairing.
        await c.disconnect();
        const again = await connect(central, peripheral);
        const pairingPhases: string[] = [];
        again.p.on('pairing', (phase) => pairingPhases.push(String(phase)));
        again.c.on('pairing', (phase) => pairingPhases.push(String(phase)));
        const peripheralEncrypted = nextEvent<[boolean]>(again.p, 'encrypted');
        if (starter === 'central') {
          // A kept bond that meets the policy: secure() re-encrypts instead of pairing.
          const outcome = await again.c.secure();
          expect(outcome.kind).toBe('encrypted');
          expect(outcome.kind === 'encrypted' && toHex(outcome.bond.peerLtk!.ltk)).toBe(
            toHex(centralBond.peerLtk!.ltk),
          );
        } else {
          // The peripheral asks for security; the central, holding a bond that meets the request,
          // answers by re-encrypting, which secure() reports and a bare pair() rejects as no pairing.
          const paired = again.p.pair().catch((e: unknown) => e);
          const outcome = await again.p.secure();
          expect(outcome).toMatchObject({
            kind: 'encrypted',
            bond: { authenticated: model.expect.authenticated },
          });
          expect(await paired).toMatchObject({ name: 'EncryptionError', code: 'encrypted-with-bond' });
        }
        const [fromBond] = await peripheralEncrypted;
        expect(fromBond).toBe(true);
        expect(again.c.encrypted && again.p.encrypted).toBe(true);
        expect(pairingPhases).toEqual([]);
      } finally {
        await Promise.allSettled([central.close(), peripheral.close()]);
      }
    },
  );
});

describe('full stack over the virtual controller: SC OOB data', () => {
  const noIo = { ioCapability: IoCapability.NoInputNoOutput };
  const model: Model = {
    name: 'SC OOB',
    central: noIo,
    peripheral: noIo,
    expect: { secureConnections: true, model: 'oob', authenticated: true },
  };

  it('is made once per host: the same random and confirm at the host address, a 16-octet random', async () => {
    const { central, peripheral } = await setUp(model);
    try {
      const first = central.localOobData();
      expect(first.random).toHaveLength(16);
      expect(first.confirm).toHaveLength(16);
      expect(toHex(first.address)).toBe(toHex(central.address.address));
      expect(first.type).toBe(0);
      const second = central.localOobData();
      expect(toHex(second.random)).toBe(toHex(first.random));
      expect(toHex(second.confirm)).toBe(toHex(first.confirm));
      expect(toHex(peripheral.localOobData().random)).not.toBe(toHex(first.random));
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it('pair({ oob: { peer } }) passes the peer data for one pairing', async () => {
    const { central, peripheral } = await setUp(model);
    try {
      const centralData = central.localOobData();
      const { c, p } = await connect(central, peripheral);
      const peerPairing = p.pair({ oob: { peer: centralData } });
      const result = await c.pair();
      expect(result).toMatchObject(model.expect);
      await expect(peerPairing).resolves.toMatchObject(model.expect);
      // OOB data serves one pairing: the central's next OOB data is new (a new key pair and random).
      const next = central.localOobData();
      expect(toHex(next.random)).not.toBe(toHex(centralData.random));
      expect(toHex(next.confirm)).not.toBe(toHex(centralData.confirm));
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  });

  it.each(['central', 'peripheral'] as const)(
    'a wrong confirm held by the %s fails the pairing with reason 0x04 (Confirm Value Failed)',
    async (holder) => {
      const { central, peripheral } = await setUp(model);
      try {
        const [owner, keeper] = holder === 'central' ? [peripheral, central] : [central, peripheral];
        const data = owner.localOobData();
        const confirm = data.confirm.slice();
        confirm[0] = (confirm[0] ?? 0) ^ 0x01;
        keeper.security.addPeerOobData({ ...data, confirm });
        const { c, p } = await connect(central, peripheral);
        const peripheralPairing = p.pair().catch((error: PairingError) => error);
        const error = (await c.pair().catch((e: PairingError) => e)) as PairingError;
        expect(error.name).toBe('PairingError');
        expect(error.reason).toBe(0x04);
        expect(error.by).toBe(holder === 'central' ? 'local' : 'peer');
        const peerError = (await peripheralPairing) as PairingError;
        expect(peerError.reason).toBe(0x04);
        expect(c.encrypted || p.encrypted).toBe(false);
      } finally {
        await Promise.allSettled([central.close(), peripheral.close()]);
      }
    },
  );
});
