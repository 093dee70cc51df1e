/** `pair --read`: its argument, the request it sends, and how an answer (or a malformed one) reads. */
import { describe, expect, it } from 'vitest';
import { parseReadTarget, readOutcome, readRequest } from '../../src/cli/att-read.js';

describe('pair --read', () => {
  it('takes a handle, a 16-bit UUID or a 128-bit one (with or without dashes), and refuses the rest', () => {
    expect(parseReadTarget('0x000c')).toEqual({ handle: 12 });
    expect(parseReadTarget('0xFFFF')).toEqual({ handle: 0xffff });
    expect(parseReadTarget('2A00')).toEqual({ uuid: '2a00' });
    expect(parseReadTarget('5e0a0001b1e5400c8a2b3c4d5e6f7a8b')).toEqual({
      uuid: '5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b',
    });
    expect(parseReadTarget('5E0A0001-B1E5-400C-8A2B-3C4D5E6F7A8B')).toEqual({
      uuid: '5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b',
    });
    for (const bad of ['0x0000', '0x10000', '12', '2a0', 'zz00', '', '5e0a0001-b1e5-400c-8a2b']) {
      expect(() => parseReadTarget(bad), bad).toThrow(/an attribute handle .* or a characteristic UUID/);
    }
  });

  it('sends Read for a handle and Read By Type over every handle for a UUID (little-endian)', () => {
    expect([...readRequest({ handle: 0x1234 })]).toEqual([0x0a, 0x34, 0x12]);
    expect([...readRequest({ uuid: '2a00' })]).toEqual([0x08, 0x01, 0x00, 0xff, 0xff, 0x00, 0x2a]);
    const long = readRequest({ uuid: '5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b' });
    expect(long).toHaveLength(21);
    expect(Buffer.from(long.subarray(5)).toString('hex')).toBe('8b7a6f5e4d3c2b8a0c40e5b101000a5e');
  });

  it('reads answers, errors and ignores what is not the answer', () => {
    const handle = { handle: 12 };
    expect(readOutcome(handle, Uint8Array.of(0x01, 0x0a, 0x0c, 0x00, 0x05))).toEqual({
      handle: 12,
      error: 5,
    });
    expect(readOutcome(handle, Uint8Array.of(0x0b, 0x68, 0x69))).toEqual({
      handle: 12,
      value: Uint8Array.of(0x68, 0x69),
    });
    // An Error Response to another request, a notification, a truncated error: not the answer.
    expect(readOutcome(handle, Uint8Array.of(0x01, 0x08, 0x0c, 0x00, 0x05))).toBeUndefined();
    expect(readOutcome(handle, Uint8Array.of(0x1b, 0x0c, 0x00, 0x01))).toBeUndefined();
    expect(readOutcome(handle, Uint8Array.of(0x01, 0x0a, 0x0c))).toBeUndefined();
    const uuid = { uuid: '2a00' };
    expect(readOutcome(uuid, Uint8Array.of(0x09, 4, 0x03, 0x00, 0x76, 0x6d))).toEqual({
      handle: 3,
      value: Uint8Array.of(0x76, 0x6d),
    });
    expect(readOutcome(uuid, Uint8Array.of(0x09, 4, 0x03, 0x00))).toBeUndefined();
    expect(readOutcome(uuid, Uint8Array.of(0x09, 1, 0x03))).toBeUndefined();
  });
});
