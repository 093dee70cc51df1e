/**
 * `ble-smp scan` and `pair --name` on virtual controllers (issue 14 item 4): several advertisers,
 * some on RPAs that resolve to a bonded identity and some not; --duration; the JSON objects; a
 * peer found by name, and none found.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { advertisingData } from '../../src/cli/advertising-data.js';
import { controllerCommand } from '../../src/cli/commands/controller.js';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { SCAN_USAGE, scanCommand } from '../../src/cli/commands/scan.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { FileBondStore } from '../../src/host/file-bond-store.js';
import { Host } from '../../src/host/host.js';
import { parseAddress } from '../../src/host/parse-address.js';
import { acceptAll, formatAddress } from '../../src/smp/delegate.js';
import { openTransport } from '../../src/transport/open.js';
import { scratchDir } from '../scratch.js';
import { type Json, lineIo, startController, startServe } from './cli-harness.js';

/** Our identity for scan and pair: a static random address, so that its store is found again. */
const CENTRAL = 'c6:00:00:00:00:02';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempDir = () => scratchDir('ble-smp-scan-');

/** `serve --json` without --once: it advertises again after each central leaves, on the same RPA. */
async function serveForever(hci: string, args: string[]) {
  const lines = lineIo();
  const abort = new AbortController();
  const done = serveCommand(['--hci', hci, '--json', ...args], lines.io, abort.signal);
  cleanups.push(() => {
    abort.abort();
    return done;
  });
  const ready = await lines.waitFor('ready');
  return { lines, address: ready.address as string, identity: ready.identity as string };
}

/** A library host on the controller server advertising `name`; optionally on RPAs renewed at every start. */
async function advertiser(hci: string, name: string, privacy = false) {
  const host = await Host.open(await openTransport(hci), {
    delegate: acceptAll,
    ...(privacy ? { ownAddress: { kind: 'resolvable' as const, rotateMs: 0 } } : {}),
  });
  cleanups.push(() => host.close());
  await host.startAdvertising({ data: advertisingData(name) });
  return host;
}

/** Runs scan in-process until `stop` is called (or --duration ends it). */
function scan(hci: string, args: string[]) {
  const lines = lineIo();
  const abort = new AbortController();
  const done = scanCommand(['--hci', hci, ...args], lines.io, abort.signal);
  cleanups.push(() => {
    abort.abort();
    return done;
  });
  return { lines, done, stop: () => abort.abort() };
}

/** The next JSON line that satisfies `matches`. */
async function nextMatching(lines: ReturnType<typeof lineIo>, matches: (e: Json) => boolean): Promise<Json> {
  for (;;) {
    const event = await lines.nextJson();
    if (matches(event)) return event;
  }
}

describe('ble-smp scan', () => {
  it('several advertisers: a bonded peer on its RPA with its identity, an RPA that resolves to nothing, a public one', async () => {
    const hci = await startController();
    const central = join(tempDir(), 'central.json');
    // Bond with a peripheral on RPAs: the central's store then holds its IRK.
    const bonded = await serveForever(hci, ['--privacy', '--name', 'bonded']);
    expect(bonded.address).not.toBe(bonded.identity);
    const pair = lineIo();
    const paired = await pairCommand(
      [
        '--hci',
        hci,
        '--peer',
        `${bonded.address}/random`,
        '--address',
        CENTRAL,
        '--bonds',
        central,
        '--json',
      ],
      pair.io,
    );
    expect(paired, pair.err.join('\n')).toBe(0);
    await bonded.lines.waitFor('disconnected');
    const plain = await startServe(hci, ['--name', 'plain']);
    const stranger = await startServe(hci, ['--privacy', '--name', 'stranger']);

    const run = scan(hci, ['--duration', '1', '--json', '--address', CENTRAL, '--bonds', central]);
    expect(await run.done, run.lines.err.join('\n')).toBe(0);
    const events = run.lines.events();
    const devices = events.filter((e) => e.type === 'device');
    const byName = new Map(devices.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['bonded', 'plain', 'stranger']);
    expect(devices).toHaveLength(3);
    expect(byName.get('bonded')).toMatchObject({
      address: bonded.address,
      addressType: 'random',
      connectable: true,
      identity: bonded.identity,
      identityType: 'public',
    });
    expect(byName.get('stranger')).toMatchObject({
      address: stranger.address,
      addressType: 'random',
      identity: null,
      identityType: null,
    });
    expect(byName.get('plain')).toMatchObject({
      address: plain.address,
      addressType: 'public',
      identity: null,
    });
    for (const device of devices) expect(device.rssi).toBeTypeOf('number');
    expect(events.at(-1)).toMatchObject({ type: 'done', devices: 3 });
  });

  it('--duration ends the scan: text lines, one per advertiser, then the count', async () => {
    const hci = await startController();
    await startServe(hci, ['--name', 'plain']);
    const started = Date.now();
    const run = scan(hci, ['--duration', '0.5']);
    expect(await run.done).toBe(0);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(5000);
    expect(run.lines.out).toHaveLength(2);
    expect(run.lines.out[0]).toMatch(
      /^([0-9a-f]{2}:){5}[0-9a-f]{2} \(public\) {2}-?\d+ dBm {2}connectable {2}"plain"$/,
    );
    expect(run.lines.out[1]).toMatch(/^1 advertiser heard in 0\.\d s$/);
  });

  it('--json: a changed object for a new name, and for a bonded peer on a new RPA; done when stopped', async () => {
    const hci = await startController();
    const central = join(tempDir(), 'central.json');
    const lamp = await advertiser(hci, 'lamp');
    const roaming = await advertiser(hci, 'roaming', true);
    // The central's store holds the roaming peer's IRK, as a pairing would have left it.
    FileBondStore.open({ local: { address: parseAddress(CENTRAL), type: 1 }, path: central }).put({
      peer: roaming.address,
      peerIrk: roaming.security.bonds.localIrk(),
      secureConnections: true,
      authenticated: false,
      keySize: 16,
      localRole: 'central',
      createdAt: Date.now(),
    });
    const run = scan(hci, ['--json', '--address', CENTRAL, '--bonds', central]);
    const lampAddress = formatAddress(lamp.address.address);
    const roamingIdentity = formatAddress(roaming.address.address);
    await nextMatching(run.lines, (e) => e.type === 'device' && e.name === 'lamp');
    const first = await nextMatching(run.lines, (e) => e.type === 'device' && e.name === 'roaming');
    expect(first).toMatchObject({
      identity: roamingIdentity,
      address: formatAddress(roaming.airAddress.address),
    });

    await lamp.command({ name: 'le-set-advertising-data', advertisingData: advertisingData('lamp 2') });
    expect(await nextMatching(run.lines, (e) => e.type === 'changed')).toEqual({
      type: 'changed',
      address: lampAddress,
      addressType: 'public',
      rssi: expect.any(Number),
      connectable: true,
      name: 'lamp 2',
      identity: null,
      identityType: null,
      changes: ['name'],
    });

    await roaming.stopAdvertising();
    await roaming.startAdvertising({ data: advertisingData('roaming') });
    const moved = await nextMatching(run.lines, (e) => e.type === 'changed');
    expect(moved).toMatchObject({
      changes: ['address'],
      address: formatAddress(roaming.airAddress.address),
      identity: roamingIdentity,
      name: 'roaming',
    });
    expect(moved.address).not.toBe(first.address);

    run.stop();
    expect(await run.done).toBe(0);
    const events = run.lines.events();
    expect(events.filter((e) => e.type === 'device')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'done', devices: 2 });
  });

  it('text: a changed line for a new name (not for RSSI alone); a name from the air printed escaped', async () => {
    const hci = await startController();
    const lamp = await advertiser(hci, 'lamp\u001b[2J');
    const run = scan(hci, []);
    expect(await run.lines.next()).toMatch(
      /^([0-9a-f]{2}:){5}[0-9a-f]{2} \(public\) {2}-?\d+ dBm {2}connectable {2}"lamp\\u001b\[2J"$/,
    );
    await lamp.command({ name: 'le-set-advertising-data', advertisingData: advertisingData('lamp 2') });
    expect(await run.lines.next()).toMatch(/^changed \(name\): .* "lamp 2"$/);
    run.stop();
    expect(await run.done).toBe(0);
    expect(run.lines.out.at(-1)).toMatch(/^1 advertiser heard in \d+\.\d s$/);
    expect(run.lines.out.join('\n')).not.toContain('\u001b');
  });

  it('--json: a transport that cannot be opened is one failed object, exit 2', async () => {
    const lines = lineIo();
    expect(await main(['scan', '--hci', 'tcp:127.0.0.1:1', '--json'], lines.io)).toBe(2);
    expect(lines.events()).toEqual([
      {
        type: 'failed',
        stage: 'transport',
        code: 'connect-failed',
        message: expect.stringContaining('127.0.0.1:1'),
      },
    ]);
  });

  it('the controller going away ends the scan: failed, stage transport, exit 1', async () => {
    const server = lineIo();
    const stopServer = new AbortController();
    const serving = controllerCommand(
      ['--listen', 'tcp:127.0.0.1:0', '--json'],
      server.io,
      stopServer.signal,
    );
    cleanups.push(() => {
      stopServer.abort();
      return serving;
    });
    const hci = (await server.waitFor('ready')).listen as string;
    await advertiser(hci, 'lamp');
    const run = scan(hci, ['--json']);
    await nextMatching(run.lines, (e) => e.type === 'device');
    stopServer.abort();
    expect(await run.done).toBe(1);
    expect(run.lines.events().at(-1)).toMatchObject({ type: 'failed', stage: 'transport' });
    expect(run.lines.events().some((e) => e.type === 'done')).toBe(false);
  });

  it('usage: --hci required, --duration a positive number, listed in the main usage', async () => {
    for (const argv of [
      ['scan'],
      ['scan', '--hci', 'tcp:127.0.0.1:9', '--duration', '0'],
      ['scan', '--frob'],
    ]) {
      const lines = lineIo();
      expect(await main(argv, lines.io)).toBe(2);
      expect(lines.err.join('\n')).toMatch(/^ble-smp scan: /);
    }
    const help = lineIo();
    expect(await main(['scan', '--help'], help.io)).toBe(0);
    expect(help.out).toEqual([SCAN_USAGE]);
    const usage = lineIo();
    await main(['--help'], usage.io);
    expect(usage.out.join('\n')).toMatch(/^ {2}scan {8}/m);
  });
});

describe('ble-smp pair --name', () => {
  it('connects to the advertiser with that name among several, and pairs', async () => {
    const hci = await startController();
    await startServe(hci, ['--name', 'other']);
    const speaker = await startServe(hci, ['--name', 'speaker']);
    const pair = lineIo();
    const status = await pairCommand(['--hci', hci, '--name', 'speaker', '--json'], pair.io);
    expect(status, pair.err.join('\n')).toBe(0);
    expect(await speaker.done).toBe(0);
    const events = pair.events();
    expect(events[0]).toMatchObject({
      type: 'found',
      name: 'speaker',
      address: speaker.address,
      connectable: true,
    });
    expect(events.find((e) => e.type === 'connected')).toMatchObject({
      peer: speaker.address,
      peerType: 'public',
    });
    expect(events.some((e) => e.type === 'paired')).toBe(true);
  });

  it('a shortened name: NAME starts with it', async () => {
    const hci = await startController();
    const long = 'the-kitchen-speaker-by-the-window';
    const speaker = await startServe(hci, ['--name', long]);
    const pair = lineIo();
    expect(await pairCommand(['--hci', hci, '--name', long], pair.io)).toBe(0);
    expect(pair.out[0]).toBe('scanning for "the-kitchen-speaker-by-the-window", giving up after 10 s');
    // 31 octets of advertising data: the flags and 26 octets of the name.
    expect(pair.out[1]).toBe(`found "the-kitchen-speaker-by-the": ${speaker.address} (public)`);
  });

  it('none heard within the timeout: exit 1, the failure on stderr, and a failed object with --json', async () => {
    const hci = await startController();
    await startServe(hci, ['--name', 'speaker']);
    const text = lineIo();
    expect(await pairCommand(['--hci', hci, '--name', 'nobody', '--timeout-ms', '300'], text.io)).toBe(1);
    expect(text.err).toEqual(['ble-smp pair: no connectable advertiser named "nobody" heard within 300 ms']);
    const json = lineIo();
    expect(
      await pairCommand(['--hci', hci, '--name', 'nobody', '--timeout-ms', '300', '--json'], json.io),
    ).toBe(1);
    expect(json.events()).toEqual([
      {
        type: 'failed',
        stage: 'scan',
        code: 'not-found',
        message: 'no connectable advertiser named "nobody" heard within 300 ms',
      },
    ]);
  });

  it('the controller going away while looking: failed, stage transport, exit 1 at once', async () => {
    const server = lineIo();
    const stopServer = new AbortController();
    const serving = controllerCommand(
      ['--listen', 'tcp:127.0.0.1:0', '--json'],
      server.io,
      stopServer.signal,
    );
    cleanups.push(() => {
      stopServer.abort();
      return serving;
    });
    const hci = (await server.waitFor('ready')).listen as string;
    const pair = lineIo();
    const started = Date.now();
    const done = pairCommand(['--hci', hci, '--name', 'nobody', '--json', '--timeout-ms', '20000'], pair.io);
    await server.waitFor('client');
    setTimeout(() => stopServer.abort(), 200);
    expect(await done).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(pair.events()).toEqual([expect.objectContaining({ type: 'failed', stage: 'transport' })]);
  });

  it('usage: --peer and --name together, or neither', async () => {
    for (const [argv, message] of [
      [['--peer', 'c6:00:00:00:00:01/random', '--name', 'x'], '--peer and --name: choose one'],
      [[], '--peer is required'],
      [['--name', ''], '--name needs a name'],
    ] as const) {
      const lines = lineIo();
      expect(await main(['pair', '--hci', 'tcp:127.0.0.1:9', ...argv], lines.io)).toBe(2);
      expect(lines.err.join('\n')).toContain(message);
    }
  });
});
