/**
 * The model case: the 2019 linux-bluetooth trace. Exactly the findings the
 * issue lists, with their line numbers, and no others.
 */
import { describe, expect, it } from 'vitest';
import { auditTrace } from '../../src/trace/index.js';
import { fixture, MAILING_LIST } from './fixtures.js';

const summary = (bytes: Uint8Array) =>
  auditTrace(bytes).pairings.flatMap((p) => p.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`));

/** Quotes every line with "> " and folds lines longer than 72 columns at a space, as a mail client does. */
function mailQuoted(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    while (
      rest.length > 72 &&
      rest.lastIndexOf(' ', 72) > 0 &&
      rest.slice(0, rest.lastIndexOf(' ', 72)).trim()
    ) {
      const cut = rest.lastIndexOf(' ', 72);
      out.push(`> ${rest.slice(0, cut)}`);
      rest = rest.slice(cut + 1).trimStart();
    }
    out.push(`> ${rest}`);
  }
  return out.join('\n');
}

describe('mailing-list trace (btmon text)', () => {
  const report = auditTrace(fixture(MAILING_LIST));
  const pairing = report.pairings[0]!;

  it('reads one legacy Just Works pairing with both addresses and the features', () => {
    expect(report.format).toBe('btmon-text');
    expect(report.pairings).toHaveLength(1);
    expect(pairing.initiator.address).toBe('B8:27:EB:15:50:70 (public)');
    expect(pairing.responder.address).toBe('D2:A7:4C:76:F3:E0 (random static)');
    expect(pairing.method).toBe('legacy');
    expect(pairing.model).toBe('just-works');
    expect(pairing.modelChoice).toContain('NoInputNoOutput x KeyboardOnly: JW');
    expect(pairing.negotiated).toEqual({ initiatorKeys: 'SignKey (0x04)', responderKeys: 'EncKey (0x01)' });
    expect(pairing.stk).toBe('7689a6b5371537b24f2c7c7805688df6');
    expect(pairing.outcome).toBe('failed');
  });

  it('gives exactly the listed findings, with their line numbers', () => {
    expect(summary(fixture(MAILING_LIST))).toEqual([
      'warning legacy-pairing 143', // legacy Just Works, named at the Pairing Response
      'info confirm-verified 156', // Mconfirm with TK = 0
      'info confirm-verified 163', // Sconfirm with TK = 0
      'info stk-verified 172', // LE Start Encryption carries s1(0, Srand, Mrand)
      'error keydist-outside-mask 195', // initiator's Encryption Information, mask 0x04
      'error non-random 195', // LTK ffeedd...00: a fixed pattern
      'error keydist-outside-mask 198', // initiator's Central Identification
      'error non-random 198', // Rand 0x8877665544332211: patterned
      'error non-random 202', // CSRK equal to the LTK
      'warning pairing-failed 205', // responder, Unspecified Reason
    ]);
    const byRule = (rule: string, where: number) =>
      pairing.findings.find((f) => f.rule === rule && f.where === where)!;
    expect(byRule('keydist-outside-mask', 195).message).toMatch(
      /initiator sent Encryption Information.*SignKey \(0x04\)/,
    );
    expect(byRule('non-random', 202).message).toContain("equal to the initiator's LTK (line 195)");
    expect(byRule('non-random', 198).message).toContain('1122334455667788');
    expect(byRule('pairing-failed', 205).message).toMatch(
      /responder .*D2:A7:4C:76:F3:E0.*0x08, Unspecified Reason/,
    );
    expect(byRule('legacy-pairing', 143).message).toMatch(
      /^LE legacy Just Works \(the initiator and responder did not set the SC bit\): TK = 0, so STK = s1\(0, Srand, Mrand\) .*readable by anyone who captured the pairing.*2\.3\.5\.2/,
    );
  });

  it('reads the same trace quoted and folded as pasted in mail, with the original line numbers', () => {
    const text = Buffer.from(fixture(MAILING_LIST)).toString('utf8');
    const quoted = mailQuoted(text);
    expect(quoted).not.toBe(text);
    const findings = auditTrace(Buffer.from(quoted)).pairings.flatMap((p) => p.findings.map((f) => f.rule));
    expect(findings).toEqual(pairing.findings.map((f) => f.rule));
    // Line numbers follow the quoted text: the header of the Encryption Information packet.
    const line = quoted.split('\n').findIndex((l) => l.includes('315.416056')) + 1;
    const headerLine =
      quoted.split('\n').findIndex(
        (l, i, all) =>
          l.startsWith('> < ACL Data TX') &&
          all
            .slice(i, i + 3)
            .join(' ')
            .includes('315.416056'),
      ) + 1;
    const where = auditTrace(Buffer.from(quoted)).pairings[0]!.findings.find(
      (f) => f.rule === 'keydist-outside-mask',
    )!.where;
    expect([line, headerLine]).toContain(where);
  });
});
