/**
 * The JSON form of a bond store file, schema version 1 (docs/bonds.md):
 * keys as wire-order hex, addresses as printed (`AA:BB:CC:DD:EE:FF`) with
 * their type, times as ISO 8601. Decoding checks every field and reports what
 * is wrong by its place in the file, never by its value: values may be keys.
 * @module
 */
import { fromHex, toHex } from '../crypto/bytes.js';
import type { DeviceAddress } from '../smp/index.js';
import { type Bond, type BondKey, peerKey, type SigningKey } from './bond-store.js';
import { BondStoreError } from './bond-store-error.js';

/**
 * The `schemaVersion` of the bond store files this version of ble-smp writes
 * and reads (docs/bonds.md); a file of another version is refused, untouched.
 * @example
 * ```ts
 * JSON.parse(readFileSync(store.path, 'utf8')).schemaVersion === BOND_SCHEMA_VERSION; // true
 * ```
 */
export const BOND_SCHEMA_VERSION = 1;

/** The decoded content of a bond store file. */
export interface BondFileContent {
  /** Our identity address: the store belongs to it. */
  readonly local: DeviceAddress;
  /** Our Identity Resolving Key. */
  readonly irk: Uint8Array;
  /** The bonds, in file order. */
  readonly bonds: readonly Bond[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An address as printed, most significant octet first: `AA:BB:CC:DD:EE:FF`. */
export function printAddress(address: Uint8Array): string {
  return Array.from(address, (b) => b.toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join(':');
}

/** `public` or `random`, as the file spells an address type. */
export function addressTypeName(type: 0 | 1): 'public' | 'random' {
  return type === 0 ? 'public' : 'random';
}

/** Encodes a whole store file, ending with a newline. */
export function encodeBondFile(content: BondFileContent): string {
  const file = {
    schemaVersion: BOND_SCHEMA_VERSION,
    local: { ...encodeAddress(content.local), irk: toHex(content.irk) },
    bonds: content.bonds.map(encodeBond),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Decodes and checks a whole store file; `path` is only for the messages. */
export function decodeBondFile(text: string, path: string): BondFileContent {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    // The parser's own message quotes the text around the fault, which may be a key: only the place is kept.
    throw new BondStoreError('parse', path, `not valid JSON${jsonPlace(text, err)}`);
  }
  const at = new Reader(path);
  const root = at.object(json, 'the file');
  const version = root.schemaVersion;
  if (version !== BOND_SCHEMA_VERSION) {
    const found = typeof version === 'number' ? `schemaVersion ${version}` : 'no schemaVersion';
    throw new BondStoreError(
      'schema',
      path,
      `${found}: this version of ble-smp reads schemaVersion ${BOND_SCHEMA_VERSION}`,
    );
  }
  const local = at.object(root.local, 'local');
  const bonds = at.array(root.bonds, 'bonds').map((entry, i) => at.bond(entry, `bonds[${i}]`));
  const seen = new Set<string>();
  bonds.forEach((bond, i) => {
    const key = peerKey(bond.peer);
    if (seen.has(key)) at.fail(`bonds[${i}].peer`, 'a second bond with the same peer');
    seen.add(key);
  });
  return { local: at.address(local, 'local'), irk: at.hex(local.irk, 'local.irk', 16), bonds };
}

/**
 * Checks a bond as the store would write it (key lengths, key size, counters...);
 * throws a {@link BondStoreError} with code `invalid` naming the field at fault.
 */
export function checkBond(bond: Bond, path: string): Bond {
  return new Reader(path).bond(encodeBond(bond) as Json, 'bond');
}

function encodeAddress(address: DeviceAddress): { address: string; type: string } {
  return { address: printAddress(address.address), type: addressTypeName(address.type) };
}

function encodeBond(bond: Bond): Record<string, Json> {
  const key = (k: BondKey) => ({ ltk: toHex(k.ltk), ediv: k.ediv, rand: toHex(k.rand) });
  const signing = (k: SigningKey) => ({ csrk: toHex(k.csrk), counter: k.counter });
  return {
    peer: encodeAddress(bond.peer),
    createdAt: Number.isFinite(bond.createdAt) ? new Date(bond.createdAt).toISOString() : null,
    secureConnections: bond.secureConnections,
    authenticated: bond.authenticated,
    keySize: bond.keySize,
    localRole: bond.localRole,
    ...(bond.peerLtk ? { peerLtk: key(bond.peerLtk) } : {}),
    ...(bond.localLtk ? { localLtk: key(bond.localLtk) } : {}),
    ...(bond.peerIrk ? { peerIrk: toHex(bond.peerIrk) } : {}),
    ...(bond.peerCsrk ? { peerCsrk: signing(bond.peerCsrk) } : {}),
    ...(bond.localCsrk ? { localCsrk: signing(bond.localCsrk) } : {}),
  };
}

/** Where in the text JSON.parse stopped, as ` at line L, column C`, when its message says. */
function jsonPlace(text: string, err: unknown): string {
  const position = /position (\d+)/.exec(String((err as Error).message))?.[1];
  if (position === undefined) return text.trim() === '' ? ' (the file is empty)' : '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

const ADDRESS = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Reads checked values out of parsed JSON; every failure names the field, never its value. */
class Reader {
  constructor(readonly path: string) {}

  fail(field: string, what: string): never {
    throw new BondStoreError('invalid', this.path, `${field}: ${what}`);
  }

  object(value: Json | undefined, field: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'expected an object');
    return value;
  }

  array(value: Json | undefined, field: string): Json[] {
    if (!Array.isArray(value)) this.fail(field, 'expected an array');
    return value;
  }

  boolean(value: Json | undefined, field: string): boolean {
    if (typeof value !== 'boolean') this.fail(field, 'expected true or false');
    return value;
  }

  integer(value: Json | undefined, field: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `expected an integer from ${min} to ${max}`);
    }
    return value;
  }

  hex(value: Json | undefined, field: string, length: number): Uint8Array {
    if (typeof value !== 'string' || !/^[0-9a-fA-F]*$/.test(value)) this.fail(field, 'expected a hex string');
    if (value.length !== 2 * length) {
      this.fail(field, `expected ${2 * length} hex digits, found ${value.length}`);
    }
    return fromHex(value);
  }

  address(value: Record<string, Json>, field: string): DeviceAddress {
    const { address, type } = value;
    if (typeof address !== 'string' || !ADDRESS.test(address)) {
      this.fail(`${field}.address`, 'expected an address as AA:BB:CC:DD:EE:FF');
    }
    if (type !== 'public' && type !== 'random') this.fail(`${field}.type`, "expected 'public' or 'random'");
    return { address: fromHex(address).reverse(), type: type === 'public' ? 0 : 1 };
  }

  ltk(value: Json | undefined, field: string): BondKey | undefined {
    if (value === undefined) return undefined;
    const key = this.object(value, field);
    return {
      ltk: this.hex(key.ltk, `${field}.ltk`, 16),
      ediv: this.integer(key.ediv, `${field}.ediv`, 0, 0xffff),
      rand: this.hex(key.rand, `${field}.rand`, 8),
    };
  }

  csrk(value: Json | undefined, field: string): SigningKey | undefined {
    if (value === undefined) return undefined;
    const key = this.object(value, field);
    return {
      csrk: this.hex(key.csrk, `${field}.csrk`, 16),
      counter: this.integer(key.counter, `${field}.counter`, 0, 0xffffffff),
    };
  }

  bond(value: Json | undefined, field: string): Bond {
    const bond = this.object(value, field);
    const createdAt = bond.createdAt;
    if (typeof createdAt !== 'string' || !ISO_TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
      this.fail(`${field}.createdAt`, 'expected an ISO 8601 time in UTC');
    }
    const localRole = bond.localRole;
    if (localRole !== 'central' && localRole !== 'peripheral') {
      this.fail(`${field}.localRole`, "expected 'central' or 'peripheral'");
    }
    const peerLtk = this.ltk(bond.peerLtk, `${field}.peerLtk`);
    const localLtk = this.ltk(bond.localLtk, `${field}.localLtk`);
    const peerIrk = bond.peerIrk === undefined ? undefined : this.hex(bond.peerIrk, `${field}.peerIrk`, 16);
    const peerCsrk = this.csrk(bond.peerCsrk, `${field}.peerCsrk`);
    const localCsrk = this.csrk(bond.localCsrk, `${field}.localCsrk`);
    return {
      peer: this.address(this.object(bond.peer, `${field}.peer`), `${field}.peer`),
      ...(peerLtk ? { peerLtk } : {}),
      ...(localLtk ? { localLtk } : {}),
      secureConnections: this.boolean(bond.secureConnections, `${field}.secureConnections`),
      authenticated: this.boolean(bond.authenticated, `${field}.authenticated`),
      keySize: this.integer(bond.keySize, `${field}.keySize`, 7, 16),
      localRole,
      createdAt: Date.parse(createdAt),
      ...(peerIrk ? { peerIrk } : {}),
      ...(peerCsrk ? { peerCsrk } : {}),
      ...(localCsrk ? { localCsrk } : {}),
    };
  }
}
