/**
 * Identity address (issue 13, item 9) on a real paste: the Microsoft Surface
 * Precision Mouse of lore-2019 connects from its static random address
 * E0:52:33:93:3B:21 and distributes the same six octets typed Public
 * (test/fixtures/traces/btmon/README.md). The paste elides the pairing with a
 * `....` line; a Pairing Request and Response (legacy Just Works, identity
 * keys negotiated) go above it and an Encryption Change below it, so that the
 * real Identity Address Information is judged in a pairing. Its own lines
 * stay as pasted.
 */
import { describe, expect, it } from 'vitest';
import type { PairingAudit } from '../../src/trace/index.js';
import { auditTrace } from '../../src/trace/index.js';
import { fixture } from './fixtures.js';

const MOUSE = 'btmon/lore-2019-surface-precision-mouse-identity-address.btmon.txt';

/** The paste with its elided pairing filled in; `edit` changes its real lines first. */
function mouse(edit: (lines: string[]) => void = () => {}): { lines: string[]; pairing: PairingAudit } {
  const lines = Buffer.from(fixture(MOUSE)).toString('utf8').split('\n');
  edit(lines);
  const elision = lines.indexOf('....');
  expect(elision).toBeGreaterThan(0);
  lines.splice(
    elision + 1,
    0,
    '> HCI Event: Encryption Change (0x08) plen 4',
    '        Status: Success (0x00)',
    '        Handle: 75',
    '        Encryption: Enabled with AES-CCM (0x01)',
  );
  lines.splice(
    elision,
    0,
    '< ACL Data TX: Handle 75 flags 0x00 dlen 11',
    '      SMP: Pairing Request (0x01) len 6',
    '        IO capability: KeyboardDisplay (0x04)',
    '        OOB data: Authentication data not present (0x00)',
    '        Authentication requirement: Bonding, No MITM, Legacy, No Keypresses (0x01)',
    '        Max encryption key size: 16',
    '        Initiator key distribution: EncKey IdKey (0x03)',
    '        Responder key distribution: EncKey IdKey (0x03)',
    '> ACL Data RX: Handle 75 flags 0x02 dlen 11',
    '      SMP: Pairing Response (0x02) len 6',
    '        IO capability: NoInputNoOutput (0x03)',
    '        OOB data: Authentication data not present (0x00)',
    '        Authentication requirement: Bonding, No MITM, Legacy, No Keypresses (0x01)',
    '        Max encryption key size: 16',
    '        Initiator key distribution: EncKey IdKey (0x03)',
    '        Responder key distribution: EncKey IdKey (0x03)',
  );
  const report = auditTrace(Buffer.from(lines.join('\n')));
  expect(report.pairings).toHaveLength(1);
  return { lines, pairing: report.pairings[0]! };
}
/** The 1-based line of the first line that contains `text`. */
const lineOf = (lines: string[], text: string) => lines.findIndex((l) => l.includes(text)) + 1;
const summary = (pairing: PairingAudit) => pairing.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);

describe('item 9 on the Surface Precision Mouse paste (lore-2019, btmon text)', () => {
  it('its static random address distributed typed Public: identity-address at the real PDU', () => {
    const { lines, pairing } = mouse();
    expect(pairing.responder.address).toBe('E0:52:33:93:3B:21 (random static)');
    const response = lineOf(lines, 'SMP: Pairing Response') - 1;
    const identity = lineOf(lines, 'SMP: Identity Address Information') - 1;
    expect(summary(pairing)).toEqual([
      `warning legacy-pairing ${response}`,
      `error identity-address ${identity}`,
    ]);
    expect(pairing.findings[1]!.message).toBe(
      "the responder's Identity Address Information (E0:52:33:93:3B:21 (public)) types as public the address the responder connected from as E0:52:33:93:3B:21 (random static): the same six octets with the other type are another device's address (Vol 6 Part B 1.3)",
    );
  });

  it('the same paste with the address typed Random (as the mouse should have sent it): verified, not flagged', () => {
    const { pairing } = mouse((lines) => {
      const type = lines.indexOf('        Address type: Public (0x00)');
      expect(type).toBeGreaterThan(0);
      lines[type] = '        Address type: Random (0x01)';
    });
    expect(pairing.findings.filter((f) => f.rule === 'identity-address')).toEqual([]);
    expect(pairing.verified).toContain("the responder's identity address is the address it connected from");
  });

  it('another static address than the one it connected from: flagged as a different identity', () => {
    const { pairing } = mouse((lines) => {
      const at = lines.lastIndexOf('        Address: E0:52:33:93:3B:21');
      lines[at - 1] = '        Address type: Random (0x01)';
      lines[at] = '        Address: E0:52:33:93:3B:22';
    });
    expect(pairing.findings.filter((f) => f.rule === 'identity-address').map((f) => f.message)).toEqual([
      expect.stringMatching(
        /is not the address the responder connected from, E0:52:33:93:3B:21 \(random static\)/,
      ),
    ]);
  });
});
