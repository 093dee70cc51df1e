/**
 * Full-stack figures for `npm run bench`: pairings per second through HCI,
 * ACL, L2CAP and SMP on virtual controllers, and a scale run of many
 * connections pairing at once on one air.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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

/** Bumble's in-process SC Just Works pairing as issue 15 measured it (Bumble is not installed here): 3.5 ms. */
export const BUMBLE_PAIRING_MS = 3.5;

/** What {@link pairCallMs} measured. */
export interface PairCallTimes {
  /** Milliseconds of each timed `pair()`, sorted. */
  readonly ms: readonly number[];
  readonly median: number;
}

/**
 * `connection.pair()` alone, SC Just Works with bonding and the default key
 * distribution (both hosts open and connected before the clock starts, as a
 * pairing benchmark of another stack measures it): `runs` timed pairings after
 * `warmup` untimed ones, each on a fresh pair of hosts.
 * @example
 * ```ts
 * const { median } = await pairCallMs(nodeBackend);
 * console.log(`${(BUMBLE_PAIRING_MS / median).toFixed(1)}x Bumble's figure`);
 * ```
 */
export async function pairCallMs(backend: CryptoBackend, runs = 200, warmup = 100): Promise<PairCallTimes> {
  const air = new VirtualAir();
  const crypto = toolbox(backend);
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const address = addressOf(0x200000 + i);
    const central = await Host.open(air.createController(), { delegate: acceptAll, crypto });
    const peripheral = await Host.open(air.createController({ address }), { delegate: acceptAll, crypto });
    try {
      const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
      await peripheral.startAdvertising();
      const connection = await central.connect(address, 0, { timeoutMs: 10_000 });
      await incoming;
      const start = performance.now();
      const result = await connection.pair();
      const elapsed = performance.now() - start;
      if (result.model !== 'just-works' || !result.bonded)
        throw new Error('bench: expected a bonded SC Just Works pairing');
      if (i >= warmup) times.push(elapsed);
    } finally {
      await Promise.allSettled([central.close(), peripheral.close()]);
    }
  }
  times.sort((a, b) => a - b);
  return { ms: times, median: times[times.length >> 1]! };
}

/**
 * Waits for what an earlier run in this process is still finishing: hosts
 * closed a moment ago still hold their links for a few turns (their
 * controllers' last deliveries), several MiB after 5,000 connections, which
 * would count against the next run's connections.
 */
const settleEarlierRuns = () => new Promise((resolve) => setTimeout(resolve, 200));

/** How many central/peripheral host pairs the scale run opens (and then sets pairing) per turn of the event loop. */
export const OPEN_PER_TURN = 100;

/** What the scale run measured. */
export interface ScaleRun {
  readonly connections: number;
  readonly wallMs: number;
  /** The largest heap seen while the connections paired (garbage not yet collected included), per connection. */
  readonly heapPerConnectionKiB: number;
  /** The heap every connection holds once all have paired, after a full collection, per connection (NaN without --expose-gc). */
  readonly liveHeapPerConnectionKiB: number;
  /** The heap in use before the first host opened (after a full collection with --expose-gc), in MiB. */
  readonly heapBeforeMiB: number;
  readonly longestStallMs: number;
  /** When the longest stall ended, in ms from the start, and in which stage ('open', 'pair', 'close'). */
  readonly longestStallAt: { readonly ms: number; readonly stage: string };
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
  await settleEarlierRuns();
  const air = new VirtualAir();
  const crypto = toolbox(backend);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  // The longest stall: the largest gap between turns of a 5 ms interval (a loop kept busy by microtasks
  // gives the interval no turn at all, and that whole stretch counts as one stall).
  let last = performance.now();
  let longestGap = 0;
  let stage = 'open';
  let longestAt = { ms: 0, stage };
  const start = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now - last > longestGap) {
      longestGap = now - last;
      longestAt = { ms: now - start, stage };
    }
    last = now;
  }, 5);
  // Hosts are opened OPEN_PER_TURN at a time, one batch per turn of the event loop, as an application
  // starting thousands would: opening them all in one synchronous loop is the caller's own stall.
  const opening: Promise<{ central: Host; peripheral: Host; address: Uint8Array }>[] = [];
  for (let i = 0; i < connections; i++) {
    if (i > 0 && i % OPEN_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const address = addressOf(0x100000 + i);
    opening.push(
      (async () => {
        const central = await Host.open(air.createController(), { policy, delegate: acceptAll, crypto });
        const peripheral = await Host.open(air.createController({ address }), {
          policy,
          delegate: acceptAll,
          crypto,
        });
        return { central, peripheral, address };
      })(),
    );
  }
  const hosts = await Promise.all(opening);
  stage = 'pair';
  const pairing: Promise<void>[] = [];
  for (const [i, { central, peripheral, address }] of hosts.entries()) {
    if (i > 0 && i % OPEN_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    pairing.push(
      (async () => {
        const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
        await peripheral.startAdvertising();
        const connection = await central.connect(address, 0, { timeoutMs: 60_000 });
        await incoming;
        await connection.pair();
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      })(),
    );
  }
  await Promise.all(pairing);
  const wallMs = performance.now() - start;
  clearInterval(ticker);
  if (performance.now() - last > longestGap) {
    longestGap = performance.now() - last;
    longestAt = { ms: performance.now() - start, stage };
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const live = gc ? process.memoryUsage().heapUsed : Number.NaN;
  await Promise.allSettled(hosts.flatMap(({ central, peripheral }) => [central.close(), peripheral.close()]));
  return {
    connections,
    wallMs,
    heapPerConnectionKiB: (heapPeak - heapBefore) / 1024 / connections,
    liveHeapPerConnectionKiB: (live - heapBefore) / 1024 / connections,
    heapBeforeMiB: heapBefore / 1024 / 1024,
    longestStallMs: Math.max(0, longestGap - 5),
    longestStallAt: longestAt,
  };
}

/** What {@link heldPairingRun} measured. */
export interface HeldPairingRun {
  readonly connections: number;
  /** The heap every connection holds with all pairings held mid-way, after a full collection, per connection. */
  readonly heldMidPairingKiB: number;
  /** The same once all have paired (bonds kept, sessions gone), per connection. */
  readonly heldPairedKiB: number;
}

/**
 * The live heap at the peak of the scale run, without the garbage V8 has not
 * collected yet: `connections` pairs connect, then pair at once with a
 * delegate that holds every number comparison until both ends of every link
 * have been asked (each session past its DHKey, keys and nonces in memory,
 * nothing yet distributed); a full collection, the heap read; then all go on
 * and pair. Needs `node --expose-gc` (NaN without).
 * @example
 * ```ts
 * const held = await heldPairingRun(5000, nodeBackend);
 * console.log(`${held.heldMidPairingKiB.toFixed(1)} KiB per connection mid-pairing`);
 * ```
 */
export async function heldPairingRun(connections: number, backend: CryptoBackend): Promise<HeldPairingRun> {
  await settleEarlierRuns();
  const gc = (globalThis as { gc?: () => void }).gc;
  const air = new VirtualAir();
  const crypto = toolbox(backend);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = 0;
  let allAsked!: () => void;
  const everyoneAsked = new Promise<void>((resolve) => {
    allAsked = resolve;
  });
  const delegate = {
    ...acceptAll,
    confirmNumber: async () => {
      if (++asked === 2 * connections) allAsked();
      await gate;
      return true;
    },
  };
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const links: Connection[] = [];
  const hosts: Host[] = [];
  for (let i = 0; i < connections; i++) {
    if (i > 0 && i % OPEN_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const address = addressOf(0x300000 + i);
    const central = await Host.open(air.createController(), { policy, delegate, crypto });
    const peripheral = await Host.open(air.createController({ address }), { policy, delegate, crypto });
    hosts.push(central, peripheral);
    const incoming = new Promise<Connection>((resolve) => peripheral.once('connection', resolve));
    await peripheral.startAdvertising();
    links.push(await central.connect(address, 0, { timeoutMs: 60_000 }));
    await incoming;
  }
  const pairing = Promise.all(links.map((link) => link.pair()));
  await everyoneAsked;
  const perConnection = () => {
    gc?.();
    return gc ? (process.memoryUsage().heapUsed - before) / 1024 / connections : Number.NaN;
  };
  const heldMidPairingKiB = perConnection();
  release();
  await pairing;
  const heldPairedKiB = perConnection();
  await Promise.allSettled(hosts.map((host) => host.close()));
  return { connections, heldMidPairingKiB, heldPairedKiB };
}

/** Issue 15's goal for the heap at the peak, per connection. */
export const PEAK_HEAP_GOAL_KIB = 32;

/** A scale run in a child process whose V8 old space is capped. */
export interface CappedScaleRun {
  /** The cap given to V8 (--max-old-space-size), in MiB. */
  readonly capMiB: number;
  /** What the cap allows before any host (a fresh process's own heap), in MiB. */
  readonly baseMiB: number;
  /** The child's run, or why it did not finish (V8 out of memory, a timeout). */
  readonly run: ScaleRun | undefined;
  readonly failure: string | undefined;
}

const childScript = () => fileURLToPath(new URL('./scale-child.js', import.meta.url));

/**
 * The heap a fresh scale-run process holds before opening any host (modules
 * loaded, after a full collection), in MiB: the base of {@link cappedScaleRun}'s cap.
 * @example
 * ```ts
 * childBaselineMiB(); // about 6 under Node 20
 * ```
 */
export function childBaselineMiB(): number {
  const child = spawnSync(process.execPath, ['--expose-gc', childScript(), 'baseline'], { encoding: 'utf8' });
  const line = child.stdout?.trim().split('\n').pop();
  if (child.status !== 0 || !line) throw new Error(`bench: the baseline child failed: ${child.stderr}`);
  return (JSON.parse(line) as { heapBeforeMiB: number }).heapBeforeMiB;
}

/**
 * The scale run again, in a child process whose V8 old space is capped at
 * `perConnectionKiB` (default: the peak-heap goal) for each of `connections`
 * plus `baseMiB` (what such a process holds before opening any host, measured
 * by {@link childBaselineMiB} when not given). V8 lets garbage pile up while it has room; held
 * to the goal it must collect, and if the run still finishes, what the
 * connections need at the peak fits the goal.
 * @example
 * ```ts
 * const capped = cappedScaleRun(5000);
 * console.log(capped.run ? 'fits' : capped.failure);
 * ```
 */
export function cappedScaleRun(
  connections: number,
  perConnectionKiB = PEAK_HEAP_GOAL_KIB,
  baseMiB = childBaselineMiB(),
): CappedScaleRun {
  // Rounded down: the cap never allows more than the goal.
  const capMiB = Math.floor(baseMiB + (perConnectionKiB * connections) / 1024);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', `--max-old-space-size=${capMiB}`, childScript(), String(connections)],
    { encoding: 'utf8', timeout: 180_000 },
  );
  const line = child.stdout?.trim().split('\n').pop();
  if (child.status === 0 && line)
    return { capMiB, baseMiB, run: JSON.parse(line) as ScaleRun, failure: undefined };
  const stderr = child.stderr ?? '';
  const why =
    child.error?.message ??
    (/heap out of memory/.test(stderr)
      ? 'V8 ran out of heap: JavaScript heap out of memory'
      : (/^\w*Error: .*$/m.exec(stderr)?.[0] ?? `exit status ${child.status}`));
  return { capMiB, baseMiB, run: undefined, failure: why };
}
