/**
 * LE Secure Connections OOB data in a file, for `--oob-out` and `--oob-in`:
 * `{ "address", "type", "random", "confirm" }`, values as printed and wire-order hex.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../crypto/bytes.js';
import { parseAddress } from '../host/parse-address.js';
import type { PeerOobData, ScOobData } from '../host/security-types.js';
import { formatAddress } from '../smp/delegate.js';

/** OOB data that cannot be read: the message says which file and what is wrong. */
export class OobFileError extends Error {
  override readonly name = 'OobFileError';
}

/** Writes our OOB data to `path`, mode 0600 (it lets whoever reads it pair as an authenticated peer). */
export function writeOobFile(path: string, data: ScOobData): void {
  const json = {
    address: formatAddress(data.address),
    type: data.type === 0 ? 'public' : 'random',
    random: toHex(data.random),
    confirm: toHex(data.confirm),
  };
  try {
    writeFileSync(path, `${JSON.stringify(json)}\n`, { mode: 0o600 });
  } catch (error) {
    throw new OobFileError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Reads the peer's OOB data from `path`, as {@link writeOobFile} wrote it. */
export function readOobFile(path: string): PeerOobData {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OobFileError(`cannot read ${path}: ${code ?? 'not JSON'}`);
  }
  const hex16 = (name: string): Uint8Array => {
    const value = json?.[name];
    if (typeof value !== 'string' || !/^[0-9a-f]{32}$/i.test(value)) {
      throw new OobFileError(`${path}: "${name}" must be 32 hex digits`);
    }
    return fromHex(value);
  };
  const type = json?.type;
  if (type !== 'public' && type !== 'random')
    throw new OobFileError(`${path}: "type" must be public or random`);
  let address: Uint8Array;
  try {
    address = parseAddress(String(json.address));
  } catch {
    throw new OobFileError(`${path}: "address" must be like aa:bb:cc:dd:ee:ff`);
  }
  return { address, type: type === 'public' ? 0 : 1, random: hex16('random'), confirm: hex16('confirm') };
}
