/**
 * Bonds to and from BlueZ's storage, on hand-written info files in BlueZ's
 * format (test/fixtures/bluez/README.md).
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportBlueZ, formatBlueZInfo, importBlueZ, parseBlueZInfo } from '../../../src/host/bluez/index.js';
import { entryOf, parseKeyFile } from '../../../src/host/bluez/key-file.js';
import type { Bond } from '../../../src/host/bond-store.js';
import { catchBondStoreError, KEY_LIKE_HEX } from './errors.js';
import { keyBytes, legacyBond, peerAddress, scBond } from './samples.js';

const fixtures = join(import.meta.dirname, '../../fixtures/bluez');
const ADAPTER = Uint8Array.of(0x13, 0x71, 0xda, 0x7d, 0x1a, 0x00); // 00:1A:7D:DA:71:13
const ADAPTER_DIR = '00:1A:7D:DA:71:13';
const LE_DEVICES = ['00:1B:DC:F2:0A:11', 'C4:9E:6A:1B:2C:3D'];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ble-smp-bluez-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** BlueZ's tree from the fixtures: `dir/<adapter>/<device>/info` (plus `settings`, as bluetoothd has). */
function fixtureTree(
  dir: string,
  devices = readdirSync(fixtures).filter((f) => f.endsWith('.info')),
): string {
  mkdirSync(join(dir, ADAPTER_DIR), { recursive: true });
  writeFileSync(join(dir, ADAPTER_DIR, 'settings'), '[General]\nDiscoverableTimeout=0\n');
  for (const name of devices) {
    const device = name.replace('.info', '').replaceAll('-', ':');
    mkdirSync(join(dir, ADAPTER_DIR, device));
    cpSync(join(fixtures, name), join(dir, ADAPTER_DIR, device, 'info'));
  }
  return dir;
}

/** A key file's content as group -> key -> value, order aside. */
function content(text: string): Record<string, Record<string, string>> {
  return Object.fromEntries(
    parseKeyFile(text, 'info').map((g) => [
      g.name,
      Object.fromEntries(g.lines.flatMap((l) => ('key' in l ? [[l.key, l.value]] : []))),
    ]),
  );
}

const infoOf = (dir: string, device: string) => readFileSync(join(dir, ADAPTER_DIR, device, 'info'), 'utf8');

describe('BlueZ import', () => {
  it('reads each LE device as a bond, with the keys in wire order and Rand as BlueZ means it', () => {
    const bonds = importBlueZ(fixtureTree(root));
    expect(bonds.map((b) => b.peer.type)).toEqual([0, 1, 1]);
    const [legacy, sc, old] = bonds as [Bond, Bond, Bond];

    expect(sc).toMatchObject({
      secureConnections: true,
      authenticated: true,
      keySize: 16,
      localRole: 'central',
    });
    expect(sc.peer.address).toEqual(Uint8Array.of(0x3d, 0x2c, 0x1b, 0x6a, 0x9e, 0xc4));
    expect(sc.peerLtk).toEqual({
      ltk: hex('9D2F61C07AB34E18C5D29A0F6E3B7148'),
      ediv: 0,
      rand: new Uint8Array(8),
    });
    expect(sc.localLtk).toEqual(sc.peerLtk);
    expect(sc.peerIrk).toEqual(hex('5E0C8A1F2B7D39C4A6E1F08D3B52C7A9'));

    expect(legacy).toMatchObject({
      secureConnections: false,
      authenticated: false,
      keySize: 16,
      localRole: 'central',
    });
    // Rand=12638146498273648123 is 0xAF63B747C8F29DFB, little-endian on the wire.
    expect(legacy.peerLtk).toEqual({
      ltk: hex('3C6E0B8A4F2D19E7C5A3081F6B4D2E90'),
      ediv: 48321,
      rand: hex('FB9DF2C847B763AF'),
    });
    expect(legacy.localLtk?.ediv).toBe(7753);
    expect(legacy.peerCsrk).toEqual({ csrk: hex('1029384756ABCDEF0123456789ABCDEF'), counter: 12 });
    expect(legacy.localCsrk).toEqual({ csrk: hex('A1B2C3D4E5F60718293A4B5C6D7E8F90'), counter: 0 });

    // The older file: [SlaveLongTermKey] with 0x-prefixed Key and Rand (the octets in order).
    expect(old).toMatchObject({ authenticated: true, keySize: 10, localRole: 'peripheral' });
    expect(old.peerLtk).toBeUndefined();
    expect(old.localLtk).toEqual({
      ltk: hex('11223344556677889900AABBCCDDEEFF'),
      ediv: 513,
      rand: hex('0807060504030201'),
    });
    expect(old.createdAt).toBe(
      Math.floor(statSync(join(root, ADAPTER_DIR, 'F3:02:03:04:05:06', 'info')).mtimeMs),
    );
  });

  it('finds the adapter when there is one, and asks for it when there are several', () => {
    fixtureTree(root);
    expect(importBlueZ(root, ADAPTER)).toHaveLength(3);
    mkdirSync(join(root, '11:22:33:44:55:66'));
    expect(catchBondStoreError(() => importBlueZ(root)).message).toMatch(/adapters .*: name the adapter/);
  });

  it('a malformed info file gives an error naming the file and line, without the key', () => {
    const cases: [string, string, RegExp][] = [
      [
        '[General]\nAddressType=public\n[LongTermKey]\nKey=0011\n',
        'info:4',
        /\[LongTermKey\] Key: expected 32 hex digits/,
      ],
      ['[General]\nthis is not a key\n', 'info:2', /expected \[Group\], Key=Value/],
      ['Key=00\n[General]\n', 'info:1', /a key before the first \[Group\]/],
      [
        '[IdentityResolvingKey]\nKey=00112233445566778899AABBCCDDEEFF\n[General]\nAddressType=rpa\n',
        'info:4',
        /AddressType/,
      ],
      [
        '[LongTermKey]\nKey=00112233445566778899AABBCCDDEEFF\nEncSize=16\nRand=-1\n',
        'info:4',
        /Rand: expected a 64-bit/,
      ],
      [
        '[LongTermKey]\nKey=00112233445566778899AABBCCDDEEFF\nEncSize=16\n',
        'info:1',
        /\[LongTermKey\] has no Rand/,
      ],
      [
        '[RemoteSignatureKey]\nKey=00112233445566778899AABBCCDDEEFF\nAuthenticated=yes\n',
        'info:3',
        /Authenticated: expected true or false/,
      ],
    ];
    for (const [text, where, detail] of cases) {
      const dir = join(root, ADAPTER_DIR, 'C0:00:00:00:00:01');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'info'), text);
      const error = catchBondStoreError(() => importBlueZ(root));
      expect(error.message).toContain(join(dir, where));
      expect(error.message).toMatch(detail);
      expect(error.message).not.toMatch(KEY_LIKE_HEX);
      expect(error.line).toBe(Number(where.split(':')[1]));
    }
  });

  it('skips a debug-key LTK, as the kernel does', () => {
    const text =
      '[LongTermKey]\nKey=00112233445566778899AABBCCDDEEFF\nAuthenticated=4\nEncSize=16\nEDiv=0\nRand=0\n';
    expect(parseBlueZInfo(text, 'C0:00:00:00:00:01')).toBeUndefined();
  });
});

describe('BlueZ export', () => {
  it('fixtures -> import -> export over the same tree: every info file keeps its groups, keys and values', () => {
    fixtureTree(root);
    const before = Object.fromEntries(LE_DEVICES.map((d) => [d, infoOf(root, d)]));
    const written = exportBlueZ(importBlueZ(root).slice(0, 2), ADAPTER, root);
    expect(written).toEqual(LE_DEVICES.map((d) => join(root, ADAPTER_DIR, d, 'info')));
    for (const device of LE_DEVICES) expect(content(infoOf(root, device))).toEqual(content(before[device]!));
  });

  it('fixtures -> import -> export to an empty directory: the same key groups, address type and LE', () => {
    const bonds = importBlueZ(fixtureTree(join(root, 'from')));
    exportBlueZ(bonds, ADAPTER, join(root, 'to'), { slaveLongTermKey: true });
    const keyGroups = /LongTermKey|IdentityResolvingKey|SignatureKey/;
    for (const device of [...LE_DEVICES, 'F3:02:03:04:05:06']) {
      const from = content(infoOf(join(root, 'from'), device));
      const to = content(infoOf(join(root, 'to'), device));
      expect(to.General).toEqual({ AddressType: from.General!.AddressType, SupportedTechnologies: 'LE;' });
      for (const [group, keys] of Object.entries(from).filter(([name]) => keyGroups.test(name))) {
        // The old file's 0x-prefixed values come back in today's form.
        expect(to[group], `${device} [${group}]`).toEqual(
          group === 'SlaveLongTermKey'
            ? { ...keys, Key: '11223344556677889900AABBCCDDEEFF', Rand: '72623859790382856' }
            : keys,
        );
      }
    }
    expect(readdirSync(join(root, 'to', ADAPTER_DIR)).sort()).toEqual([...LE_DEVICES, 'F3:02:03:04:05:06']);
  });

  it('bonds -> export -> import gives the same bonds (with the time BlueZ does not keep taken from the file)', () => {
    const bonds: Bond[] = [
      { ...legacyBond(1), peer: { address: keyBytes(7, 6), type: 0 } },
      scBond(2),
      { ...scBond(3), authenticated: false, keySize: 12, peerCsrk: { csrk: keyBytes(8), counter: 5 } },
      (({ peerLtk: _, ...peripheral }) => ({ ...peripheral, localRole: 'peripheral' }) as Bond)(
        legacyBond(4),
      ),
      // Without an LTK, BlueZ has no EncSize to keep the key size in: such a bond comes back with 16.
      (({ peerLtk: _, localLtk: __, ...keyless }) =>
        ({ ...keyless, keySize: 16, localRole: 'central' }) as Bond)(legacyBond(5)),
    ].map((b) => JSON.parse(JSON.stringify(b), revive) as Bond);
    const files = exportBlueZ(bonds, ADAPTER, root);
    const imported = importBlueZ(root, ADAPTER);
    const byPeer = (list: Bond[]) =>
      [...list].sort((a, b) => hexOf(a.peer.address).localeCompare(hexOf(b.peer.address)));
    const expected = bonds.map((b, i) => {
      const { peerLtk, localLtk, ...rest } = b;
      return {
        ...rest,
        ...(peerLtk ? { peerLtk } : {}),
        ...(localLtk ? { localLtk } : {}),
        createdAt: Math.floor(statSync(files[i]!).mtimeMs),
      };
    });
    expect(byPeer(imported)).toEqual(byPeer(expected as Bond[]));
    for (const file of files)
      if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a random peer address that is not static: BlueZ keeps identity addresses only', () => {
    const rpa = { ...scBond(1), peer: { address: Uint8Array.of(1, 2, 3, 4, 5, 0x45), type: 1 as const } };
    expect(catchBondStoreError(() => formatBlueZInfo(rpa)).message).toMatch(
      /is a random address that is not static/,
    );
  });

  it('formats a SC bond as BlueZ does', () => {
    const text = formatBlueZInfo({ ...scBond(1), peer: peerAddress(1) });
    const groups = parseKeyFile(text, 'info');
    expect(groups.map((g) => g.name)).toEqual(['General', 'IdentityResolvingKey', 'PeripheralLongTermKey']);
    const ltk = groups[2]!;
    expect(['Authenticated', 'EncSize', 'EDiv', 'Rand'].map((k) => entryOf(ltk, k)?.value)).toEqual([
      '3',
      '16',
      '0',
      '0',
    ]);
    expect(entryOf(ltk, 'Key')?.value).toBe(hexOf(keyBytes(101)).toUpperCase());
  });
});

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!.map((b) => Number.parseInt(b, 16)));
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Revives the Uint8Arrays of a JSON-copied bond (a deep copy, so no two bonds share a key array). */
function revive(_: string, value: unknown): unknown {
  if (
    value &&
    typeof value === 'object' &&
    Object.keys(value).every((k) => /^\d+$/.test(k)) &&
    Object.keys(value).length
  ) {
    return Uint8Array.from(Object.values(value as Record<string, number>));
  }
  return value;
}
