import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACL_HEADER_LENGTH,
  AclFlowControl,
  BroadcastFlag,
  decodeAcl,
  encodeAcl,
  fragment,
  PacketBoundary,
} from '../../src/hci/acl.js';
import { attNotSupported } from '../../src/hci/att.js';
import { encodeL2cap, FixedChannel, type L2capFrame, L2capReassembler } from '../../src/hci/l2cap.js';
import { checkConnectionParameters, encodeSignalling, leSignalling } from '../../src/hci/le-signalling.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytes = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
/** The ACL payload of a packet made by encodeAcl or fragment. */
const decoded = (packet: Uint8Array) => {
  const result = decodeAcl(packet);
  if (!result.ok) throw new Error(result.message);
  return result.packet;
};

describe('ACL header (Vol 4 Part E 5.4.2)', () => {
  it('packs handle, PB and BC into the first little-endian word', () => {
    const packet = encodeAcl({
      handle: 0x0abc,
      pb: PacketBoundary.FirstFlushable,
      bc: BroadcastFlag.PointToPoint,
      data: Uint8Array.of(0xaa, 0xbb),
    });
    expect(hex(packet)).toBe('bc2a0200aabb');
    expect(decodeAcl(packet)).toEqual({
      ok: true,
      packet: { handle: 0x0abc, pb: 0b10, bc: 0, data: Uint8Array.of(0xaa, 0xbb) },
    });
    expect(hex(encodeAcl({ handle: 0x0fff, pb: 0b01, bc: 0b11, data: new Uint8Array(0) }))).toBe('ffdf0000');
  });

  it('round trips every header and payload', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x0fff }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.uint8Array({ maxLength: 300 }),
        (handle, pb, bc, data) => {
          const packet = encodeAcl({ handle, pb, bc, data });
          expect(packet.length).toBe(ACL_HEADER_LENGTH + data.length);
          expect(decodeAcl(packet)).toEqual({ ok: true, packet: { handle, pb, bc, data } });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes a copy, not a view of the receive buffer', () => {
    const packet = encodeAcl({ handle: 1, pb: 0, bc: 0, data: Uint8Array.of(1, 2, 3) });
    const { data } = decoded(packet);
    packet[4] = 9;
    expect(data).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('returns ok:false, never throws, on truncation or a length mismatch', () => {
    expect(decodeAcl(new Uint8Array(0))).toEqual({
      ok: false,
      message: 'ACL: 0 octets, shorter than the 4-octet header',
    });
    expect(decodeAcl(bytes('400002'))).toMatchObject({ ok: false });
    expect(decodeAcl(bytes('40000200aa'))).toEqual({
      ok: false,
      message: 'ACL: Data_Total_Length 2, but 1 octets follow',
    });
    expect(decodeAcl(bytes('40000100aabb'))).toMatchObject({ ok: false });
    expect(decodeAcl([0x40, 0, 0, 0] as unknown as Uint8Array)).toEqual({
      ok: false,
      message: 'ACL: not a Uint8Array',
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (raw) => {
        const result = decodeAcl(raw);
        expect(result.ok).toBe(raw.length >= 4 && (raw[2]! | (raw[3]! << 8)) === raw.length - 4);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses out-of-range fields on encode (a caller bug)', () => {
    const data = new Uint8Array(0);
    expect(() => encodeAcl({ handle: 0x1000, pb: 0, bc: 0, data })).toThrow(TypeError);
    expect(() => encodeAcl({ handle: 1, pb: 4, bc: 0, data })).toThrow(TypeError);
    expect(() => encodeAcl({ handle: 1, pb: 0, bc: -1, data })).toThrow(TypeError);
    expect(() => encodeAcl({ handle: 1, pb: 0, bc: 0, data: new Uint8Array(0x10000) })).toThrow(TypeError);
  });
});

describe('L2CAP basic frame (Vol 3 Part A 3.1)', () => {
  it('writes length then CID, little-endian', () => {
    expect(hex(encodeL2cap(FixedChannel.Smp, Uint8Array.of(0x05, 0x04)))).toBe('020006000504');
    expect(hex(encodeL2cap(0x1234, new Uint8Array(0)))).toBe('00003412');
    expect(FixedChannel).toEqual({ Att: 4, LeSignalling: 5, Smp: 6 });
    expect(() => encodeL2cap(0x10000, new Uint8Array(0))).toThrow(TypeError);
    expect(() => encodeL2cap(4, new Uint8Array(0x10000))).toThrow(TypeError);
  });
});

describe('fragmentation and reassembly', () => {
  // An SMP Pairing Public Key PDU: code 0x0C and 64 octets of key (smp-rules.md section 1).
  const publicKey = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 0x0c : i));
  const frame = encodeL2cap(FixedChannel.Smp, publicKey);

  it('splits a 69-octet Public Key frame into 27, 27 and 15 octets with PB 0b00, 0b01, 0b01', () => {
    expect(frame.length).toBe(69);
    const packets = fragment(0x0040, frame, 27);
    expect(packets.map((p) => p.length)).toEqual([31, 31, 19]);
    const parts = packets.map(decoded);
    expect(parts.map((p) => [p.handle, p.pb, p.bc, p.data.length])).toEqual([
      [0x0040, 0b00, 0, 27],
      [0x0040, 0b01, 0, 27],
      [0x0040, 0b01, 0, 15],
    ]);
    expect(hex(packets[0]!.subarray(0, 8))).toBe('40001b0041000600');
    expect(hex(packets[1]!.subarray(0, 4))).toBe('40101b00');
    expect(hex(packets[2]!.subarray(0, 4))).toBe('40100f00');
    expect(Uint8Array.from(parts.flatMap((p) => [...p.data]))).toEqual(frame);
  });

  it('reassembles it, whether the start is flagged 0b00 (host) or 0b10 (controller)', () => {
    for (const startFlag of [PacketBoundary.FirstNonFlushable, PacketBoundary.FirstFlushable]) {
      const reassembler = new L2capReassembler();
      const results = fragment(0x0040, frame, 27)
        .map(decoded)
        .map((p, i) => reassembler.push(i === 0 ? startFlag : p.pb, p.data));
      expect(results.slice(0, 2)).toEqual([
        { ok: true, frame: undefined },
        { ok: true, frame: undefined },
      ]);
      expect(results[2]).toEqual({ ok: true, frame: { cid: FixedChannel.Smp, payload: publicKey } });
      expect(reassembler.pending).toBe(0);
    }
  });

  it('sends a frame that fits in one packet as one packet, and refuses bad arguments', () => {
    expect(fragment(1, frame, 251).map((p) => decoded(p).pb)).toEqual([0]);
    expect(fragment(1, frame, 69)).toHaveLength(1);
    expect(fragment(1, frame, 68)).toHaveLength(2);
    expect(() => fragment(0x0f00, frame, 27)).toThrow(TypeError);
    expect(() => fragment(1, frame, 0)).toThrow(TypeError);
    expect(() => fragment(1, new Uint8Array(0), 27)).toThrow(TypeError);
  });

  it('rebuilds any frames on up to 3 handles, fragmented to any buffer size, under any interleaving', () => {
    const handles = [0x0001, 0x0040, 0x0eff];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            link: fc.integer({ min: 0, max: 2 }),
            cid: fc.constantFrom(FixedChannel.Att, FixedChannel.LeSignalling, FixedChannel.Smp, 0x0040),
            payload: fc.uint8Array({ maxLength: 300 }),
          }),
          { maxLength: 12 },
        ),
        fc.integer({ min: 27, max: 251 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
        fc.boolean(),
        (frames, bufferSize, picks, asController) => {
          // Each handle's packets stay in order; the merge picks among handles at random.
          const queues = handles.map((handle, link) =>
            frames
              .filter((f) => f.link === link)
              .flatMap((f) => fragment(handle, encodeL2cap(f.cid, f.payload), bufferSize)),
          );
          for (const packet of queues.flat())
            expect(decoded(packet).data.length).toBeLessThanOrEqual(bufferSize);
          const stream: Uint8Array[] = [];
          for (let i = 0; queues.some((q) => q.length > 0); i++) {
            const ready = queues.filter((q) => q.length > 0);
            stream.push(ready[picks[i % picks.length]! % ready.length]!.shift()!);
          }
          const reassemblers = new Map(handles.map((h) => [h, new L2capReassembler()]));
          const got = new Map<number, L2capFrame[]>(handles.map((h) => [h, []]));
          for (const packet of stream) {
            const { handle, pb, data } = decoded(packet);
            const flag =
              asController && pb === PacketBoundary.FirstNonFlushable ? PacketBoundary.FirstFlushable : pb;
            const result = reassemblers.get(handle)!.push(flag, data);
            expect(result.ok).toBe(true);
            if (result.frame) got.get(handle)!.push(result.frame);
          }
          handles.forEach((handle, link) => {
            expect(got.get(handle)).toEqual(
              frames.filter((f) => f.link === link).map(({ cid, payload }) => ({ cid, payload })),
            );
            expect(reassemblers.get(handle)!.pending).toBe(0);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('L2capReassembler error cases', () => {
  const start = PacketBoundary.FirstFlushable;
  const more = PacketBoundary.Continuing;

  it('reports a continuing fragment with no start', () => {
    const r = new L2capReassembler();
    expect(r.push(more, Uint8Array.of(1, 2, 3))).toEqual({
      ok: false,
      error: 'continuation-without-start',
      message: 'L2CAP: continuing fragment with no frame started',
      dropped: 3,
      frame: undefined,
    });
    expect(r.push(start, bytes('01000600 aa'))).toEqual({
      ok: true,
      frame: { cid: 6, payload: Uint8Array.of(0xaa) },
    });
  });

  it('drops a frame whose fragments carry more than its length, and recovers', () => {
    const r = new L2capReassembler();
    expect(r.push(start, bytes('01000600 aabb'))).toMatchObject({ ok: false, error: 'overlong', dropped: 6 });
    expect(r.pending).toBe(0);
    expect(r.push(start, bytes('03000400 aa'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(more, bytes('bbccdd'))).toMatchObject({ ok: false, error: 'overlong', dropped: 8 });
    expect(r.push(more, bytes('ee'))).toMatchObject({ ok: false, error: 'continuation-without-start' });
    expect(r.push(start, bytes('00000500'))).toEqual({
      ok: true,
      frame: { cid: 5, payload: new Uint8Array(0) },
    });
  });

  it('drops the unfinished frame on a new start, and keeps the new one', () => {
    const r = new L2capReassembler();
    expect(r.push(start, bytes('05000600 aabb'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(start, bytes('02000400 0102'))).toEqual({
      ok: false,
      error: 'start-before-complete',
      message: 'L2CAP: new start fragment with 6 octets of the previous frame unfinished',
      dropped: 6,
      frame: { cid: 4, payload: Uint8Array.of(1, 2) },
    });
    expect(r.push(start, bytes('03000400 01'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(start, bytes('02000600'))).toMatchObject({
      ok: false,
      error: 'start-before-complete',
      frame: undefined,
    });
    expect(r.push(more, bytes('0a0b'))).toEqual({
      ok: true,
      frame: { cid: 6, payload: Uint8Array.of(10, 11) },
    });
    // A start whose own header is already too long reports both losses.
    expect(r.push(start, bytes('05000600'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(start, bytes('00000600 ff'))).toMatchObject({ ok: false, error: 'overlong', dropped: 9 });
  });

  it('reads a header split across fragments', () => {
    const r = new L2capReassembler();
    expect(r.push(start, bytes('02'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(more, bytes('0006'))).toEqual({ ok: true, frame: undefined });
    expect(r.push(more, new Uint8Array(0))).toEqual({ ok: true, frame: undefined });
    expect(r.push(more, bytes('00 0b0c'))).toEqual({
      ok: true,
      frame: { cid: 6, payload: Uint8Array.of(11, 12) },
    });
    expect(r.push(start, new Uint8Array(0))).toEqual({ ok: true, frame: undefined });
    expect(r.push(start, bytes('00000600'))).toMatchObject({
      ok: false,
      error: 'start-before-complete',
      dropped: 0,
    });
  });

  it('refuses frames above maxPayload, reserved PB flags, and can be reset', () => {
    const r = new L2capReassembler({ maxPayload: 65 });
    expect(r.push(start, bytes('42000600'))).toEqual({
      ok: false,
      error: 'too-large',
      message: 'L2CAP: frame of 66 octets exceeds the maximum of 65',
      dropped: 4,
      frame: undefined,
    });
    expect(r.push(PacketBoundary.Complete, bytes('00000600'))).toMatchObject({
      ok: false,
      error: 'reserved-boundary',
      dropped: 4,
    });
    expect(r.push(7, bytes('00'))).toMatchObject({ ok: false, error: 'reserved-boundary' });
    expect(r.push(start, bytes('41000600 01'))).toEqual({ ok: true, frame: undefined });
    expect(r.reset()).toBe(5);
    expect(r.pending).toBe(0);
    expect(() => new L2capReassembler({ maxPayload: 0x10000 })).toThrow(TypeError);
  });

  it('never throws on arbitrary fragments, and never holds more than a frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 40 })), {
          maxLength: 30,
        }),
        (pieces) => {
          const r = new L2capReassembler({ maxPayload: 100 });
          for (const [pb, data] of pieces) {
            const result = r.push(pb, data);
            if (result.frame) expect(result.frame.payload.length).toBeLessThanOrEqual(100);
            expect(r.pending).toBeLessThanOrEqual(104);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('AclFlowControl', () => {
  const packet = (handle: number, id: number) =>
    encodeAcl({ handle, pb: 0, bc: 0, data: Uint8Array.of(id & 0xff, id >> 8) });
  const idOf = (p: Uint8Array) => {
    const { handle, data } = decoded(p);
    return [handle, data[0]! | (data[1]! << 8)] as const;
  };

  it('gives out packets only while credits remain, round-robin across handles', () => {
    const flow = new AclFlowControl(3);
    flow.enqueue(1, [packet(1, 0), packet(1, 1), packet(1, 2)]);
    flow.enqueue(2, [packet(2, 0), packet(2, 1)]);
    expect([flow.next(), flow.next(), flow.next()].map((p) => idOf(p!))).toEqual([
      [1, 0],
      [2, 0],
      [1, 1],
    ]);
    expect(flow.next()).toBeUndefined();
    expect(flow).toMatchObject({ total: 3, inFlight: 3, available: 0, queued: 2 });
    expect(flow.completed(2, 1)).toEqual({ ok: true, returned: 1 });
    expect(idOf(flow.next()!)).toEqual([2, 1]);
    expect(flow.completed(1, 2)).toEqual({ ok: true, returned: 2 });
    expect(idOf(flow.next()!)).toEqual([1, 2]);
    expect(flow.next()).toBeUndefined();
    expect(flow.queued).toBe(0);
    expect(flow.outstanding(1)).toBe(1);
    expect(flow.outstanding(2)).toBe(1);
  });

  it('ignores completions for unknown handles and beyond what is outstanding', () => {
    const flow = new AclFlowControl(4);
    expect(flow.completed(9, 1)).toEqual({ ok: false, reason: 'unknown-handle', returned: 0, ignored: 1 });
    flow.enqueue(1, [packet(1, 0), packet(1, 1)]);
    flow.next();
    flow.next();
    expect(flow.completed(1, 5)).toEqual({
      ok: false,
      reason: 'more-than-outstanding',
      returned: 2,
      ignored: 3,
    });
    expect(flow.inFlight).toBe(0);
    expect(flow.available).toBe(4);
    expect(flow.completed(1, 1)).toEqual({
      ok: false,
      reason: 'more-than-outstanding',
      returned: 0,
      ignored: 1,
    });
    expect(flow.completed(1, 0)).toEqual({ ok: true, returned: 0 });
    expect(flow.completed(1, -1)).toMatchObject({ ok: false, reason: 'invalid-count', returned: 0 });
    expect(flow.completed(1, 1.5)).toMatchObject({ ok: false, reason: 'invalid-count', returned: 0 });
    expect(flow.completed(1, Number.NaN)).toEqual({
      ok: false,
      reason: 'invalid-count',
      returned: 0,
      ignored: 0,
    });
    expect(flow.outstanding(9)).toBe(0);
  });

  it('on disconnection drops the queue and takes back the credits in the controller (Vol 4 Part E 4.3)', () => {
    const flow = new AclFlowControl(2);
    flow.enqueue(1, [packet(1, 0), packet(1, 1), packet(1, 2)]);
    flow.enqueue(2, [packet(2, 0)]);
    flow.next();
    flow.next();
    expect(flow.next()).toBeUndefined();
    expect(flow.disconnected(1)).toEqual({ dropped: 2, returned: 1 });
    expect(flow.inFlight).toBe(1);
    expect(flow.completed(1, 1)).toMatchObject({ ok: false, reason: 'unknown-handle' });
    expect(flow.disconnected(1)).toEqual({ dropped: 0, returned: 0 });
    expect(flow.next()).toBeUndefined();
    expect(flow.completed(2, 1)).toEqual({ ok: true, returned: 1 });
    expect(flow.inFlight).toBe(0);
  });

  it('refuses a non-positive buffer count or a bad handle', () => {
    expect(() => new AclFlowControl(0)).toThrow(TypeError);
    expect(() => new AclFlowControl(2.5)).toThrow(TypeError);
    expect(() => new AclFlowControl(1).enqueue(0x0f00, [])).toThrow(TypeError);
  });

  type Op =
    | { readonly op: 'enqueue'; readonly link: number; readonly count: number }
    | { readonly op: 'next' }
    | { readonly op: 'completed'; readonly link: number; readonly count: number }
    | { readonly op: 'disconnected'; readonly link: number };
  const link = fc.integer({ min: 0, max: 2 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('enqueue' as const), link, count: fc.integer({ min: 0, max: 5 }) }),
    fc.constant({ op: 'next' as const }),
    fc.constant({ op: 'next' as const }),
    fc.record({ op: fc.constant('completed' as const), link, count: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ op: fc.constant('disconnected' as const), link }),
  );

  it('never has more in flight than credits, keeps each handle in order, and delivers everything', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 80 }), (credits, ops) => {
        const handles = [0x0001, 0x0002, 0x0eff];
        const flow = new AclFlowControl(credits);
        // Model: per handle, ids queued and not yet sent; ids sent; packets still in the controller.
        const model = handles.map(() => ({
          known: false,
          queue: [] as number[],
          sent: [] as number[],
          out: 0,
        }));
        let nextId = 0;
        const inFlight = () => model.reduce((n, m) => n + m.out, 0);
        const send = () => {
          const p = flow.next();
          if (p === undefined) {
            expect(inFlight() === credits || model.every((m) => m.queue.length === 0)).toBe(true);
            return false;
          }
          const [handle, id] = idOf(p);
          const m = model[handles.indexOf(handle)]!;
          expect(id).toBe(m.queue.shift());
          m.sent.push(id);
          m.out++;
          return true;
        };
        for (const step of ops) {
          if (step.op === 'enqueue') {
            const m = model[step.link]!;
            const ids = Array.from({ length: step.count }, () => nextId++);
            flow.enqueue(
              handles[step.link]!,
              ids.map((id) => packet(handles[step.link]!, id)),
            );
            m.known = true;
            m.queue.push(...ids);
          } else if (step.op === 'next') {
            send();
          } else if (step.op === 'completed') {
            const m = model[step.link]!;
            const result = flow.completed(handles[step.link]!, step.count);
            const returned = m.known ? Math.min(step.count, m.out) : 0;
            expect(result.returned).toBe(returned);
            expect(result.ok).toBe(m.known && step.count <= m.out);
            m.out -= returned;
          } else {
            const m = model[step.link]!;
            expect(flow.disconnected(handles[step.link]!)).toEqual({
              dropped: m.queue.length,
              returned: m.out,
            });
            Object.assign(m, { known: false, queue: [], out: 0 });
          }
          expect(flow.inFlight).toBe(inFlight());
          expect(flow.inFlight).toBeLessThanOrEqual(credits);
          expect(flow.available).toBe(credits - flow.inFlight);
          expect(flow.queued).toBe(model.reduce((n, m) => n + m.queue.length, 0));
        }
        // The controller completes everything: every queued packet goes out, each handle in order.
        for (let rounds = 0; flow.queued > 0 || flow.inFlight > 0; rounds++) {
          expect(rounds).toBeLessThan(1000);
          handles.forEach((handle, i) => {
            const m = model[i]!;
            if (m.out > 0) expect(flow.completed(handle, m.out)).toEqual({ ok: true, returned: m.out });
            m.out = 0;
          });
          while (send()) expect(flow.inFlight).toBeLessThanOrEqual(credits);
        }
        for (const m of model) {
          expect(m.queue).toEqual([]);
          expect(m.sent).toEqual([...m.sent].sort((a, b) => a - b));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('LE signalling responder (Vol 3 Part A 4)', () => {
  // Interval 7.5..15 ms, latency 0, timeout 100 ms.
  const request = bytes('12 01 0800 0600 0c00 0000 0a00');
  const parameters = { intervalMin: 6, intervalMax: 12, peripheralLatency: 0, timeoutMultiplier: 10 };

  it('accepts a Connection Parameter Update Request with 0x13 result 0x0000 and returns the parameters', () => {
    const { responses, outcome } = leSignalling(request);
    expect(responses.map(hex)).toEqual(['130102000000']);
    expect(hex(encodeL2cap(FixedChannel.LeSignalling, responses[0]!))).toBe('06000500130102000000');
    expect(outcome).toEqual({ type: 'parameters-accepted', identifier: 1, parameters });
  });

  it('rejects it with result 0x0001 when the policy says no', () => {
    const seen: unknown[] = [];
    const byCallback = leSignalling(bytes('12 2a 0800 1800 2800 0400 c800'), {
      accept: (p) => {
        seen.push(p);
        return p.intervalMax <= 24;
      },
    });
    expect(byCallback.responses.map(hex)).toEqual(['132a02000100']);
    expect(byCallback.outcome).toMatchObject({
      type: 'parameters-rejected',
      identifier: 0x2a,
      why: 'policy',
    });
    expect(seen).toEqual([
      { intervalMin: 24, intervalMax: 40, peripheralLatency: 4, timeoutMultiplier: 200 },
    ]);
    expect(leSignalling(request, { accept: false }).responses.map(hex)).toEqual(['130102000100']);
    expect(leSignalling(request, { accept: () => true }).responses.map(hex)).toEqual(['130102000000']);
  });

  it('rejects invalid parameters without asking the policy', () => {
    let asked = false;
    const result = leSignalling(bytes('12 05 0800 0c00 0600 0000 0a00'), {
      accept: () => {
        asked = true;
        return true;
      },
    });
    expect(asked).toBe(false);
    expect(result.responses.map(hex)).toEqual(['130502000100']);
    expect(result.outcome).toMatchObject({ type: 'parameters-rejected', why: 'invalid' });
  });

  it('checks the ranges of 4.20 and the supervision timeout rule', () => {
    const ok = { intervalMin: 6, intervalMax: 3200, peripheralLatency: 0, timeoutMultiplier: 3200 };
    expect(checkConnectionParameters(ok)).toBeUndefined();
    expect(checkConnectionParameters({ ...ok, intervalMin: 5 })).toBe('interval min 5 outside 6..3200');
    expect(checkConnectionParameters({ ...ok, intervalMin: 3201, intervalMax: 3201 })).toMatch(
      /interval min/,
    );
    expect(checkConnectionParameters({ ...ok, intervalMin: 100, intervalMax: 99 })).toMatch(/interval max/);
    expect(checkConnectionParameters({ ...ok, intervalMax: 3201 })).toMatch(/interval max/);
    expect(checkConnectionParameters({ ...ok, peripheralLatency: 500 })).toBe(
      'peripheral latency 500 above 499',
    );
    expect(checkConnectionParameters({ ...ok, timeoutMultiplier: 9 })).toMatch(/timeout multiplier/);
    expect(checkConnectionParameters({ ...ok, timeoutMultiplier: 3201 })).toMatch(/timeout multiplier/);
    // 100 ms timeout: (1 + 3) x 10 ms x 2 = 80 ms passes, (1 + 4) x 10 ms x 2 = 100 ms does not.
    const tight = { intervalMin: 8, intervalMax: 8, timeoutMultiplier: 10 };
    expect(checkConnectionParameters({ ...tight, peripheralLatency: 3 })).toBeUndefined();
    expect(checkConnectionParameters({ ...tight, peripheralLatency: 4 })).toBe(
      'supervision timeout 100 ms not above (1 + 4) x 10 ms x 2',
    );
  });

  it('answers the request with Command Reject when this host is the peripheral, or its size is wrong', () => {
    expect(leSignalling(request, { role: 'peripheral' }).responses.map(hex)).toEqual(['010102000000']);
    expect(leSignalling(request, { role: 'peripheral' }).outcome).toMatchObject({
      type: 'command-rejected',
      code: 0x12,
    });
    expect(leSignalling(bytes('12 07 0600 0600 0c00 0000')).responses.map(hex)).toEqual(['010702000000']);
  });

  it('answers other requests and unknown codes with Command Reject 0x0000, echoing the identifier', () => {
    const creditRequest = bytes('14 09 0a00 8000 4000 1700 1700 0a00');
    expect(leSignalling(creditRequest).responses.map(hex)).toEqual(['010902000000']);
    expect(leSignalling(bytes('06 33 0400 4000 4000')).responses.map(hex)).toEqual(['013302000000']);
    expect(leSignalling(bytes('17 fe 0000')).responses.map(hex)).toEqual(['01fe02000000']);
    expect(leSignalling(bytes('20 02 0100 ff')).outcome).toEqual({
      type: 'command-rejected',
      identifier: 2,
      code: 0x20,
      message: 'LE signalling: code 0x20 not supported',
    });
    expect(leSignalling(bytes('00 02 0000')).responses.map(hex)).toEqual(['010202000000']);
  });

  it('does not answer responses, the credit indication, or malformed frames', () => {
    for (const response of [
      '01 01 0200 0000', // Command Reject
      '13 01 0200 0000', // Connection Parameter Update Response
      '07 01 0400 4000 4000', // Disconnection Response
      '15 01 0a00 4000 1700 1700 0a00 0000', // LE Credit Based Connection Response
      '16 01 0400 4000 0100', // Flow Control Credit Indication
      '18 01 0000', // Credit Based Connection Response
      '1a 01 0200 0000', // Credit Based Reconfigure Response
      '12 00 0800 0600 0c00 0000 0a00', // identifier 0x00
      '12 01 0900 0600 0c00 0000 0a00', // length field too long
      '12 01 0700 0600 0c00 0000 0a00', // length field too short (one command per frame on LE)
      '12 01 08', // shorter than a header
      '',
    ]) {
      const result = leSignalling(bytes(response));
      expect(result.responses, response).toEqual([]);
      expect(result.outcome.type, response).toBe('ignored');
    }
  });

  it('never throws on arbitrary input and answers at most once with an echoed identifier', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.boolean(), (payload, valid) => {
        const input = valid && payload.length >= 4 ? fixLength(payload) : payload;
        const { responses } = leSignalling(input);
        expect(responses.length).toBeLessThanOrEqual(1);
        for (const r of responses) {
          expect(r[1]).toBe(input[1]);
          expect([0x01, 0x13]).toContain(r[0]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes commands and refuses bad fields', () => {
    expect(hex(encodeSignalling(0x13, 0x07, Uint8Array.of(0, 0)))).toBe('130702000000');
    expect(() => encodeSignalling(0x100, 1, new Uint8Array(0))).toThrow(TypeError);
    expect(() => encodeSignalling(1, -1, new Uint8Array(0))).toThrow(TypeError);
    expect(() => encodeSignalling(1, 1, new Uint8Array(0x10000))).toThrow(TypeError);
  });
});

/** Sets the command's length field to the octets that follow. */
function fixLength(payload: Uint8Array): Uint8Array {
  const out = payload.slice();
  out[2] = (out.length - 4) & 0xff;
  out[3] = (out.length - 4) >> 8;
  return out;
}

describe('ATT Request Not Supported (Vol 3 Part F 3.4.1.1)', () => {
  it('answers a request with 01 <opcode> 00 00 06', () => {
    expect(hex(attNotSupported(bytes('0a 0300'))!)).toBe('010a000006'); // Read Request
    expect(hex(attNotSupported(bytes('02 1700'))!)).toBe('0102000006'); // Exchange MTU Request
    expect(hex(attNotSupported(bytes('10 0100 ffff 0028'))!)).toBe('0110000006'); // Read By Group Type
    expect(hex(attNotSupported(bytes('12 0300 01'))!)).toBe('0112000006'); // Write Request
    expect(hex(attNotSupported(bytes('30'))!)).toBe('0130000006'); // unknown opcode, Command Flag clear
  });

  it('answers nothing to commands, responses, notifications, indications and confirmations', () => {
    for (const pdu of [
      '52 0300 01', // Write Command
      'd2 0300 01 000000000000000000000000', // Signed Write Command
      '7f', // unknown opcode with the Command Flag set
      '01 0a 0300 0a', // Error Response
      '0b 01', // Read Response
      '1b 0300 01', // Handle Value Notification
      '1d 0300 01', // Handle Value Indication
      '1e', // Handle Value Confirmation
      '23 0300 0100 01', // Multiple Handle Value Notification
      '',
    ]) {
      expect(attNotSupported(bytes(pdu)), pdu).toBeUndefined();
    }
  });

  it('never answers a command or a non-request, and always echoes the opcode', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (pdu) => {
        const answer = attNotSupported(pdu);
        if (pdu.length === 0 || pdu[0]! & 0x40) expect(answer).toBeUndefined();
        if (answer) expect([...answer]).toEqual([0x01, pdu[0], 0x00, 0x00, 0x06]);
      }),
    );
  });
});
