/**
 * Keys in output only when asked (issue 14 item 6) and trace files that hold
 * keys written like the bond store (item 5): the `paired` event names the keys
 * and prints none by default; --show-keys prints every key, the SC LTK
 * included, in wire-order hex under the bond store's names; --trace FILE is
 * mode 0600.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { main } from '../../src/cli/main.js';
import { type Json, lineIo, startController, startServe } from './cli-harness.js';

const HEX16 = /^[0-9a-f]{32}$/;

interface StoreFile {
  local: { irk: string };
  bonds: {
    peerLtk?: { ltk: string; ediv: number; rand: string };
    localLtk?: { ltk: string; ediv: number; rand: string };
    peerIrk?: string;
  }[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ble-smp-keys-'));
  dirs.push(dir);
  return dir;
};

/** serve --once and pair with these extra options, each with its own bond store file. */
async function pairing(serveArgs: string[], pairArgs: string[]) {
  const dir = tempDir();
  const hci = await startController();
  const serve = await startServe(hci, ['--bonds', join(dir, 'serve.json'), ...serveArgs]);
  const pair = lineIo();
  const status = await pairCommand(
    ['--hci', hci, '--peer', serve.address, '--bonds', join(dir, 'pair.json'), ...pairArgs],
    pair.io,
  );
  expect(pair.err).toEqual([]);
  expect(status).toBe(0);
  expect(await serve.done).toBe(0);
  const store = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as StoreFile;
  return { pair, serve, pairStore: store('pair.json'), serveStore: store('serve.json') };
}

/** Every 32-hex-digit string in the lines (a key, whatever the name). */
const hexKeys = (lines: string[]) => lines.join('\n').match(/[0-9a-f]{32}/g) ?? [];

describe('keys in the paired event', () => {
  it('by default: the names of the keys, none of their values', async () => {
    const { pair, serve, pairStore } = await pairing([], ['--json']);
    const paired = pair.events().find((e) => e.type === 'paired')!;
    expect(paired).toMatchObject({
      distributed: ['irk', 'identityAddress'],
      received: ['irk', 'identityAddress'],
    });
    for (const name of [
      'ltk',
      'stk',
      'peerLtk',
      'localLtk',
      'peerIrk',
      'localIrk',
      'peerCsrk',
      'localCsrk',
    ]) {
      expect(paired).not.toHaveProperty(name);
    }
    expect(hexKeys([...pair.out, ...serve.lines.out])).toEqual([]);
    // The keys exist: the bond store holds them.
    expect(pairStore.bonds[0]?.peerLtk?.ltk).toMatch(HEX16);
  });

  it('--show-keys (SC): the LTK both derived, both IRKs, as the bond stores hold them', async () => {
    const { pair, serve, pairStore, serveStore } = await pairing(['--show-keys'], ['--json', '--show-keys']);
    const central = pair.events().find((e) => e.type === 'paired')!;
    const peripheral = serve.lines.events().find((e) => e.type === 'paired')!;
    const bond = pairStore.bonds[0]!;
    expect(central.ltk).toMatch(HEX16);
    expect(central.ltk).toBe(bond.peerLtk?.ltk);
    expect(peripheral.ltk).toBe(central.ltk);
    expect(central.peerIrk).toBe(bond.peerIrk);
    expect(central.peerIrk).toBe(serveStore.local.irk);
    expect(central.localIrk).toBe(pairStore.local.irk);
    expect(peripheral.peerIrk).toBe(central.localIrk);
    expect(central).not.toHaveProperty('stk');
  });

  it('--show-keys (legacy): the STK, each LTK with EDIV and Rand; text lines too', async () => {
    const { pair, serve, pairStore } = await pairing(
      ['--no-sc', '--show-keys'],
      ['--legacy', '--json', '--show-keys'],
    );
    const central = pair.events().find((e) => e.type === 'paired')! as Json & Record<string, Json>;
    const bond = pairStore.bonds[0]!;
    expect(central.method).toBe('legacy');
    expect(central.stk).toMatch(HEX16);
    expect(central).not.toHaveProperty('ltk');
    expect(central.peerLtk).toEqual(bond.peerLtk);
    expect(central.localLtk).toEqual(bond.localLtk);
    const peripheral = serve.lines.events().find((e) => e.type === 'paired')! as Json & Record<string, Json>;
    expect(peripheral.peerLtk).toEqual(central.localLtk);
    expect(peripheral.stk).toBe(central.stk);

    // Text mode: one line a key, after the paired line, as bonds show --show-keys prints them.
    const text = await pairing(['--no-sc'], ['--legacy', '--show-keys']);
    const out = text.pair.out.flatMap((block) => block.split('\n'));
    const at = out.findIndex((line) => line.startsWith('paired: '));
    const lines = out.slice(at + 1);
    expect(lines[0]).toMatch(/^ {2}STK [0-9a-f]{32}$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}peer LTK [0-9a-f]{32} EDIV \d+ Rand [0-9a-f]{16}$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}peer IRK [0-9a-f]{32}$/));
  });
});

describe('--trace holds keys: mode 0600', () => {
  it('a new trace file and one already there (0644) end up 0600, whatever the umask', async () => {
    const dir = tempDir();
    const fresh = join(dir, 'fresh.btsnoop');
    const old = join(dir, 'old.btsnoop');
    writeFileSync(old, 'not a capture');
    chmodSync(old, 0o644);
    const umask = process.umask(0);
    try {
      for (const trace of [fresh, old]) {
        const hci = await startController();
        const serve = await startServe(hci, []);
        const pair = lineIo();
        expect(
          await pairCommand(['--hci', hci, '--peer', serve.address, '--json', '--trace', trace], pair.io),
        ).toBe(0);
        expect(await serve.done).toBe(0);
        expect(statSync(trace).mode & 0o777).toBe(0o600);
        expect(readFileSync(trace).subarray(0, 8).toString('latin1')).toBe('btsnoop\0');
      }
    } finally {
      process.umask(umask);
    }
  });

  it('--help says the trace holds keys and is made 0600, and names --show-keys', async () => {
    for (const command of ['pair', 'serve']) {
      const lines = lineIo();
      expect(await main([command, '--help'], lines.io)).toBe(0);
      const help = lines.out.join('\n');
      expect(help).toMatch(/--trace FILE[\s\S]*holds keys[\s\S]*mode 0600/);
      expect(help).toContain('--show-keys');
    }
  });
});
