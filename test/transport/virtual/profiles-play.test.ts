/**
 * Issue 16: virtual controllers playing real controllers' profiles, and the
 * host adapting to each. For every profile: start-up sends no command the
 * profile's complete Supported Commands list lacks, reads the version and
 * buffers the profile gives, every demo model pairs (both roles, bonds), and
 * bonded links re-encrypt (SC and legacy keys, asked for by either side).
 * A controller with 2 LE buffers of 27 octets carries 20 pairings at once.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_MODELS, runDemoPairing } from '../../../src/cli/commands/demo.js';
import { nodeBackend } from '../../../src/crypto/backends/node.js';
import { toolbox } from '../../../src/crypto/toolbox.js';
import { COMMAND_ROW } from '../../../src/hci/command-rows.js';
import { hasCommand } from '../../../src/hci/supported-commands.js';
import type { Connection } from '../../../src/host/connection.js';
import { Host } from '../../../src/host/host.js';
import { acceptAll } from '../../../src/smp/delegate.js';
import { VirtualAir } from '../../../src/transport/virtual/air.js';
import { CONTROLLER_PROFILES } from '../../../src/transport/virtual/profiles/index.js';
import { recording } from './recording.js';

const crypto = toolbox(nodeBackend);

describe.each(Object.values(CONTROLLER_PROFILES).map((p) => [p.name, p] as const))(
  'profile %s',
  (_name, profile) => {
    it('start-up: only listed commands, the profile version and buffers', async () => {
      const air = new VirtualAir();
      const { transport, commands } = recording(air.createController({ profile }));
      const host = await Host.open(transport, { delegate: acceptAll, crypto });
      const listed = profile.supportedCommands.value;
      if (listed?.complete) {
        // Reset and the two reads that tell the host what is listed go first, listed or not (as Linux does).
        expect(commands.slice(0, 3).map((c) => c.name)).toEqual([
          'reset',
          'read-local-version-information',
          'read-local-supported-commands',
        ]);
        const unlisted = commands
          .slice(3)
          .filter((c) => !hasCommand(listed.bitmap, COMMAND_ROW[c.name]))
          .map((c) => c.name);
        expect(unlisted).toEqual([]);
        expect(host.controller.supportedCommands).not.toBeNull();
      }
      const v = profile.version;
      expect(host.controller.version).toMatchObject({
        hci: v.hciVersion.value ?? 0x0d,
        manufacturer: v.manufacturer.value ?? 0xffff,
      });
      const le = profile.leBuffers.value;
      if (le && le.count > 0) expect(host.buffers).toEqual({ size: le.size, count: le.count });
      if (le?.count === 0 && profile.aclBuffers.value) {
        expect(host.controller.aclBuffers).toMatchObject({ ...profile.aclBuffers.value, shared: true });
      }
      // The list sizes the profile knows are answered (and read, where listed); the others are not carried out.
      expect(host.controller.acceptListSize).toBe(profile.acceptListSize.value);
      expect(host.controller.resolvingListSize).toBe(profile.resolvingListSize.value);
      await host.close();
    });

    it('every demo model pairs, bonded', async () => {
      for (const model of DEMO_MODELS) {
        const outcome = await runDemoPairing(model, undefined, false, undefined, profile);
        expect(outcome.error, model.id).toBeUndefined();
        expect(outcome.result, model.id).toMatchObject({ bonded: true });
      }
    });

    it('re-encryption from the bond: SC and legacy keys, asked for by the central and by the peripheral', async () => {
      const peripheralAddress = Uint8Array.of(0x07, 0x06, 0x05, 0x04, 0x03, 0xc2);
      for (const legacy of [false, true]) {
        const policy = legacy ? { allowLegacy: true, secureConnections: false } : {};
        const air = new VirtualAir();
        const central = await Host.open(air.createController({ profile }), {
          delegate: acceptAll,
          crypto,
          policy,
        });
        const peripheral = await Host.open(air.createController({ profile, address: peripheralAddress }), {
          delegate: acceptAll,
          crypto,
          policy: { allowLegacy: true },
        });
        const connect = async () => {
          const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
          await peripheral.startAdvertising();
          const c = await central.connect(peripheralAddress, 0, { timeoutMs: 2000 });
          return { c, p: await incoming };
        };
        try {
          const first = await connect();
          const paired = await first.c.pair();
          expect(paired, `${legacy ? 'legacy' : 'sc'}`).toMatchObject({
            bonded: true,
            method: legacy ? 'legacy' : 'sc',
          });
          await first.c.disconnect();
          // The central re-encrypts with the bond it kept.
          const second = await connect();
          expect((await second.c.secure()).kind).toBe('encrypted');
          expect(second.p.encrypted).toBe(true);
          await second.c.disconnect();
          // The peripheral asks (Security Request); the central answers with the bond, no new pairing.
          const third = await connect();
          expect((await third.p.secure()).kind).toBe('encrypted');
          expect(third.c.encrypted).toBe(true);
        } finally {
          await Promise.allSettled([central.close(), peripheral.close()]);
        }
      }
    });
  },
);

describe('2 LE buffers of 27 octets', () => {
  it('20 pairings at once on one central: fragmentation and flow control hold (65-octet public keys)', async () => {
    const air = new VirtualAir();
    const central = await Host.open(air.createController({ aclBufferSize: 27, aclBufferCount: 2 }), {
      delegate: acceptAll,
      crypto,
    });
    const peripherals: Host[] = [];
    try {
      const links: Connection[] = [];
      for (let i = 0; i < 20; i++) {
        const address = Uint8Array.of(i + 1, 0, 0, 0x27, 0x02, 0xc0);
        const peripheral = await Host.open(
          air.createController({ address, aclBufferSize: 27, aclBufferCount: 2 }),
          {
            delegate: acceptAll,
            crypto,
          },
        );
        peripherals.push(peripheral);
        const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
        await peripheral.startAdvertising();
        links.push(await central.connect(address, 0, { timeoutMs: 5000 }));
        await incoming;
      }
      expect(central.buffers).toEqual({ size: 27, count: 2 });
      const results = await Promise.all(links.map((link) => link.pair()));
      expect(results.map((r) => r.method)).toEqual(links.map(() => 'sc'));
      expect([...central.security.bonds.list()]).toHaveLength(20);
    } finally {
      await Promise.allSettled([central.close(), ...peripherals.map((p) => p.close())]);
    }
  }, 30_000);
});
