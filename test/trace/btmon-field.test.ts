/**
 * btmon text as people paste it: real pastes from the linux-bluetooth list
 * (test/fixtures/traces/btmon, provenance in its README) and variants this
 * file generates from them (labelled "generated"): elision lines in column 0,
 * the size-suffixed labels and hex dumps of newer btmon, redacted values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HciDecoder } from '../../src/trace/hci-decoder.js';
import {
  auditTrace,
  type HciRecord,
  readTrace,
  TraceReadError,
  TraceReader,
  type TraceRecord,
} from '../../src/trace/index.js';
import { fixture, MAILING_LIST } from './fixtures.js';

const btmon = (name: string) => fixture(`btmon/${name}`);
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const bytesOf = (s: string) => new TextEncoder().encode(s);
const hexOf = (data: Uint8Array) => Buffer.from(data).toString('hex');
const hci = (records: readonly TraceRecord[]) => records.filter((r): r is HciRecord => r.kind === 'hci');
const findings = (bytes: Uint8Array) =>
  auditTrace(bytes).pairings.flatMap((p) => p.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`));
/** The SMP PDU of an ACL record rebuilt from text (one whole frame): code and parameters. */
const smpOf = (record: HciRecord) => record.packet.data.subarray(8);

const SURFACE = 'lore-2019-surface-precision-mouse-identity-address.btmon.txt';
const REPAIRING_2021 = 'lore-2021-sc-just-works-repairing-dhkey-check-failed.btmon.txt';
const IPAD_2023 = 'lore-2023-bluez-5.65-sc-repairing-elided.btmon.txt';
const SUFFIX_2025 = 'lore-2025-key-size-suffix-redacted-address.btmon.txt';

describe('real pastes (linux-bluetooth)', () => {
  it('2019 Surface mouse: the elided pairing leaves the connection and the identity address, which contradicts it', () => {
    const { records } = readTrace(btmon(SURFACE));
    expect(records.map((r) => r.at)).toEqual([7, 21]);
    const decoder = new HciDecoder();
    const events = hci(records).flatMap((r) => decoder.push(r));
    expect(events).toHaveLength(2);
    const [connection, smp] = events;
    expect(connection).toMatchObject({ type: 'connection', localRole: 'central', link: 'handle 0x004b' });
    const peer = connection!.type === 'connection' ? connection!.peripheral! : undefined;
    expect(peer?.type).toBe(1); // connected from its static random address
    expect(hexOf(peer!.address)).toBe('213b933352e0');
    expect(smp).toMatchObject({ type: 'smp', sender: 'peripheral', link: 'handle 0x004b' });
    const pdu = smp!.type === 'smp' && smp!.decoded.ok ? smp!.decoded.pdu : undefined;
    expect(pdu).toMatchObject({ type: 'identity-address-information', addressType: 0 }); // typed public
    expect(hexOf((pdu as { address: Uint8Array }).address)).toBe('213b933352e0'); // the same six octets
  });

  it('2021 re-pairing: SC Just Works from the fragmented public keys; Cb checks out, the initiator nonce is cc..cc, DHKey check failed', () => {
    const report = auditTrace(btmon(REPAIRING_2021));
    expect(report.format).toBe('btmon-text');
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing).toMatchObject({
      method: 'secure-connections',
      model: 'just-works',
      outcome: 'failed',
      modelChoice: 'neither side set MITM',
    });
    // Both public keys, though each came in three ACL fragments (the first two printed without fields).
    expect(pairing.steps.filter((s) => s.label === 'Pairing Public Key').map((s) => s.at)).toEqual([44, 50]);
    const summary = pairing.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
    expect(summary).toContain('info confirm-verified 54'); // Cb = f4(PKbx, PKax, Nb, 0)
    expect(summary).toContain('error non-random 69'); // Random value: cccccccccccccccccccccccccccccccc
    expect(summary).toContain('warning pairing-failed 96');
    expect(pairing.findings.find((f) => f.rule === 'pairing-failed')!.message).toContain('0x0b');
    expect(pairing.findings.find((f) => f.rule === 'non-random')!.message).toMatch(
      /initiator.*one octet \(0xcc\)/,
    );
  });

  it('2023 BlueZ 5.65: the Pairing Response above the "..." line is kept; SC Just Works despite MITM, Cb checks out, DHKey check failed', () => {
    const { records } = readTrace(btmon(IPAD_2023));
    // Request, ATT, Response, then the packets after the elision; nothing from the prose or the config file.
    expect(records.map((r) => r.at)).toEqual([41, 53, 63, 67, 71, 78, 85, 98, 104]);
    const response = hci(records).find((r) => r.at === 53)!;
    expect(hexOf(smpOf(response))).toBe('0203002d100301');
    const report = auditTrace(btmon(IPAD_2023));
    expect(report.pairings).toHaveLength(1);
    const pairing = report.pairings[0]!;
    expect(pairing).toMatchObject({ method: 'secure-connections', model: 'just-works', outcome: 'failed' });
    expect(pairing.modelChoice).toContain('NoInputNoOutput x KeyboardDisplay: JW');
    expect(pairing.modelChoice).toContain('MITM was requested');
    expect(pairing.initiator.features?.ioCapability).toContain('KeyboardDisplay');
    expect(pairing.responder.features?.responderKeys).toBe('EncKey (0x01)');
    const summary = pairing.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
    expect(summary).toContain('info confirm-verified 71');
    expect(summary).toContain('warning pairing-failed 104');
    expect(summary.filter((f) => f.startsWith('error'))).toEqual([]);
  });

  it('2025 suffixed labels: IRK[16] and CSRK[16] read, the kernel line not glued, the redacted address kept unknown', () => {
    const { records } = readTrace(btmon(SUFFIX_2025));
    expect(records.map((r) => r.at)).toEqual([7, 10, 14]);
    const [irk, csrk, identity] = hci(records);
    expect(hexOf(smpOf(irk!))).toBe('08d7e08edef97d3e62cd2331f82d8073b0');
    expect(hexOf(smpOf(csrk!))).toBe('0a1716c536f94e843a9aea8b13ffde477d');
    expect(csrk!.unknown).toBeUndefined();
    // Identity Address Information: public (the company name says so), address unknown.
    expect(hexOf(smpOf(identity!))).toBe('0900000000000000');
    expect(identity!.unknown).toEqual([{ field: 'Address', offset: 10, length: 6, line: 16 }]);
    const decoder = new HciDecoder();
    const smp = hci(records).flatMap((r) => decoder.push(r));
    expect(smp.map((e) => (e.type === 'smp' && e.decoded.ok ? e.decoded.pdu.type : e.type))).toEqual([
      'identity-information',
      'signing-information',
      'identity-address-information',
    ]);
    expect(smp[2]).toMatchObject({ unknown: [{ field: 'Address', offset: 2, length: 6, line: 16 }] });
  });

  it('every real paste reads the same in any chunking', () => {
    for (const name of [SURFACE, REPAIRING_2021, IPAD_2023, SUFFIX_2025]) {
      const bytes = btmon(name);
      const whole = JSON.stringify(readTrace(bytes).records, (_k, v) =>
        v instanceof Uint8Array ? hexOf(v) : v,
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 97 }), (size) => {
          const reader = new TraceReader();
          const out: TraceRecord[] = [];
          for (let i = 0; i < bytes.length; i += size) out.push(...reader.push(bytes.subarray(i, i + size)));
          out.push(...reader.end());
          expect(JSON.stringify(out, (_k, v) => (v instanceof Uint8Array ? hexOf(v) : v))).toBe(whole);
        }),
        { numRuns: 10 },
      );
    }
  });
});

/** Generated: the mailing-list trace printed as newer btmon prints hex values. */
function withSizes(original: string, hexdump: boolean): string {
  const sizes: Record<string, number> = {
    'Confim value': 16,
    'Random value': 16,
    'Long term key': 16,
    'Signature key': 16,
    'Identity resolving key': 16,
  };
  return original
    .split('\n')
    .flatMap((line) => {
      const match = /^(\s+)([A-Za-z ]+): ([0-9a-f]+)$/.exec(line);
      const size = match && sizes[match[2]!];
      if (!match || !size || match[3]!.length !== size * 2) return [line];
      if (!hexdump) return [`${match[1]}${match[2]}[${size}]: ${match[3]}`];
      const octets = match[3]!.match(/../g)!;
      const ascii = octets.map((o) =>
        Number.parseInt(o, 16) >= 0x20 && Number.parseInt(o, 16) < 0x7f
          ? String.fromCharCode(Number.parseInt(o, 16))
          : '.',
      );
      return [`${match[1]}${match[2]}[${size}]:`, `${match[1]}${octets.join(' ')}  ${ascii.join('')}`];
    })
    .join('\n');
}

describe('generated: label variants of newer btmon', () => {
  const original = text(fixture(MAILING_LIST));
  const expected = findings(fixture(MAILING_LIST));

  it('`Label[16]: value` (2024 on) audits exactly as the original', () => {
    const variant = withSizes(original, false);
    expect(variant).toContain('Long term key[16]: ffeeddccbbaa99887766554433221100');
    expect(findings(bytesOf(variant))).toEqual(expected);
  });

  it('`Label[16]:` with a hex dump below (2026 on) audits as the original, line numbers following the dump rows', () => {
    const variant = withSizes(original, true);
    expect(variant).toMatch(
      /Long term key\[16\]:\n\s+ff ee dd cc bb aa 99 88 77 66 55 44 33 22 11 00 {2}\S+/,
    );
    const report = auditTrace(bytesOf(variant));
    expect(report.pairings[0]!.stk).toBe('7689a6b5371537b24f2c7c7805688df6');
    expect(report.pairings[0]!.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(
      expected.map((f) => f.replace(/ \d+$/, '')),
    );
  });

  it('a hex dump cut short leaves the PDU unreadable, never wrong', () => {
    const variant = original.replace(
      '        Random value: 25498f1cc873d7450460df3b5ce2ab7e',
      '        Random value[16]:\n        25 49 8f 1c c8 73 d7 45  %I...s.E',
    );
    const records = hci(readTrace(bytesOf(variant)).records);
    expect(records.some((r) => r.packet.type === 'acl' && smpOf(r)[0] === 0x04 && r.direction === 'tx')).toBe(
      false,
    );
  });
});

const ELISIONS = [
  '...',
  '....',
  '[...]',
  '<snip>',
  '[snip]',
  '-- snip --',
  '(...)',
  '…',
  '--- 8< ---',
  '[... 12 lines skipped ...]',
];

describe('generated: elision lines in column 0', () => {
  const original = text(fixture(MAILING_LIST));
  const lines = original.split('\n');
  const { records: originals } = readTrace(fixture(MAILING_LIST));
  /** The header line of the block each line belongs to (undefined before the first header). */
  const blockOf: (number | undefined)[] = [];
  let header: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (/^[<>@=] \S/.test(line)) header = i + 1;
    blockOf.push(header);
  }

  it('an elision marker is never glued onto the field above it', () => {
    for (const marker of ELISIONS) {
      const variant = original.replace(
        '        Responder key distribution: EncKey (0x01)\n',
        `        Responder key distribution: EncKey (0x01)\n${marker}\n`,
      );
      const response = hci(readTrace(bytesOf(variant)).records).find(
        (r) => r.packet.type === 'acl' && smpOf(r)[0] === 0x02,
      );
      expect(response, marker).toBeDefined();
      expect(hexOf(smpOf(response!)), marker).toBe('02030001100401');
    }
  });

  it('fields after an elision belong to a packet not shown: never to the one above', () => {
    for (const marker of ELISIONS) {
      // The Encryption Information header and PDU line, then the elision, then a key line of some other packet.
      const variant = original.replace(
        '      SMP: Encryption Information (0x06) len 16\n        Long term key: ffeeddccbbaa99887766554433221100\n',
        `      SMP: Encryption Information (0x06) len 16\n${marker}\n        Long term key: ffeeddccbbaa99887766554433221100\n`,
      );
      const records = hci(readTrace(bytesOf(variant)).records);
      expect(
        records.some((r) => r.at === 195),
        marker,
      ).toBe(false);
      expect(records.filter((r) => r.packet.type === 'acl')).toHaveLength(
        hci(readTrace(fixture(MAILING_LIST)).records).filter((r) => r.packet.type === 'acl').length - 1,
      );
    }
  });

  it('inserted before any line, each marker keeps every packet of the other blocks, unchanged', () => {
    for (const marker of ['...', '[...]', '<snip>']) {
      for (let i = 0; i <= lines.length; i++) {
        const variant = [...lines.slice(0, i), marker, ...lines.slice(i)].join('\n');
        const { records } = readTrace(bytesOf(variant));
        const cut = blockOf[i]; // the block the marker lands in, if any: it may lose its later fields
        const kept = originals.filter((r) => r.at !== cut);
        const shifted = (at: number) => (at > i ? at + 1 : at);
        const got = new Map(hci(records).map((r) => [r.at, hexOf(r.packet.data)]));
        for (const record of hci(kept))
          expect(got.get(shifted(record.at)), `${marker} before line ${i + 1}`).toBe(
            hexOf(record.packet.data),
          );
        // Nothing new: the cut block yields its packet unchanged or not at all.
        expect(records.length).toBeLessThanOrEqual(originals.length);
        const all = new Map(hci(originals).map((r) => [shifted(r.at), hexOf(r.packet.data)]));
        for (const record of hci(records)) expect(all.get(record.at)).toBe(hexOf(record.packet.data));
      }
    }
  });

  it('the audit of the trace elided anywhere never throws and keeps the findings of the untouched blocks', () => {
    const expected = auditTrace(fixture(MAILING_LIST)).pairings[0]!.findings;
    const request = lines.findIndex((l) => l.includes('SMP: Pairing Request'));
    expect(request).toBeGreaterThan(100);
    for (let i = 0; i <= lines.length; i++) {
      const variant = [...lines.slice(0, i), '...', ...lines.slice(i)].join('\n');
      const report = auditTrace(bytesOf(variant));
      if (i < request) {
        // Before the SMP exchange (connection set-up): every pairing finding stays.
        // With the connection elided, c1 gives the addresses back (address-recovered): the rest is as before.
        const got = report.pairings.flatMap((p) =>
          p.findings.map((f) => f.rule).filter((r) => r !== 'address-recovered'),
        );
        if (report.pairings[0]?.initiator.address && report.pairings[0].responder.address)
          expect(got).toEqual(expected.map((f) => f.rule));
      }
    }
  });

  it('foreign text at column 0 (a kernel log line) is skipped, a folded line still joined', () => {
    const kernel = original.replace(
      '        Long term key: ffeeddccbbaa99887766554433221100\n',
      '        Long term key: ffeeddccbbaa99887766554433221100\nBluetooth: hci0: unexpected SMP command 0x06 from B8:27:EB:15:50:70\n',
    );
    expect(findings(bytesOf(kernel))).toEqual(
      findings(fixture(MAILING_LIST)).map((f) =>
        f.replace(/ (\d+)$/, (_m, n) => ` ${Number(n) > 195 ? Number(n) + 1 : n}`),
      ),
    );
    // Glued onto `Reason: Unspecified reason (0x08)`, it would spoil the value and lose the Pairing Failed.
    const afterReason = original.replace(
      '        Reason: Unspecified reason (0x08)\n',
      '        Reason: Unspecified reason (0x08)\nBluetooth: hci0: SMP pairing failed\n',
    );
    expect(findings(bytesOf(afterReason))).toContain('warning pairing-failed 205');
    // A field folded by a mail client (the line above ran past 70 columns) is joined again.
    const folded = original.replace(
      '        Authentication requirement: Bonding, No MITM, Legacy, No Keypresses (0x01)',
      '        Authentication requirement: Bonding, No MITM, Legacy, No\nKeypresses (0x01)',
    );
    expect(auditTrace(bytesOf(folded)).pairings[0]!.model).toBe('just-works');
  });
});

/** Generated: the mailing-list trace with values redacted as people redact them. */
function redact(original: string, label: string, replacement: (value: string) => string): string {
  return original.replace(
    new RegExp(`(\\n\\s+${label}: )(\\S+)`, 'g'),
    (_m, head, value) => `${head}${replacement(value)}`,
  );
}

describe('generated: redacted values', () => {
  const original = text(fixture(MAILING_LIST));

  it('redacted keys keep their PDUs: the mask checks still run, the randomness of the hidden values is not judged but named', () => {
    const variant = redact(
      redact(original, 'Long term key', (v) => 'x'.repeat(v.length)),
      'Signature key',
      (v) => 'x'.repeat(v.length),
    );
    const report = auditTrace(bytesOf(variant));
    const summary = report.pairings[0]!.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
    expect(summary).toContain('error keydist-outside-mask 195'); // the Encryption Information still counts
    expect(summary).toContain('error keydist-outside-mask 198');
    expect(summary).toContain('error non-random 198'); // Rand is shown: still judged
    expect(summary).not.toContain('error non-random 195');
    expect(summary).not.toContain('error non-random 202');
    const hidden = report.pairings[0]!.findings.filter((f) => f.rule === 'not-verifiable');
    expect(hidden.map((f) => f.where)).toEqual(expect.arrayContaining([184, 195, 202]));
    expect(hidden.find((f) => f.where === 195)!.message).toMatch(
      /initiator's Encryption Information: Long term key is redacted/,
    );
    expect(hidden.find((f) => f.where === 195)!.message).toContain('whether the LTK is random');
    // The STK in LE Start Encryption is hidden too: neither verified nor a mismatch.
    expect(summary.some((f) => /stk-verified|stk-mismatch|zero-ltk/.test(f))).toBe(false);
    expect(hidden.find((f) => f.where === 172)!.message).toContain('the key that started encryption');
    expect(report.pairings[0]!.stk).toBe('7689a6b5371537b24f2c7c7805688df6'); // still derived from the randoms
  });

  it('partly masked values (`ffeeddccxxxx...`, `0x8877xxxxxxxxxxxx`) are hidden whole', () => {
    const variant = redact(original, 'Rand', (v) => `${v.slice(0, 6)}${'x'.repeat(v.length - 6)}`);
    const report = auditTrace(bytesOf(variant));
    const summary = report.pairings[0]!.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
    expect(summary).not.toContain('error non-random 198');
    expect(summary).toContain('info not-verifiable 198');
  });

  it('redacted addresses (`XX:XX:XX:XX:XX:XX`): not failed but recovered from a confirm (TK = 0), and both confirms checked against them', () => {
    const variant = original.replace(/([0-9A-F]{2}:){5}[0-9A-F]{2}/g, 'XX:XX:XX:XX:XX:XX');
    const report = auditTrace(bytesOf(variant));
    const pairing = report.pairings[0]!;
    const shown = auditTrace(bytesOf(original)).pairings[0]!;
    expect(pairing.initiator).toMatchObject({ address: shown.initiator.address, addressRecovered: true });
    expect(pairing.responder).toMatchObject({ address: shown.responder.address, addressRecovered: true });
    expect(pairing.findings.filter((f) => f.rule === 'confirm-mismatch')).toEqual([]);
    expect(pairing.findings.filter((f) => f.rule === 'confirm-verified')).toHaveLength(2);
    expect(pairing.findings.filter((f) => f.rule === 'address-recovered')).toHaveLength(1);
    expect(pairing.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.where}`)).toEqual(
      [
        'keydist-outside-mask 195',
        'non-random 195',
        'keydist-outside-mask 198',
        'non-random 198',
        'non-random 202',
      ],
    );
  });

  it('a redacted confirm or random keeps its PDU in the order, and skips the c1 check it feeds', () => {
    const variant = original.replace(
      'Confim value: 12e170d20c0bb8beb6d7c59bb006acd0',
      `Confim value: ${'xx'.repeat(16)}`,
    );
    const pairing = auditTrace(bytesOf(variant)).pairings[0]!;
    const summary = pairing.findings.map((f) => `${f.severity} ${f.rule} ${f.where}`);
    expect(summary).not.toContain('error confirm-mismatch 156');
    expect(summary).toContain('info not-verifiable 156');
    expect(summary).toContain('info confirm-verified 163'); // Sconfirm, shown, still checked
    expect(pairing.steps.some((s) => s.at === 156 && s.label === 'Pairing Confirm')).toBe(true);
  });

  it('fast-check: random elisions and redactions throw nothing but TraceReadError and never invent a packet', () => {
    const lines = original.split('\n');
    const originals = hci(readTrace(fixture(MAILING_LIST)).records);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(lines.length), fc.constantFrom(...ELISIONS, 'redact', 'redact-address', 'noise')),
          { maxLength: 12 },
        ),
        (edits) => {
          const edited = [...lines];
          const origin: (number | undefined)[] = edited.map((_l, i) => i);
          for (const [at, edit] of edits) {
            const i = Math.min(at, edited.length);
            if (edit === 'redact' || edit === 'redact-address') {
              if (i >= edited.length) continue;
              edited[i] =
                edit === 'redact'
                  ? edited[i]!.replace(
                      /: (0x)?([0-9a-f]{4,})$/,
                      (_m, x, v) => `: ${x ?? ''}${'x'.repeat(v.length)}`,
                    )
                  : edited[i]!.replace(/([0-9A-F]{2}:){5}[0-9A-F]{2}/, 'XX:XX:XX:XX:XX:XX');
            } else {
              edited.splice(i, 0, edit === 'noise' ? 'Bluetooth: hci0: something' : edit);
              origin.splice(i, 0, undefined);
            }
          }
          let records: TraceRecord[];
          try {
            records = readTrace(bytesOf(edited.join('\n'))).records;
            auditTrace(bytesOf(edited.join('\n')));
          } catch (error) {
            if (error instanceof TraceReadError) return;
            throw error;
          }
          for (const record of hci(records)) {
            // Each packet is one of the original's, at the same header line, the hidden octets zeroed.
            const from = origin[record.at - 1];
            const source = originals.find((r) => from !== undefined && r.at === from + 1);
            expect(source, `line ${record.at}`).toBeDefined();
            const expected = Uint8Array.from(source!.packet.data);
            for (const u of record.unknown ?? []) expected.fill(0, u.offset, u.offset + u.length);
            expect(hexOf(record.packet.data)).toBe(hexOf(expected));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
