/**
 * A Host on FileBondStores: the bond made by a pairing is on disk, and new
 * hosts on the stores opened again re-encrypt with it instead of pairing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { Host } from '../../../src/host/host.js';
import { TestAir } from '../fake-controller.js';
import { link } from '../link-hosts.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ble-smp-host-bonds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Host with a FileBondStore', () => {
  it.each([
    ['LE Secure Connections', {}],
    ['LE legacy', { policy: { allowLegacy: true, secureConnections: false } }],
  ] as const)('%s: pair, then new hosts on the stores reopened from disk re-encrypt', async (_, options) => {
    const storeOf = (fake: { address: Uint8Array }, name: string) =>
      FileBondStore.open({ local: { address: fake.address, type: 0 }, path: join(dir, `${name}.json`) });
    const first = new TestAir();
    const a = await Host.open(first.a, { ...options, bondStore: storeOf(first.a, 'a') });
    const b = await Host.open(first.b, { ...options, bondStore: storeOf(first.b, 'b') });
    const { central } = await link(first, a, b);
    await central.pair();
    const irkA = a.security.bonds.localIrk();
    await a.close();
    await b.close();

    const second = new TestAir();
    const storeA = storeOf(second.a, 'a');
    expect([...storeA.list()].map((bond) => bond.peer.address)).toEqual([second.b.address]);
    expect(storeA.localIrk()).toEqual(irkA);
    const a2 = await Host.open(second.a, { ...options, bondStore: storeA });
    const b2 = await Host.open(second.b, { ...options, bondStore: storeOf(second.b, 'b') });
    const again = await link(second, a2, b2);
    const bonded = new Promise<boolean>((resolve) => again.peripheral.once('encrypted', resolve));
    await again.central.encrypt();
    expect(await bonded).toBe(true);
    await a2.close();
    await b2.close();
  });
});
