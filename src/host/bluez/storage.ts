/**
 * Bonds to and from BlueZ's storage directory (`/var/lib/bluetooth` by
 * default): `DIR/<adapter address>/<device address>/info`, one file per
 * device (bluez doc/settings-storage.txt). bluetoothd reads the files when it
 * starts, so stop it before an export and start it after.
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirectory, writeFileAtomic } from '../atomic-file.js';
import type { Bond } from '../bond-store.js';
import { BondStoreError } from '../bond-store-error.js';
import { type BlueZFormatOptions, blueZAddress, formatBlueZInfo, parseBlueZInfo } from './info-file.js';

const ADDRESS_NAME = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/** How {@link exportBlueZ} writes. */
export interface BlueZExportOptions {
  /** Also write our LTK as `[SlaveLongTermKey]`, for older BlueZ releases that read only that name. */
  readonly slaveLongTermKey?: boolean;
}

/**
 * Writes bonds as BlueZ's `info` files under `dir/<adapter>/<device>/info`
 * (directories mode 0700, files 0600, each written atomically). A device's
 * existing info file keeps its other groups (name, services...); its key
 * groups are replaced. Returns the files written.
 * @param adapter our controller's public address (6 octets, wire order): BlueZ's directory per adapter.
 * @throws BondStoreError for a bond BlueZ cannot hold (a random peer address that is not static) or an unreadable existing file.
 * @example
 * ```ts
 * // systemctl stop bluetooth, then:
 * exportBlueZ(store.list(), host.address, '/var/lib/bluetooth');
 * ```
 */
export function exportBlueZ(
  bonds: Iterable<Bond>,
  adapter: Uint8Array,
  dir: string,
  options: BlueZExportOptions = {},
): string[] {
  const adapterDir = join(dir, blueZAddress(adapter));
  const written: string[] = [];
  for (const bond of bonds) {
    const deviceDir = join(adapterDir, blueZAddress(bond.peer.address));
    const file = join(deviceDir, 'info');
    const existing = existsSync(file) ? readText(file) : undefined;
    const format: BlueZFormatOptions = { ...options, file };
    const text = formatBlueZInfo(bond, existing, format);
    io(file, () => {
      ensurePrivateDirectory(deviceDir);
      writeFileAtomic(file, text);
    });
    written.push(file);
  }
  return written;
}

/**
 * Reads the bonds in BlueZ's storage: every device directory of one adapter
 * with LE keys in its `info` file (devices with none are skipped). BlueZ does
 * not record when a bond was made: each bond's `createdAt` is its info file's
 * modification time.
 * @param adapter our controller's address; may be left out when `dir` holds one adapter only.
 * @throws BondStoreError naming the file and line of a malformed info file, or when the adapter is not found.
 * @example
 * ```ts
 * for (const bond of importBlueZ('/var/lib/bluetooth')) store.put(bond);
 * ```
 */
export function importBlueZ(dir: string, adapter?: Uint8Array): Bond[] {
  const adapterDir = join(dir, adapter ? blueZAddress(adapter) : onlyAdapter(dir));
  if (!existsSync(adapterDir)) throw new BondStoreError('io', adapterDir, 'no such adapter directory');
  const bonds: Bond[] = [];
  for (const name of io(adapterDir, () => readdirSync(adapterDir)).sort()) {
    const file = join(adapterDir, name, 'info');
    if (!ADDRESS_NAME.test(name) || !existsSync(file)) continue;
    const createdAt = Math.floor(io(file, () => statSync(file)).mtimeMs);
    const bond = parseBlueZInfo(readText(file), name, { file, createdAt });
    if (bond) bonds.push(bond);
  }
  return bonds;
}

/** The one adapter directory in `dir`. */
function onlyAdapter(dir: string): string {
  const adapters = io(dir, () => readdirSync(dir)).filter((name) => ADDRESS_NAME.test(name));
  if (adapters.length !== 1) {
    const found = adapters.length === 0 ? 'no adapter directory' : `adapters ${adapters.join(', ')}`;
    throw new BondStoreError('invalid', dir, `${found}: name the adapter to import from`);
  }
  return adapters[0]!;
}

function readText(file: string): string {
  return io(file, () => readFileSync(file, 'utf8'));
}

function io<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof BondStoreError) throw err;
    const error = err as NodeJS.ErrnoException;
    throw new BondStoreError('io', path, `${error.code ?? 'error'}: ${error.message}`, { cause: err });
  }
}
