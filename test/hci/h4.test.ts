import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeH4, H4Parser, type HciPacket } from '../../src/hci/h4.js';

const packet: fc.Arbitrary<HciPacket> = fc.oneof(
  fc
    .uint8Array({ maxLength: 255 })
    .map((p) => ({ type: 'command' as const, data: Uint8Array.of(0x03, 0x0c, p.length, ...p) })),
  fc
    .uint8Array({ maxLength: 255 })
    .map((p) => ({ type: 'event' as const, data: Uint8Array.of(0x0e, p.length, ...p) })),
  fc.uint8Array({ maxLength: 300 }).map((p) => ({
    type: 'acl' as const,
    data: Uint8Array.of(0x40, 0x20, p.length & 0xff, p.length >> 8, ...p),
  })),
);

describe('H4Parser', () => {
  it('recovers every packet, in order, under any chunking of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }),
        (packets, cuts) => {
          const stream = Uint8Array.from(packets.flatMap((p) => [...encodeH4(p)]));
          const parser = new H4Parser();
          const got: HciPacket[] = [];
          let offset = 0;
          for (let i = 0; offset < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            const { packets: out, error } = parser.push(stream.subarray(offset, offset + size));
            expect(error).toBeUndefined();
            got.push(...out);
            offset += size;
          }
          expect(got).toEqual(packets);
          expect(parser.pending).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds an incomplete packet until the rest arrives', () => {
    const parser = new H4Parser();
    expect(parser.push(Uint8Array.of(0x04, 0x0e, 0x04, 0x01)).packets).toEqual([]);
    expect(parser.pending).toBe(4);
    expect(parser.push(Uint8Array.of(0x03, 0x0c, 0x00)).packets).toEqual([
      { type: 'event', data: Uint8Array.of(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00) },
    ]);
  });

  it('reports an octet that is no indicator, and stays broken instead of guessing', () => {
    const parser = new H4Parser();
    const first = parser.push(Uint8Array.of(0x04, 0x0e, 0x00, 0x09, 0x01));
    expect(first.packets).toEqual([{ type: 'event', data: Uint8Array.of(0x0e, 0x00) }]);
    expect(first.error).toBe('H4: octet 0x09 is no packet indicator');
    expect(parser.push(Uint8Array.of(0x04, 0x0e, 0x00))).toEqual({ packets: [], error: first.error });
  });
});
