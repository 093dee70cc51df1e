import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/crypto/bytes.js';
import { defaultBondStorePath, FileBondStore } from '../../../src/host/file-bond-store.js';
import { catchBondStoreError as catchError } from './errors.js';
import { keyBytes, LOCAL, legacyBond, peerAddress, scBond } from './samples.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ble-smp-bonds-'));
  path = join(dir, 'state', 'bonds.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => FileBondStore.open({ local: LOCAL, path });
const posixModes = process.platform !== 'win32';

describe('FileBondStore', () => {
  it('a missing file is an empty store, and nothing is written by reading it', () => {
    const store = open();
    expect([...store.list()]).toEqual([]);
    expect(store.get(peerAddress(1))).toBeUndefined();
    expect(() => statSync(path)).toThrow();
  });

  it('keeps every field of legacy and SC bonds across a reopen', () => {
    const bonds = [legacyBond(1), legacyBond(2), scBond(3), { ...legacyBond(4), peerLtk: undefined }];
    const store = open();
    for (const bond of bonds) store.put(bond as never);
    const expected = bonds.map(({ peerLtk, ...rest }) => (peerLtk ? { peerLtk, ...rest } : rest));
    expect([...open().list()]).toEqual(expected);
    expect(open().get(peerAddress(3))).toEqual(scBond(3));
  });

  it('put replaces the bond with the same peer, delete forgets it', () => {
    const store = open();
    store.put(legacyBond(1));
    store.put(scBond(1));
    expect([...open().list()]).toEqual([scBond(1)]);
    expect(store.delete(peerAddress(1))).toBe(true);
    expect(store.delete(peerAddress(1))).toBe(false);
    expect([...open().list()]).toEqual([]);
  });

  it('makes our IRK once: the same after a reopen and after writes', () => {
    const irk = open().localIrk();
    expect(irk).toHaveLength(16);
    const store = open();
    store.put(legacyBond(1));
    expect(store.localIrk()).toEqual(irk);
    expect(open().localIrk()).toEqual(irk);
  });

  it('sees the bonds another store on the same file wrote', () => {
    const a = open();
    const b = open();
    expect([...b.list()]).toEqual([]);
    a.put(legacyBond(1));
    expect(b.get(peerAddress(1))).toEqual(legacyBond(1));
    b.put(legacyBond(2));
    a.delete(peerAddress(1));
    expect([...b.list()]).toEqual([legacyBond(2)]);
  });

  it('writes the documented format: schema 1, printed addresses, wire-order hex, ISO times', () => {
    const store = open();
    store.put(scBond(3));
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.schemaVersion).toBe(1);
    expect(file.local).toEqual({
      address: '06:05:04:03:02:01',
      type: 'public',
      irk: toHex(store.localIrk()),
    });
    expect(file.bonds[0]).toMatchObject({
      peer: { address: 'C0:A5:5A:00:00:03', type: 'random' },
      createdAt: '2025-06-01T00:00:00.003Z',
      peerLtk: { ltk: toHex(keyBytes(103)), ediv: 0, rand: '0000000000000000' },
    });
  });

  it.skipIf(!posixModes)(
    'creates the file with mode 0600 and its directory with 0700 (skipped: no POSIX modes on Windows)',
    () => {
      open().put(legacyBond(1));
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
      chmodSync(path, 0o644);
      open().put(legacyBond(2));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    },
  );

  it('refuses a bond it could not read back, naming the field and not the key', () => {
    const bad = { ...legacyBond(1), peerIrk: keyBytes(9, 15) };
    const error = catchError(() => open().put(bad));
    expect(error).toMatchObject({ code: 'invalid' });
    expect(error.message).toBe(`${path}: bond.peerIrk: expected 32 hex digits, found 30`);
    expect(error.message).not.toContain(toHex(keyBytes(9, 15)));
    expect(() => statSync(path)).toThrow();
  });

  it('refuses a file of another local identity', () => {
    open().put(legacyBond(1));
    const other = { address: Uint8Array.of(9, 9, 9, 9, 9, 9), type: 1 } as const;
    expect(catchError(() => FileBondStore.open({ local: other, path }))).toMatchObject({ code: 'identity' });
  });
});

describe('defaultBondStorePath', () => {
  it('uses XDG_STATE_HOME when absolute, else ~/.local/state, and names the file after our identity', () => {
    const random = { address: Uint8Array.of(0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xca), type: 1 } as const;
    expect(defaultBondStorePath(LOCAL, { XDG_STATE_HOME: '/s', HOME: '/h' })).toBe(
      join('/s', 'ble-smp', 'bonds', '06-05-04-03-02-01-public.json'),
    );
    expect(defaultBondStorePath(random, { XDG_STATE_HOME: 'relative', HOME: '/h' })).toBe(
      join('/h', '.local', 'state', 'ble-smp', 'bonds', 'CA-BB-CC-DD-EE-FF-random.json'),
    );
  });
});
