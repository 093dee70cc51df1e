/**
 * Full-stack figures for `npm run bench`: pairings per second through HCI,
 * ACL, L2CAP and SMP on virtual controllers, and a scale run of many
 * connections pairing at once on one air.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { CryptoBackend } from '../crypto/backend.js';
import { toolbox } from '../crypto/toolbox.js';
import type { Connection } from '../host/connection.js';
import { Host } from '../host/host.js';
import { IoCapability } from '../smp/constants.js';
import { acceptAll } from '../smp/delegate.js';
import { VirtualAir } from '../transport/virtual/air.js';

const policy = { ioCapability: IoCapability.DisplayYesNo };

/** One SC Numeric Comparison pairing between two fresh hosts on `air`; resolves when both are closed. */
async function pairOnce(air: VirtualAir, address: Uint8Array, backend: CryptoBackend): Promise<void> {
  const crypto = toolbox(backend);
  const central = await Host.open(air.createController(), { policy, delegate: acceptAll, crypto });
  const peripheral = await Host.open(air.createController({ address }), {
    policy,
    delegate: acceptAll,
    crypto,
  });
  try {
    const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
    await peripheral.startAdvertising();
    const connection = await central.connect(address, 0, { timeoutMs: 10_000 });
    await incoming;
    const result = await connection.pair();
    if (result.model !== 'numeric-comparison') throw new Error(`bench: unexpected model ${result.model}`);
  } finally {
    await Promise.allSettled([central.close(), peripheral.close()]);
  }
}

const addressOf = (i: number) => Uint8Array.of(i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0x5a, 0xa5, 0xc0);

/**
 * Median full-stack SC Numeric Comparison pairings per second (host start-up,
 * advertising, connection and pairing included), over `batches` batches.
 * @example
 * ```ts
 * const rate = await fullStackPairingsPerSecond(nodeBackend);
 * ```
 */
export async function fullStackPairingsPerSecond(
  backend: CryptoBackend,
  batches = 5,
  perBatch = 20,
): Promise<number> {
  const rates: number[] = [];
  for (let b = 0; b < batches; b++) {
    const air = new VirtualAir();
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) await pairOnce(air, addressOf(b * perBatch + i), backend);
    rates.push((perBatch * 1000) / (performance.now() - start));
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)]!;
}

/** What the scale run measured. */
export interface ScaleRun {
  readonly connections: number;
  readonly wallMs: number;
  readonly heapPerConnectionKiB: number;
  readonly longestStallMs: number;
}

/**
 * `connections` central/peripheral pairs on one air, all connecting and
 * pairing at once: wall time, heap growth per connection at the peak, and the
 * longest event-loop stall.
 * @example
 * ```ts
 * const run = await scaleRun(1000, nodeBackend);
 * ```
 */
export async function scaleRun(connections: number, backend: CryptoBackend): Promise<ScaleRun> {
  const air = new VirtualAir();
  const crypto = toolbox(backend);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  // The longest stall: the largest gap between turns of a 5 ms interval (a loop kept busy by microtasks
  // gives the interval no turn at all, and that whole stretch counts as one stall).
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  const hosts = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const address = addressOf(0x100000 + i);
      const central = await Host.open(air.createController(), { policy, delegate: acceptAll, crypto });
      const peripheral = await Host.open(air.createController({ address }), {
        policy,
        delegate: acceptAll,
        crypto,
      });
      return { central, peripheral, address };
    }),
  );
  await Promise.all(
    hosts.map(async ({ central, peripheral, address }) => {
      const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
      await peripheral.startAdvertising();
      const connection = await central.connect(address, 0, { timeoutMs: 60_000 });
      await incoming;
      await connection.pair();
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }),
  );
  const wallMs = performance.now() - start;
  clearInterval(ticker);
  longestGap = Math.max(longestGap, performance.now() - last);
  await Promise.allSettled(hosts.flatMap(({ central, peripheral }) => [central.close(), peripheral.close()]));
  return {
    connections,
    wallMs,
    heapPerConnectionKiB: (heapPeak - heapBefore) / 1024 / connections,
    longestStallMs: Math.max(0, longestGap - 5),
  };
}
