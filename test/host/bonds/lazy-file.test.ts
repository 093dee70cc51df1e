/** The bond store file is made when it is needed (a bond, our IRK handed out), not by opening a host. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { Host } from '../../../src/host/host.js';
import { resolvesTo } from '../../../src/host/privacy.js';
import { storeIdentity } from '../../../src/host/store-identity.js';
import { VirtualAir } from '../../../src/transport/virtual/air.js';
import { scratchDir } from '../../scratch.js';
import { tb } from '../virtual-hosts.js';
import { LOCAL, peerAddress, scBond } from './samples.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = scratchDir('ble-smp-bonds-');
  path = join(dir, 'bonds.json');
});

describe('the store file appears only when needed', () => {
  it('delete on a missing file writes nothing; put writes the file', () => {
    const store = FileBondStore.open({ local: LOCAL, path });
    expect(store.delete(peerAddress(1))).toBe(false);
    expect(existsSync(path)).toBe(false);
    store.put(scBond(1));
    expect(existsSync(path)).toBe(true);
  });

  it('storeIdentity reads the IRK on first use only, then keeps it', () => {
    let reads = 0;
    const identity = storeIdentity(LOCAL, {
      localIrk: () => {
        reads++;
        return new Uint8Array(16).fill(reads);
      },
    });
    expect(reads).toBe(0);
    expect(identity.address).toBe(LOCAL);
    expect([...identity.irk]).toEqual(new Array(16).fill(1));
    expect([...identity.irk]).toEqual(new Array(16).fill(1));
    expect(reads).toBe(1);
  });

  it('a host opened and closed on a new store leaves no file; with privacy the IRK is made and kept', async () => {
    const air = new VirtualAir();
    const host = await Host.open(air.createController(), {
      crypto: tb,
      bondStore: (local) => FileBondStore.open({ local, path }),
    });
    await host.startAdvertising();
    await host.close();
    expect(existsSync(path)).toBe(false);

    const privacy = await Host.open(air.createController(), {
      crypto: tb,
      ownAddress: { kind: 'resolvable' },
      bondStore: (local) => FileBondStore.open({ local, path: join(dir, 'private.json') }),
    });
    const kept = FileBondStore.open({ local: privacy.address, path: join(dir, 'private.json') });
    expect(existsSync(kept.path)).toBe(true);
    expect(resolvesTo(tb, privacy.airAddress.address, kept.localIrk())).toBe(true);
    await privacy.close();
  });
});
