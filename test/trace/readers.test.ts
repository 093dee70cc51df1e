/** Reader robustness: random, truncated and corrupted input never throws anything but TraceReadError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditTrace, readTrace, TraceReadError, TraceReader } from '../../src/trace/index.js';
import { fixture, MAILING_LIST } from './fixtures.js';

const CAPTURES = [
  MAILING_LIST,
  'crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap',
  'crackle-04-le-secure-connections.pcapng',
  'crackle-05-legacy-passkey-numeric-pin.pcap',
];

/** Runs `f`; any throw other than TraceReadError fails the property. */
function onlyTypedErrors(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof TraceReadError)) throw error;
    expect(error.code).toMatch(/unknown-format|bad-header|bad-record|truncated|unsupported-link-type/);
  }
}

describe('readers', () => {
  it('read each capture the same whatever the chunking', () => {
    for (const name of CAPTURES) {
      const bytes = fixture(name);
      const whole = readTrace(bytes).records.length;
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4096 }), { maxLength: 20 }), (sizes) => {
          const reader = new TraceReader();
          let count = 0;
          let offset = 0;
          for (const size of sizes) {
            count += reader.push(bytes.subarray(offset, offset + size)).length;
            offset += size;
          }
          count += reader.push(bytes.subarray(offset)).length;
          count += reader.end().length;
          expect(count).toBe(whole);
        }),
        { numRuns: 20 },
      );
    }
  });

  it('random octets: a result or a TraceReadError, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyTypedErrors(() => auditTrace(bytes))),
      { numRuns: 500 },
    );
  });

  it('random octets after a valid header: a result or a TraceReadError', () => {
    const heads = CAPTURES.slice(1).map((name) => fixture(name).subarray(0, 64));
    fc.assert(
      fc.property(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 512 }), (head, tail) =>
        onlyTypedErrors(() => auditTrace(Buffer.concat([head, tail]))),
      ),
      { numRuns: 500 },
    );
  });

  it('truncated and corrupted captures: a result or a TraceReadError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CAPTURES),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (name, keep, flips) => {
          const bytes = Uint8Array.from(fixture(name));
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          onlyTypedErrors(() => auditTrace(bytes.subarray(0, Math.floor(bytes.length * keep))));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a truncated binary capture is reported as truncated', () => {
    const bytes = fixture('crackle-01-legacy-jw-pairing-and-ltk-exchange.pcap');
    expect(() => readTrace(bytes.subarray(0, bytes.length - 5))).toThrow(
      expect.objectContaining({ name: 'TraceReadError', code: 'truncated' }),
    );
    expect(() => readTrace(new Uint8Array(0))).toThrow(TraceReadError);
  });
});
