/**
 * How virtual controllers hand packets to their hosts: one FIFO queue for the
 * process, drained on later turns of the event loop in slices of at most
 * {@link SLICE_MS}, so that thousands of busy links (each packet may start
 * P-256 work in its host) never hold the loop for long: timers and I/O run
 * between slices. Order is kept: a packet queued earlier is delivered earlier;
 * one queued during a turn waits for the next, as with `setImmediate`.
 * @module
 */
import { performance } from 'node:perf_hooks';

/** The longest stretch of deliveries in one turn of the event loop, in milliseconds. */
export const SLICE_MS = 4;

const queue: Array<() => void> = [];
let head = 0;
let scheduled = false;

function drain(): void {
  const until = performance.now() + SLICE_MS;
  // Only what was queued before this turn, as setImmediate does: a packet a task sends now (a command's
  // answer) waits for the next turn, after whatever the host scheduled meanwhile.
  const end = queue.length;
  try {
    // At least one task per turn, however long it takes; then as many as fit in the slice.
    while (head < end) {
      const task = queue[head]!;
      queue[head++] = undefined as never;
      task();
      if (performance.now() >= until) break;
    }
  } finally {
    // (A task that threw, a listener's bug, still leaves the rest to run on the next turn.)
    scheduled = false;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      schedule();
    }
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(drain);
}

/**
 * Runs `task` on a later turn of the event loop, after every task queued before it.
 * @example
 * ```ts
 * later(() => listener(packet)); // never inside the caller's own turn
 * ```
 */
export function later(task: () => void): void {
  queue.push(task);
  schedule();
}
