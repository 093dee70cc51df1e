/**
 * The durable bond store: one JSON file per local identity (docs/bonds.md).
 * Every change is a read-modify-write under a lock between processes,
 * written atomically with mode 0600; reads see another process's changes.
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { equalBytes } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import type { DeviceAddress } from '../smp/index.js';
import { ensurePrivateDirectory, removeLeftoverTemporaries, writeFileAtomic } from './atomic-file.js';
import {
  addressTypeName,
  type BondFileContent,
  checkBond,
  decodeBondFile,
  encodeBondFile,
  printAddress,
} from './bond-codec.js';
import { type Bond, type BondStore, peerKey } from './bond-store.js';
import { BondStoreError } from './bond-store-error.js';
import { LockTimeoutError, withFileLock } from './file-lock.js';

/** How a {@link FileBondStore} is opened. */
export interface FileBondStoreOptions {
  /** Our identity address: the store holds this identity's bonds and IRK. */
  readonly local: DeviceAddress;
  /** The store file (default {@link defaultBondStorePath} of `local`). */
  readonly path?: string;
  /** How long a change waits for another process's lock before failing, in ms (default 10,000). */
  readonly lockTimeoutMs?: number;
}

/**
 * The default store file of a local identity:
 * `$XDG_STATE_HOME/ble-smp/bonds/AA-BB-CC-DD-EE-FF-public.json`, else the
 * same under `~/.local/state` (the XDG base directory rules: a relative
 * `XDG_STATE_HOME` is ignored).
 * @param env the environment to read `XDG_STATE_HOME` and `HOME` from (default `process.env`).
 * @example
 * ```ts
 * defaultBondStorePath({ address: parseAddress('aa:bb:cc:dd:ee:ff'), type: 0 }, { HOME: '/home/pi' });
 * // '/home/pi/.local/state/ble-smp/bonds/AA-BB-CC-DD-EE-FF-public.json'
 * ```
 */
export function defaultBondStorePath(
  local: DeviceAddress,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const state = env.XDG_STATE_HOME;
  const base = state && isAbsolute(state) ? state : join(env.HOME || homedir(), '.local', 'state');
  const name = `${printAddress(local.address).replaceAll(':', '-')}-${addressTypeName(local.type)}.json`;
  return join(base, 'ble-smp', 'bonds', name);
}

/** The content of the file as last read, with what identifies that version of the file. */
interface Snapshot {
  /** Inode, size, modification and change times; `missing` when there is no file. */
  readonly signature: string;
  readonly content: BondFileContent | undefined;
  readonly bonds: ReadonlyMap<string, Bond>;
}

/**
 * A {@link BondStore} in a JSON file, shared safely between processes: each
 * `put` and `delete` re-reads the file under a lock (`<file>.lock`), applies
 * the change and writes the file atomically (temporary file, fsync, rename;
 * mode 0600, directory 0700 when created), so two processes writing at once
 * lose nothing and a crash leaves the old file or the new one. `get` and
 * `list` read the file again when it has changed. A missing file is an empty
 * store; a file that cannot be parsed or checked throws a {@link BondStoreError}
 * and is never written over.
 * @example
 * ```ts
 * const local = { address: parseAddress('aa:bb:cc:dd:ee:ff'), type: 0 } as const;
 * const bonds = FileBondStore.open({ local }); // ~/.local/state/ble-smp/bonds/AA-BB-CC-DD-EE-FF-public.json
 * const host = await Host.open(transport, { bondStore: bonds });
 * ```
 */
export class FileBondStore implements BondStore {
  /** The store file. */
  readonly path: string;
  /** Our identity address. */
  readonly local: DeviceAddress;
  readonly #lockTimeoutMs: number;
  #snapshot: Snapshot | undefined;

  /**
   * Opens the store and reads its file now, so that a bad file is reported
   * here rather than at the first pairing.
   * @throws BondStoreError when the file cannot be read, parsed or checked, or belongs to another identity.
   * @example
   * ```ts
   * const bonds = FileBondStore.open({ local, path: '/var/lib/my-gateway/bonds.json' });
   * ```
   */
  static open(options: FileBondStoreOptions): FileBondStore {
    const store = new FileBondStore(options);
    store.#current();
    return store;
  }

  constructor(options: FileBondStoreOptions) {
    this.local = { address: Uint8Array.from(options.local.address), type: options.local.type };
    this.path = options.path ?? defaultBondStorePath(options.local);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  /**
   * The bond with this peer, if any, reading the file again when it changed
   * since the last read (another process may have paired).
   * @throws BondStoreError when the file cannot be read, parsed or checked.
   * @example
   * ```ts
   * const bond = bonds.get({ address: parseAddress('b8:27:eb:15:50:70'), type: 0 });
   * ```
   */
  get(peer: DeviceAddress): Bond | undefined {
    return this.#current().bonds.get(peerKey(peer));
  }

  /**
   * Keeps a bond, replacing any with the same peer: checks it, then re-reads
   * the file under the lock, applies the change and writes the file atomically.
   * @throws BondStoreError with code `invalid` for a malformed bond, `lock-timeout` or `io` when the file cannot be written.
   * @example
   * ```ts
   * bonds.put(bond); // on disk when this returns
   * ```
   */
  put(bond: Bond): void {
    const checked = checkBond(bond, this.path);
    this.#update((bonds) => {
      bonds.set(peerKey(checked.peer), checked);
      return true;
    });
  }

  /**
   * Forgets the bond with this peer, under the lock as {@link FileBondStore.put}
   * does; returns whether there was one.
   * @example
   * ```ts
   * if (!bonds.delete(connection.identity)) console.log('no bond to forget');
   * ```
   */
  delete(peer: DeviceAddress): boolean {
    let found = false;
    this.#update((bonds) => {
      found = bonds.delete(peerKey(peer));
      return found;
    });
    return found;
  }

  /**
   * Every bond in the file as it is now.
   * @example
   * ```ts
   * console.log(`${[...bonds.list()].length} bonds in ${bonds.path}`);
   * ```
   */
  list(): Iterable<Bond> {
    return [...this.#current().bonds.values()];
  }

  /**
   * Our Identity Resolving Key, as kept in the file; when there is no file yet,
   * makes one (with a new IRK) and writes it, so every process sees the same IRK.
   * This is the only call besides `put` that creates the file; a `Host`
   * asks for the IRK only when it needs it (a bonded pairing distributing it,
   * a resolvable private address), so a run that bonds nothing leaves no file.
   * @example
   * ```ts
   * const irk = FileBondStore.open({ local }).localIrk(); // 16 octets, the same on every call
   * ```
   */
  localIrk(): Uint8Array {
    const irk = this.#current().content?.irk ?? this.#update(() => false, true).content!.irk;
    return irk.slice();
  }

  /** The file as it is now: the last read, unless the file has changed since. */
  #current(): Snapshot {
    const signature = this.#io(() => signatureOf(this.path));
    if (this.#snapshot?.signature !== signature) this.#snapshot = this.#read();
    return this.#snapshot;
  }

  /** Reads and checks the file; the signature is taken from the open file, so it matches what was read. */
  #read(): Snapshot {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { signature: 'missing', content: undefined, bonds: new Map() };
      throw this.#ioError(err);
    }
    let text: string;
    let signature: string;
    try {
      signature = describeStat(fstatSync(fd, { bigint: true }));
      text = readFileSync(fd, 'utf8');
    } catch (err) {
      throw this.#ioError(err);
    } finally {
      closeSync(fd);
    }
    const content = decodeBondFile(text, this.path);
    if (!equalBytes(content.local.address, this.local.address) || content.local.type !== this.local.type) {
      throw new BondStoreError(
        'identity',
        this.path,
        `the file holds the bonds of ${printAddress(content.local.address)} (${addressTypeName(content.local.type)}), ` +
          `not of ${printAddress(this.local.address)} (${addressTypeName(this.local.type)})`,
      );
    }
    return { signature, content, bonds: new Map(content.bonds.map((b) => [peerKey(b.peer), b])) };
  }

  /**
   * Applies `change` to the bonds as they are on disk now, under the lock, and
   * writes the file when `change` says it changed something, or when the file
   * is missing and `create` asks for it (a first write also makes our IRK).
   * Nothing else creates the file: a `delete` on a missing file writes nothing.
   */
  #update(change: (bonds: Map<string, Bond>) => boolean, create = false): Snapshot {
    return this.#io(() => {
      ensurePrivateDirectory(dirname(this.path));
      return withFileLock(`${this.path}.lock`, this.#lockTimeoutMs, () => {
        removeLeftoverTemporaries(this.path);
        const fresh = this.#read();
        const bonds = new Map(fresh.bonds);
        if (!change(bonds) && (fresh.content || !create)) {
          this.#snapshot = fresh;
          return fresh;
        }
        const content: BondFileContent = {
          local: this.local,
          irk: fresh.content?.irk ?? randomBytes(16),
          bonds: [...bonds.values()],
        };
        writeFileAtomic(this.path, encodeBondFile(content));
        this.#snapshot = { signature: signatureOf(this.path), content, bonds };
        return this.#snapshot;
      });
    });
  }

  /** Runs a file-system step, turning its failures into a {@link BondStoreError}. */
  #io<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      throw this.#ioError(err);
    }
  }

  #ioError(err: unknown): BondStoreError {
    if (err instanceof BondStoreError) return err;
    if (err instanceof LockTimeoutError) {
      return new BondStoreError(
        'lock-timeout',
        this.path,
        `another process (${err.holder?.pid ?? 'unknown'}) has held ${err.lockPath} for ${err.waitedMs} ms; ` +
          'if no ble-smp process is running, delete that file',
      );
    }
    const error = err as NodeJS.ErrnoException;
    return new BondStoreError('io', this.path, `${error.code ?? 'error'}: ${error.message}`, { cause: err });
  }
}

function signatureOf(path: string): string {
  try {
    return describeStat(statSync(path, { bigint: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

function describeStat(stat: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}
