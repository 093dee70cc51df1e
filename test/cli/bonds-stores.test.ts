/**
 * `bonds list`, `show` and `delete` over several local stores (issue 14 item 11): each bond under
 * its store, a peer looked for in every store, an empty list said so, an SC bond's one LTK, and
 * no store file left by a run that kept no bond.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { main } from '../../src/cli/main.js';
import { toHex } from '../../src/crypto/bytes.js';
import { defaultBondStorePath, FileBondStore } from '../../src/host/file-bond-store.js';
import type { DeviceAddress } from '../../src/smp/delegate.js';
import { legacyBond, peerAddress, scBond } from '../host/bonds/samples.js';
import { type Json, lineIo, startController, startServe } from './cli-harness.js';

// The harness gives each test a fresh XDG_STATE_HOME: the default stores live under it.
const LOCAL_A: DeviceAddress = { address: Uint8Array.of(1, 0, 0, 0x5a, 0, 0), type: 0 };
const LOCAL_B: DeviceAddress = { address: Uint8Array.of(2, 0, 0, 0, 0, 0xc6), type: 1 };
const storeOf = (local: DeviceAddress) => FileBondStore.open({ local });
const bondsDir = () => dirname(defaultBondStorePath(LOCAL_A));
/** A peer as PEER is typed: aa:bb:cc:dd:ee:ff/random. */
const peerArg = (n: number) =>
  `${Array.from(peerAddress(n).address, (b) => b.toString(16).padStart(2, '0'))
    .reverse()
    .join(':')}/random`;

async function bonds(...argv: string[]) {
  const lines = lineIo();
  const status = await main(['bonds', ...argv], lines.io);
  return { status, out: lines.out, err: lines.err };
}

describe('bonds over several local stores', () => {
  it('list: each bond under the local identity and file of its store; --json names both', async () => {
    const a = storeOf(LOCAL_A);
    const b = storeOf(LOCAL_B);
    a.put(scBond(1));
    a.put(legacyBond(2));
    b.put(scBond(3));

    const text = await bonds('list');
    expect(text.status).toBe(0);
    expect(text.out).toHaveLength(5);
    expect(text.out[0]).toBe(`local 00:00:5a:00:00:01 (public), store ${a.path}:`);
    expect(text.out[1]).toMatch(/^ {2}c0:a5:5a:00:00:01 \(random\) {2}LE Secure Connections/);
    expect(text.out[2]).toMatch(/^ {2}c0:a5:5a:00:00:02 \(random\) {2}LE legacy/);
    expect(text.out[3]).toBe(`local c6:00:00:00:00:02 (random), store ${b.path}:`);
    expect(text.out[4]).toMatch(/^ {2}c0:a5:5a:00:00:03 \(random\)/);

    const json = await bonds('list', '--json');
    expect(json.out.map((line) => JSON.parse(line) as Json)).toEqual([
      expect.objectContaining({ peer: 'c0:a5:5a:00:00:01', local: '00:00:5a:00:00:01', store: a.path }),
      expect.objectContaining({ peer: 'c0:a5:5a:00:00:02', local: '00:00:5a:00:00:01', store: a.path }),
      expect.objectContaining({ peer: 'c0:a5:5a:00:00:03', localType: 'random', store: b.path }),
    ]);
  });

  it('show and delete find PEER in whichever store holds it, without --bonds', async () => {
    storeOf(LOCAL_A).put(scBond(1));
    const b = storeOf(LOCAL_B);
    b.put(legacyBond(2));

    const shown = await bonds('show', peerArg(2), '--json');
    expect(shown.status).toBe(0);
    expect(shown.out.map((line) => JSON.parse(line) as Json)).toEqual([
      expect.objectContaining({ peer: 'c0:a5:5a:00:00:02', store: b.path, method: 'legacy' }),
    ]);
    const text = await bonds('show', peerArg(2));
    expect(text.out[0]).toBe(`local c6:00:00:00:00:02 (random), store ${b.path}:`);

    const none = await bonds('show', peerArg(9));
    expect(none.status).toBe(1);
    expect(none.err).toEqual([`ble-smp bonds: no bond with ${peerArg(9)} in ${bondsDir()}`]);

    const deleted = await bonds('delete', peerArg(2));
    expect(deleted).toMatchObject({ status: 0, out: [`deleted 1 bond from ${b.path}`] });
    expect(b.get(peerAddress(2))).toBeUndefined();
    expect(storeOf(LOCAL_A).get(peerAddress(1))).toBeDefined();
  });

  it('a peer bonded in several stores: show and delete are usage errors naming them; --bonds picks one', async () => {
    const a = storeOf(LOCAL_A);
    const b = storeOf(LOCAL_B);
    a.put(scBond(1));
    b.put(legacyBond(1));
    for (const action of ['show', 'delete']) {
      const both = await bonds(action, peerArg(1));
      expect(both.status).toBe(2);
      expect(both.err[0]!.split('\n')[0]).toBe(
        `ble-smp bonds: ${peerArg(1)} is bonded in 2 stores (${a.path}, ${b.path}): choose one with --bonds PATH or --local ADDR`,
      );
    }
    expect(b.get(peerAddress(1))).toBeDefined();
    const one = await bonds('show', peerArg(1), '--bonds', b.path, '--json');
    expect(one.status).toBe(0);
    expect(JSON.parse(one.out[0]!)).toMatchObject({ method: 'legacy', store: b.path });
    const viaLocal = await bonds('show', peerArg(1), '--local', '00:00:5a:00:00:01', '--json');
    expect(JSON.parse(viaLocal.out[0]!)).toMatchObject({ method: 'sc', store: a.path });
  });

  it('an empty list says so: no store at all, a store without bonds, --bonds; --json prints nothing', async () => {
    expect(await bonds('list')).toEqual({ status: 0, out: [`no bonds kept in ${bondsDir()}`], err: [] });
    const a = storeOf(LOCAL_A);
    a.put(scBond(1));
    a.delete(peerAddress(1));
    expect(existsSync(a.path)).toBe(true);
    expect(await bonds('list')).toEqual({ status: 0, out: [`no bonds kept in ${bondsDir()}`], err: [] });
    expect((await bonds('list', '--bonds', a.path)).out).toEqual([`no bonds kept in ${a.path}`]);
    expect(await bonds('list', '--json')).toEqual({ status: 0, out: [], err: [] });
  });

  it('an SC bond has one LTK (ltk), shown once; a legacy bond keeps both of its LTKs', async () => {
    const a = storeOf(LOCAL_A);
    a.put(scBond(1));
    a.put(legacyBond(2));
    const scLtk = toHex(scBond(1).peerLtk!.ltk);

    const json = await bonds('list', '--json', '--show-keys');
    const [sc, legacy] = json.out.map((line) => JSON.parse(line) as Json);
    expect(sc!.keys).toEqual(['ltk', 'peerIrk']);
    expect(sc!.ltk).toBe(scLtk);
    expect(sc).not.toHaveProperty('peerLtk');
    expect(sc).not.toHaveProperty('localLtk');
    expect(legacy!.keys).toEqual(['peerLtk', 'localLtk', 'peerIrk', 'peerCsrk', 'localCsrk']);
    expect(legacy).toMatchObject({
      peerLtk: { ltk: toHex(legacyBond(2).peerLtk!.ltk), ediv: legacyBond(2).peerLtk!.ediv },
      localLtk: { ltk: toHex(legacyBond(2).localLtk!.ltk) },
    });
    expect(legacy).not.toHaveProperty('ltk');

    const text = await bonds('show', peerArg(1), '--show-keys');
    const shown = text.out.join('\n');
    expect(shown.split(scLtk)).toHaveLength(2);
    expect(shown).toContain(`    LTK ${scLtk}`);
    expect(shown).toMatch(/keys: ltk peerIrk$/m);
    // Without --show-keys no key appears.
    expect((await bonds('list')).out.join('\n')).not.toContain(scLtk);
  });
});

describe('runs on virtual controllers leave no empty store file', () => {
  const storeFiles = () => (existsSync(bondsDir()) ? readdirSync(bondsDir()) : []);

  it('a pair that never connects, and a pairing without bonding, write no store; a bonded pairing writes two, each with its bond', async () => {
    const hci = await startController();
    const nobody = lineIo();
    const status = await pairCommand(
      ['--hci', hci, '--peer', 'c6:00:00:00:00:99/random', '--timeout-ms', '200'],
      nobody.io,
    );
    expect(status).toBe(1);
    expect(storeFiles()).toEqual([]);

    const unbonded = await startServe(hci, ['--no-bond']);
    const pair = lineIo();
    expect(
      await pairCommand(['--hci', hci, '--peer', `${unbonded.address}/public`, '--no-bond'], pair.io),
    ).toBe(0);
    expect(await unbonded.done).toBe(0);
    expect(storeFiles()).toEqual([]);

    const serve = await startServe(hci, []);
    expect(await pairCommand(['--hci', hci, '--peer', `${serve.address}/public`], lineIo().io)).toBe(0);
    expect(await serve.done).toBe(0);
    const files = storeFiles().filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(2);
    const listed = await bonds('list', '--json');
    expect(listed.out).toHaveLength(2);
  });
});
