/**
 * A live audit: `ble-smp audit -` on a capture arriving on standard input,
 * and `--follow FILE` on a capture being written. Each pairing is printed as
 * soon as it ends, before the stream does; at the end, the findings are the
 * same as for the whole file.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { DEMO_MODELS, runDemoPairing } from '../../src/cli/commands/demo.js';
import { BtsnoopWriter } from '../../src/trace/btsnoop-writer.js';
import { scratchDir } from '../scratch.js';

const MAILING = resolve(
  import.meta.dirname,
  '../fixtures/traces/mailing-list-2019-legacy-jw-keydist-violation.btmon.txt',
);

function lines() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** Resolves once `test` holds, polling. */
async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(test()).toBe(true);
}

/** The rule ids of every finding in --json output. */
const rules = (out: string[]) =>
  out
    .map((l) => JSON.parse(l) as { type: string; findings?: { rule: string }[] })
    .flatMap((o) => o.findings?.map((f) => f.rule) ?? []);

describe('ble-smp audit -', () => {
  it('prints the pairing once its Pairing Failed arrives, before the stream ends; findings as for the file', async () => {
    const text = readFileSync(MAILING, 'utf8').split('\n');
    // The responder's Pairing Failed is at line 206; the link goes away at 217: stop the stream just before.
    const cut = text.findIndex((line) => /HCI Event: Disconnect Complete/.test(line));
    expect(cut).toBeGreaterThan(text.findIndex((line) => /SMP: Pairing Failed/.test(line)) + 4);
    let release: () => void = () => undefined;
    const rest = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* stdin() {
      yield new TextEncoder().encode(`${text.slice(0, cut).join('\n')}\n`);
      await rest;
      yield new TextEncoder().encode(text.slice(cut).join('\n'));
    }
    const live = lines();
    const status = auditCommand(['-', '--json'], live.io, { stdin: stdin() });
    await until(() => live.out.length > 0);
    expect(JSON.parse(live.out[0]!)).toMatchObject({ type: 'pairing', outcome: 'failed' });
    release();
    expect(await status).toBe(1);

    const whole = lines();
    expect(await auditCommand([MAILING, '--json'], whole.io)).toBe(1);
    expect(rules(live.out).sort()).toEqual(rules(whole.out).sort());
    expect(live.out.filter((l) => l.includes('"type":"pairing"'))).toHaveLength(1);
  });

  it('in text mode ends with the counts, as the report of the file does', async () => {
    const bytes = readFileSync(MAILING);
    async function* stdin() {
      for (let at = 0; at < bytes.length; at += 100) yield bytes.subarray(at, at + 100);
    }
    const live = lines();
    expect(await auditCommand(['-'], live.io, { stdin: stdin() })).toBe(1);
    const whole = lines();
    await auditCommand([MAILING], whole.io);
    expect(live.out[0]).toBe('standard input: btmon-text');
    expect(live.out.at(-1)).toBe(whole.out.at(-1)!.split('\n\n').at(-1));
  });

  it('says there is no pairing in an empty capture, exit 0; unreadable input exits 2', async () => {
    async function* empty() {
      yield new TextEncoder().encode('< HCI Command: Reset (0x03|0x0003) plen 0\n');
    }
    const none = lines();
    expect(await auditCommand(['-'], none.io, { stdin: empty() })).toBe(0);
    expect(none.out).toEqual(['No pairing in the capture.']);
    async function* garbage() {
      yield Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
    const bad = lines();
    expect(await auditCommand(['-'], bad.io, { stdin: garbage() })).toBe(2);
    expect(bad.err.join('\n')).toMatch(/^ble-smp audit: -: /);
  });
});

describe('ble-smp audit --follow', () => {
  it('reads a btsnoop capture as it is written: each pairing printed once its link goes away', async () => {
    // Two of our own pairings, each on a connection that ends, as btsnoop records.
    const records: Uint8Array[] = [];
    const writer = new BtsnoopWriter({ write: (chunk) => records.push(chunk) });
    for (const model of DEMO_MODELS.slice(0, 2)) {
      await runDemoPairing(model, undefined, false, (direction, packet) => writer.record(direction, packet));
      writer.record('rx', { type: 'event', data: Uint8Array.of(0x05, 0x04, 0x00, 0x40, 0x00, 0x13) });
    }
    const all = Buffer.concat(records);
    const file = join(scratchDir('ble-smp-follow-'), 'live.btsnoop');
    // The first pairing and its disconnection, then the rest later.
    const firstEnd = records.findIndex(
      (_, i) => i > 0 && Buffer.from(records[i]!).includes(Buffer.of(0x05, 0x04, 0x00, 0x40)),
    );
    const split = Buffer.concat(records.slice(0, firstEnd + 1)).length;
    writeFileSync(file, all.subarray(0, split), { mode: 0o600 });

    const controller = new AbortController();
    const live = lines();
    const status = auditCommand(['--follow', file, '--json'], live.io, { signal: controller.signal });
    await until(() => live.out.length === 1);
    appendFileSync(file, all.subarray(split));
    await until(() => live.out.length === 2);
    controller.abort();
    expect(await status).toBe(1); // legacy Just Works: findings of warning severity at least
    const models = live.out.map((l) => (JSON.parse(l) as { model: string }).model);
    expect(models).toEqual(['just-works', 'passkey']);
  });

  it('is a usage error beside a file argument', async () => {
    await expect(auditCommand(['--follow', MAILING, MAILING], lines().io)).rejects.toThrow(/--follow FILE/);
  });
});
