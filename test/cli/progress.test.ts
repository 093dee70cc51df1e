/**
 * What `pair` and `serve` say in text mode as they work (issue 14 item 3):
 * connecting (with the timeout), connected, pairing with the method and model,
 * the prompt once, waiting for the peer's user, keys distributed, bonded; serve
 * advertising as NAME on ADDR, its outcome before `disconnected`, and a peer's
 * failure reason once.
 */
import { describe, expect, it } from 'vitest';
import { pairCommand } from '../../src/cli/commands/pair.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { lineIo, startController } from './cli-harness.js';

/** serve --once in text mode, in-process; resolves once it advertises, with its address. */
async function textServe(hci: string, args: string[]) {
  const lines = lineIo();
  const done = serveCommand(['--hci', hci, '--once', ...args], lines.io);
  for (;;) {
    const ready = lines.out.find((line) => line.startsWith('advertising as '));
    if (ready) return { lines, done, address: /([0-9a-f]{2}(:[0-9a-f]{2}){5})/.exec(ready)![1]!, ready };
    await lines.next();
  }
}

/** The index of the first line matching `pattern`, failing the test when there is none. */
function lineOf(lines: string[], pattern: RegExp): number {
  const at = lines.findIndex((line) => pattern.test(line));
  if (at < 0) throw new Error(`no line matches ${pattern}:\n${lines.join('\n')}`);
  return at;
}

describe('progress in text mode', () => {
  it('pair says what it does, in order; serve says its name and address', async () => {
    const hci = await startController();
    const serve = await textServe(hci, [
      '--name',
      'kettle',
      '--io-cap',
      'display-yes-no',
      '--confirm',
      'yes',
    ]);
    expect(serve.ready).toBe(
      `advertising as "kettle" on ${serve.address} (public); exits after the first connection`,
    );
    const pair = lineIo();
    const status = await pairCommand(
      [
        '--hci',
        hci,
        '--peer',
        serve.address,
        '--io-cap',
        'display-yes-no',
        '--confirm',
        'yes',
        '--timeout-ms',
        '7000',
      ],
      pair.io,
    );
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    const steps = [
      new RegExp(`^connecting to ${serve.address} \\(public\\), giving up after 7 s$`),
      /^connected: .* as central$/,
      /^pairing: Pairing Request sent$/,
      /^pairing: LE Secure Connections, numeric comparison$/,
      /^prompt: confirm the number \d{6}$/,
      /^waiting for the peer's user to confirm the number$/,
      /^pairing: link encrypted; distributing keys$/,
      /^pairing: keys distributed$/,
      /^bonded: the keys are kept in .*\.json$/,
      /^paired: LE Secure Connections numeric-comparison/,
    ];
    const at = steps.map((step) => lineOf(pair.out, step));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // The number once; no JSON among the lines.
    expect(pair.out.join('\n').match(/\b\d{6}\b/g)).toHaveLength(1);
    expect(pair.out.some((line) => line.startsWith('{'))).toBe(false);
    // serve: its own progress, the outcome, then the disconnection.
    const paired = lineOf(serve.lines.out, /^paired: /);
    expect(lineOf(serve.lines.out, /^pairing: LE Secure Connections, numeric comparison$/)).toBeLessThan(
      paired,
    );
    expect(lineOf(serve.lines.out, /^disconnected: /)).toBeGreaterThan(paired);
  });

  it('a prompt answered on the terminal shows the number once, in the question', async () => {
    const hci = await startController();
    const serve = await textServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'yes']);
    const pair = lineIo();
    const questions: string[] = [];
    const status = await pairCommand(
      ['--hci', hci, '--peer', serve.address, '--io-cap', 'display-yes-no'],
      pair.io,
      undefined,
      {
        ask: async (question) => {
          questions.push(question);
          return 'y';
        },
      },
    );
    expect(status).toBe(0);
    expect(await serve.done).toBe(0);
    expect(questions).toEqual([expect.stringMatching(/^Does the peer show \d{6}\? \[y\/N\] $/)]);
    expect(pair.out.some((line) => line.startsWith('prompt: '))).toBe(false);
    expect(pair.out.join('\n')).not.toMatch(/\b\d{6}\b/);
    lineOf(pair.out, /^waiting for the peer's user to confirm the number$/);
  });

  it('serve shows the passkey once and waits for the peer; a peer that refuses: its reason once, before disconnected', async () => {
    const hci = await startController();
    const serve = await textServe(hci, ['--io-cap', 'display-yes-no', '--confirm', 'yes']);
    const pair = lineIo();
    const status = await pairCommand(
      ['--hci', hci, '--peer', serve.address, '--io-cap', 'display-yes-no', '--confirm', 'no'],
      pair.io,
    );
    expect(status).toBe(1);
    expect(await serve.done).toBe(1);
    const failed = serve.lines.out.filter((line) => line.startsWith('failed: '));
    expect(failed).toEqual([
      'failed: the peer failed the pairing with 0x0c Numeric Comparison Failed: the numeric comparison values did not match',
    ]);
    expect((failed[0]!.match(/Numeric Comparison Failed/g) ?? []).length).toBe(1);
    expect(lineOf(serve.lines.out, /^disconnected: /)).toBeGreaterThan(lineOf(serve.lines.out, /^failed: /));
    // The side that refused says so, with its reason.
    expect(pair.out.filter((line) => line.startsWith('failed: '))).toEqual([
      'failed: the user said the numbers do not match (0x0c Numeric Comparison Failed)',
    ]);

    const hci2 = await startController();
    const shows = await textServe(hci2, ['--io-cap', 'display-only']);
    const typing = lineIo();
    let shown = '';
    const typed = await pairCommand(
      ['--hci', hci2, '--peer', shows.address, '--io-cap', 'keyboard-only'],
      typing.io,
      undefined,
      {
        ask: async () => {
          shown = /type (\d{6}) on the peer/.exec(shows.lines.out.join('\n'))![1]!;
          return shown;
        },
      },
    );
    expect(typed).toBe(0);
    expect(await shows.done).toBe(0);
    const passkeyLines = shows.lines.out.filter((line) => line.includes(shown));
    expect(passkeyLines).toEqual([`prompt: type ${shown} on the peer`]);
    expect(lineOf(shows.lines.out, /^waiting for the peer's user to type the passkey$/)).toBeGreaterThan(
      lineOf(shows.lines.out, /^prompt: type /),
    );
  });
});
