/** Our btsnoop captures and tshark agree on the decoded SMP exchange (skipped when tshark is absent). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HciDecoder } from '../../src/trace/hci-decoder.js';
import { readTrace } from '../../src/trace/index.js';
import { ownCapture } from './fixtures.js';

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const present = hasTshark();
if (!present)
  console.warn('tshark is not installed (Debian package tshark): skipping the tshark agreement test');

describe.skipIf(!present)('tshark agreement', () => {
  it.each(['legacy-passkey', 'sc-numeric-comparison'])(
    '%s: the same SMP opcodes in the same frames',
    async (id) => {
      const bytes = await ownCapture(id);
      const dir = mkdtempSync(join(tmpdir(), 'ble-smp-tshark-'));
      try {
        const file = join(dir, 'capture.btsnoop');
        writeFileSync(file, bytes);
        const out = execFileSync(
          'tshark',
          ['-r', file, '-Y', 'btsmp', '-T', 'fields', '-e', 'frame.number', '-e', 'btsmp.opcode'],
          {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          },
        );
        const theirs = out
          .trim()
          .split('\n')
          .map((line) =>
            line
              .split('\t')
              .map((v) => Number(v))
              .join(' '),
          );
        // Our decoder reports a PDU at the frame that completes it, as tshark does after reassembly.
        const decoder = new HciDecoder();
        const ours = readTrace(bytes)
          .records.flatMap((r) => (r.kind === 'hci' ? decoder.push(r) : []))
          .flatMap((e) => (e.type === 'smp' ? [`${e.at} ${e.bytes[0]}`] : []));
        expect(ours.length).toBeGreaterThan(4);
        expect(ours).toEqual(theirs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
