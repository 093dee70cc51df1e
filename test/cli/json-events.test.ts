/**
 * With --json every outcome of `pair` and `serve` is one object on stdout
 * (issue 14 item 7): a connect timeout, a transport that cannot be opened, a
 * trace or OOB file that cannot be used, a usage mistake, an interruption;
 * and --help lists exactly the events each command emits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controllerCommand } from '../../src/cli/commands/controller.js';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { main } from '../../src/cli/main.js';
import { type Json, lineIo, startController, startServe } from './cli-harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `ble-smp ...argv`; resolves to the exit status and every stdout line parsed (each must be JSON). */
async function run(argv: string[]) {
  const lines = lineIo();
  const status = await main(argv, lines.io);
  return { status, events: lines.out.map((line) => JSON.parse(line) as Json), err: lines.err.join('\n') };
}

/** The event names a command's --help lists under "Events with --json". */
async function helpEvents(command: string): Promise<string[]> {
  const lines = lineIo();
  await main([command, '--help'], lines.io);
  const help = lines.out.join('\n');
  const section = help.slice(help.indexOf('Events with --json'), help.indexOf('  --hci T'));
  return [...section.matchAll(/^ {2}([a-z]+) +\S/gm)].map((m) => m[1]!);
}

describe('--json: one object for every outcome', () => {
  it('a connect timeout: failed, stage connect, code timeout; exit 1', async () => {
    const hci = await startController();
    const result = await run([
      'pair',
      '--hci',
      hci,
      '--peer',
      '0c:0c:0c:0c:0c:0c',
      '--json',
      '--timeout-ms',
      '300',
    ]);
    expect(result.status).toBe(1);
    expect(result.events).toEqual([
      {
        type: 'failed',
        stage: 'connect',
        code: 'timeout',
        message: 'could not connect to 0c:0c:0c:0c:0c:0c within 300 ms',
      },
    ]);
  });

  it('a transport that cannot be opened, a trace or OOB file that cannot be used, a usage mistake: one failed each', async () => {
    const refused = await run(['pair', '--hci', 'tcp:127.0.0.1:1', '--peer', '00:11:22:33:44:55', '--json']);
    expect(refused.status).toBe(2);
    expect(refused.events).toEqual([
      {
        type: 'failed',
        stage: 'transport',
        code: 'connect-failed',
        message: expect.stringContaining('127.0.0.1:1'),
      },
    ]);
    const serveRefused = await run(['serve', '--hci', 'tcp:127.0.0.1:1', '--json']);
    expect(serveRefused).toMatchObject({ status: 2, events: [{ type: 'failed', stage: 'transport' }] });

    const trace = await run(['serve', '--hci', 'tcp:127.0.0.1:1', '--json', '--trace', '/nonexistent/dir/x']);
    expect(trace).toMatchObject({ status: 2, events: [{ type: 'failed', stage: 'trace', code: 'ENOENT' }] });

    const hci = await startController();
    const dir = mkdtempSync(join(tmpdir(), 'ble-smp-json-'));
    dirs.push(dir);
    const oob = await run(['serve', '--hci', hci, '--json', '--oob-in', join(dir, 'missing.oob')]);
    expect(oob).toMatchObject({ status: 2, events: [{ type: 'failed', stage: 'oob' }] });

    const usage = await run([
      'pair',
      '--hci',
      hci,
      '--json',
      '--io-cap',
      'telepathy',
      '--peer',
      '00:11:22:33:44:55',
    ]);
    expect(usage).toMatchObject({
      status: 2,
      events: [
        { type: 'failed', stage: 'usage', code: 'usage', message: expect.stringContaining('--io-cap') },
      ],
    });
    // Without --json, stdout stays empty; the message is on stderr.
    const quiet = await run(['pair', '--hci', hci, '--io-cap', 'telepathy', '--peer', '00:11:22:33:44:55']);
    expect(quiet.events).toEqual([]);
    expect(quiet.err).toContain('--io-cap "telepathy"');
  });

  it('the controller going away while pair connects, or while serve advertises: one failed, stage transport; exit 1', async () => {
    for (const command of ['pair', 'serve'] as const) {
      const server = lineIo();
      const stopServer = new AbortController();
      const serverDone = controllerCommand(
        ['--listen', 'tcp:127.0.0.1:0', '--json'],
        server.io,
        stopServer.signal,
      );
      const hci = String((await server.waitFor('ready')).listen);
      const lines = lineIo();
      const done =
        command === 'pair'
          ? pairCommand(
              ['--hci', hci, '--peer', '0c:0c:0c:0c:0c:0c', '--json', '--timeout-ms', '60000', '--btmon'],
              lines.io,
            )
          : serveCommand(['--hci', hci, '--json', '--btmon'], lines.io);
      const sent = command === 'pair' ? 'LE Create Connection' : 'LE Set Advertising Enable';
      while (!lines.err.some((line) => line.includes(sent)))
        await new Promise((resolve) => setTimeout(resolve, 20));
      stopServer.abort();
      await serverDone;
      expect(await done).toBe(1);
      const failed = lines.events().filter((e) => e.type !== 'ready');
      expect(failed).toEqual([
        {
          type: 'failed',
          stage: 'transport',
          code: expect.any(String),
          message: expect.stringMatching(/^the transport to the controller closed: /),
        },
      ]);
    }
  });

  it('interrupted while connecting (the signal aborts): exit 130, one interrupted object', async () => {
    const hci = await startController();
    const lines = lineIo();
    const abort = new AbortController();
    const done = pairCommand(
      ['--hci', hci, '--peer', '0c:0c:0c:0c:0c:0c', '--json', '--timeout-ms', '60000', '--btmon'],
      lines.io,
      abort.signal,
    );
    while (!lines.err.some((line) => line.includes('LE Create Connection'))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    abort.abort();
    expect(await done).toBe(130);
    expect(lines.events()).toEqual([{ type: 'interrupted', signal: 'SIGINT', status: 130 }]);
  });

  it('serve --once interrupted before any pairing: 130, ready then interrupted', async () => {
    const hci = await startController();
    const lines = lineIo();
    const abort = new AbortController();
    const done = serveCommand(['--hci', hci, '--once', '--json'], lines.io, abort.signal);
    await lines.waitFor('ready');
    abort.abort();
    expect(await done).toBe(130);
    expect(lines.events().map((e) => e.type)).toEqual(['ready', 'interrupted']);
  });

  it('--help lists exactly the events each command emits', async () => {
    expect(await helpEvents('pair')).toEqual([
      'found',
      'connected',
      'read',
      'prompt',
      'paired',
      'encrypted',
      'failed',
      'interrupted',
    ]);
    expect(await helpEvents('serve')).toEqual([
      'ready',
      'connected',
      'prompt',
      'paired',
      'encrypted',
      'failed',
      'disconnected',
      'interrupted',
    ]);
    // What a pairing and a re-encryption print is among them.
    const hci = await startController();
    const dir = mkdtempSync(join(tmpdir(), 'ble-smp-json-'));
    dirs.push(dir);
    const seen = { pair: new Set<string>(), serve: new Set<string>() };
    for (let round = 0; round < 2; round += 1) {
      const serve = await startServe(hci, [
        '--io-cap',
        'display-only',
        '--passkey',
        '123456',
        '--bonds',
        join(dir, 's.json'),
        '--address',
        'c6:00:00:00:00:0a',
      ]);
      const pair = lineIo();
      await pairCommand(
        [
          '--hci',
          hci,
          '--peer',
          `${serve.address}/random`,
          '--json',
          '--io-cap',
          'keyboard-only',
          '--passkey',
          '123456',
          '--bonds',
          join(dir, 'p.json'),
          '--address',
          'c6:00:00:00:00:0b',
        ],
        pair.io,
      );
      await serve.done;
      for (const e of pair.events()) seen.pair.add(String(e.type));
      for (const e of serve.lines.events()) seen.serve.add(String(e.type));
    }
    expect([...seen.pair].sort()).toEqual(['connected', 'encrypted', 'paired', 'prompt']);
    expect([...seen.serve].sort()).toEqual([
      'connected',
      'disconnected',
      'encrypted',
      'paired',
      'prompt',
      'ready',
    ]);
    for (const type of seen.pair) expect(await helpEvents('pair')).toContain(type);
    for (const type of seen.serve) expect(await helpEvents('serve')).toContain(type);
  });
});
