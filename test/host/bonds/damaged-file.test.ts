/**
 * A store file that cannot be parsed or checked gives a BondStoreError naming
 * the file and the fault, and stays byte for byte as it was: opening it,
 * reading it, and trying to write to it change nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { catchBondStoreError, KEY_LIKE_HEX } from './errors.js';
import { LOCAL, legacyBond, peerAddress, scBond } from './samples.js';

let dir: string;
let good: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ble-smp-damaged-'));
  const path = join(dir, 'good.json');
  const store = FileBondStore.open({ local: LOCAL, path });
  store.put(legacyBond(1));
  store.put(scBond(2));
  good = readFileSync(path, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `good` with one field changed (by a JSON path of keys). */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into parsed JSON by field names.
function edited(edit: (file: any) => void): string {
  const file = JSON.parse(good);
  edit(file);
  return JSON.stringify(file, null, 2);
}

const damaged: [string, () => string, string, RegExp][] = [
  ['truncated to half', () => good.slice(0, good.length >> 1), 'parse', /not valid JSON/],
  ['missing its last byte', () => good.slice(0, -2), 'parse', /not valid JSON/],
  ['empty', () => '', 'parse', /the file is empty/],
  ['not JSON at all', () => '\u0000\u0001garbage', 'parse', /not valid JSON/],
  [
    'of a later schema',
    () => edited((f) => (f.schemaVersion = 2)),
    'schema',
    /schemaVersion 2: .* reads schemaVersion 1/,
  ],
  ['without a schema version', () => edited((f) => delete f.schemaVersion), 'schema', /no schemaVersion/],
  [
    'with a short LTK',
    () => edited((f) => (f.bonds[0].peerLtk.ltk = f.bonds[0].peerLtk.ltk.slice(2))),
    'invalid',
    /bonds\[0\]\.peerLtk\.ltk: expected 32 hex digits, found 30/,
  ],
  [
    'with a key that is not hex',
    () => edited((f) => (f.bonds[1].peerIrk = `zz${f.bonds[1].peerIrk.slice(2)}`)),
    'invalid',
    /bonds\[1\]\.peerIrk: expected a hex string/,
  ],
  [
    'with a bad address',
    () => edited((f) => (f.bonds[0].peer.address = '01:02')),
    'invalid',
    /bonds\[0\]\.peer\.address/,
  ],
  [
    'with a bad key size',
    () => edited((f) => (f.bonds[1].keySize = 17)),
    'invalid',
    /bonds\[1\]\.keySize: expected an integer from 7 to 16/,
  ],
  [
    'with a bad time',
    () => edited((f) => (f.bonds[0].createdAt = 'yesterday')),
    'invalid',
    /bonds\[0\]\.createdAt/,
  ],
  [
    'with the same peer twice',
    () => edited((f) => f.bonds.push(f.bonds[0])),
    'invalid',
    /bonds\[2\]\.peer: a second bond with the same peer/,
  ],
  ['without our IRK', () => edited((f) => delete f.local.irk), 'invalid', /local\.irk/],
];

describe('a damaged store file', () => {
  it.each(damaged)(
    '%s: the error says so, and the file is untouched by open, read and write',
    (_, make, code, detail) => {
      const path = join(dir, `${code}-${Math.random().toString(36).slice(2)}.json`);
      const bytes = Buffer.from(make(), 'utf8');
      writeFileSync(path, bytes, { mode: 0o600 });
      const old = new Date(Date.UTC(2024, 0, 1));
      utimesSync(path, old, old);
      const before = statSync(path);

      const errors = [
        catchBondStoreError(() => FileBondStore.open({ local: LOCAL, path })),
        catchBondStoreError(() => new FileBondStore({ local: LOCAL, path }).list()),
        catchBondStoreError(() => new FileBondStore({ local: LOCAL, path }).put(legacyBond(7))),
        catchBondStoreError(() => new FileBondStore({ local: LOCAL, path }).delete(peerAddress(1))),
        catchBondStoreError(() => new FileBondStore({ local: LOCAL, path }).localIrk()),
      ];
      for (const error of errors) {
        expect(error.code).toBe(code);
        expect(error.path).toBe(path);
        expect(error.message).toMatch(detail);
        expect(error.message.startsWith(path)).toBe(true);
        expect(error.message).not.toMatch(KEY_LIKE_HEX);
      }
      expect(readFileSync(path).equals(bytes)).toBe(true);
      const after = statSync(path);
      expect([after.mtimeMs, after.ino, after.size]).toEqual([before.mtimeMs, before.ino, before.size]);
      // Nothing left beside it: no lock, no temporary file.
      expect(readdirSync(dir).filter((name) => name.startsWith(`${basename(path)}.`))).toEqual([]);
    },
  );
});
