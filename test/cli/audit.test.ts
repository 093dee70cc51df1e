/** `ble-smp audit`: report, --json, --diagram, exit codes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const traces = resolve(import.meta.dirname, '../fixtures/traces');
const MAILING = join(traces, 'mailing-list-2019-legacy-jw-keydist-violation.btmon.txt');
const dir = mkdtempSync(join(tmpdir(), 'ble-smp-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(['audit', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('ble-smp audit', () => {
  it('prints a readable report and exits 1 on findings', async () => {
    const { status, out } = await run(MAILING);
    expect(status).toBe(1);
    expect(out).toContain('NoInputNoOutput x KeyboardOnly: JW');
    expect(out).toMatch(/ERROR {2}line 195 +keydist-outside-mask/);
    expect(out).toMatch(
      /WARN {3}line 143 +legacy-pairing: LE legacy Just Works \(the initiator and responder did not set the SC bit\)/,
    );
    expect(out).toContain('5 errors, 2 warnings');
  });

  it('--json: one object per pairing with rule ids, severities and places', async () => {
    const { status, out } = await run(MAILING, '--json');
    expect(status).toBe(1);
    const objects = out.split('\n').map((line) => JSON.parse(line));
    expect(objects).toHaveLength(1);
    const [pairing] = objects;
    expect(pairing).toMatchObject({
      type: 'pairing',
      method: 'legacy',
      model: 'just-works',
      keySize: 16,
      outcome: 'failed',
    });
    expect(pairing.responder.address).toBe('D2:A7:4C:76:F3:E0 (random static)');
    expect(pairing.findings.map((f: { rule: string; where: number }) => `${f.rule}@${f.where}`)).toContain(
      'pairing-failed@205',
    );
    expect(pairing.findings.every((f: { specRule: string }) => f.specRule.startsWith('smp-rules'))).toBe(
      true,
    );
  });

  it('--diagram writes an SVG or Mermaid sequence chart with findings marked', async () => {
    const svg = join(dir, 'chart.svg');
    const md = join(dir, 'chart.md');
    expect((await run(MAILING, '--diagram', svg)).status).toBe(1);
    expect((await run(MAILING, '--diagram', md)).status).toBe(1);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg/);
    expect(text).toContain('ERROR keydist-outside-mask');
    const mermaid = readFileSync(md, 'utf8');
    expect(mermaid).toContain('sequenceDiagram');
    expect(mermaid).toContain('I->>R: Encryption Information (line 195)');
    expect(mermaid).toContain('Note over I: ERROR keydist-outside-mask');
  });

  it('exits 0 on a clean capture, 2 on unreadable files and usage errors', async () => {
    const clean = await run(join(traces, 'crackle-04-le-secure-connections.pcapng'));
    expect(clean.out).toContain('LE Secure Connections');
    expect(clean.status).toBe(0);
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    const bad = await run(junk);
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('unknown-format');
    const truncated = join(dir, 'short.pcap');
    writeFileSync(
      truncated,
      readFileSync(join(traces, 'crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap')).subarray(0, 500),
    );
    expect((await run(truncated)).err).toContain('truncated');
    expect((await run(join(dir, 'missing.pcap'))).status).toBe(2);
    expect((await run()).status).toBe(2);
    expect((await run(MAILING, '--diagram', join(dir, 'x.png'))).status).toBe(2);
  });
});
