/**
 * Scanning as a library (issue 14 item 4): AD structures and names, the advertiser table (sans I/O),
 * and a Scanner on hosts over a virtual air with several advertisers, some on RPAs.
 */
import { describe, expect, it } from 'vitest';
import { advertisingData } from '../../src/cli/advertising-data.js';
import { adStructures, localName } from '../../src/host/ad-structures.js';
import type { Advertisement } from '../../src/host/advertisement.js';
import { type Advertiser, AdvertiserTable } from '../../src/host/advertisers.js';
import type { Bond } from '../../src/host/bond-store.js';
import { Host } from '../../src/host/host.js';
import { Scanner } from '../../src/host/scanner.js';
import { acceptAll, type DeviceAddress } from '../../src/smp/delegate.js';
import { VirtualAir } from '../../src/transport/virtual/air.js';
import { tb } from './virtual-hosts.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const named = (name: string) => advertisingData(name);

describe('AD structures and the local name', () => {
  it('splits the structures, stops at a zero length (padding) and drops one cut short', () => {
    expect(adStructures(bytes(2, 1, 6, 3, 9, 0x68, 0x69, 0, 0, 0))).toEqual([
      { type: 1, data: bytes(6) },
      { type: 9, data: bytes(0x68, 0x69) },
    ]);
    expect(adStructures(bytes(2, 1, 6, 5, 9, 0x68))).toEqual([{ type: 1, data: bytes(6) }]);
    expect(adStructures(new Uint8Array(0))).toEqual([]);
  });

  it('prefers the Complete Local Name to a Shortened one; none without either', () => {
    expect(localName(named('speaker'))).toEqual({ name: 'speaker', complete: true });
    expect(localName(bytes(3, 8, 0x61, 0x62, 4, 9, 0x61, 0x62, 0x63))).toEqual({
      name: 'abc',
      complete: true,
    });
    expect(localName(bytes(3, 8, 0x61, 0x62))).toEqual({ name: 'ab', complete: false });
    expect(localName(bytes(2, 1, 6))).toBeUndefined();
    // A name longer than the data holds is advertised shortened, and read back as such.
    expect(localName(named('a-very-long-name-for-one-advertisement'))).toMatchObject({ complete: false });
  });
});

const PUBLIC: DeviceAddress = { address: bytes(1, 2, 3, 4, 5, 6), type: 0 };
const RPA_1: DeviceAddress = { address: bytes(1, 1, 1, 1, 1, 0x41), type: 1 };
const RPA_2: DeviceAddress = { address: bytes(2, 2, 2, 2, 2, 0x42), type: 1 };
const IDENTITY: DeviceAddress = { address: bytes(9, 9, 9, 9, 9, 9), type: 0 };

function ad(peer: DeviceAddress, over: Partial<Advertisement> = {}): Advertisement {
  return { peer, identity: peer, kind: 'ADV_IND', connectable: true, data: named('x'), rssi: -50, ...over };
}

describe('AdvertiserTable', () => {
  it('a new advertiser, then nothing new for the same report', () => {
    const table = new AdvertiserTable({ now: () => 1000 });
    const first = table.observe(ad(PUBLIC));
    expect(first).toMatchObject({
      kind: 'new',
      advertiser: {
        address: PUBLIC,
        identity: undefined,
        name: 'x',
        rssi: -50,
        connectable: true,
        firstHeard: 1000,
      },
    });
    expect(table.observe(ad(PUBLIC)).kind).toBe('same');
    expect(table.advertisers).toHaveLength(1);
  });

  it('a scan response adds its name; the name stays when a later PDU carries none; a new name is a change', () => {
    const table = new AdvertiserTable();
    table.observe(ad(PUBLIC, { data: bytes(2, 1, 6) }));
    const response = table.observe(ad(PUBLIC, { kind: 'SCAN_RSP', connectable: false, data: named('lamp') }));
    expect(response).toMatchObject({
      kind: 'changed',
      changes: ['name'],
      advertiser: { name: 'lamp', connectable: true },
    });
    expect(table.observe(ad(PUBLIC, { data: bytes(2, 1, 6) })).kind).toBe('same');
    expect(table.observe(ad(PUBLIC, { data: named('lamp 2') }))).toMatchObject({
      kind: 'changed',
      changes: ['name'],
      advertiser: { name: 'lamp 2' },
    });
  });

  it('a bonded peer is one advertiser across its RPAs (an address change); unresolved RPAs are each their own', () => {
    const table = new AdvertiserTable();
    expect(table.observe(ad(RPA_1, { identity: IDENTITY }))).toMatchObject({
      kind: 'new',
      advertiser: { address: RPA_1, identity: IDENTITY },
    });
    expect(table.observe(ad(RPA_2, { identity: IDENTITY }))).toMatchObject({
      kind: 'changed',
      changes: ['address'],
      advertiser: { address: RPA_2, identity: IDENTITY },
    });
    const stranger = { address: bytes(3, 3, 3, 3, 3, 0x43), type: 1 } as const;
    const other = { address: bytes(4, 4, 4, 4, 4, 0x44), type: 1 } as const;
    expect(table.observe(ad(stranger)).kind).toBe('new');
    expect(table.observe(ad(other)).kind).toBe('new');
    expect(table.advertisers.map((a) => a.identity)).toEqual([IDENTITY, undefined, undefined]);
  });

  it('RSSI is a change once it moves by the step from the last reported value; connectable changes too', () => {
    const table = new AdvertiserTable({ rssiStepDb: 6 });
    table.observe(ad(PUBLIC, { rssi: -50 }));
    expect(table.observe(ad(PUBLIC, { rssi: -54 }))).toMatchObject({
      kind: 'same',
      advertiser: { rssi: -54 },
    });
    expect(table.observe(ad(PUBLIC, { rssi: -56 }))).toMatchObject({ kind: 'changed', changes: ['rssi'] });
    expect(table.observe(ad(PUBLIC, { rssi: -60 })).kind).toBe('same');
    expect(table.observe(ad(PUBLIC, { rssi: undefined })).kind).toBe('same');
    expect(
      table.observe(ad(PUBLIC, { rssi: -60, kind: 'ADV_NONCONN_IND', connectable: false })),
    ).toMatchObject({ kind: 'changed', changes: ['connectable'], advertiser: { connectable: false } });
  });

  it('a scan response heard first does not make the advertising that follows a connectable change', () => {
    const table = new AdvertiserTable();
    expect(table.observe(ad(PUBLIC, { kind: 'SCAN_RSP', connectable: false })).kind).toBe('new');
    expect(table.observe(ad(PUBLIC)).kind).toBe('same');
    expect(table.advertisers[0]).toMatchObject({ connectable: true });
  });
});

/** A bond holding only what resolving needs: the peer's identity and IRK. */
function irkBond(peer: DeviceAddress, irk: Uint8Array): Bond {
  return {
    peer,
    peerIrk: irk,
    secureConnections: true,
    authenticated: false,
    keySize: 16,
    localRole: 'central',
    createdAt: Date.now(),
  };
}

describe('Scanner on a virtual air', () => {
  async function air() {
    const medium = new VirtualAir();
    const open = (options = {}) =>
      Host.open(medium.createController(), { crypto: tb, delegate: acceptAll, ...options });
    const scanning = await open();
    // Four advertisers: public and named; bonded on RPAs; on an RPA we hold no IRK for; not connectable.
    const plain = await open();
    const bonded = await open({ ownAddress: { kind: 'resolvable', rotateMs: 0 } });
    const stranger = await open({ ownAddress: { kind: 'resolvable' } });
    const beacon = await open();
    scanning.security.bonds.put(irkBond(bonded.address, bonded.security.bonds.localIrk()));
    const hosts = [scanning, plain, bonded, stranger, beacon];
    return {
      scanning,
      plain,
      bonded,
      stranger,
      beacon,
      close: () => Promise.allSettled(hosts.map((h) => h.close())),
    };
  }

  it('reports each advertiser once with name, connectable, RSSI and the identity of the bonded one; a new RPA is an address change', async () => {
    const { scanning, plain, bonded, stranger, beacon, close } = await air();
    try {
      await plain.startAdvertising({ data: named('plain') });
      await bonded.startAdvertising({ data: named('bonded') });
      await stranger.startAdvertising({ data: bytes(2, 1, 6), scanResponse: named('stranger') });
      await beacon.command({
        name: 'le-set-advertising-parameters',
        advertisingIntervalMin: 0x800,
        advertisingIntervalMax: 0x800,
        advertisingType: 0x03, // ADV_NONCONN_IND
        ownAddressType: 0,
        peerAddressType: 0,
        peerAddress: new Uint8Array(6),
        advertisingChannelMap: 7,
        advertisingFilterPolicy: 0,
      });
      await beacon.command({ name: 'le-set-advertising-data', advertisingData: named('beacon') });
      await beacon.command({ name: 'le-set-advertising-enable', enable: true });

      const scanner = new Scanner(scanning);
      const heard: Advertiser[] = [];
      const changes: [Advertiser, readonly string[]][] = [];
      scanner.on('advertiser', (a) => heard.push(a));
      scanner.on('change', (a, what) => changes.push([a, what]));
      await scanner.start();
      const all = await scanner.find(
        () => scanner.advertisers.length === 4 && scanner.advertisers.some((a) => a.name === 'stranger'),
        {
          timeoutMs: 2000,
        },
      );
      expect(all).toBeDefined();
      const byName = new Map(scanner.advertisers.map((a) => [a.name, a]));
      expect(byName.get('plain')).toMatchObject({
        address: plain.address,
        identity: undefined,
        connectable: true,
      });
      expect(byName.get('bonded')).toMatchObject({
        address: bonded.airAddress,
        identity: bonded.address,
        connectable: true,
      });
      expect(byName.get('bonded')!.address.address).not.toEqual(bonded.address.address);
      // The stranger's RPA resolves to nothing; its name came in its scan response.
      expect(byName.get('stranger')).toMatchObject({ address: stranger.airAddress, identity: undefined });
      expect(byName.get('beacon')).toMatchObject({ connectable: false });
      for (const a of scanner.advertisers) expect(a.rssi).toBeTypeOf('number');
      expect(heard).toHaveLength(4);

      // rotateMs 0: advertising again takes a new RPA; still the same advertiser, at a new address.
      const oldAddress = bonded.airAddress;
      await bonded.stopAdvertising();
      const moved = scanner.find(
        (a) => a.name === 'bonded' && a.address.address[0] !== oldAddress.address[0],
        {
          timeoutMs: 2000,
        },
      );
      await bonded.startAdvertising({ data: named('bonded') });
      expect(await moved).toMatchObject({ address: bonded.airAddress, identity: bonded.address });
      expect(changes.some(([a, what]) => a.name === 'bonded' && what.includes('address'))).toBe(true);
      expect(heard).toHaveLength(4);
      await scanner.stop();
    } finally {
      await close();
    }
  });

  it('find: undefined when nothing matches within the timeout, or once the signal aborts', async () => {
    const { scanning, plain, close } = await air();
    try {
      await plain.startAdvertising({ data: named('plain') });
      const scanner = new Scanner(scanning);
      await scanner.start();
      const started = Date.now();
      expect(await scanner.find((a) => a.name === 'nobody', { timeoutMs: 200 })).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      const abort = new AbortController();
      const pending = scanner.find((a) => a.name === 'nobody', { timeoutMs: 60_000, signal: abort.signal });
      abort.abort();
      expect(await pending).toBeUndefined();
      expect(await scanner.find((a) => a.name === 'plain', { timeoutMs: 2000 })).toMatchObject({
        address: plain.address,
      });
      await scanner.stop();
    } finally {
      await close();
    }
  });
});
