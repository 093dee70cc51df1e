/** The crackle captures: over-the-air legacy Just Works, legacy Passkey Entry, and Secure Connections. */
import { describe, expect, it } from 'vitest';
import { auditTrace } from '../../src/trace/index.js';
import { fixture } from './fixtures.js';

const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);

describe('crackle captures (pcap/pcapng, BLE link layer)', () => {
  it('crackle-05: recovers the passkey and the STK checks out against the encrypted link', () => {
    const report = auditTrace(fixture('crackle-05-legacy-passkey-numeric-pin.pcap'));
    expect(report.format).toBe('pcap');
    const pairing = report.pairings[0]!;
    expect(pairing.model).toBe('passkey');
    expect(pairing.passkey).toBe(461140);
    expect(rules(pairing.findings)).toEqual(
      expect.arrayContaining(['legacy-pairing', 'passkey-recovered', 'confirm-verified', 'stk-verified']),
    );
    expect(pairing.findings.filter((f) => f.rule === 'confirm-verified')).toHaveLength(2);
    expect(pairing.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Decrypted with the derived STK: the distributed keys are read from the encrypted link.
    expect(pairing.steps.some((s) => s.label === 'Encryption Information')).toBe(true);
  });

  it('crackle-01: Just Works confirms check out with TK = 0; the legacy pairing is named', () => {
    const pairing = auditTrace(fixture('crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap')).pairings[0]!;
    expect(pairing.model).toBe('just-works');
    expect(pairing.passkey).toBe(0);
    expect(pairing.findings.filter((f) => f.rule === 'confirm-verified').map((f) => f.where)).toEqual([
      569, 572,
    ]);
    expect(rules(pairing.findings)).toContain('stk-verified');
    // Legacy Just Works: TK = 0, so the STK and the keys under it are anyone's who captured it.
    expect(
      pairing.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.rule} ${f.where}`),
    ).toEqual(['warning legacy-pairing 568']);
  });

  it('crackle-04: recognised as Secure Connections, with what can and cannot be verified', () => {
    const report = auditTrace(fixture('crackle-04-le-secure-connections.pcapng'));
    expect(report.format).toBe('pcapng');
    const pairing = report.pairings[0]!;
    expect(pairing.method).toBe('secure-connections');
    expect(pairing.model).toBe('just-works');
    expect(pairing.findings.map((f) => `${f.rule} ${f.where}`)).toEqual(['confirm-verified 140']);
    expect(pairing.verified.join(' ')).toContain('Cb = f4(PKbx, PKax, Nb, 0)');
    expect(pairing.notVerifiable.join(' ')).toMatch(/DHKey.*Ea\/Eb.*LTK/);
    expect(pairing.stk).toBeUndefined();
  });
});
