/**
 * The virtual controllers' delivery queue (src/transport/virtual/delivery.ts):
 * FIFO across everything queued, never inside the caller's turn, drained in
 * slices so that timers run between them, and not stopped by a task that throws.
 */
import { describe, expect, it } from 'vitest';
import { later, SLICE_MS } from '../../../src/transport/virtual/delivery.js';

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 50));

describe('delivery queue', () => {
  it('runs tasks after the caller returns, in the order queued, tasks queued by tasks after them', async () => {
    const order: string[] = [];
    later(() => {
      order.push('a');
      later(() => order.push('c'));
      // Like setImmediate: what a task queues waits for the next turn, after what was scheduled before it.
      setImmediate(() => order.push('immediate'));
    });
    later(() => order.push('b'));
    order.push('caller');
    await settle();
    expect(order).toEqual(['caller', 'a', 'b', 'immediate', 'c']);
  });

  it('gives timers a turn: a long run of busy tasks is cut into slices', async () => {
    const busy = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    };
    let done = 0;
    const total = 200; // about 200 ms of work in 1 ms tasks
    for (let i = 0; i < total; i++)
      later(() => {
        busy();
        done++;
      });
    // A 0 ms timer must fire long before all the work is done: each slice lasts about SLICE_MS.
    const seenAtTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(done), 0));
    expect(seenAtTimer).toBeLessThan(total / 4);
    expect(seenAtTimer).toBeLessThanOrEqual(SLICE_MS * 3);
    await new Promise<void>((resolve) => later(resolve));
    expect(done).toBe(total);
  });

  it('a task that throws does not stop the ones after it', async () => {
    const ran: number[] = [];
    const errors: unknown[] = [];
    const handler = (error: unknown) => errors.push(error);
    process.prependListener('uncaughtException', handler);
    try {
      later(() => ran.push(1));
      later(() => {
        throw new Error('a listener bug');
      });
      later(() => ran.push(3));
      await settle();
    } finally {
      process.off('uncaughtException', handler);
    }
    expect(ran).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
  });
});
