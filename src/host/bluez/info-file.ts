/**
 * A bond as BlueZ keeps it: the `info` file of one device,
 * `/var/lib/bluetooth/<adapter>/<device>/info` (bluez doc/settings-storage.txt).
 *
 * What the groups hold, from BlueZ's src/adapter.c (`store_ltk_group`,
 * `get_ltk`, `store_irk`, `get_le_addr_type`), src/device.c (`store_csrk`,
 * `load_csrk`) and Linux net/bluetooth/mgmt.c (`mgmt_new_ltk`, `mgmt_ltk_type`):
 * - Keys (`Key=`) are 32 hex digits of the key's octets as the kernel holds
 *   them, which is wire order (BlueZ prints `key[0]` first with `%2.2X`).
 *   Reading also accepts the `0x` prefix of older files, as `get_ltk` does.
 * - `Rand=` is the 8-octet Rand as a decimal uint64, little-endian
 *   (`le64_to_cpu`); older files wrote `0x` and the octets in wire order.
 * - `EDiv=` and `EncSize=` are decimal; `Authenticated=` of an LTK is the mgmt
 *   key type: 0 legacy unauthenticated, 1 legacy authenticated, 2 Secure
 *   Connections unauthenticated, 3 Secure Connections authenticated, 4 SC
 *   made with the debug key (never loaded by the kernel, so ignored here).
 * - `[LongTermKey]` is the key the peer distributed, used when we are central
 *   (the kernel's `SMP_LTK`, "initiator" key). `[PeripheralLongTermKey]`
 *   (`[SlaveLongTermKey]` in older releases; newer ones read both names) is
 *   the key we distributed, used when we are peripheral. The
 *   kernel reports a Secure Connections LTK as a non-initiator key, so BlueZ
 *   keeps it in `[PeripheralLongTermKey]` only; it serves both roles.
 * - `[LocalSignatureKey]` / `[RemoteSignatureKey]`: our and the peer's CSRK
 *   with `Counter=` (decimal) and `Authenticated=true|false`.
 * - `[IdentityResolvingKey] Key=`: the peer's IRK.
 * - `[General] AddressType=public|static`: BlueZ keeps identity addresses
 *   only, so a random one is a static address; missing means public.
 *
 * BlueZ records neither our role on the link that paired nor when it paired:
 * an import takes the time from the caller (the file's modification time)
 * and the role as peripheral when only our LTK is there, else central.
 * @module
 */
import { fromHex, toHex } from '../../crypto/bytes.js';
import type { DeviceAddress } from '../../smp/index.js';
import { printAddress } from '../bond-codec.js';
import type { Bond, BondKey, SigningKey } from '../bond-store.js';
import { BondStoreError } from '../bond-store-error.js';
import { entryOf, formatKeyFile, type KeyFileGroup, makeGroup, parseKeyFile } from './key-file.js';

/** How a bond is written into an info file. */
export interface BlueZFormatOptions {
  /**
   * Also write our LTK under its old group name `[SlaveLongTermKey]`, for
   * older BlueZ releases that read only that name (default false).
   */
  readonly slaveLongTermKey?: boolean;
  /** The file's name for error messages (default `info`). */
  readonly file?: string;
}

/** How an info file is read. */
export interface BlueZParseOptions {
  /** The file's name for error messages (default `info`). */
  readonly file?: string;
  /** When the bond was made, in ms since the epoch: BlueZ does not record it (default now). */
  readonly createdAt?: number;
}

/** The groups of an info file that hold keys: an export rewrites all of them. */
const KEY_GROUPS = [
  'LongTermKey',
  'PeripheralLongTermKey',
  'SlaveLongTermKey',
  'IdentityResolvingKey',
  'LocalSignatureKey',
  'RemoteSignatureKey',
];

/** mgmt LTK types (Linux include/net/bluetooth/mgmt.h, MGMT_LTK_*). */
const LtkType = { Unauthenticated: 0, Authenticated: 1, P256Unauth: 2, P256Auth: 3, P256Debug: 4 } as const;

/**
 * Prints a device address as BlueZ names its directories: `AA:BB:CC:DD:EE:FF`.
 * @example
 * ```ts
 * blueZAddress(Uint8Array.of(0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa)); // 'AA:BB:CC:DD:EE:FF'
 * ```
 */
export function blueZAddress(address: Uint8Array): string {
  return printAddress(address);
}

/**
 * The `info` file BlueZ would keep for a bond. With `existing` (the device's
 * info file as bluetoothd wrote it), the key groups are replaced and every
 * other group and key (name, services, connection parameters) is kept.
 * @throws BondStoreError (`invalid`) for a random peer address that is not static: BlueZ keeps identity addresses only.
 * @example
 * ```ts
 * const text = formatBlueZInfo(bond); // '[General]\nAddressType=static\nSupportedTechnologies=LE;\n\n[IdentityResolvingKey]\n...'
 * ```
 */
export function formatBlueZInfo(bond: Bond, existing?: string, options: BlueZFormatOptions = {}): string {
  const file = options.file ?? 'info';
  const groups = existing ? parseKeyFile(existing, file).filter((g) => !KEY_GROUPS.includes(g.name)) : [];
  let general = groups.find((g) => g.name === 'General');
  if (!general) {
    general = makeGroup('General', []);
    groups.unshift(general);
  }
  setEntry(general, 'AddressType', addressType(bond.peer, file));
  const technologies = entryOf(general, 'SupportedTechnologies')?.value ?? '';
  if (!technologies.split(';').includes('LE'))
    setEntry(general, 'SupportedTechnologies', `${technologies}LE;`);

  if (bond.peerIrk) groups.push(makeGroup('IdentityResolvingKey', [['Key', keyHex(bond.peerIrk)]]));
  if (bond.localCsrk) groups.push(signingGroup('LocalSignatureKey', bond.localCsrk, bond.authenticated));
  if (bond.peerCsrk) groups.push(signingGroup('RemoteSignatureKey', bond.peerCsrk, bond.authenticated));
  // Secure Connections: one key, kept as the kernel reports it (a non-initiator key).
  const centralKey = bond.secureConnections ? undefined : bond.peerLtk;
  const peripheralKey = bond.secureConnections ? (bond.localLtk ?? bond.peerLtk) : bond.localLtk;
  const type = bond.secureConnections
    ? bond.authenticated
      ? LtkType.P256Auth
      : LtkType.P256Unauth
    : bond.authenticated
      ? LtkType.Authenticated
      : LtkType.Unauthenticated;
  if (centralKey) groups.push(ltkGroup('LongTermKey', centralKey, type, bond.keySize));
  if (peripheralKey) {
    groups.push(ltkGroup('PeripheralLongTermKey', peripheralKey, type, bond.keySize));
    if (options.slaveLongTermKey)
      groups.push(ltkGroup('SlaveLongTermKey', peripheralKey, type, bond.keySize));
  }
  return formatKeyFile(groups);
}

/**
 * Reads the bond in a BlueZ `info` file, or `undefined` when the file holds no
 * LE keys (a device seen or paired over BR/EDR only).
 * @param peer the device's address as its directory is named (`AA:BB:CC:DD:EE:FF`).
 * @throws BondStoreError (`parse` or `invalid`) naming the file and the line at fault.
 * @example
 * ```ts
 * const bond = parseBlueZInfo(readFileSync(`${dir}/info`, 'utf8'), 'C0:11:22:33:44:55', { file: `${dir}/info` });
 * ```
 */
export function parseBlueZInfo(
  text: string,
  peer: string,
  options: BlueZParseOptions = {},
): Bond | undefined {
  const file = options.file ?? 'info';
  const groups = parseKeyFile(text, file);
  const read = new InfoReader(file, groups);
  if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(peer)) {
    throw new BondStoreError(
      'invalid',
      file,
      `the device directory ${JSON.stringify(peer)} is not an address`,
    );
  }
  const central = read.ltk('LongTermKey');
  const peripheral = read.ltk('PeripheralLongTermKey') ?? read.ltk('SlaveLongTermKey');
  const peerIrk = read.key('IdentityResolvingKey');
  const localCsrk = read.csrk('LocalSignatureKey');
  const peerCsrk = read.csrk('RemoteSignatureKey');
  if (!central && !peripheral && !peerIrk && !localCsrk && !peerCsrk) return undefined;

  const sc = [peripheral, central].find((k) => k && k.type >= LtkType.P256Unauth);
  const main = sc ?? central ?? peripheral;
  const address = fromHex(peer).reverse();
  return {
    peer: { address, type: read.addressType() },
    ...(sc ? { peerLtk: sc.key, localLtk: sc.key } : {}),
    ...(!sc && central ? { peerLtk: central.key } : {}),
    ...(!sc && peripheral ? { localLtk: peripheral.key } : {}),
    secureConnections: sc !== undefined,
    authenticated: main
      ? main.type === LtkType.Authenticated || main.type === LtkType.P256Auth
      : (localCsrk?.authenticated ?? peerCsrk?.authenticated ?? false),
    keySize: main?.encSize ?? 16,
    localRole: !sc && peripheral && !central ? 'peripheral' : 'central',
    createdAt: options.createdAt ?? Date.now(),
    ...(peerIrk ? { peerIrk } : {}),
    ...(peerCsrk ? { peerCsrk: peerCsrk.key } : {}),
    ...(localCsrk ? { localCsrk: localCsrk.key } : {}),
  };
}

function addressType(peer: DeviceAddress, file: string): 'public' | 'static' {
  if (peer.type === 0) return 'public';
  if ((peer.address[5]! & 0xc0) !== 0xc0) {
    throw new BondStoreError(
      'invalid',
      file,
      `BlueZ keeps bonds of identity addresses only, and ${blueZAddress(peer.address)} is a random address that is not static`,
    );
  }
  return 'static';
}

function setEntry(group: KeyFileGroup, key: string, value: string): void {
  const index = group.lines.findIndex((l) => 'key' in l && l.key === key);
  const line = { key, value, line: 0 };
  if (index >= 0) group.lines[index] = line;
  else group.lines.push(line);
}

function keyHex(key: Uint8Array): string {
  return toHex(key).toUpperCase();
}

function ltkGroup(name: string, key: BondKey, type: number, keySize: number): KeyFileGroup {
  return makeGroup(name, [
    ['Key', keyHex(key.ltk)],
    ['Authenticated', String(type)],
    ['EncSize', String(keySize)],
    ['EDiv', String(key.ediv)],
    ['Rand', String(new DataView(key.rand.buffer, key.rand.byteOffset, 8).getBigUint64(0, true))],
  ]);
}

function signingGroup(name: string, key: SigningKey, authenticated: boolean): KeyFileGroup {
  return makeGroup(name, [
    ['Key', keyHex(key.csrk)],
    ['Counter', String(key.counter)],
    ['Authenticated', String(authenticated)],
  ]);
}

/** Reads checked values from the groups of one info file; errors name the file and line, never a value. */
class InfoReader {
  constructor(
    readonly file: string,
    readonly groups: KeyFileGroup[],
  ) {}

  fail(line: number, what: string): never {
    throw new BondStoreError('invalid', this.file, what, { line });
  }

  group(name: string): KeyFileGroup | undefined {
    return this.groups.find((g) => g.name === name);
  }

  /** The value of `[group] key`, required when `fallback` is undefined. */
  value(group: KeyFileGroup, key: string, fallback?: string): { value: string; line: number } {
    const entry = entryOf(group, key);
    if (entry) return entry;
    if (fallback === undefined) this.fail(group.line, `[${group.name}] has no ${key}`);
    return { value: fallback, line: group.line };
  }

  hex16(group: KeyFileGroup): Uint8Array {
    const { value, line } = this.value(group, 'Key');
    const hex = value.startsWith('0x') ? value.slice(2) : value;
    if (!/^[0-9A-Fa-f]{32}$/.test(hex)) this.fail(line, `[${group.name}] Key: expected 32 hex digits`);
    return fromHex(hex);
  }

  integer(group: KeyFileGroup, key: string, max: number, fallback?: string): number {
    const { value, line } = this.value(group, key, fallback);
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n <= max)) this.fail(line, `[${group.name}] ${key}: expected an integer from 0 to ${max}`);
    return n;
  }

  key(name: string): Uint8Array | undefined {
    const group = this.group(name);
    return group && this.hex16(group);
  }

  ltk(name: string): { key: BondKey; type: number; encSize: number } | undefined {
    const group = this.group(name);
    if (!group) return undefined;
    const ltk = this.hex16(group);
    const type = this.integer(group, 'Authenticated', LtkType.P256Debug, '0');
    const encSize = this.integer(group, 'EncSize', 16);
    if (encSize < 7) this.fail(this.value(group, 'EncSize').line, `[${name}] EncSize: expected 7 to 16`);
    const ediv = this.integer(group, 'EDiv', 0xffff, '0');
    const rand = this.rand(group);
    // A debug-key LTK is never loaded by the kernel (mgmt.c load_long_term_keys): it is no bond.
    if (type === LtkType.P256Debug) return undefined;
    return { key: { ltk, ediv, rand }, type, encSize };
  }

  rand(group: KeyFileGroup): Uint8Array {
    const { value, line } = this.value(group, 'Rand');
    if (/^0x[0-9A-Fa-f]{16}$/.test(value)) return fromHex(value.slice(2));
    const n = /^\d{1,20}$/.test(value) ? BigInt(value) : -1n;
    if (n < 0n || n > 0xffffffffffffffffn)
      this.fail(line, `[${group.name}] Rand: expected a 64-bit unsigned integer`);
    const rand = new Uint8Array(8);
    new DataView(rand.buffer).setBigUint64(0, n, true);
    return rand;
  }

  csrk(name: string): { key: SigningKey; authenticated: boolean } | undefined {
    const group = this.group(name);
    if (!group) return undefined;
    const csrk = this.hex16(group);
    const counter = this.integer(group, 'Counter', 0xffffffff, '0');
    const { value, line } = this.value(group, 'Authenticated', 'false');
    if (value !== 'true' && value !== 'false')
      this.fail(line, `[${name}] Authenticated: expected true or false`);
    return { key: { csrk, counter }, authenticated: value === 'true' };
  }

  addressType(): 0 | 1 {
    const general = this.group('General');
    const entry = general && entryOf(general, 'AddressType');
    if (!entry || entry.value === 'public') return 0;
    if (entry.value === 'static') return 1;
    return this.fail(entry.line, "[General] AddressType: expected 'public' or 'static'");
  }
}
