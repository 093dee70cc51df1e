/**
 * The store between processes: a writer killed (SIGKILL) at random points
 * leaves a file that parses and holds the bonds from before or after the
 * write it was in, and its stale lock does not stop the next writer; two
 * processes writing at once lose no bond and agree on our IRK.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
// The child is bundled to plain JavaScript with rolldown, which vitest (through vite) installs.
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/crypto/bytes.js';
import { FileBondStore } from '../../../src/host/file-bond-store.js';
import { catchBondStoreError } from './errors.js';
import { LOCAL, legacyBond } from './samples.js';

const KILLS = 50;
let dir: string;
let writer: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ble-smp-processes-'));
  writer = join(dir, 'writer.mjs');
  await build({
    input: join(import.meta.dirname, 'writer-child.ts'),
    platform: 'node',
    logLevel: 'silent',
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    output: { file: writer, format: 'esm' },
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a writer; `line()` resolves with its next stdout line. */
function startWriter(args: string[]) {
  const child = spawn(process.execPath, [writer, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const line = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the writer ended (exit ${child.exitCode})`);
    return value as string;
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, line, exited };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The files beside the store: its lock, and temporary files. */
function leftovers(path: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith(`${basename(path)}.`));
}

describe('FileBondStore between processes', () => {
  it(`a writer killed at random ${KILLS} times leaves the old or the new bond set, every time`, async () => {
    const path = join(dir, 'killed.json');
    let count = 0;
    let irk: string | undefined;
    let staleLocks = 0;
    let midWrite = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const { child, line, exited } = startWriter([path, 'loop']);
      const started = JSON.parse(await line()) as { irk: string };
      irk ??= started.irk;
      expect(started.irk).toBe(irk);
      await line(); // ready
      // Half the kills from the start (taking the lock, breaking a stale one), half once a write has landed.
      if (kill % 2) await line(); // written
      await sleep(Math.random() * 20);
      child.kill('SIGKILL');
      await exited;

      const left = leftovers(path);
      if (left.some((name) => name.endsWith('.lock'))) staleLocks++;
      if (left.some((name) => name.endsWith('.tmp'))) midWrite++;
      const bonds = [...FileBondStore.open({ local: LOCAL, path }).list()];
      // Old or new: the bonds are exactly 0..k-1 for some k no smaller than before.
      expect(bonds.length).toBeGreaterThanOrEqual(count);
      expect(bonds).toEqual(bonds.map((_, n) => legacyBond(n)));
      count = bonds.length;
    }
    expect(count).toBeGreaterThanOrEqual(KILLS / 2);
    // The next writer recovers whatever the last kill left: a stale lock, temporary files.
    const store = new FileBondStore({ local: LOCAL, path, lockTimeoutMs: 2000 });
    store.put(legacyBond(count));
    expect(leftovers(path)).toEqual([]);
    expect(toHex(store.localIrk())).toBe(irk);
    console.info(
      `${KILLS} kills: ${count} bonds written, ${staleLocks} stale locks, ${midWrite} kills mid-write`,
    );
  }, 60_000);

  it('two processes writing 50 bonds each at once lose none, and make one IRK between them', async () => {
    const path = join(dir, 'shared.json');
    const writers = [1, 2].map((w) => startWriter([path, 'batch', String(w), '50']));
    for (const w of writers) expect(await w.line()).toBe('ready');
    for (const w of writers) w.child.stdin!.end('go\n');
    const irks = await Promise.all(
      writers.map(async (w) => (JSON.parse(await w.line()) as { irk: string }).irk),
    );
    expect(await Promise.all(writers.map((w) => w.exited))).toEqual([0, 0]);

    const store = FileBondStore.open({ local: LOCAL, path });
    const expected = [1, 2].flatMap((w) => Array.from({ length: 50 }, (_, n) => legacyBond(n, w)));
    const key = (b: { peer: { address: Uint8Array } }) => toHex(b.peer.address);
    expect([...store.list()].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
    expect(irks[0]).toBe(irks[1]);
    expect(toHex(store.localIrk())).toBe(irks[0]);
  }, 60_000);

  it('breaks a lock left by a dead process, and times out on a live one with a clear error', () => {
    const path = join(dir, 'locked.json');
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(`${path}.lock`, `${dead} 0000\n`);
    new FileBondStore({ local: LOCAL, path, lockTimeoutMs: 500 }).put(legacyBond(1));
    expect(existsSync(`${path}.lock`)).toBe(false);

    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(`${path}.lock`, `${live.pid} 0000\n`);
      const started = Date.now();
      const error = catchBondStoreError(() =>
        new FileBondStore({ local: LOCAL, path, lockTimeoutMs: 200 }).put(legacyBond(2)),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(error.code).toBe('lock-timeout');
      expect(error.message).toContain(`another process (${live.pid}) has held ${path}.lock`);
      expect([...FileBondStore.open({ local: LOCAL, path }).list()]).toEqual([legacyBond(1)]);
    } finally {
      live.kill('SIGKILL');
      rmSync(`${path}.lock`, { force: true });
    }
  });
});
