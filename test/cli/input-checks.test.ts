/**
 * Input checks of the command line: a vector file with no vectors is an error
 * (exit 2), not "All 0 vector runs match"; an unknown or missing --hci lists
 * every transport, serial: included.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadVectorFile } from '../../src/crypto/selftest/vector-file.js';
import { scratchDir } from '../scratch.js';

const scratch = scratchDir('ble-smp-input-checks-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('ble-smp vectors --file', () => {
  it.each([
    ['an empty object', '{}', 'has no vectors'],
    ['only metadata', '{"meta":{"source":"x"}}', 'has no vectors'],
    ['empty groups', '{"e":[],"c1":[],"f5":[]}', 'has no vectors'],
    ['only groups it does not know', '{"rot13":[{"id":"x"}]}', 'has no vectors'],
    ['a list', '[]', 'is not a vector file'],
    ['null', 'null', 'is not a vector file'],
    ['a group that is not a list', '{"e":{"id":"x"}}', 'is not a vector file: e should be a list of vectors'],
  ])('exits 2 on a file with %s, and does not say that all runs match', async (_, json, message) => {
    const file = join(scratch, 'vectors.json');
    writeFileSync(file, json);
    for (const extra of [[], ['--json'], ['--backend', 'node']]) {
      const result = await run(['vectors', '--no-timing', '--file', file, ...extra]);
      expect(result.status).toBe(2);
      expect(result.err).toContain(`ble-smp vectors: ${file} ${message}`);
      expect(result.out).not.toContain('match');
    }
  });

  it('still runs a file with a single vector', async () => {
    const file = join(scratch, 'one.json');
    writeFileSync(file, JSON.stringify({ e: [loadVectorFile().e![0]] }));
    const result = await run(['vectors', '--no-timing', '--file', file]);
    expect(result).toMatchObject({ status: 0, err: '' });
    expect(result.out).toContain('All 2 vector runs match (1 vectors x 2 backends).');
  });
});

describe('--hci', () => {
  const transports = ['hci0', 'tcp:HOST:PORT', 'unix:PATH', 'serial:PATH[@BAUD]'];

  it.each([
    ['pair', 'bogus'],
    ['pair', 'usb:1'],
    ['pair', 'hci'],
    ['serve', 'bluetooth'],
    ['serve', 'serial'],
    ['scan', 'tcp'],
    ['scan', 'com3'],
  ])('%s --hci %s: exit 2, listing every transport', async (command, hci) => {
    const argv = [
      command,
      '--hci',
      hci,
      ...(command === 'pair' ? ['--peer', 'c0:ff:ee:00:00:01/random'] : []),
    ];
    const result = await run(argv);
    expect(result.status).toBe(2);
    expect(result.err).toContain(`bad transport "${hci}"`);
    for (const transport of transports)
      expect(result.err).toMatch(new RegExp(`^ {2}${escapeRegExp(transport)}\\s`, 'm'));
  });

  it.each([
    ['pair', '--peer', 'c0:ff:ee:00:00:01/random'],
    ['serve', '--once'],
    ['scan', '--duration', '1'],
  ])('%s without --hci: exit 2, listing every transport', async (...argv) => {
    const result = await run(argv);
    expect(result.status).toBe(2);
    expect(result.err).toContain('--hci is required');
    for (const transport of transports)
      expect(result.err).toMatch(new RegExp(`^ {2}${escapeRegExp(transport)}\\s`, 'm'));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
