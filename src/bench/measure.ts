/**
 * Throughput measurement for shared, noisy machines: many short batches,
 * medians rather than means, and competitors interleaved batch by batch so
 * that load from elsewhere hits them alike.
 * @module
 */
import { performance } from 'node:perf_hooks';

/** How long to measure. */
export interface MeasureOptions {
  /** Milliseconds one batch should take (default 20). */
  readonly batchMs?: number;
  /** Batches per operation; the median is reported (default 9). */
  readonly batches?: number;
  /**
   * Milliseconds each operation runs, interleaved and unmeasured, before the
   * batches that count (default 0; the bench gives 200 or more): long enough
   * for V8 to compile the hot code, so that the figures are the steady state
   * rather than the warm-up.
   */
  readonly warmupMs?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Iterations that make one batch of `op` last about `batchMs` (at least 1). */
function calibrate(op: () => unknown, batchMs: number): number {
  let iterations = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) op();
    const elapsed = performance.now() - start;
    if (elapsed >= batchMs / 4 || iterations >= 1 << 24) {
      return Math.max(1, Math.round((iterations * batchMs) / Math.max(elapsed, 0.001)));
    }
    iterations *= 4;
  }
}

/**
 * Median operations per second of each operation, measured in interleaved
 * batches in alternating order (a, b, c, c, b, a, ...), the garbage collected
 * before each batch when `global.gc` is exposed (`node --expose-gc`), after
 * a warm-up of `warmupMs` per operation whose batches are not counted.
 * @example
 * ```ts
 * const [ours, floor] = measureOpsPerSecond([() => e(k, p), () => bareAes(k, p)]);
 * console.log((floor / ours).toFixed(2)); // how many times slower than the floor
 * ```
 */
export function measureOpsPerSecond(
  ops: ReadonlyArray<() => unknown>,
  options: MeasureOptions = {},
): number[] {
  const batchMs = options.batchMs ?? 20;
  const batches = options.batches ?? 9;
  const warmupMs = options.warmupMs ?? 0;
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  // Warm-up: each operation in turn, a batch at a time, until each has run warmupMs; then calibrate on the warm code.
  const warmed = ops.map(() => 0);
  const warmIterations = ops.map((op) => calibrate(op, batchMs));
  while (warmupMs > 0 && warmed.some((ms) => ms < warmupMs)) {
    ops.forEach((op, i) => {
      if (warmed[i]! >= warmupMs) return;
      const start = performance.now();
      for (let j = 0; j < warmIterations[i]!; j++) op();
      warmed[i]! += performance.now() - start;
    });
  }
  const iterations = ops.map((op) => calibrate(op, batchMs));
  const rates: number[][] = ops.map(() => []);
  for (let batch = 0; batch < batches; batch++) {
    // Alternate the order, so that neither side always runs first (warmer caches, the other's garbage).
    const order = batch % 2 === 0 ? ops.map((_, i) => i) : ops.map((_, i) => ops.length - 1 - i);
    for (const i of order) {
      // Collect the previous batch's short-lived garbage first (a minor collection: a full one would also
      // shrink the young generation and charge the next batch for growing it again), so that no batch pays for another's
      // (with node --expose-gc, as `npm run bench` runs; without it, batches share the collector).
      gc?.({ type: 'minor' } as never);
      const op = ops[i]!;
      const n = iterations[i]!;
      const start = performance.now();
      for (let j = 0; j < n; j++) op();
      rates[i]!.push((n * 1000) / (performance.now() - start));
    }
  }
  return rates.map(median);
}

/**
 * Formats an operations-per-second figure with three significant digits and a
 * thousands separator.
 * @example
 * ```ts
 * formatRate(1234567); // '1,230,000'
 * ```
 */
export function formatRate(opsPerSecond: number): string {
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(opsPerSecond, 1))) - 2);
  const rounded = Math.round(opsPerSecond / 10 ** digits) * 10 ** digits;
  return rounded.toLocaleString('en-US');
}
