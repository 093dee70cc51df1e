/** The typed event emitter under Host, Connection and Scanner (src/host/emitter.ts). */
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/host/emitter.js';

type Events = { tick: [n: number]; done: [] };

describe('Emitter', () => {
  it('calls listeners in the order added, each once even when added twice, with the arguments', () => {
    const events = new Emitter<Events>();
    const calls: string[] = [];
    const a = (n: number) => calls.push(`a${n}`);
    events.on('tick', a);
    events.on('tick', (n) => calls.push(`b${n}`));
    events.on('tick', a);
    events.emit('tick', 1);
    events.emit('done');
    expect(calls).toEqual(['a1', 'b1']);
  });

  it('off and the function on returns remove one listener; once runs once', () => {
    const events = new Emitter<Events>();
    const calls: number[] = [];
    const a = (n: number) => calls.push(n);
    const stop = events.on('tick', (n) => calls.push(n * 10));
    events.on('tick', a);
    events.once('tick', (n) => calls.push(n * 100));
    events.emit('tick', 1);
    stop();
    events.off('tick', a);
    events.off('done', a as never); // nothing registered: no effect
    events.emit('tick', 2);
    expect(calls).toEqual([10, 1, 100]);
  });

  it('an emit sees the listeners as they were when it began', () => {
    const events = new Emitter<Events>();
    const calls: string[] = [];
    const late = () => calls.push('late');
    const removed = () => calls.push('removed');
    events.on('tick', () => {
      calls.push('first');
      events.on('tick', late);
      events.off('tick', removed);
    });
    events.on('tick', removed);
    events.emit('tick', 0);
    expect(calls).toEqual(['first', 'removed']);
    calls.length = 0;
    events.emit('tick', 0);
    expect(calls).toEqual(['first', 'late']);
  });

  it('a listener that throws does not stop the rest; its error surfaces on a microtask', async () => {
    const events = new Emitter<Events>();
    const calls: number[] = [];
    events.on('tick', () => {
      throw new Error('listener bug');
    });
    events.on('tick', (n) => calls.push(n));
    const surfaced = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (task) => {
        globalThis.queueMicrotask = original;
        try {
          task();
        } catch (error) {
          resolve(error);
        }
      };
    });
    events.emit('tick', 7);
    expect(calls).toEqual([7]);
    expect(((await surfaced) as Error).message).toBe('listener bug');
  });
});
