import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/host/connection.js';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { Host } from '../../../src/host/host.js';
import type { HostOptions } from '../../../src/host/host-options.js';
import type { DeviceAddress } from '../../../src/smp/delegate.js';
import { VirtualAir } from '../../../src/transport/virtual/air.js';
import { scratchDir } from '../../scratch.js';
import { tb } from '../virtual-hosts.js';

const A = Uint8Array.of(0x0a, 0x00, 0x00, 0x00, 0x00, 0x00);
const B = Uint8Array.of(0x0b, 0x00, 0x00, 0x00, 0x00, 0x00);

/** Opens two hosts at fixed public addresses, each on its bond store file reopened from disk. */
async function hostsOnDisk(dir: string, options: HostOptions) {
  const air = new VirtualAir();
  const open = (address: Uint8Array, name: string) =>
    Host.open(air.createController({ address }), {
      crypto: tb,
      ...options,
      bondStore: (local: DeviceAddress) => FileBondStore.open({ local, path: join(dir, `${name}.json`) }),
    });
  return { a: await open(A, 'a'), b: await open(B, 'b') };
}

async function link(central: Host, peripheral: Host): Promise<{ c: Connection; p: Connection }> {
  const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
  await peripheral.startAdvertising();
  const c = await central.connect(peripheral.address.address, 0, { timeoutMs: 2000 });
  return { c, p: await incoming };
}

describe('bonds on disk serve both roles', () => {
  it.each([
    ['LE Secure Connections', {}],
    [
      'LE legacy (both sides distribute their LTK)',
      { policy: { allowLegacy: true, secureConnections: false } },
    ],
  ] as const)(
    '%s: paired with A central; later A central and A peripheral both re-encrypt',
    async (_, options) => {
      const dir = scratchDir('ble-smp-roles-');
      const first = await hostsOnDisk(dir, options);
      const paired = await link(first.a, first.b);
      const result = await paired.c.pair();
      expect(result.bonded).toBe(true);
      await Promise.all([first.a.close(), first.b.close()]);

      // New processes, in effect: new hosts on the stores read back from disk.
      for (const [centralName, peripheralName] of [
        ['a', 'b'],
        ['b', 'a'],
      ] as const) {
        const hosts = await hostsOnDisk(dir, options);
        try {
          const { c, p } = await link(hosts[centralName], hosts[peripheralName]);
          const phases: string[] = [];
          c.on('pairing', (phase) => phases.push(String(phase)));
          p.on('pairing', (phase) => phases.push(String(phase)));
          // The peripheral asks for security; the central holds a bond that meets it and encrypts with it.
          const [peripheralOutcome, centralOutcome] = await Promise.all([p.secure(), c.secure()]);
          expect(centralOutcome.kind).toBe('encrypted');
          expect(peripheralOutcome.kind).toBe('encrypted');
          expect(phases).toEqual([]);
          expect(c.encrypted && p.encrypted).toBe(true);
        } finally {
          await Promise.all([hosts.a.close(), hosts.b.close()]);
        }
      }
    },
  );
});
