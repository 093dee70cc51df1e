import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { scratchDir } from '../scratch.js';

import { lineIo, startController, startServe } from './cli-harness.js';

describe('ble-smp pair and serve over a controller server', () => {
  it('pair in numeric comparison; each side received what the other distributed', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'yes']);
    expect(serve.address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(serve.addressType).toBe('public');
    const pair = lineIo();
    const status = await pairCommand(
      [
        '--hci',
        hci,
        '--peer',
        `${serve.address}/public`,
        '--json',
        '--io-cap',
        'display-yes-no',
        '--confirm',
        'yes',
      ],
      pair.io,
    );
    expect(pair.err).toEqual([]);
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    expect(serve.lines.err).toEqual([]);

    const connected = pair.events().find((e) => e.type === 'connected')!;
    expect(connected).toMatchObject({ peer: serve.address, peerType: 'public', role: 'central' });
    expect(serve.lines.events().find((e) => e.type === 'connected')).toMatchObject({ role: 'peripheral' });
    const pairPrompt = pair.events().find((e) => e.type === 'prompt')!;
    const servePrompt = serve.lines.events().find((e) => e.type === 'prompt')!;
    expect(pairPrompt.kind).toBe('confirm-number');
    expect(servePrompt).toEqual(pairPrompt);

    const central = pair.events().find((e) => e.type === 'paired')!;
    const peripheral = serve.lines.events().find((e) => e.type === 'paired')!;
    for (const paired of [central, peripheral]) {
      expect(paired).toMatchObject({
        method: 'sc',
        model: 'numeric-comparison',
        keySize: 16,
        authenticated: true,
        bonded: true,
      });
    }
    expect(central.received).toEqual(peripheral.distributed);
    expect(central.distributed).toEqual(peripheral.received);
    // Both sides distribute their identity by default (IRK and identity address): named, the keys not printed.
    expect(central.received).toEqual(['irk', 'identityAddress']);
    expect(central.distributed).toEqual(['irk', 'identityAddress']);
    expect(central.peerIdentity).toEqual({ address: serve.address, type: 'public' });
    expect(peripheral.peerIdentity).toMatchObject({ type: 'public' });
  });

  it('--address: serve on a static random address; --privacy: pair on a resolvable private address', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--address', 'c6:05:04:03:02:01']);
    expect(serve).toMatchObject({ address: 'c6:05:04:03:02:01', addressType: 'random' });
    const pair = lineIo();
    const status = await pairCommand(
      ['--hci', hci, '--peer', 'c6:05:04:03:02:01/random', '--json', '--privacy'],
      pair.io,
    );
    expect(pair.err).toEqual([]);
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    // The peripheral saw the central on an RPA (0b01 in the top bits) and received its public identity.
    const seen = serve.lines.events().find((e) => e.type === 'connected')!;
    expect(seen.peerType).toBe('random');
    expect(Number.parseInt(String(seen.peer).slice(0, 2), 16) >> 6).toBe(0b01);
    const paired = serve.lines.events().find((e) => e.type === 'paired')!;
    expect(paired.received).toEqual(['irk', 'identityAddress']);
    expect(paired.peerIdentity).toMatchObject({ type: 'public' });
    expect((paired.peerIdentity as { address: string }).address).not.toBe(seen.peer);
    // The central received the peripheral's static random identity.
    expect(pair.events().find((e) => e.type === 'paired')!.peerIdentity).toEqual({
      address: 'c6:05:04:03:02:01',
      type: 'random',
    });
  });

  it('passkey entry: serve displays the passkey, pair types it', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-only']);
    const pair = lineIo();
    // pair has no --passkey: its question waits for the passkey serve shows, as a person would.
    const status = await pairCommand(
      ['--hci', hci, '--peer', serve.address, '--json', '--io-cap', 'keyboard-only'],
      pair.io,
      undefined,
      {
        ask: async () => {
          const prompt = await serve.lines.waitFor('prompt');
          expect(prompt.kind).toBe('display-passkey');
          return String(prompt.value);
        },
      },
    );
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    expect(pair.events().find((e) => e.type === 'prompt')).toEqual({ type: 'prompt', kind: 'enter-passkey' });
    const shown = serve.lines.events().find((e) => e.type === 'prompt')!;
    expect(shown.value).toEqual(expect.any(Number));
    for (const events of [pair.events(), serve.lines.events()]) {
      expect(events.find((e) => e.type === 'paired')).toMatchObject({
        method: 'sc',
        model: 'passkey',
        authenticated: true,
      });
    }
  });

  it('passkey entry with --passkey: a wrong passkey fails on both sides', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-only']);
    const shown = serve.lines.waitFor('prompt');
    const pair = lineIo();
    // The passkey is random: a fixed guess is wrong but for a one-in-a-million chance.
    const status = await pairCommand(
      ['--hci', hci, '--peer', serve.address, '--json', '--io-cap', 'keyboard-only', '--passkey', '1'],
      pair.io,
    );
    if ((await shown).value === 1) return;
    expect(status).toBe(1);
    expect(await serve.done).toBe(1);
    const failed = [pair.events(), serve.lines.events()].map((events) =>
      events.find((e) => e.type === 'failed'),
    );
    expect(failed.some((f) => f?.reason === 4 && f.reasonName === 'confirm-value-failed')).toBe(true);
  });

  it('--confirm no on one side: both fail, reason 12 on the side that refused', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'no']);
    const pair = lineIo();
    const status = await pairCommand(
      [
        '--hci',
        hci,
        '--peer',
        `${serve.address}/public`,
        '--json',
        '--io-cap',
        'display-yes-no',
        '--confirm',
        'yes',
      ],
      pair.io,
    );
    expect(status).toBe(1);
    expect(await serve.done).toBe(1);
    expect(serve.lines.events().find((e) => e.type === 'failed')).toMatchObject({
      reason: 12,
      reasonName: 'numeric-comparison-failed',
      by: 'local',
    });
    expect(pair.events().find((e) => e.type === 'failed')).toMatchObject({
      reason: 12,
      reasonName: 'numeric-comparison-failed',
      by: 'peer',
    });
  });

  it('prints one human line per event without --json', async () => {
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'yes']);
    const pair = lineIo();
    const status = await pairCommand(
      ['--hci', hci, '--peer', serve.address, '--io-cap', 'display-yes-no', '--confirm', 'yes'],
      pair.io,
    );
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    // The events' lines, among the progress lines (progress.test.ts checks those).
    const events = pair.out.filter((line) => /^(connected|prompt|paired): /.test(line));
    expect(events[0]).toMatch(/^connected: .* as central$/);
    expect(events[1]).toMatch(/^prompt: confirm the number \d{6}$/);
    expect(events[2]).toMatch(/^paired: LE Secure Connections numeric-comparison, key size 16/);
    expect(events).toHaveLength(3);
  });
});

const TSHARK = '/usr/bin/tshark';
const hasTshark = existsSync(TSHARK);
if (!hasTshark) console.warn(`${TSHARK} is absent: the btsnoop check with tshark is skipped`);

/** The --confirm yes numeric comparison argv of pair against `address`, and `extra`. */
const ncPair = (hci: string, address: string, extra: string[]) => [
  '--hci',
  hci,
  '--peer',
  `${address}/public`,
  '--io-cap',
  'display-yes-no',
  '--confirm',
  'yes',
  ...extra,
];

describe('--trace and --btmon', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempFile = () => {
    const dir = scratchDir('ble-smp-trace-');
    dirs.push(dir);
    return join(dir, 'pair.btsnoop');
  };

  /** Numeric comparison with --trace FILE on pair; resolves to the capture's path. */
  async function tracedPairing(): Promise<string> {
    const file = tempFile();
    const hci = await startController();
    const serve = await startServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'yes']);
    const pair = lineIo();
    const status = await pairCommand(ncPair(hci, serve.address, ['--json', '--trace', file]), pair.io);
    expect(pair.err).toEqual([]);
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    expect(pair.events().find((e) => e.type === 'paired')).toMatchObject({ model: 'numeric-comparison' });
    return file;
  }

  it('--trace writes a btsnoop capture (datalink 1002) of the HCI traffic', async () => {
    const capture = readFileSync(await tracedPairing());
    expect(capture.subarray(0, 8).toString('latin1')).toBe('btsnoop\0');
    expect(capture.readUInt32BE(8)).toBe(1);
    expect(capture.readUInt32BE(12)).toBe(1002);
    // The first record: HCI_Reset or another command, sent, with its H4 indicator 0x01.
    expect(capture.readUInt32BE(16 + 8)).toBe(0b10);
    expect(capture[16 + 24]).toBe(0x01);
    let offset = 16;
    let records = 0;
    while (offset < capture.length) {
      const included = capture.readUInt32BE(offset + 4);
      expect(capture.readUInt32BE(offset)).toBe(included);
      offset += 24 + included;
      records += 1;
    }
    expect(offset).toBe(capture.length);
    expect(records).toBeGreaterThan(20);
  });

  it.skipIf(!hasTshark)(
    '--trace: tshark decodes the SMP exchange in order (skipped when /usr/bin/tshark is absent)',
    async () => {
      const file = await tracedPairing();
      const output = execFileSync(TSHARK, ['-r', file, '-Y', 'btsmp', '-T', 'fields', '-e', 'btsmp.opcode'], {
        encoding: 'utf8',
      });
      const opcodes = output
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .map((line) => Number(line));
      // serve's Security Request (0x0b) may come before the Pairing Request or not at all.
      expect(opcodes.filter((op) => op === 0x0b).length).toBeLessThanOrEqual(1);
      // Pairing Request, Response, Public Keys both ways, the responder's Confirm, Randoms and
      // DHKey Checks both ways, then the identity keys (Identity Information 0x08, Identity
      // Address Information 0x09): the peripheral's, then the central's. Each PDU once.
      expect(opcodes.filter((op) => op !== 0x0b)).toEqual([
        0x01, 0x02, 0x0c, 0x0c, 0x03, 0x04, 0x04, 0x0d, 0x0d, 0x08, 0x09, 0x08, 0x09,
      ]);
    },
  );

  it('--btmon prints btmon lines (keys hidden); with --json on stderr, stdout staying JSON', async () => {
    const hci = await startController();
    const serve = await startServe(hci, [
      '--io-cap',
      'display-yes-no',
      '--confirm',
      'yes',
      '--btmon',
      '--show-keys',
    ]);
    const pair = lineIo();
    const status = await pairCommand(ncPair(hci, serve.address, ['--btmon']), pair.io);
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    // Without --json: on stdout, among the human lines.
    // Once: a packet is shown once, however many listeners the host keeps on the transport.
    expect(pair.out.filter((line) => line.includes('SMP: Pairing Request (0x01)'))).toHaveLength(1);
    expect(pair.out.filter((line) => line.includes('SMP: Pairing Response (0x02)'))).toHaveLength(1);
    expect(pair.out.some((line) => line.startsWith('< HCI Command: '))).toBe(true);
    expect(pair.out.some((line) => line.startsWith('> HCI Event: '))).toBe(true);
    expect(pair.out.some((line) => /^paired: LE Secure Connections numeric-comparison/.test(line))).toBe(
      true,
    );
    expect(pair.err).toEqual([]);
    // serve ran with --json: the btmon lines went to stderr; every stdout line is JSON.
    expect(serve.lines.err.some((line) => line.includes('SMP: Pairing Request (0x01)'))).toBe(true);
    expect(() => serve.lines.events()).not.toThrow();
    // Keys stay hidden: the identity keys distributed appear nowhere in the trace.
    const irk = { irk: serve.lines.events().find((e) => e.type === 'paired')?.localIrk };
    expect(irk.irk).toMatch(/^[0-9a-f]{32}$/);
    const text = [...pair.out, ...serve.lines.err]
      .join('\n')
      .toLowerCase()
      .replace(/[^0-9a-f]/g, '');
    expect(text.includes(irk.irk as string)).toBe(false);
    // ...they are redacted, one xx an octet, as people redact btmon output.
    expect(
      [...pair.out, ...serve.lines.err].some((line) => /Identity resolving key: (xx){16}$/.test(line)),
    ).toBe(true);
  });

  it('--oob-in with a missing or malformed file: exit 2 naming the file', async () => {
    const hci = await startController();
    const dir = scratchDir('ble-smp-oob-');
    const bad = join(dir, 'bad.oob');
    writeFileSync(bad, '{"address":"c6:00:00:00:00:01","type":"random","random":"00","confirm":"11"}');
    for (const [file, message] of [
      [join(dir, 'missing.oob'), /cannot read .*missing\.oob: ENOENT/],
      [bad, /bad\.oob: "random" must be 32 hex digits/],
    ] as const) {
      const lines = lineIo();
      expect(await serveCommand(['--hci', hci, '--once', '--oob-in', file], lines.io)).toBe(2);
      expect(lines.err.join('\n')).toMatch(message);
    }
  });

  it('--btmon --log-keys shows the keys in the btmon lines: key logging only when asked', async () => {
    const hci = await startController();
    const serve = await startServe(hci, [
      '--io-cap',
      'display-yes-no',
      '--confirm',
      'yes',
      '--btmon',
      '--log-keys',
      '--show-keys',
    ]);
    const pair = lineIo();
    expect(await pairCommand(ncPair(hci, serve.address, []), pair.io)).toBe(0);
    expect(await serve.done).toBe(0);
    const paired = serve.lines.events().find((e) => e.type === 'paired');
    const irk = paired?.localIrk as string;
    expect(irk).toMatch(/^[0-9a-f]{32}$/);
    const btmon = serve.lines.err.join('\n');
    expect(btmon).toContain('SMP: Identity Information (0x08)');
    expect(
      btmon
        .toLowerCase()
        .replace(/[^0-9a-f]/g, '')
        .includes(irk),
    ).toBe(true);
    expect(btmon).not.toMatch(/: (0x)?(xx)+$/m);
  });

  it('exits 2 when the trace file cannot be written', async () => {
    const lines = lineIo();
    const status = await main(
      ['pair', '--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22:33:44:55', '--trace', '/nonexistent/dir/x'],
      lines.io,
    );
    expect(status).toBe(2);
    expect(lines.err.join('\n')).toContain('cannot write the trace /nonexistent/dir/x');
  });
});

describe('usage and transport errors', () => {
  const run = async (argv: string[]) => {
    const lines = lineIo();
    const status = await main(argv, lines.io);
    return { status, err: lines.err.join('\n') };
  };

  it('exits 2 without --hci, with a bad --io-cap or a bad --peer', async () => {
    expect(await run(['pair', '--peer', '00:11:22:33:44:55'])).toMatchObject({
      status: 2,
      err: expect.stringContaining('--hci is required'),
    });
    expect(await run(['serve', '--once'])).toMatchObject({
      status: 2,
      err: expect.stringContaining('--hci'),
    });
    expect(await run(['serve', '--hci', 'tcp:127.0.0.1:1', '--io-cap', 'telepathy'])).toMatchObject({
      status: 2,
      err: expect.stringContaining('--io-cap "telepathy"'),
    });
    expect(await run(['pair', '--hci', 'tcp:127.0.0.1:1'])).toMatchObject({
      status: 2,
      err: expect.stringContaining('--peer is required'),
    });
    expect(await run(['pair', '--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22/public'])).toMatchObject({
      status: 2,
    });
    for (const bad of [
      ['--keys', 'enc,bogus'],
      ['--min-key-size', '6'],
      ['--passkey', '1234567'],
      ['--confirm', 'maybe'],
      ['--address', '06:05:04:03:02:01'],
      ['--address', 'c6:05:04:03:02:01', '--privacy'],
      ['--unknown'],
    ]) {
      expect((await run(['serve', '--hci', 'tcp:127.0.0.1:1', ...bad])).status).toBe(2);
    }
  });

  it('exits 2 with the TransportError message when the transport cannot be opened', async () => {
    const result = await run(['pair', '--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22:33:44:55']);
    expect(result.status).toBe(2);
    expect(result.err).toMatch(/^ble-smp pair: .*127\.0\.0\.1:1/);
    const bad = await run(['serve', '--hci', 'nonsense']);
    expect(bad.status).toBe(2);
  });

  it('lists pair and serve in the usage', async () => {
    const lines = lineIo();
    await main(['--help'], lines.io);
    expect(lines.out[0]).toMatch(/\n {2}pair {8}connect/);
    expect(lines.out[0]).toMatch(/\n {2}serve {7}advertise/);
  });
});
