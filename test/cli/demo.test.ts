import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('ble-smp demo', () => {
  it('pairs in all six models through the whole stack and prints a table, exit 0', async () => {
    const { io, out } = capture();
    expect(await main(['demo', '--trace', 'none'], io)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^legacy-just-works\s+LE legacy\s+just-works\s+16\s+no\s/m);
    expect(text).toMatch(/^legacy-passkey\s+LE legacy\s+passkey\s+16\s+yes\s/m);
    expect(text).toMatch(/^sc-just-works\s+LE Secure Connections\s+just-works\s+16\s+no\s/m);
    expect(text).toMatch(/^sc-numeric-comparison\s+LE Secure Connections\s+numeric-comparison\s+16\s+yes\s/m);
    expect(text).toMatch(/^sc-passkey\s+LE Secure Connections\s+passkey\s+16\s+yes\s/m);
    expect(text).toMatch(/^sc-oob\s+LE Secure Connections\s+oob\s+16\s+yes\s/m);
    expect(text).not.toContain('FAILED');
  });

  it('traces one pairing btmon-style: the Public Key reassembled from 27-octet fragments, keys hidden', async () => {
    const { io, out } = capture();
    expect(await main(['demo', '--trace', 'sc-numeric-comparison'], io)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('< HCI Command: LE Create Connection (0x08|0x000d)');
    expect(text).toMatch(/SMP: Pairing Request \(0x01\) len 6\n {8}IO capability: DisplayYesNo \(0x01\)/);
    expect(text).toMatch(/SMP: Pairing Public Key \(0x0c\) len 64\n {8}X: [0-9a-f]{64}\n {8}Y: [0-9a-f]{64}/);
    // Each packet once: our Public Key sent and the peer's received, however many listeners the host adds.
    expect(text.match(/SMP: Pairing Public Key/g)).toHaveLength(2);
    expect(text.match(/SMP: Pairing Request/g)).toHaveLength(1);
    expect(text).toContain('< HCI Command: LE Start Encryption (0x08|0x0019)');
    expect(text).toMatch(/SMP: Identity Information \(0x08\) len 16\n {8}Identity resolving key: (xx){16}\n/);
    expect(text).toMatch(/Long term key: (xx){16}\n/);
    expect(text).not.toMatch(/Identity resolving key: [0-9a-f]{32}/);
  });

  it('shows keys only when asked', async () => {
    const { io, out } = capture();
    expect(await main(['demo', '--trace', 'sc-just-works', '--show-keys'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/Identity resolving key: [0-9a-f]{32}\n/);
  });

  it('prints one JSON object per pairing with --json', async () => {
    const { io, out } = capture();
    expect(await main(['demo', '--json'], io)).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.id)).toEqual([
      'legacy-just-works',
      'legacy-passkey',
      'sc-just-works',
      'sc-numeric-comparison',
      'sc-passkey',
      'sc-oob',
    ]);
    for (const line of lines) expect(line).toMatchObject({ type: 'paired', keySize: 16, bonded: true });
  });

  it('refuses an unknown model with exit 2', async () => {
    const { io, err } = capture();
    expect(await main(['demo', '--trace', 'sc-foo'], io)).toBe(2);
    expect(err.join('\n')).toContain("unknown model 'sc-foo'");
  });
});
