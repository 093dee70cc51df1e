/**
 * Ctrl-C and SIGTERM as a user meets them (issue 14 item 1), and a question no
 * one can answer (item 2): the real CLI as child processes, `pair` at its
 * prompt in a pseudo-terminal (test/cli/pty-run.py, Python's pty module),
 * against `serve` over a controller server.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, cliProcesses, root } from './cli-processes.js';

const BUILD = 'cli-signals';
const bin = resolve(root, 'test-results', BUILD, 'cli/bin.js');
const PTY_RUN = resolve(import.meta.dirname, 'pty-run.py');

/** Python 3 with its pty module runs the terminal tests; without it they are skipped, saying why. */
const python = (() => {
  const found = spawnSync('python3', ['-c', 'import pty, select, json'], { stdio: 'ignore' });
  return found.status === 0;
})();
if (!python) console.warn('python3 with the pty module is absent: the pseudo-terminal tests are skipped');

interface PtyResult {
  readonly status: number | null;
  readonly signal: number | null;
  readonly output: string;
  readonly timedOut: boolean;
  readonly steps: number;
}

type PtyStep = ({ send: string } | { signal: 'SIGTERM' | 'SIGINT' }) & {
  waitFor: string;
  mark?: string;
  delay?: number;
};

/** Runs `ble-smp ...args` in a pseudo-terminal, doing `steps`; resolves to how it ended. */
function inTerminal(args: string[], steps: PtyStep[], env: Record<string, string>): Promise<PtyResult> {
  const spec = JSON.stringify({ argv: [process.execPath, bin, ...args], steps, env, timeout: 30 });
  return new Promise((done, fail) => {
    execFile('python3', [PTY_RUN, spec], { cwd: root, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`pty-run failed: ${error.message}\n${stderr}`));
      else done(JSON.parse(stdout) as PtyResult);
    });
  });
}

/** The records of a btsnoop capture: direction and H4 packet; throws on a record cut short. */
function btsnoopRecords(file: string): { tx: boolean; data: Buffer }[] {
  const capture = readFileSync(file);
  expect(capture.subarray(0, 8).toString('latin1')).toBe('btsnoop\0');
  const records: { tx: boolean; data: Buffer }[] = [];
  let offset = 16;
  while (offset < capture.length) {
    const included = capture.readUInt32BE(offset + 4);
    if (offset + 24 + included > capture.length) throw new Error(`a record cut short at ${offset}`);
    records.push({
      tx: (capture.readUInt32BE(offset + 8) & 1) === 0,
      data: capture.subarray(offset + 24, offset + 24 + included),
    });
    offset += 24 + included;
  }
  return records;
}

/** A sent ACL packet carrying SMP Pairing Failed (CID 0x0006, code 0x05) with `reason`. */
const isPairingFailed = (record: { tx: boolean; data: Buffer }, reason: number) =>
  record.tx &&
  record.data[0] === 0x02 &&
  record.data.readUInt16LE(7) === 0x0006 &&
  record.data[9] === 0x05 &&
  record.data[10] === reason;

/** HCI_Reset sent (H4 command, opcode 0x0c03). */
const isReset = (record: { tx: boolean; data: Buffer }) =>
  record.tx && record.data[0] === 0x01 && record.data.readUInt16LE(1) === 0x0c03;

/** No bond kept in any store file (*.json) of `dir`, and nothing half-written there. */
function expectNoBonds(dir: string): void {
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!name.includes('.json')) continue;
    // A store is written to a temporary file renamed over it: none may be left.
    expect(name).toMatch(/\.json$/);
    const store = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { bonds?: unknown[] };
    expect(store.bonds ?? []).toEqual([]);
  }
}

describe('SIGINT and SIGTERM in pair and serve', () => {
  const { start } = cliProcesses(BUILD);
  const dirs: string[] = [];
  const servers: Server[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    for (const server of servers.splice(0)) server.close();
  });
  const controllers: CliProcess[] = [];
  afterAll(async () => {
    for (const controller of controllers) controller.child.kill('SIGINT');
    await Promise.all(controllers.map((c) => c.exited));
  });

  /** A controller server, a temporary directory (XDG_STATE_HOME and the files) and serve --once on it. */
  async function setUp(serveArgs: string[]) {
    const dir = mkdtempSync(join(tmpdir(), 'ble-smp-signals-'));
    dirs.push(dir);
    const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
    controllers.push(controller);
    const hci = String((await controller.next('ready')).listen);
    const serve = start([
      'serve',
      '--hci',
      hci,
      '--json',
      '--once',
      '--bonds',
      join(dir, 'serve.json'),
      ...serveArgs,
    ]);
    const ready = await serve.next('ready');
    return { dir, hci, serve, peer: `${String(ready.address)}/public` };
  }

  it.skipIf(!python)(
    '^C at the numeric-comparison prompt: exit 130, the peer hears 0x0C, no bond, the trace complete and mode 0600 (skipped without python3)',
    async () => {
      const { dir, hci, serve, peer } = await setUp(['--io-cap', 'display-yes-no', '--confirm', 'yes']);
      const trace = join(dir, 'pair.btsnoop');
      const result = await inTerminal(
        [
          'pair',
          '--hci',
          hci,
          '--peer',
          peer,
          '--io-cap',
          'display-yes-no',
          '--bonds',
          join(dir, 'bonds', 'pair.json'),
          '--trace',
          trace,
        ],
        [{ waitFor: 'Does the peer show \\d{6}\\? \\[y/N\\]', send: '\u0003' }],
        { XDG_STATE_HOME: dir },
      );
      expect(result.timedOut).toBe(false);
      expect(result.steps).toBe(1);
      expect(result.status).toBe(130);
      // The number is printed once: in the question.
      expect(result.output.match(/\b\d{6}\b/g)?.length).toBe(1);
      expect(result.output).toMatch(/failed: interrupted \(SIGINT\) \(0x0c Numeric Comparison Failed\)/);
      expect(result.output).toMatch(/interrupted \(SIGINT\)/);
      const failed = await serve.next('failed');
      expect(failed).toMatchObject({ stage: 'pairing', reason: 0x0c, by: 'peer' });
      await serve.next('disconnected');
      expect(await serve.exited).toBe(1);
      expectNoBonds(join(dir, 'bonds'));
      expectNoBonds(dir);
      expect(statSync(trace).mode & 0o777).toBe(0o600);
      const records = btsnoopRecords(trace);
      const failedAt = records.findIndex((r) => isPairingFailed(r, 0x0c));
      expect(failedAt).toBeGreaterThan(0);
      // The link was left, then the controller reset; the file closed after them.
      expect(
        records.slice(failedAt).some((r) => r.tx && r.data[0] === 0x01 && r.data.readUInt16LE(1) === 0x0406),
      ).toBe(true);
      expect(records.slice(failedAt).some(isReset)).toBe(true);
    },
    60_000,
  );

  it.skipIf(!python)(
    'SIGTERM at the passkey prompt: exit 143, the peer hears 0x01 Passkey Entry Failed (skipped without python3)',
    async () => {
      const { dir, hci, serve, peer } = await setUp(['--io-cap', 'display-only']);
      const result = await inTerminal(
        [
          'pair',
          '--hci',
          hci,
          '--peer',
          peer,
          '--io-cap',
          'keyboard-only',
          '--bonds',
          join(dir, 'pair.json'),
        ],
        [{ waitFor: 'Passkey shown on the peer', signal: 'SIGTERM' }],
        { XDG_STATE_HOME: dir },
      );
      expect(result).toMatchObject({ timedOut: false, steps: 1, status: 143 });
      expect(result.output).toMatch(/0x01 Passkey Entry Failed/);
      expect(await serve.next('failed')).toMatchObject({ reason: 0x01, by: 'peer' });
      expect(await serve.exited).toBe(1);
      expectNoBonds(dir);
    },
    60_000,
  );

  it.skipIf(!python)(
    'a second ^C exits at once, not waiting for a controller that stopped answering (skipped without python3)',
    async () => {
      const { dir, hci, serve, peer } = await setUp(['--io-cap', 'display-yes-no', '--confirm', 'yes']);
      // pair reaches the controller through a proxy that the test can freeze: the first ^C's leaving then waits.
      const [, port] = /^tcp:127\.0\.0\.1:(\d+)$/.exec(hci)!;
      let frozen = false;
      const proxy = createServer((client: Socket) => {
        const upstream = createConnection({ host: '127.0.0.1', port: Number(port) });
        client.on('data', (chunk) => frozen || upstream.write(chunk));
        upstream.on('data', (chunk) => frozen || client.write(chunk));
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
      servers.push(proxy);
      await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
      const proxied = `tcp:127.0.0.1:${(proxy.address() as { port: number }).port}`;
      const trace = join(dir, 'pair.btsnoop');
      const mark = join(dir, 'prompted');
      const pending = inTerminal(
        [
          'pair',
          '--hci',
          proxied,
          '--peer',
          peer,
          '--io-cap',
          'display-yes-no',
          '--bonds',
          join(dir, 'pair.json'),
          '--trace',
          trace,
        ],
        [
          // At the prompt: mark it, give the test time to freeze the proxy, then ^C.
          { waitFor: 'Does the peer show \\d{6}\\? \\[y/N\\]', mark, delay: 1, send: '\u0003' },
          { waitFor: 'failed: interrupted', send: '\u0003' },
        ],
        { XDG_STATE_HOME: dir },
      );
      // Freeze the link to the controller once the prompt shows: nothing more needs to pass before the ^C.
      const started = Date.now();
      while (!frozen && Date.now() - started < 30_000) {
        await new Promise((r) => setTimeout(r, 20));
        frozen = existsSync(mark);
      }
      const result = await pending;
      expect(frozen).toBe(true);
      expect(result).toMatchObject({ timedOut: false, steps: 2, status: 130 });
      const records = btsnoopRecords(trace);
      const failedAt = records.findIndex((r) => isPairingFailed(r, 0x0c));
      expect(failedAt).toBeGreaterThan(0);
      // The clean leaving would have sent HCI_Reset after waiting for the Disconnect (up to a second): it never got there.
      expect(records.slice(failedAt).some(isReset)).toBe(false);
      serve.child.kill('SIGINT');
      await serve.exited;
    },
    60_000,
  );

  it.skipIf(!python)(
    "^C at serve's prompt: serve exits 130 after saying the pairing failed, pair hears 0x0C (skipped without python3)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ble-smp-signals-'));
      dirs.push(dir);
      const controller = start(['controller', '--listen', 'tcp:127.0.0.1:0', '--json']);
      controllers.push(controller);
      const hci = String((await controller.next('ready')).listen);
      const address = 'c6:00:00:00:00:0c';
      const served = inTerminal(
        [
          'serve',
          '--hci',
          hci,
          '--once',
          '--io-cap',
          'display-yes-no',
          '--address',
          address,
          '--bonds',
          join(dir, 'serve.json'),
        ],
        [
          { waitFor: 'advertising as ', mark: join(dir, 'ready'), send: '' },
          { waitFor: 'Does the peer show \\d{6}\\? \\[y/N\\]', send: '\u0003' },
        ],
        { XDG_STATE_HOME: dir },
      );
      while (!existsSync(join(dir, 'ready'))) await new Promise((r) => setTimeout(r, 20));
      const pair = start([
        'pair',
        '--hci',
        hci,
        '--peer',
        `${address}/random`,
        '--json',
        '--io-cap',
        'display-yes-no',
        '--confirm',
        'yes',
        '--bonds',
        join(dir, 'pair.json'),
      ]);
      const result = await served;
      expect(result).toMatchObject({ timedOut: false, steps: 2, status: 130 });
      const lines = result.output.split(/\r?\n/);
      const failedAt = lines.findIndex((line) => line.startsWith('failed: interrupted (SIGINT) (0x0c'));
      expect(failedAt).toBeGreaterThan(0);
      expect(lines.findIndex((line) => line.startsWith('interrupted (SIGINT)'))).toBeGreaterThan(failedAt);
      expect(await pair.next('failed')).toMatchObject({ stage: 'pairing', reason: 0x0c, by: 'peer' });
      expect(await pair.exited).toBe(1);
      expectNoBonds(dir);
    },
    60_000,
  );

  it('kill -INT while pair connects: exit 130 at once, one interrupted event last; SIGTERM: 143', async () => {
    const { dir, hci, serve } = await setUp([]);
    for (const [signal, status] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      // Nobody advertises at this address: pair waits to connect for a minute unless interrupted.
      const pair = start([
        'pair',
        '--hci',
        hci,
        '--peer',
        '0c:0c:0c:0c:0c:0c',
        '--json',
        '--btmon',
        '--timeout-ms',
        '60000',
        '--bonds',
        join(dir, 'pair.json'),
      ]);
      // --btmon with --json shows the HCI traffic on stderr: interrupt once LE Create Connection is sent.
      while (!pair.stderr().includes('LE Create Connection')) await new Promise((r) => setTimeout(r, 20));
      pair.child.kill(signal);
      expect(await pair.exited).toBe(status);
      const lines = await pair.rest();
      expect(lines).toEqual([{ type: 'interrupted', signal, status }]);
    }
    // The controller was left usable: serve still pairs with a new pair on it.
    const ready = serve.lines.find((l) => l.type === 'ready')!;
    const pair = start([
      'pair',
      '--hci',
      hci,
      '--peer',
      `${String(ready.address)}/public`,
      '--json',
      '--bonds',
      join(dir, 'pair.json'),
    ]);
    expect(await pair.next('paired')).toMatchObject({ model: 'just-works' });
    expect(await pair.exited).toBe(0);
    expect(await serve.exited).toBe(0);
  }, 60_000);

  it('serve --once interrupted before any pairing exits 130 (SIGTERM 143), its last event interrupted', async () => {
    const { dir, serve } = await setUp([]);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toBe(130);
    expect((await serve.rest()).at(-1)).toEqual({ type: 'interrupted', signal: 'SIGINT', status: 130 });
    const { serve: again } = await setUp(['--name', 'again']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(143);
    expect((await again.rest()).at(-1)).toEqual({ type: 'interrupted', signal: 'SIGTERM', status: 143 });
    expectNoBonds(dir);
  }, 60_000);

  it('no terminal and no --confirm or --passkey: the failure says no one could be asked and names the option', async () => {
    for (const [serveArgs, pairArgs, option, reason] of [
      [
        ['--io-cap', 'display-yes-no', '--confirm', 'yes'],
        ['--io-cap', 'display-yes-no'],
        '--confirm yes or --confirm no',
        0x0c,
      ],
      [['--io-cap', 'display-only'], ['--io-cap', 'keyboard-only'], '--passkey N', 0x01],
    ] as const) {
      const { dir, hci, serve, peer } = await setUp([...serveArgs]);
      const pair = start([
        'pair',
        '--hci',
        hci,
        '--peer',
        peer,
        '--json',
        '--bonds',
        join(dir, 'pair.json'),
        ...pairArgs,
      ]);
      const failed = await pair.next('failed');
      expect(failed).toMatchObject({ stage: 'pairing', reason, by: 'local' });
      expect(String(failed.message)).toMatch(/^no one could be asked .*\(stdin is not a terminal\)/);
      expect(String(failed.message)).toContain(`pass ${option}`);
      expect(String(failed.message)).not.toMatch(/do not match|cancelled/);
      expect(await pair.exited).toBe(1);
      expect(await serve.next('failed')).toMatchObject({ reason, by: 'peer' });
    }
  }, 60_000);
});
