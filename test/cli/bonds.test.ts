import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bondsCommand } from '../../src/cli/commands/bonds.js';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { main } from '../../src/cli/main.js';
import { scratchDir } from '../scratch.js';
import { type Json, lineIo, startController, startServe } from './cli-harness.js';

/**
 * Pairs `pair` (central) with `serve --once` (peripheral), each with its own bond store file. The
 * controller server gives each client the next free address; a device keeps its identity across
 * runs, so both use a static random address (a store belongs to one local identity).
 */
const PERIPHERAL = 'c6:00:00:00:00:01';
const CENTRAL = 'c6:00:00:00:00:02';
async function session(
  hci: string,
  stores: { central: string; peripheral: string },
  pairArgs: string[] = [],
) {
  const serve = await startServe(hci, ['--bonds', stores.peripheral, '--address', PERIPHERAL]);
  const pair = lineIo();
  const status = await pairCommand(
    ['--hci', hci, '--peer', `${PERIPHERAL}/random`, '--address', CENTRAL, '--json'].concat(
      ['--bonds', stores.central],
      pairArgs,
    ),
    pair.io,
  );
  return { status, serveStatus: await serve.done, pair, serve: serve.lines };
}

const lastOf = (events: Json[], type: string) => events.filter((e) => e.type === type).at(-1);

describe('bonds that last: pair, serve and bonds with --bonds files', () => {
  it('pairs once, then re-encrypts from the stores reloaded from disk in both roles; --force-pair pairs again', async () => {
    const dir = scratchDir('ble-smp-bonds-');
    const stores = { central: join(dir, 'central.json'), peripheral: join(dir, 'peripheral.json') };
    const hci = await startController();

    const first = await session(hci, stores);
    expect([first.status, first.serveStatus]).toEqual([0, 0]);
    const paired = lastOf(first.pair.events(), 'paired')!;
    expect(paired).toMatchObject({ method: 'sc', bonded: true });
    for (const file of Object.values(stores)) {
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }

    // Each command opens its store anew from disk: the second connection is encrypted with the bond.
    const second = await session(hci, stores);
    expect([second.status, second.serveStatus]).toEqual([0, 0]);
    for (const events of [second.pair.events(), second.serve.events()]) {
      expect(events.some((e) => e.type === 'paired')).toBe(false);
      expect(lastOf(events, 'encrypted')).toMatchObject({
        type: 'encrypted',
        bonded: true,
        method: 'sc',
        keySize: 16,
        authenticated: false,
      });
    }
    // No key of the bond appears in what either side printed about the re-encryption.
    const ltk = String((paired.received as Json | undefined)?.ltk ?? '');
    const store = JSON.parse(readFileSync(stores.central, 'utf8')) as {
      bonds: { peerLtk: { ltk: string } }[];
    };
    const storedLtk = store.bonds[0]!.peerLtk.ltk;
    expect(storedLtk).toMatch(/^[0-9a-f]{32}$/);
    for (const line of [...second.pair.out, ...second.serve.out, ...second.pair.err, ...second.serve.err]) {
      expect(line).not.toContain(storedLtk);
      if (ltk) expect(line).not.toContain(ltk);
    }

    const third = await session(hci, stores, ['--force-pair']);
    expect(third.status).toBe(0);
    expect(lastOf(third.pair.events(), 'paired')).toBeDefined();
  });

  it('bonds list, show, delete: keys hidden unless --show-keys; JSON with --json', async () => {
    const dir = scratchDir('ble-smp-bonds-');
    const stores = { central: join(dir, 'central.json'), peripheral: join(dir, 'peripheral.json') };
    const hci = await startController();
    const first = await session(hci, stores);
    expect(first.status).toBe(0);
    const storedLtk = (
      JSON.parse(readFileSync(stores.central, 'utf8')) as { bonds: { peerLtk: { ltk: string } }[] }
    ).bonds[0]!.peerLtk.ltk;

    const list = lineIo();
    expect(await bondsCommand(['list', '--bonds', stores.central, '--json'], list.io)).toBe(0);
    expect(list.out).toHaveLength(1);
    const entry = JSON.parse(list.out[0]!) as Json;
    expect(entry).toMatchObject({ method: 'sc', authenticated: false, keySize: 16, localRole: 'central' });
    expect(entry.keys).toEqual(expect.arrayContaining(['ltk', 'peerIrk']));
    expect(list.out[0]).not.toContain(storedLtk);

    const show = lineIo();
    const peer = `${entry.peer as string}/${entry.peerType as string}`;
    expect(await bondsCommand(['show', peer, '--bonds', stores.central, '--show-keys'], show.io)).toBe(0);
    expect(show.out.join('\n')).toContain(storedLtk);

    const human = lineIo();
    expect(await bondsCommand(['list', '--bonds', stores.central], human.io)).toBe(0);
    expect(human.out[0]).toMatch(/^local c6:00:00:00:00:02 \(random\), store .*central\.json:$/);
    expect(human.out[1]).toMatch(/LE Secure Connections, unauthenticated, key size 16/);
    expect(human.out.join('\n')).not.toContain(storedLtk);

    const gone = lineIo();
    expect(await bondsCommand(['delete', peer, '--bonds', stores.central], gone.io)).toBe(0);
    expect(await bondsCommand(['show', peer, '--bonds', stores.central], lineIo().io)).toBe(1);
    // Without its bond the central pairs again; the peripheral, still bonded, accepts the new pairing.
    const again = await session(hci, stores);
    expect(again.status).toBe(0);
    expect(lastOf(again.pair.events(), 'paired')).toBeDefined();
  });

  it('exports to BlueZ info files and imports them back', async () => {
    const dir = scratchDir('ble-smp-bonds-');
    const stores = { central: join(dir, 'central.json'), peripheral: join(dir, 'peripheral.json') };
    const hci = await startController();
    expect((await session(hci, stores)).status).toBe(0);
    const bluez = join(dir, 'bluez');
    const out = lineIo();
    expect(await bondsCommand(['export', '--bluez', bluez, '--bonds', stores.central], out.io)).toBe(0);
    expect(out.out).toEqual([`exported 1 bond to ${bluez}`]);
    const [adapter] = readdirSync(bluez);
    const [device] = readdirSync(join(bluez, adapter!));
    const info = readFileSync(join(bluez, adapter!, device!, 'info'), 'utf8');
    expect(info).toMatch(/\[IdentityResolvingKey\]/);

    const copy = join(dir, 'copy.json');
    const local = JSON.parse(readFileSync(stores.central, 'utf8')) as {
      local: { address: string; type: string };
    };
    const imported = lineIo();
    expect(
      await bondsCommand(
        [
          'import',
          '--bluez',
          bluez,
          '--bonds',
          copy,
          '--local',
          `${local.local.address}/${local.local.type}`,
        ],
        imported.io,
      ),
    ).toBe(0);
    expect(imported.out).toEqual([`imported 1 bond into ${copy}`]);
    const before = lineIo();
    const after = lineIo();
    await bondsCommand(['list', '--bonds', stores.central, '--json', '--show-keys'], before.io);
    await bondsCommand(['list', '--bonds', copy, '--json', '--show-keys'], after.io);
    const strip = (line: string) => {
      const { store: _s, createdAt: _c, localRole: _r, ...rest } = JSON.parse(line) as Json;
      return rest;
    };
    expect(strip(after.out[0]!)).toEqual(strip(before.out[0]!));
  });

  it('a corrupted store: pair and bonds exit 2 with a clear message, and the file stays byte for byte', async () => {
    const dir = scratchDir('ble-smp-bonds-');
    const broken = join(dir, 'broken.json');
    const bytes =
      '{"schemaVersion": 1, "local": {"address": "00:00:00:5A:00:01", "type": "public", "irk": "00';
    writeFileSync(broken, bytes, { mode: 0o600 });
    const hci = await startController();
    const pair = lineIo();
    const status = await pairCommand(
      ['--hci', hci, '--peer', `${PERIPHERAL}/random`, '--bonds', broken],
      pair.io,
    );
    expect(status).toBe(2);
    expect(pair.err.join('\n')).toMatch(/broken\.json.*not valid JSON/);
    const list = lineIo();
    expect(await bondsCommand(['list', '--bonds', broken], list.io)).toBe(2);
    expect(list.err.join('\n')).toMatch(/not valid JSON/);
    expect(readFileSync(broken, 'utf8')).toBe(bytes);
  });

  it('usage: an unknown action, a missing PEER or --bluez, a bad address', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['show'],
      ['export', '--bonds', 'x.json'],
      ['show', 'zz', '--bonds', 'x'],
    ]) {
      const lines = lineIo();
      expect(await main(['bonds', ...argv], lines.io)).toBe(2);
      expect(lines.err.join('\n')).toMatch(/^ble-smp bonds: /);
    }
  });
});
