/**
 * `ble-smp bonds`: lists, shows, deletes, exports and imports the bonds kept
 * in the durable bond store (docs/bonds.md).
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { equalBytes, toHex } from '../../crypto/bytes.js';
import { exportBlueZ, importBlueZ } from '../../host/bluez/index.js';
import { decodeBondFile } from '../../host/bond-codec.js';
import { type Bond, type BondKey, peerKey } from '../../host/bond-store.js';
import { BondStoreError } from '../../host/bond-store-error.js';
import { defaultBondStorePath, FileBondStore } from '../../host/file-bond-store.js';
import { parseAddress } from '../../host/parse-address.js';
import type { DeviceAddress } from '../../smp/delegate.js';
import { type CommandIo, UsageError } from '../io.js';
import { describeAddress } from '../security-events.js';

export const BONDS_USAGE = `Usage: ble-smp bonds <list|show|delete|export|import> [options]

Reads and changes the bond store: one JSON file per local identity, by
default in $XDG_STATE_HOME/ble-smp/bonds (else ~/.local/state/ble-smp/bonds).

  bonds list                     every bond of every store (or of --bonds), under
                                 the local identity and file of its store; says
                                 so when there is none (--json: no line)
  bonds show PEER                one bond, looked for in every store as list
                                 does; PEER is aa:bb:cc:dd:ee:ff[/public|/random]
  bonds delete PEER              forget one bond, found as show finds it
  bonds export --bluez DIR       write BlueZ info files: DIR/<adapter>/<device>/info
  bonds import --bluez DIR       read BlueZ info files into the store

  --bonds PATH       the store file (show, delete: needed when PEER is bonded
                     in several stores; export, import: when there is not
                     exactly one)
  --local ADDR       our identity address[/public|/random]: picks its default
                     store file (and names a store that does not exist yet)
  --adapter ADDR     import: the adapter directory under DIR (default the
                     only one, else our identity address)
  --json             list, show: one JSON object per bond
  --show-keys        list, show: print the keys (secrets: hidden by default);
                     an LE Secure Connections bond has one LTK (ltk), a
                     legacy bond the LTK each side distributed (peerLtk,
                     localLtk, with EDIV and Rand)
Exit status: 0 done, 1 no such bond, 2 a usage error or a store that cannot
be read (the file is left as it is).`;

const OPTIONS = {
  bonds: { type: 'string' },
  local: { type: 'string' },
  adapter: { type: 'string' },
  bluez: { type: 'string' },
  json: { type: 'boolean' },
  'show-keys': { type: 'boolean' },
} as const;

/** `aa:bb:cc:dd:ee:ff[/public|/random]`: the address, and its type when given. */
function parsePeerArg(text: string, option: string): { address: Uint8Array; type: 0 | 1 | undefined } {
  const [address = '', kind, ...rest] = text.split('/');
  if (rest.length > 0 || (kind !== undefined && kind !== 'public' && kind !== 'random')) {
    throw new UsageError(`${option} ${JSON.stringify(text)}: use aa:bb:cc:dd:ee:ff[/public|/random]`);
  }
  try {
    return {
      address: parseAddress(address),
      type: kind === undefined ? undefined : kind === 'random' ? 1 : 0,
    };
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

/** The store files the command works on: --bonds, --local's default file, or every file in the default directory. */
function storeFiles(values: { bonds?: string; local?: string }): { files: string[]; local?: DeviceAddress } {
  if (values.bonds !== undefined) {
    if (values.bonds === '') throw new UsageError('--bonds needs a file name');
    const local = values.local !== undefined ? identityOption(values.local) : undefined;
    return { files: [values.bonds], ...(local ? { local } : {}) };
  }
  if (values.local !== undefined) {
    const local = identityOption(values.local);
    return { files: [defaultBondStorePath(local)], local };
  }
  const dir = dirname(defaultBondStorePath({ address: new Uint8Array(6), type: 0 }));
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(dir, name))
    : [];
  return { files };
}

function identityOption(text: string): DeviceAddress {
  const parsed = parsePeerArg(text, '--local');
  return { address: parsed.address, type: parsed.type ?? 0 };
}

/** Opens a store file; its local identity is read from the file, or given when the file does not exist yet. */
function openStore(path: string, local?: DeviceAddress): FileBondStore {
  if (!existsSync(path)) {
    if (!local)
      throw new BondStoreError('io', path, 'no bond store here (name our identity with --local to make one)');
    return FileBondStore.open({ local, path });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BondStoreError('io', path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return FileBondStore.open({ local: local ?? decodeBondFile(text, path).local, path });
}

/** The one store a command that exports or imports works on. */
function oneStore(values: { bonds?: string; local?: string }): FileBondStore {
  const { files, local } = storeFiles(values);
  if (files.length !== 1) {
    throw new UsageError(
      files.length === 0
        ? 'no bond store yet: name one with --bonds PATH or --local ADDR'
        : `${files.length} bond stores (one per local identity): choose one with --bonds PATH or --local ADDR`,
    );
  }
  return openStore(files[0]!, local);
}

/** The stores that exist among those the command works on, as `list` reads them. */
function existingStores(values: { bonds?: string; local?: string }): FileBondStore[] {
  const { files, local } = storeFiles(values);
  return files.filter((file) => existsSync(file)).map((file) => openStore(file, local));
}

/** Where the command looked, for messages: the one file, or the default directory. */
function where(values: { bonds?: string; local?: string }): string {
  const { files } = storeFiles(values);
  if (values.bonds !== undefined || values.local !== undefined) return files[0]!;
  return dirname(defaultBondStorePath({ address: new Uint8Array(6), type: 0 }));
}

/**
 * The one store holding PEER among every store `list` reads, with its bonds
 * that match; undefined when none holds it. A peer bonded in several stores
 * (several local identities) is a usage error naming them.
 */
function findPeer(
  values: { bonds?: string; local?: string },
  target: string,
): { store: FileBondStore; bonds: Bond[] } | undefined {
  parsePeerArg(target, 'PEER'); // a malformed PEER is a usage error even where no store exists
  const found = existingStores(values)
    .map((store) => ({ store, bonds: matching(store, target) }))
    .filter((entry) => entry.bonds.length > 0);
  if (found.length > 1) {
    throw new UsageError(
      `${target} is bonded in ${found.length} stores (${found.map((f) => f.store.path).join(', ')}): ` +
        'choose one with --bonds PATH or --local ADDR',
    );
  }
  return found[0];
}

const keyJson = (key: BondKey | undefined) =>
  key ? { ltk: toHex(key.ltk), ediv: key.ediv, rand: toHex(key.rand) } : undefined;

/**
 * The LTKs of a bond as shown: under Secure Connections one key, `ltk` (both
 * roles use the pairing's LTK, EDIV and Rand 0); under legacy pairing the
 * key each side distributed, `peerLtk` and `localLtk`.
 */
function ltks(bond: Bond): { ltk?: Uint8Array; peerLtk?: BondKey; localLtk?: BondKey } {
  const { peerLtk, localLtk } = bond;
  const one = peerLtk ?? localLtk;
  if (bond.secureConnections && one && (!peerLtk || !localLtk || equalBytes(peerLtk.ltk, localLtk.ltk))) {
    return { ltk: one.ltk };
  }
  return { ...(peerLtk ? { peerLtk } : {}), ...(localLtk ? { localLtk } : {}) };
}

/** A bond as JSON: its properties, and its keys only when asked. */
function bondJson(bond: Bond, store: FileBondStore, showKeys: boolean): Record<string, unknown> {
  const peer = describeAddress(bond.peer);
  const local = describeAddress(store.local);
  const keys = ltks(bond);
  return {
    peer: peer.address,
    peerType: peer.type,
    local: local.address,
    localType: local.type,
    store: store.path,
    method: bond.secureConnections ? 'sc' : 'legacy',
    authenticated: bond.authenticated,
    keySize: bond.keySize,
    localRole: bond.localRole,
    createdAt: new Date(bond.createdAt).toISOString(),
    keys: keyNames(bond),
    ...(showKeys
      ? {
          ...(keys.ltk ? { ltk: toHex(keys.ltk) } : {}),
          ...(keys.peerLtk ? { peerLtk: keyJson(keys.peerLtk) } : {}),
          ...(keys.localLtk ? { localLtk: keyJson(keys.localLtk) } : {}),
          ...(bond.peerIrk ? { peerIrk: toHex(bond.peerIrk) } : {}),
          ...(bond.peerCsrk
            ? { peerCsrk: { csrk: toHex(bond.peerCsrk.csrk), counter: bond.peerCsrk.counter } }
            : {}),
          ...(bond.localCsrk
            ? { localCsrk: { csrk: toHex(bond.localCsrk.csrk), counter: bond.localCsrk.counter } }
            : {}),
        }
      : {}),
  };
}

/** The names of the keys a bond holds (never their values): `ltk` for an SC bond's one LTK. */
function keyNames(bond: Bond): string[] {
  return [
    ...Object.keys(ltks(bond)),
    ...(bond.peerIrk ? ['peerIrk'] : []),
    ...(bond.peerCsrk ? ['peerCsrk'] : []),
    ...(bond.localCsrk ? ['localCsrk'] : []),
  ];
}

/** The heading of a store's bonds in text: the local identity and the file. */
function storeLine(store: FileBondStore): string {
  const local = describeAddress(store.local);
  return `local ${local.address} (${local.type}), store ${store.path}:`;
}

/** A bond in text, indented under its store's heading; its keys on the lines after, when asked. */
function bondLines(bond: Bond, showKeys: boolean): string {
  const peer = describeAddress(bond.peer);
  const line =
    `  ${peer.address} (${peer.type})  ${bond.secureConnections ? 'LE Secure Connections' : 'LE legacy'}, ` +
    `${bond.authenticated ? 'authenticated' : 'unauthenticated'}, key size ${bond.keySize}, ` +
    `paired as ${bond.localRole} ${new Date(bond.createdAt).toISOString()}; keys: ${keyNames(bond).join(' ') || 'none'}`;
  if (!showKeys) return line;
  const keys = ltks(bond);
  const extra = [
    keys.ltk ? `    LTK ${toHex(keys.ltk)}` : '',
    keys.peerLtk
      ? `    peer LTK ${toHex(keys.peerLtk.ltk)} EDIV ${keys.peerLtk.ediv} Rand ${toHex(keys.peerLtk.rand)}`
      : '',
    keys.localLtk
      ? `    local LTK ${toHex(keys.localLtk.ltk)} EDIV ${keys.localLtk.ediv} Rand ${toHex(keys.localLtk.rand)}`
      : '',
    bond.peerIrk ? `    peer IRK ${toHex(bond.peerIrk)}` : '',
    bond.peerCsrk ? `    peer CSRK ${toHex(bond.peerCsrk.csrk)} counter ${bond.peerCsrk.counter}` : '',
    bond.localCsrk ? `    local CSRK ${toHex(bond.localCsrk.csrk)} counter ${bond.localCsrk.counter}` : '',
  ].filter(Boolean);
  return [line, ...extra].join('\n');
}

/** The bonds of a store that match PEER (either type when none is given). */
function matching(store: FileBondStore, text: string): Bond[] {
  const peer = parsePeerArg(text, 'PEER');
  if (peer.type !== undefined) {
    const bond = store.get({ address: peer.address, type: peer.type });
    return bond ? [bond] : [];
  }
  return [0, 1].flatMap((type) => store.get({ address: peer.address, type: type as 0 | 1 }) ?? []);
}

const byPeer = (a: Bond, b: Bond) => peerKey(a.peer).localeCompare(peerKey(b.peer));

/**
 * Runs the command with its arguments (after `bonds`); resolves to the exit
 * status: 0 done, 1 no such bond, 2 a usage error or a store that cannot be read.
 * @example
 * ```ts
 * process.exitCode = await bondsCommand(['list', '--json'], processIo);
 * ```
 */
export async function bondsCommand(argv: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [action, target, ...extra] = positionals;
  const showKeys = values['show-keys'] === true;
  const json = values.json === true;
  const needsPeer = action === 'show' || action === 'delete';
  if (extra.length > 0 || (needsPeer ? target === undefined : target !== undefined)) {
    throw new UsageError(
      needsPeer ? `bonds ${action} takes one PEER` : `unexpected argument ${JSON.stringify(target)}`,
    );
  }
  try {
    switch (action) {
      case 'list': {
        let count = 0;
        for (const store of existingStores(values)) {
          const bonds = [...store.list()].sort(byPeer);
          if (bonds.length === 0) continue;
          if (!json) io.out(storeLine(store));
          for (const bond of bonds) {
            io.out(json ? JSON.stringify(bondJson(bond, store, showKeys)) : bondLines(bond, showKeys));
          }
          count += bonds.length;
        }
        if (count === 0 && !json) io.out(`no bonds kept in ${where(values)}`);
        return 0;
      }
      case 'show': {
        const found = findPeer(values, target!);
        if (!found) {
          io.err(`ble-smp bonds: no bond with ${target} in ${where(values)}`);
          return 1;
        }
        if (!json) io.out(storeLine(found.store));
        for (const bond of found.bonds) {
          io.out(json ? JSON.stringify(bondJson(bond, found.store, showKeys)) : bondLines(bond, showKeys));
        }
        return 0;
      }
      case 'delete': {
        const found = findPeer(values, target!);
        if (!found) {
          io.err(`ble-smp bonds: no bond with ${target} in ${where(values)}`);
          return 1;
        }
        for (const bond of found.bonds) found.store.delete(bond.peer);
        const n = found.bonds.length;
        io.out(`deleted ${n} bond${n === 1 ? '' : 's'} from ${found.store.path}`);
        return 0;
      }
      case 'export':
      case 'import': {
        if (!values.bluez) throw new UsageError(`bonds ${action} needs --bluez DIR`);
        const store = oneStore(values);
        if (action === 'export') {
          const bonds = [...store.list()];
          exportBlueZ(bonds, store.local.address, values.bluez);
          io.out(`exported ${bonds.length} bond${bonds.length === 1 ? '' : 's'} to ${values.bluez}`);
        } else {
          const adapter =
            values.adapter !== undefined ? parsePeerArg(values.adapter, '--adapter').address : undefined;
          const bonds = importBlueZ(values.bluez, adapter);
          for (const bond of bonds) store.put(bond);
          io.out(`imported ${bonds.length} bond${bonds.length === 1 ? '' : 's'} into ${store.path}`);
        }
        return 0;
      }
      default:
        throw new UsageError(
          action === undefined
            ? 'choose list, show, delete, export or import'
            : `unknown action ${JSON.stringify(action)}`,
        );
    }
  } catch (error) {
    if (!(error instanceof BondStoreError)) throw error;
    io.err(`ble-smp bonds: ${error.message}`);
    return 2;
  }
}
