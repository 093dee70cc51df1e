import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { main } from '../../src/cli/main.js';
import { loadVectorFile } from '../../src/crypto/selftest/vector-file.js';
import { VERSION } from '../../src/version.js';
import { scratchDir } from '../scratch.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('ble-smp vectors', () => {
  it('prints one row per function with every vector passed on both backends, and exits 0', async () => {
    const { io, out } = capture();
    expect(await main(['vectors', '--no-timing'], io)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^function\s+vectors\s+noble passed\s+node passed$/m);
    expect(text).toMatch(/^c1\s+1\s+1\/1\s+1\/1$/m);
    expect(text).toMatch(/^SC pairing \(P-256, f4-f6, g2\)\s+8\s+8\/8\s+8\/8$/m);
    expect(text).toContain('All 92 vector runs match (46 vectors x 2 backends).');
  });

  it('measures ops/s per backend when timing is on', async () => {
    const { io, out } = capture();
    expect(await main(['vectors', '--backend', 'node', '--json'], io)).toBe(0);
    const report = JSON.parse(out.join('\n')) as {
      groups: { group: string; backends: Record<string, { passed: number; opsPerSecond: number }> }[];
    };
    expect(report.groups).toHaveLength(18);
    for (const group of report.groups) {
      expect(Object.keys(group.backends)).toEqual(['node']);
      expect(group.backends.node!.opsPerSecond).toBeGreaterThan(0);
    }
  });

  it('exits 1 and names the field when a vector does not match', async () => {
    const data = structuredClone(loadVectorFile()) as unknown as Record<
      string,
      { expected_le: Record<string, string> }[]
    >;
    data.s1![0]!.expected_le.s1 = '00'.repeat(16);
    const file = join(scratchDir('ble-smp-'), 'vectors.json');
    writeFileSync(file, JSON.stringify(data));
    const { io, out } = capture();
    expect(await main(['vectors', '--no-timing', '--file', file], io)).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^s1\s+1\s+0\/1 FAIL\s+0\/1 FAIL$/m);
    expect(text).toContain(
      'MISMATCH s1 s1-2.2.4 on noble:\n  s1: got 62a06d79ae16425b9bf4b0e8f0e11f9a, expected 0000',
    );
    expect(text).toContain('2 of 92 vector runs do not match.');
  });

  it('reports an unreadable or malformed vector file with exit 2, without a stack trace', async () => {
    const dir = scratchDir('ble-smp-');
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    for (const file of [join(dir, 'missing.json'), join(dir, 'bad.json')]) {
      const { io, err } = capture();
      expect(await main(['vectors', '--file', file], io)).toBe(2);
      expect(err.join('\n')).toMatch(new RegExp(`^ble-smp vectors: cannot read ${file}: `));
      expect(err.join('\n')).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses unknown options and backends with the usage and exit 2', async () => {
    for (const argv of [
      ['vectors', '--fast'],
      ['vectors', '--backend', 'wasm'],
    ]) {
      const { io, err } = capture();
      expect(await main(argv, io)).toBe(2);
      expect(err.join('\n')).toContain('Usage: ble-smp vectors');
    }
  });
});

describe('ble-smp', () => {
  it('prints the usage and exits 2 without a command, 0 with --help', async () => {
    const none = capture();
    expect(await main([], none.io)).toBe(2);
    expect(none.out.join('\n')).toContain('Usage: ble-smp <command>');
    const help = capture();
    expect(await main(['--help'], help.io)).toBe(0);
  });

  it('refuses an unknown command with exit 2', async () => {
    const { io, err } = capture();
    expect(await main(['pear'], io)).toBe(2);
    expect(err.join('\n')).toContain("ble-smp: unknown command 'pear'");
  });

  it('prints the version of package.json', async () => {
    const { io, out } = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(out).toEqual([packageJson.version]);
    expect(VERSION).toBe(packageJson.version);
  });
});
