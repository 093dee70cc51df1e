/** Octets many virtual controllers set alike are held once (src/transport/virtual/state.ts: sharedCopy). */
import { describe, expect, it } from 'vitest';
import { EMPTY, sharedCopy } from '../../../src/transport/virtual/state.js';

describe('sharedCopy', () => {
  it('gives one copy for equal octets, not the caller array, and a different one for different octets', () => {
    const mask = Uint8Array.of(0xff, 0xff, 0xfb, 0xff, 0x07, 0xf8, 0xbf, 0x3d);
    const first = sharedCopy(mask);
    expect(first).not.toBe(mask);
    expect(first).toEqual(mask);
    mask[0] = 0; // the caller's array changes later: the copy does not
    expect(first[0]).toBe(0xff);
    expect(sharedCopy(Uint8Array.of(0xff, 0xff, 0xfb, 0xff, 0x07, 0xf8, 0xbf, 0x3d))).toBe(first);
    expect(sharedCopy(mask)).not.toBe(first);
    expect(sharedCopy(new Uint8Array(0))).toBe(EMPTY);
  });

  it('keeps at most 64 values: the oldest is copied afresh once dropped', () => {
    const first = sharedCopy(Uint8Array.of(1, 2, 3, 250));
    for (let i = 0; i < 64; i++) sharedCopy(Uint8Array.of(9, 9, i, 251));
    const again = sharedCopy(Uint8Array.of(1, 2, 3, 250));
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });
});
