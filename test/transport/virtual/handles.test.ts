/** Connection handles per virtual controller (src/transport/virtual/handles.ts). */
import { describe, expect, it } from 'vitest';
import { HandlePool, LAST_HANDLE } from '../../../src/transport/virtual/handles.js';

describe('HandlePool', () => {
  it('hands out handles from its start, never one in use, never the one to avoid', () => {
    const pool = new HandlePool(0x0040);
    expect(pool.allocate()).toBe(0x0040);
    expect(pool.allocate(0x0041)).toBe(0x0042);
    pool.free(0x0040);
    // A freed handle is not reused at once: the counter moves on.
    expect(pool.allocate()).toBe(0x0043);
    expect(pool.size).toBe(2);
  });

  it('wraps past 0x0EFF, skipping handles still in use, and says when every handle is taken', () => {
    const pool = new HandlePool(LAST_HANDLE);
    expect(pool.allocate()).toBe(LAST_HANDLE);
    expect(pool.allocate()).toBe(0);
    const taken = new Set<number>([LAST_HANDLE, 0]);
    for (;;) {
      const handle = pool.allocate();
      if (handle === undefined) break;
      expect(taken.has(handle)).toBe(false);
      expect(handle).toBeLessThanOrEqual(LAST_HANDLE);
      taken.add(handle);
    }
    // One handle is kept back so that a link's second end can always avoid the first's.
    expect(taken.size).toBe(LAST_HANDLE);
    const spare = [...Array(LAST_HANDLE + 1).keys()].find((h) => !taken.has(h))!;
    pool.free(0x0123);
    pool.free(0x0124);
    // Three free now (the spare, 0x0123, 0x0124): avoiding 0x0123 gives one of the other two.
    const got = pool.allocate(0x0123);
    expect([spare, 0x0124]).toContain(got);
    expect(pool.allocate(0x0123)).not.toBe(0x0123);
  });
});
