/**
 * The crypto benchmark behind `npm run bench`: for each toolbox function and both backends, operations per
 * second beside a floor measured in the same run: bare `node:crypto` doing the
 * same AES work (one AES-128-ECB block per e; one AES-CBC call per AES-CMAC),
 * P-256 key generation and ECDH with a bare `node:crypto` ECDH object, and a
 * whole SC Numeric Comparison pairing (both sessions back to back in one
 * process, key distribution included) beside two bare key generations and two
 * ECDH computations.
 * Prints the ratio floor/ours (how many times slower than the floor; target:
 * the node backend within 1.5x), and which backend is the default here (the
 * one a host, the CLI and the adapters use when given none). `--json` prints
 * the same as JSON.
 * @module
 */
import { createCipheriv, createECDH } from 'node:crypto';
import type { CryptoBackend } from '../crypto/backend.js';
import { defaultBackend } from '../crypto/default-backend.js';
import { keyId } from '../crypto/key-conversion.js';
import { randomBytes } from '../crypto/random.js';
import { type Toolbox, toolbox } from '../crypto/toolbox.js';
import { IoCapability } from '../smp/constants.js';
import { acceptAll } from '../smp/delegate.js';
import { pairInMemorySync } from '../smp/loopback.js';
import { measureOpsPerSecond } from './measure.js';

/**
 * Milliseconds each operation runs unmeasured before its batches, so that
 * every row is the steady state, not V8 compiling the code.
 */
export const WARMUP_MS = 200;
/**
 * The SC pairing row's warm-up: V8 takes 1,500 to 2,000 pairings (about half
 * a second) to compile the engine's many small functions.
 */
export const PAIRING_WARMUP_MS = 1500;

/** The target for the node backend: at most this many times slower than bare node:crypto. */
export const NODE_TARGET_RATIO = 1.5;

const ZERO_IV = new Uint8Array(16);
/** Bare node:crypto: `blocks` AES-128-ECB encryptions of one block, each its own cipher. */
const ecbFloor = (blocks: number) => {
  const key = randomBytes(16);
  const block = randomBytes(16);
  return () => {
    for (let i = 0; i < blocks; i++) createCipheriv('aes-128-ecb', key, null).update(block);
  };
};
/** Bare node:crypto: one AES-128-CBC call over each padded message length (one per CMAC). */
const cbcFloor = (...messageLengths: number[]) => {
  const key = randomBytes(16);
  const messages = messageLengths.map((n) => randomBytes(Math.max(16, Math.ceil(n / 16) * 16)));
  return () => {
    for (const m of messages) createCipheriv('aes-128-cbc', key, ZERO_IV).update(m);
  };
};

/** Bare node:crypto: what the SC pairing row's floor does (two key generations, two ECDH). */
function p256PairingFloor(): void {
  const a = createECDH('prime256v1');
  const b = createECDH('prime256v1');
  const pa = a.generateKeys();
  const pb = b.generateKeys();
  a.computeSecret(pb);
  b.computeSecret(pa);
}

/**
 * The 14 AES-CMACs of an SC Numeric Comparison pairing, both sides (Core
 * Vol 3 Part H 2.2.6-2.2.9), as message lengths grouped by key: f4 twice (Cb
 * made and checked) and g2 twice, each under a nonce of its own; on each
 * side f5's T under SALT, then MacKey and LTK under T; and each side's two
 * f6 checks (Ea, Eb) under its MacKey. 10 keys in all.
 */
const SC_PAIRING_CMACS: readonly (readonly number[])[] = [
  [65],
  [65],
  [80],
  [80],
  [32],
  [53, 53],
  [32],
  [53, 53],
  [65, 65],
  [65, 65],
];

/**
 * Bare node:crypto at about the least those AES-CMACs take: one cipher per
 * key, one update() for L = AES(K, 0), one per message.
 */
const bareCmacs = (byKey: readonly (readonly number[])[]) => {
  const key = randomBytes(16);
  const groups = byKey.map((lengths) =>
    lengths.map((n) => randomBytes(Math.max(16, Math.ceil(n / 16) * 16))),
  );
  return () => {
    for (const messages of groups) {
      const cipher = createCipheriv('aes-128-cbc', key, ZERO_IV);
      cipher.update(ZERO_IV);
      for (const m of messages) cipher.update(m);
    }
  };
};

/** What the cryptography alone of an SC pairing costs beside the P-256 floor. */
export interface PairingCryptoBound {
  /** Operations per second of the P-256 floor (two key generations, two ECDH). */
  readonly floorOpsPerSecond: number;
  /** Operations per second of the floor plus the pairing's 14 AES-CMACs with bare calls, one cipher per key. */
  readonly withCmacsOpsPerSecond: number;
  /** floor / with CMACs: about the least ratio an engine on node:crypto can reach. */
  readonly ratio: number;
}

/**
 * About the least the SC pairing row's ratio can be on node:crypto: the
 * P-256 floor plus the pairing's 14 AES-CMACs done with bare calls (one
 * cipher per key) and nothing else, measured beside the floor in
 * interleaved batches.
 * @example
 * ```ts
 * const bound = pairingCryptoBound(15);
 * console.log(bound.ratio.toFixed(2)); // e.g. 1.25: the engine's own work must fit in what is left
 * ```
 */
export function pairingCryptoBound(batches = 15): PairingCryptoBound {
  const cmacs = bareCmacs(SC_PAIRING_CMACS);
  const [floor, withCmacs] = measureOpsPerSecond(
    [
      p256PairingFloor,
      () => {
        p256PairingFloor();
        cmacs();
      },
    ],
    { batchMs: 25, batches, warmupMs: WARMUP_MS },
  );
  return { floorOpsPerSecond: floor!, withCmacsOpsPerSecond: withCmacs!, ratio: floor! / withCmacs! };
}

interface Case {
  name: string;
  /** What the floor does, in words. */
  floorWork: string;
  floor: () => () => unknown;
  /** Unmeasured milliseconds per operation before the batches (default {@link WARMUP_MS}). */
  warmupMs?: number;
  ours: (tb: Toolbox) => () => unknown;
}

const r = randomBytes;
const CASES: Case[] = [
  { name: 'e', floorWork: '1 ECB block', floor: () => ecbFloor(1), ours: (tb) => bind(tb.e, r(16), r(16)) },
  {
    name: 'c1',
    floorWork: '2 ECB blocks',
    floor: () => ecbFloor(2),
    ours: (tb) => bind(tb.c1, r(16), r(16), r(7), r(7), 0, r(6), 1, r(6)),
  },
  {
    name: 's1',
    floorWork: '1 ECB block',
    floor: () => ecbFloor(1),
    ours: (tb) => bind(tb.s1, r(16), r(16), r(16)),
  },
  { name: 'ah', floorWork: '1 ECB block', floor: () => ecbFloor(1), ours: (tb) => bind(tb.ah, r(16), r(3)) },
  {
    name: 'aesCmac (64 octets)',
    floorWork: '1 CBC call, 64 octets',
    floor: () => cbcFloor(64),
    ours: (tb) => bind(tb.aesCmac, r(16), r(64)),
  },
  {
    name: 'f4',
    floorWork: '1 CBC call, 65 octets',
    floor: () => cbcFloor(65),
    ours: (tb) => bind(tb.f4, r(32), r(32), r(16), 0x81),
  },
  {
    name: 'f5',
    floorWork: '3 CBC calls, 32+53+53 octets',
    floor: () => cbcFloor(32, 53, 53),
    ours: (tb) => bind(tb.f5, r(32), r(16), r(16), r(7), r(7)),
  },
  {
    name: 'f6',
    floorWork: '1 CBC call, 65 octets',
    floor: () => cbcFloor(65),
    ours: (tb) => bind(tb.f6, r(16), r(16), r(16), r(16), r(3), r(7), r(7)),
  },
  {
    name: 'g2',
    floorWork: '1 CBC call, 80 octets',
    floor: () => cbcFloor(80),
    ours: (tb) => bind(tb.g2, r(32), r(32), r(16), r(16)),
  },
  {
    name: 'h6',
    floorWork: '1 CBC call, 4 octets',
    floor: () => cbcFloor(4),
    ours: (tb) => bind(tb.h6, r(16), keyId('lebr')),
  },
  {
    name: 'h7',
    floorWork: '1 CBC call, 16 octets',
    floor: () => cbcFloor(16),
    ours: (tb) => bind(tb.h7, r(16), r(16)),
  },
  {
    name: 'h8',
    floorWork: '2 CBC calls, 16+4 octets',
    floor: () => cbcFloor(16, 4),
    ours: (tb) => bind(tb.h8, r(16), r(16), keyId('bise')),
  },
  {
    name: 'P-256 key generation',
    floorWork: 'ECDH generateKeys',
    floor: () => () => createECDH('prime256v1').generateKeys(),
    ours: (tb) => () => tb.generateKeyPair(),
  },
  {
    name: 'P-256 ECDH (DHKey)',
    floorWork: 'ECDH computeSecret',
    floor: () => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const peer = createECDH('prime256v1').generateKeys();
      return () => ecdh.computeSecret(peer);
    },
    ours: (tb) => {
      const ours = tb.generateKeyPair();
      const peer = tb.generateKeyPair().publicKey;
      return () => tb.dhKey(ours.privateKey, peer);
    },
  },
  {
    name: 'SC Numeric Comparison pairing',
    floorWork: '2 ECDH generateKeys + 2 computeSecret',
    floor: () => p256PairingFloor,
    warmupMs: PAIRING_WARMUP_MS,
    ours: (tb) => {
      const central = { address: randomBytes(6), type: 0 as const };
      const peripheral = { address: randomBytes(6), type: 0 as const };
      const policy = { ioCapability: IoCapability.DisplayYesNo };
      const side = (local: typeof central, peer: typeof central) => ({
        options: { local, peer, policy, crypto: tb, identity: { address: local } },
        delegate: acceptAll,
      });
      return () => {
        const run = pairInMemorySync(side(central, peripheral), side(peripheral, central));
        if (run.initiator.status !== 'completed' || run.responder.status !== 'completed') {
          throw new Error('bench: the loopback pairing did not complete');
        }
      };
    },
  },
];

function bind<A extends unknown[]>(f: (...args: A) => unknown, ...args: A): () => unknown {
  return () => f(...args);
}

/** One row of the benchmark. */
export interface BenchRow {
  function: string;
  floorWork: string;
  floorOpsPerSecond: number;
  backends: Record<string, { opsPerSecond: number; ratio: number }>;
}

/**
 * Measures every case: floor and each backend interleaved, batch by batch.
 * @example
 * ```ts
 * const rows = runBench([nodeBackend]);
 * rows.every((row) => row.backends.node.ratio <= 1.5);
 * ```
 */
export function runBench(backends: CryptoBackend[], batches = 15): BenchRow[] {
  return CASES.map((c) => {
    // Pure-JS P-256 is slow: fewer, longer batches keep the run short without losing the median.
    const [floorRate, ...rates] = measureOpsPerSecond(
      [c.floor(), ...backends.map((b) => c.ours(toolbox(b)))],
      { batchMs: 25, batches, warmupMs: c.warmupMs ?? WARMUP_MS },
    );
    const row: BenchRow = {
      function: c.name,
      floorWork: c.floorWork,
      floorOpsPerSecond: floorRate!,
      backends: {},
    };
    backends.forEach((b, i) => {
      row.backends[b.name] = { opsPerSecond: rates[i]!, ratio: floorRate! / rates[i]! };
    });
    return row;
  });
}

/**
 * One line on the default backend of this runtime (what `Host.open`, the CLI
 * and the adapters use when given no toolbox) and how much faster than the
 * other one it makes an SC pairing, from the rows of this run.
 * @example
 * ```ts
 * console.log(defaultBackendSummary(runBench([nodeBackend, nobleBackend])));
 * ```
 */
export function defaultBackendSummary(rows: readonly BenchRow[]): string {
  const name = defaultBackend().name;
  const pairing = rows.find((row) => row.function === 'SC Numeric Comparison pairing')?.backends;
  const others = Object.entries(pairing ?? {}).filter(([other]) => other !== name);
  const ours = pairing?.[name]?.opsPerSecond;
  const speedups = others.map(([other, { opsPerSecond }]) =>
    ours === undefined ? '' : `, ${(ours / opsPerSecond).toFixed(1)}x the SC pairings per second of ${other}`,
  );
  return `Default backend in this runtime: ${name} (used by the host, the CLI and the adapters when given none)${speedups.join('')}.`;
}
