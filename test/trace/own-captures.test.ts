/**
 * Captures written by our own stack (btsnoop, as `--trace` writes them) audit
 * clean in every model; mutations of them produce the matching finding.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS } from '../../src/cli/commands/demo.js';
import type { HciRecord } from '../../src/trace/index.js';
import { auditTrace, BtsnoopWriter, readTrace } from '../../src/trace/index.js';
import { ownCapture } from './fixtures.js';

const captures = new Map<string, Uint8Array>();
beforeAll(async () => {
  for (const model of DEMO_MODELS) captures.set(model.id, await ownCapture(model.id));
}, 120_000);

/** The SMP code of an ACL record carrying a whole SMP PDU, else undefined. */
const smpCode = (r: HciRecord) =>
  r.packet.type === 'acl' && r.packet.data[6] === 0x06 && r.packet.data[7] === 0x00
    ? r.packet.data[8]
    : undefined;

/** Re-writes a capture from (possibly changed) records. */
function rewrite(records: HciRecord[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) });
  for (const [i, r] of records.entries())
    writer.record(r.direction === 'rx' ? 'rx' : 'tx', r.packet, 1000 + i);
  return Buffer.concat(chunks);
}

function records(id: string): HciRecord[] {
  return readTrace(captures.get(id)!).records as HciRecord[];
}

const withData = (r: HciRecord, data: Uint8Array): HciRecord => ({ ...r, packet: { ...r.packet, data } });
const rulesOf = (bytes: Uint8Array) =>
  auditTrace(bytes).pairings.flatMap((p) => p.findings.map((f) => f.rule));

describe('our own captures', () => {
  it.each(DEMO_MODELS.map((m) => m.id))('%s audits clean', (id) => {
    const report = auditTrace(captures.get(id)!);
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing.outcome).toBe('completed');
    expect(pairing.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const warnings = pairing.findings.filter((f) => f.severity === 'warning').map((f) => f.rule);
    // Legacy pairing is weak by design: the only warnings are the ones inherent to it.
    expect(warnings).toEqual(
      id === 'legacy-passkey'
        ? ['legacy-pairing', 'passkey-recovered']
        : id === 'legacy-just-works'
          ? ['legacy-pairing']
          : [],
    );
    if (id.startsWith('legacy')) {
      expect(pairing.findings.filter((f) => f.rule === 'confirm-verified')).toHaveLength(2);
      expect(pairing.findings.map((f) => f.rule)).toContain('stk-verified');
    } else {
      expect(pairing.method).toBe('secure-connections');
      expect(pairing.notVerifiable.join(' ')).toContain('DHKey');
    }
  });

  it('reads the same pairing from a datalink 2001 (Linux monitor) capture', async () => {
    const monitor = auditTrace(await ownCapture('sc-just-works', 2001));
    expect(monitor.pairings[0]!.model).toBe('just-works');
    expect(monitor.pairings[0]!.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('mutations of our captures give the matching finding', () => {
  const ids = DEMO_MODELS.map((m) => m.id);

  it('a widened mask: keydist-outside-mask', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.integer({ min: 0, max: 7 }), (id, pick) => {
        const all = records(id);
        const request = all.find((r) => smpCode(r) === 0x01)!;
        const index = all.findIndex((r) => smpCode(r) === 0x02);
        const requested = request.packet.data.subarray(8);
        // A bit the request did not set, in the initiator or responder mask of the response.
        const field = pick & 1 ? 5 : 6;
        const free = [0, 1, 2].map((b) => 1 << b).filter((bit) => !(requested[field]! & bit));
        fc.pre(free.length > 0);
        const data = Uint8Array.from(all[index]!.packet.data);
        data[8 + field]! |= free[(pick >> 1) % free.length]!;
        all[index] = withData(all[index]!, data);
        expect(rulesOf(rewrite(all))).toContain('keydist-outside-mask');
      }),
      { numRuns: 12 },
    );
  });

  it('reordered key PDUs: keydist-order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.nat(), (id, pick) => {
        const all = records(id);
        const keys = all
          .map((r, i) => [smpCode(r), i] as const)
          .filter(([code]) => code !== undefined && code >= 0x06 && code <= 0x0a);
        fc.pre(keys.length >= 2);
        const at = pick % (keys.length - 1);
        const [a, b] = [keys[at]![1], keys[at + 1]![1]];
        [all[a], all[b]] = [all[b]!, all[a]!];
        expect(rulesOf(rewrite(all))).toContain('keydist-order');
      }),
      { numRuns: 12 },
    );
  });

  it('a zeroed key: non-random', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.nat(), (id, pick) => {
        const all = records(id);
        const keys = all
          .map((r, i) => [smpCode(r), i] as const)
          .filter(([code]) => code === 0x06 || code === 0x08 || code === 0x0a);
        fc.pre(keys.length > 0);
        const index = keys[pick % keys.length]![1];
        const data = Uint8Array.from(all[index]!.packet.data);
        data.fill(0, 9, 25);
        all[index] = withData(all[index]!, data);
        expect(rulesOf(rewrite(all))).toContain('non-random');
      }),
      { numRuns: 12 },
    );
  });

  it('a reused nonce: non-random', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ids), (id) => {
        const all = records(id);
        const randoms = all.map((r, i) => [smpCode(r), i] as const).filter(([code]) => code === 0x04);
        fc.pre(randoms.length >= 2);
        const [first, second] = [randoms[0]![1], randoms[1]![1]];
        const data = Uint8Array.from(all[second]!.packet.data);
        data.set(all[first]!.packet.data.subarray(9, 25), 9);
        all[second] = withData(all[second]!, data);
        const findings = auditTrace(rewrite(all)).pairings.flatMap((p) => p.findings);
        expect(findings.find((f) => f.rule === 'non-random')?.message).toMatch(/equal to/);
      }),
      { numRuns: 6 },
    );
  });
});
