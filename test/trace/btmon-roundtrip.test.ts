/**
 * `--btmon` output (src/trace/btmon-writer.ts) is btmon's format, and the
 * auditor reads it back: for every association model, the pairing printed
 * with key logging audits exactly as the btsnoop capture of the same packets
 * does; with keys redacted (the default), the same pairings, and the
 * report says what the hidden keys keep from being checked.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_MODELS, runDemoPairing } from '../../src/cli/commands/demo.js';
import type { HciPacket } from '../../src/hci/h4.js';
import { auditTrace } from '../../src/trace/audit-trace.js';
import { BtsnoopWriter } from '../../src/trace/btsnoop-writer.js';

/** One demo pairing, as btmon text (keys shown or not) and as btsnoop, from the same packets. */
async function captured(model: (typeof DEMO_MODELS)[number], showKeys: boolean) {
  const chunks: Uint8Array[] = [];
  const btsnoop = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) });
  const lines: string[] = [];
  await runDemoPairing(
    model,
    (line) => lines.push(line),
    showKeys,
    (direction, packet: HciPacket) => btsnoop.record(direction, packet),
  );
  return { text: `${lines.join('\n')}\n`, btsnoop: Buffer.concat(chunks) };
}

/** What a report says of each pairing, to compare two reports. */
const summary = (report: ReturnType<typeof auditTrace>) =>
  report.pairings.map((p) => ({
    method: p.method,
    model: p.model,
    outcome: p.outcome,
    findings: p.findings.map((f) => `${f.severity} ${f.rule}`).sort(),
  }));

describe.each(DEMO_MODELS.map((m) => [m.id, m] as const))('btmon output of %s', (_id, model) => {
  it('with --log-keys audits exactly as the btsnoop capture of the same packets', async () => {
    const { text, btsnoop } = await captured(model, true);
    const fromText = auditTrace(new TextEncoder().encode(text));
    expect(fromText.format).toBe('btmon-text');
    const fromBtsnoop = auditTrace(btsnoop);
    expect(fromBtsnoop.pairings).toHaveLength(1);
    expect(summary(fromText)).toEqual(summary(fromBtsnoop));
  });

  it('with keys redacted (the default) still gives the pairing, its method, model and outcome', async () => {
    const { text, btsnoop } = await captured(model, false);
    expect(text).not.toMatch(/(Long term key|Identity resolving key): [0-9a-f]{32}/);
    const pick = (r: ReturnType<typeof auditTrace>) =>
      r.pairings.map(({ method, model, outcome }) => ({ method, model, outcome }));
    const fromText = auditTrace(new TextEncoder().encode(text));
    const fromBtsnoop = auditTrace(btsnoop);
    expect(pick(fromText)).toEqual(pick(fromBtsnoop));
    // The report says what the redacted keys keep from being checked, and finds nothing the capture does not.
    const rules = (r: ReturnType<typeof auditTrace>) =>
      new Set(r.pairings.flatMap((p) => p.findings.map((f) => f.rule)));
    expect(rules(fromText)).toContain('not-verifiable');
    const extra = [...rules(fromText)].filter(
      (rule) => rule !== 'not-verifiable' && !rules(fromBtsnoop).has(rule),
    );
    expect(extra).toEqual([]);
  });
});
