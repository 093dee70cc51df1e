/**
 * Issue 13, items 1 and 2: every SMP PDU counts, with or without its Pairing
 * Request in view (partial pairings), and who sent it follows from the HCI
 * direction when the capture has no Connection Complete. On the real
 * linux-bluetooth pastes, and on our own captures cut where a capture of
 * the field starts or stops.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS } from '../../src/cli/commands/demo.js';
import { main } from '../../src/cli/main.js';
import { decodePdu } from '../../src/smp/pdu.js';
import { HciDecoder } from '../../src/trace/hci-decoder.js';
import type { HciRecord, PairingAudit } from '../../src/trace/index.js';
import { auditTrace, TraceAuditor } from '../../src/trace/index.js';
import { records, rewrite, smpCode } from './capture-edits.js';
import { fixture, MAILING_LIST, ownCapture } from './fixtures.js';

const btmon = (name: string) => fixture(`btmon/${name}`);
const SURFACE = 'lore-2019-surface-precision-mouse-identity-address.btmon.txt';
const REPAIRING_2021 = 'lore-2021-sc-just-works-repairing-dhkey-check-failed.btmon.txt';
const SUFFIX_2025 = 'lore-2025-key-size-suffix-redacted-address.btmon.txt';

const rules = (pairing: PairingAudit) => pairing.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
const bytesOf = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const captures = new Map<string, HciRecord[]>();
beforeAll(async () => {
  for (const model of DEMO_MODELS) captures.set(model.id, records(await ownCapture(model.id)));
}, 120_000);
const own = (id: string): HciRecord[] => [...captures.get(id)!];

/** LE (Enhanced) Connection Complete: an LE Meta event with subevent 0x01 or 0x0a. */
const isConnectionComplete = (r: HciRecord) =>
  r.packet.type === 'event' && r.packet.data[0] === 0x3e && [0x01, 0x0a].includes(r.packet.data[2]!);

/** An HCI record carrying a whole SMP PDU on `handle`, sent `direction`. */
function smpRecord(at: number, direction: 'tx' | 'rx', pdu: readonly number[], handle = 0x0040): HciRecord {
  const length = pdu.length;
  const data = Uint8Array.of(
    handle & 0xff,
    (handle >> 8) | 0x20,
    (length + 4) & 0xff,
    (length + 4) >> 8,
    length & 0xff,
    length >> 8,
    0x06,
    0x00,
    ...pdu,
  );
  return { kind: 'hci', at, direction, packet: { type: 'acl', data } };
}

describe('real pastes: pairings that began before the capture', () => {
  it('2019 Surface mouse: the lone Identity Address Information is a partial pairing; its address contradicts the connection', async () => {
    const report = auditTrace(btmon(SURFACE));
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing).toMatchObject({
      partial: true,
      start: 21,
      method: 'unknown',
      connection: 'handle 0x004b',
    });
    // The Connection Complete (role Master) makes this host the initiator and the mouse the responder.
    expect(pairing.initiator.local).toBe(true);
    expect(pairing.responder).toMatchObject({ local: false, address: 'E0:52:33:93:3B:21 (random static)' });
    expect(rules(pairing)).toEqual(['error identity-address 21']);
    expect(pairing.findings[0]!.message).toMatch(
      /responder's Identity Address Information .*public.*random static/,
    );
    expect(pairing.notVerifiable.join('\n')).toMatch(/no Pairing Request/);
    // No encryption change is in view: not flagged as keys sent in the clear.
    expect(pairing.notVerifiable.join('\n')).toMatch(/encrypted link/);
  });

  it('2025 suffixed labels: three received key PDUs, roles unknown, Identity Address Information after Signing Information', () => {
    const report = auditTrace(btmon(SUFFIX_2025));
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing).toMatchObject({ partial: true, start: 7, outcome: 'incomplete' });
    expect(pairing.initiator.local).toBeUndefined();
    expect(rules(pairing)).toEqual(['error keydist-order 14', 'info not-verifiable 14']);
    const order = pairing.findings[0]!;
    expect(order.message).toMatch(
      /^the remote device sent Identity Address Information after Signing Information \(line 10\)/,
    );
    expect(order.related).toEqual([10]);
    expect(pairing.notVerifiable.join('\n')).toMatch(/told apart only by host/);
  });

  it('2021 re-pairing (no Connection Complete): the Security Request sent by this host makes it the peripheral, and its Pairing Failed is named as its own', () => {
    const pairing = auditTrace(btmon(REPAIRING_2021)).pairings[0]!;
    expect(pairing.partial).toBeUndefined();
    expect(pairing.initiator.local).toBe(false);
    expect(pairing.responder.local).toBe(true);
    const failed = pairing.findings.find((f) => f.rule === 'pairing-failed')!;
    expect(failed.message).toMatch(/^the responder \(local\) failed the pairing with reason 0x0b/);
  });

  it('the CLI exits 1 on both partial pastes (findings), and prints the partial pairing', async () => {
    for (const name of [SURFACE, SUFFIX_2025]) {
      const out: string[] = [];
      const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'ble-smp-partial-'));
      try {
        const file = join(dir, name);
        writeFileSync(file, btmon(name));
        const status = await main(['audit', file], { out: (t) => out.push(t), err: () => {} });
        expect(status, name).toBe(1);
        expect(out.join('\n')).toContain('(partial: no Pairing Request in the capture)');
        expect(out.join('\n')).not.toContain('No pairing in the capture');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('the mailing-list trace cut before each SMP PDU (a capture started late)', () => {
  const lines = text(fixture(MAILING_LIST)).split('\n');
  const full = auditTrace(fixture(MAILING_LIST)).pairings[0]!;
  const headers = lines
    .map((line, i) => ({ line, i }))
    .filter(({ line, i }) => /^[<>] ACL Data/.test(line) && /SMP:/.test(lines[i + 1] ?? ''));

  it('finds the SMP PDUs to cut at', () => {
    expect(headers.length).toBeGreaterThanOrEqual(10);
  });

  it('every cut keeps a pairing; the findings that need no Pairing Request stay, at the same packets; no early-encryption is invented', () => {
    const requestAt = headers[0]!.i;
    for (const { i } of headers) {
      const cut = lines.slice(i).join('\n');
      const report = auditTrace(bytesOf(cut));
      expect(report.pairings, `cut at line ${i + 1}`).toHaveLength(1);
      const pairing = report.pairings[0]!;
      expect(pairing.partial ?? false).toBe(i > requestAt);
      const shift = (at: number) => at + i; // line numbers of the cut text, back in the original
      const got = pairing.findings.map((f) => `${f.rule} ${shift(f.where)}`);
      const kept = full.findings
        .filter((f) => f.where > i && ['non-random', 'pairing-failed'].includes(f.rule))
        .map((f) => `${f.rule} ${f.where}`);
      for (const finding of kept) expect(got, `cut at line ${i + 1}`).toContain(finding);
      expect(got.filter((f) => f.startsWith('early-encryption'))).toEqual([]);
      if (i > requestAt) expect(pairing.notVerifiable.join('\n')).toMatch(/no Pairing Request/);
    }
  });
});

describe('our own captures without a Connection Complete: the roles from the HCI direction', () => {
  it.each(DEMO_MODELS.filter((m) => !m.oob).map((m) => m.id))(
    '%s: the same findings and senders, the local side inferred as the initiator',
    (id) => {
      const all = own(id);
      const withConnection = auditTrace(rewrite(all)).pairings[0]!;
      const without = all.filter((r) => !isConnectionComplete(r));
      expect(without.length).toBe(all.length - 1);
      const pairing = auditTrace(rewrite(without)).pairings[0]!;
      expect(pairing.initiator.local).toBe(true);
      expect(pairing.responder.local).toBe(false);
      expect(pairing.steps.map((s) => `${s.from} ${s.label}`)).toEqual(
        withConnection.steps.map((s) => `${s.from} ${s.label}`),
      );
      // Address checks need the connection; everything else judges the same.
      const addressFree = (p: PairingAudit) =>
        p.findings
          .filter(
            (f) =>
              !['confirm-verified', 'stk-verified', 'passkey-recovered', 'address-recovered'].includes(
                f.rule,
              ),
          )
          .map((f) => f.rule);
      expect(addressFree(pairing).filter((r) => r !== 'not-verifiable')).toEqual(
        addressFree(withConnection).filter((r) => r !== 'not-verifiable'),
      );
    },
  );

  it('fast-check: flipping every direction makes the captured host the responder, never changes who sent what', () => {
    const all = own('legacy-just-works').filter((r) => !isConnectionComplete(r));
    const base = auditTrace(rewrite(all)).pairings[0]!;
    fc.assert(
      fc.property(fc.boolean(), (flip) => {
        const variant = all.map((r) =>
          flip ? { ...r, direction: r.direction === 'tx' ? ('rx' as const) : ('tx' as const) } : r,
        );
        const pairing = auditTrace(rewrite(variant)).pairings[0]!;
        expect(pairing.initiator.local).toBe(!flip);
        expect(pairing.responder.local).toBe(flip);
        expect(pairing.steps.map((s) => s.from)).toEqual(base.steps.map((s) => s.from));
      }),
      { numRuns: 4 },
    );
  });
});

describe('generated: SMP PDUs with no Pairing Request', () => {
  const SECURITY_REQUEST = [0x0b, 0x0d];
  const PAIRING_NOT_SUPPORTED = [0x05, 0x05];

  it("a Security Request answered by Pairing Failed (no Connection Complete): a partial pairing, the failure named as the local initiator's", () => {
    const report = auditTrace(
      rewrite([smpRecord(1, 'rx', SECURITY_REQUEST), smpRecord(2, 'tx', PAIRING_NOT_SUPPORTED)]),
    );
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing).toMatchObject({ partial: true, start: 1, outcome: 'failed' });
    expect(pairing.initiator.local).toBe(true);
    expect(pairing.responder.local).toBe(false);
    const failed = pairing.findings.find((f) => f.rule === 'pairing-failed')!;
    expect(failed.where).toBe(2);
    expect(failed.message).toMatch(
      /^the initiator \(local\) failed the pairing with reason 0x05, Pairing Not Supported/,
    );
    expect(pairing.notVerifiable.join('\n')).toMatch(/Security Request was answered with Pairing Failed/);
    expect(pairing.steps.map((s) => `${s.from} ${s.label}`)).toEqual([
      'responder Security Request',
      'initiator Pairing Failed 0x05',
    ]);
  });

  it('a lone Pairing Failed: received, the remote device failed it; with no direction, the report says it cannot tell', () => {
    const received = auditTrace(rewrite([smpRecord(1, 'rx', [0x05, 0x08])])).pairings[0]!;
    expect(received.partial).toBe(true);
    expect(received.findings.find((f) => f.rule === 'pairing-failed')!.message).toMatch(
      /^the remote device failed the pairing with reason 0x08/,
    );
    const decoder = new HciDecoder();
    const events = decoder.push({ ...smpRecord(1, 'rx', [0x05, 0x08]), direction: 'unknown' });
    expect(events[0]).not.toHaveProperty('device');
    const auditor = new TraceAuditor();
    auditor.push([{ ...smpRecord(1, 'rx', [0x05, 0x08]), direction: 'unknown' }], 'frame');
    const unknown = auditor.finish().pairings[0]!;
    expect(unknown.findings.find((f) => f.rule === 'pairing-failed')!.message).toMatch(
      /^one side \(the capture does not say which\) failed/,
    );
  });

  it('a Pairing Response without its Request: the masks it negotiated are checked against the keys that follow', () => {
    const all = own('legacy-just-works').filter((r) => !isConnectionComplete(r));
    const request = all.findIndex((r) => smpCode(r) === 0x01);
    all.splice(request, 1);
    const report = auditTrace(rewrite(all));
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing.partial).toBe(true);
    // The Pairing Response (received) still tells the roles: this host is the central.
    expect(pairing.initiator.local).toBe(true);
    expect(pairing.negotiated).toBeDefined();
    expect(pairing.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Now distribute a key outside the responder's mask: flagged from the Response alone.
    const response = all.findIndex((r) => smpCode(r) === 0x02);
    const edited = all.map((r, i) =>
      i === response ? { ...r, packet: { ...r.packet, data: Uint8Array.from(r.packet.data) } } : r,
    );
    edited[response]!.packet.data[8 + 6] = 0x00; // responder keys: none
    const judged = auditTrace(rewrite(edited)).pairings[0]!;
    expect(
      judged.findings.some((f) => f.rule === 'keydist-outside-mask' && /responder/.test(f.message)),
    ).toBe(true);
  });

  it('a Security Request nothing answers opens no pairing', () => {
    expect(auditTrace(rewrite([smpRecord(1, 'rx', SECURITY_REQUEST)])).pairings).toEqual([]);
  });

  it('the live audit ends a partial pairing at its Pairing Failed', () => {
    const auditor = new TraceAuditor();
    auditor.push([smpRecord(1, 'rx', SECURITY_REQUEST)], 'frame');
    expect(auditor.ended()).toEqual([]);
    auditor.push([smpRecord(2, 'tx', PAIRING_NOT_SUPPORTED)], 'frame');
    const ended = auditor.ended();
    expect(ended.map((p) => [p.partial, p.outcome])).toEqual([[true, 'failed']]);
  });

  it('fast-check: any run of SMP PDUs on a link, any directions, audits without throwing; every PDU lands in exactly one pairing', () => {
    const pdu = fc.oneof(
      fc.constant([0x05, 0x08]),
      fc.constant([0x0b, 0x01]),
      fc.constant([0x02, 0x03, 0x00, 0x01, 0x10, 0x00, 0x01]),
      fc.constant([0x01, 0x03, 0x00, 0x01, 0x10, 0x01, 0x01]),
      fc
        .tuple(fc.constantFrom(0x03, 0x04, 0x06, 0x08, 0x0a), fc.uint8Array({ minLength: 16, maxLength: 16 }))
        .map(([code, value]) => [code, ...value]),
      fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => [...b]),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('tx', 'rx') as fc.Arbitrary<'tx' | 'rx'>, pdu), { maxLength: 12 }),
        (run) => {
          const bytes = rewrite(run.map(([direction, p], i) => smpRecord(i + 1, direction, p)));
          const report = auditTrace(bytes);
          const inPairings = report.pairings.flatMap((p) => p.steps.map((s) => s.at));
          expect(new Set(inPairings).size).toBe(inPairings.length);
          // Every PDU that reads as one lands in a pairing, but a Security Request that nothing answered.
          const readable = run
            .map(([, p], i) => ({ at: i + 1, ok: decodePdu(Uint8Array.from(p)).ok, code: p[0] }))
            .filter((p) => p.ok && p.code !== 0x0b)
            .map((p) => p.at);
          for (const at of readable) expect(inPairings).toContain(at);
        },
      ),
      { numRuns: 200 },
    );
  });
});
