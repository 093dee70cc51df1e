/**
 * Issue 13, item 13: the audit of a large btsnoop leaves out, before making
 * a record of them, the ACL packets no SMP audit needs (a whole L2CAP frame
 * on another channel). It must judge exactly as the full read does, with the
 * capture's own frame numbers and packet count, in every btsnoop datalink,
 * with SMP PDUs and other frames fragmented over several ACL packets.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS } from '../../src/cli/commands/demo.js';
import type { HciPacket } from '../../src/hci/h4.js';
import { BtsnoopWriter, btsnoopHeader } from '../../src/trace/btsnoop-writer.js';
import { type AuditReport, readTrace, TraceAuditor, TraceReader } from '../../src/trace/index.js';
import { otherChannelFrame } from '../../src/trace/readers/acl-filter.js';
import { records } from './capture-edits.js';
import { ownCapture } from './fixtures.js';

type Entry = readonly [direction: 'tx' | 'rx', packet: HciPacket];

const captures = new Map<string, Entry[]>();
beforeAll(async () => {
  for (const model of DEMO_MODELS) {
    captures.set(
      model.id,
      records(await ownCapture(model.id)).map((r) => [r.direction === 'rx' ? 'rx' : 'tx', r.packet] as const),
    );
  }
}, 120_000);

/** An ACL packet on handle 0x0040: `pb` 0 (first, non-flushable), 2 (first) or 1 (continuation). */
const acl = (pb: number, payload: readonly number[]): HciPacket => ({
  type: 'acl',
  data: Uint8Array.of(0x40, (pb << 4) & 0x30, payload.length & 0xff, payload.length >> 8, ...payload),
});
/** An L2CAP frame on `cid` split into ACL packets of at most `size` octets of payload. */
function frame(cid: number, body: readonly number[], size: number): HciPacket[] {
  const whole = [body.length & 0xff, body.length >> 8, cid & 0xff, cid >> 8, ...body];
  const out: HciPacket[] = [];
  for (let at = 0; at < whole.length; at += size) out.push(acl(at === 0 ? 2 : 1, whole.slice(at, at + size)));
  return out;
}

function btsnoop(entries: readonly Entry[], datalink: 1001 | 1002 | 2001 = 1002): Uint8Array {
  if (datalink === 1001) return btsnoop1001(entries);
  const chunks: Uint8Array[] = [];
  const writer = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) }, datalink);
  for (const [i, [direction, packet]] of entries.entries()) writer.record(direction, packet, 1_000_000 + i);
  return Buffer.concat(chunks);
}

/**
 * Datalink 1001 (HCI without indicator), which our writer does not write: the
 * record flags say direction (bit 0) and command or event (bit 1), as the
 * btsnoop format description gives them.
 */
function btsnoop1001(entries: readonly Entry[]): Uint8Array {
  const header = btsnoopHeader();
  new DataView(header.buffer, header.byteOffset).setUint32(12, 1001);
  const parts: Uint8Array[] = [header];
  for (const [i, [direction, packet]] of entries.entries()) {
    const record = new Uint8Array(24 + packet.data.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, packet.data.length);
    view.setUint32(4, packet.data.length);
    view.setUint32(8, (direction === 'rx' ? 1 : 0) | (packet.type === 'acl' ? 0 : 2));
    // Microseconds since 0 AD: the Unix epoch offset plus a second per record.
    view.setBigUint64(16, 0x00dcddb30f2f8000n + BigInt(i) * 1_000_000n);
    record.set(packet.data, 24);
    parts.push(record);
  }
  return Buffer.concat(parts);
}

/** The audit in chunks of `chunk` octets, read whole or `smpOnly`. */
function audit(bytes: Uint8Array, smpOnly: boolean, chunk = 4096): { report: AuditReport; returned: number } {
  const reader = new TraceReader({ smpOnly });
  const auditor = new TraceAuditor();
  let returned = 0;
  for (let at = 0; at < bytes.length; at += chunk)
    returned += auditor.read(reader, bytes.subarray(at, at + chunk)).length;
  returned += auditor.read(reader).length;
  return { report: auditor.finish(), returned };
}
const judged = (report: AuditReport) =>
  report.pairings.map((p) => ({
    start: p.start,
    outcome: p.outcome,
    findings: p.findings.map((f) => `${f.rule} ${f.where}`),
  }));

describe('otherChannelFrame', () => {
  it('true only for a whole frame on another channel than SMP', () => {
    const [att] = frame(0x0004, [0x1b, 0x10, 0x00, 1, 2, 3], 64);
    const [smp] = frame(0x0006, [0x05, 0x08], 64);
    expect(otherChannelFrame(att!.data, 0, att!.data.length)).toBe(true);
    expect(otherChannelFrame(smp!.data, 0, smp!.data.length)).toBe(false);
    const split = frame(0x0004, [0x1b, 0x10, 0x00, 1, 2, 3, 4, 5, 6, 7], 6);
    expect(split.length).toBeGreaterThan(1);
    // A first fragment (length short of the frame) and a continuation: their channel needs reassembly.
    for (const part of split) expect(otherChannelFrame(part.data, 0, part.data.length)).toBe(false);
    // A length field that disagrees with the packet: kept, for the decoder to judge.
    const bad = Uint8Array.from(att!.data);
    bad[2] = bad[2]! + 1;
    expect(otherChannelFrame(bad, 0, bad.length)).toBe(false);
    expect(otherChannelFrame(Uint8Array.of(0x40, 0x20, 0, 0), 0, 4)).toBe(false);
  });
});

describe('smpOnly reads judge as the full read', () => {
  it.each([1001, 1002, 2001] as const)(
    'datalink %i: our captures of every model between ATT traffic, the same findings, frame numbers and packet count',
    (datalink) => {
      const entries: Entry[] = [];
      let i = 0;
      for (const model of DEMO_MODELS) {
        for (let n = 0; n < 50; n++)
          entries.push(['rx', frame(0x0004, [0x1b, 0x10, 0x00, i++ & 0xff], 64)[0]!]);
        entries.push(...captures.get(model.id)!);
      }
      const bytes = btsnoop(entries, datalink);
      const full = audit(bytes, false);
      const lean = audit(bytes, true);
      expect(lean.report.pairings.length).toBe(DEMO_MODELS.length);
      expect(judged(lean.report)).toEqual(judged(full.report));
      expect(lean.report.packets).toBe(full.report.packets);
      expect(lean.report.packets).toBe(readTrace(bytes).records.length);
      // What was left out: at least every ATT notification put in.
      expect(full.returned - lean.returned).toBeGreaterThanOrEqual(50 * DEMO_MODELS.length);
    },
  );

  it('fast-check: SMP PDUs and other frames, whole or fragmented, in any chunking: identical audits', () => {
    const pdu = fc.oneof(
      fc.constant([0x05, 0x08]),
      fc.constant([0x0b, 0x01]),
      fc.constant([0x01, 0x03, 0x00, 0x01, 0x10, 0x01, 0x01]),
      fc.constant([0x02, 0x03, 0x00, 0x01, 0x10, 0x00, 0x01]),
      fc.uint8Array({ minLength: 17, maxLength: 17 }).map((b) => [0x06, ...b.subarray(1)]),
      fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => [0x0c, ...b.subarray(1)]),
    );
    const item = fc.record({
      direction: fc.constantFrom('tx', 'rx') as fc.Arbitrary<'tx' | 'rx'>,
      cid: fc.constantFrom(0x0004, 0x0006, 0x0005, 0x0040),
      body: pdu,
      size: fc.integer({ min: 3, max: 80 }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 25 }),
        fc.constantFrom(1001, 1002, 2001) as fc.Arbitrary<1001 | 1002 | 2001>,
        fc.integer({ min: 1, max: 200 }),
        (items, datalink, chunk) => {
          const entries = items.flatMap(({ direction, cid, body, size }) =>
            frame(cid, body, size).map((packet) => [direction, packet] as const),
          );
          const bytes = btsnoop(entries, datalink);
          const full = audit(bytes, false, chunk);
          const lean = audit(bytes, true, chunk);
          expect(judged(lean.report)).toEqual(judged(full.report));
          expect(lean.report.packets).toBe(full.report.packets);
        },
      ),
      { numRuns: 150 },
    );
  });
});
