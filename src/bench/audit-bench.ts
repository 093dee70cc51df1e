/**
 * Trace auditor figures for `npm run bench`, each ratio from timings taken in
 * the same run:
 *
 * - the audit of a generated btsnoop capture of mixed traffic with pairings
 *   inside (written to a temp directory, removed afterwards), including legacy
 *   Passkey Entry pairings with fresh random passkeys, against
 *   `tshark -r FILE -Y btsmp` on the same file when tshark is installed;
 * - the worst-case passkey (999999) recovery, ours on every core against a
 *   crackle-style brute force in C (bench/c1-brute-force.c, compiled with
 *   `cc -O2` into the temp directory) when a C compiler is there;
 * - the legacy passkey search rate per engine.
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_MODELS, runDemoPairing } from '../cli/commands/demo.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { c1 } from '../crypto/legacy.js';
import type { HciPacket } from '../hci/h4.js';
import { type AuditReport, TraceAuditor } from '../trace/audit/audit.js';
import { defaultPool, PasskeyPool } from '../trace/audit/passkey-pool.js';
import { type ConfirmInputs, MAX_PASSKEY, passkeyTk, searchPasskey } from '../trace/audit/passkey-search.js';
import { btsnoopHeader, btsnoopRecord } from '../trace/btsnoop-writer.js';
import { TraceReader } from '../trace/readers/index.js';

/** One legacy Passkey Entry pairing with a fresh random passkey per this many megabytes of capture. */
export const PASSKEY_PAIRING_EVERY_MB = 10;

/** Worst-case passkey recovery: ours against the C brute force, timed alternately in one run. */
export interface WorstCaseBench {
  /** Milliseconds of `searchPasskey` for passkey 999999, each run (the worker pool warmed up first). */
  readonly oursMs: readonly number[];
  /** CPU milliseconds of those runs, every thread of the process (the machine's load does not inflate them). */
  readonly oursCpuMs: readonly number[];
  /** Milliseconds of the C loop for the same inputs, each run, and its CPU milliseconds; absent when skipped. */
  readonly cMs?: readonly number[];
  readonly cCpuMs?: readonly number[];
  /** Why the C figure is missing. */
  readonly cSkipped?: string;
  /** Threads the search used: the calling thread and the workers. */
  readonly threads: number;
}

/** What the audit bench measured. */
export interface AuditBench {
  readonly megabytes: number;
  readonly pairings: number;
  /** Legacy passkey pairings in the capture, and the passkeys the audit recovered (each a fresh random one). */
  readonly passkeyPairings: number;
  readonly passkeysRecovered: readonly number[];
  /** Median seconds of the streaming audit over the runs (each run: a fresh reader and auditor). */
  readonly auditSeconds: number;
  readonly auditMBps: number;
  /** Median seconds of `tshark -r FILE -Y btsmp`, absent when tshark is not installed. */
  readonly tsharkSeconds?: number;
  /** Every run's seconds, audit and tshark alternated. */
  readonly auditRuns: readonly number[];
  readonly tsharkRuns?: readonly number[];
  /** CPU seconds of each run (the audit: every thread of this process; tshark: from /proc, Linux only). */
  readonly auditCpu: readonly number[];
  readonly tsharkCpu?: readonly number[];
  /** Seconds of the command itself, `node dist/cli/bin.js audit FILE` (process start and report included), each run. */
  readonly cliRuns: readonly number[];
  readonly worstCase: WorstCaseBench;
  readonly c1PerSecond: Record<string, number>;
}

/**
 * The median of some numbers.
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** ATT notifications on handle 0x0041: the mixed traffic between pairings. */
function attNotification(i: number): HciPacket {
  const data = new Uint8Array(4 + 4 + 23);
  data.set([0x41, 0x20, 27, 0, 23, 0, 0x04, 0x00, 0x1b, 0x10, 0x00]);
  for (let j = 11; j < data.length; j++) data[j] = (i + j) & 0xff;
  return { type: 'acl', data };
}

/** A pairing's HCI packets as the central's side of the capture saw them. */
type Recorded = Array<[direction: 'tx' | 'rx', packet: HciPacket]>;

async function record(model: (typeof DEMO_MODELS)[number]): Promise<Recorded> {
  const packets: Recorded = [];
  await runDemoPairing(model, undefined, false, (direction, packet) => packets.push([direction, packet]));
  return packets;
}

/**
 * Writes about `megabytes` of btsnoop (1002) to `file`: the demo pairings other than OOB and legacy
 * passkey repeated between ATT traffic, and every {@link PASSKEY_PAIRING_EVERY_MB} MB a legacy
 * Passkey Entry pairing run afresh (the display side draws a new random passkey each time).
 * @example
 * ```ts
 * const { pairings } = await generateMixedCapture('/tmp/mixed.btsnoop', 100); // the bench's capture, to profile
 * ```
 */
export async function generateMixedCapture(
  file: string,
  megabytes: number,
): Promise<{ pairings: number; passkeyPairings: number }> {
  const fixed: Recorded = [];
  const others = DEMO_MODELS.filter((m) => !m.oob && m.id !== 'legacy-passkey');
  for (const model of others) fixed.push(...(await record(model)));
  const legacyPasskey = DEMO_MODELS.find((m) => m.id === 'legacy-passkey')!;
  const fd = openSync(file, 'w');
  let written = 0;
  let pairings = 0;
  let passkeyPairings = 0;
  let time = Date.UTC(2026, 0, 1);
  const batch: Uint8Array[] = [];
  const flush = () => {
    const joined = Buffer.concat(batch);
    writeSync(fd, joined);
    written += joined.length;
    batch.length = 0;
  };
  const add = (packets: Recorded) => {
    for (const [direction, packet] of packets) {
      time += 1;
      batch.push(btsnoopRecord(direction, packet, time));
    }
  };
  writeSync(fd, btsnoopHeader());
  while (written < megabytes * 1e6) {
    for (let i = 0; i < 20_000; i++) {
      time += 1;
      batch.push(btsnoopRecord('rx', attNotification(i), time));
    }
    add(fixed);
    pairings += others.length;
    // The first legacy passkey pairing early, then one per PASSKEY_PAIRING_EVERY_MB.
    if (written >= passkeyPairings * PASSKEY_PAIRING_EVERY_MB * 1e6 - 1e6) {
      add(await record(legacyPasskey));
      pairings++;
      passkeyPairings++;
    }
    flush();
  }
  closeSync(fd);
  return { pairings, passkeyPairings };
}

/** Fixed c1 inputs (not from a capture) for the search figures. */
const BENCH_INPUTS: ConfirmInputs = {
  confirm: new Uint8Array(16).fill(0xa5),
  random: Uint8Array.from({ length: 16 }, (_, i) => (i * 17 + 3) & 0xff),
  preq: Uint8Array.of(1, 4, 0, 5, 16, 1, 1),
  pres: Uint8Array.of(2, 0, 0, 5, 16, 1, 1),
  iat: 0,
  ia: Uint8Array.of(1, 2, 3, 4, 5, 6),
  rat: 1,
  ra: Uint8Array.of(6, 5, 4, 3, 2, 0xc1),
};

/** c1 evaluations per second of the passkey search with `engine`, over `count` candidates that do not match. */
function c1Rate(engine: 'tables' | CryptoBackend, count: number): number {
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const { evaluations } = searchPasskey(BENCH_INPUTS, engine, 0, count - 1);
    rates.push(evaluations / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/** c1 evaluations per second of the specialised kernel on the calling thread alone (the per-core figure). */
function oneThreadRate(count: number): number {
  const words = (wire: Uint8Array) => {
    const out = new Int32Array(4);
    for (let w = 0; w < 4; w++)
      out[w] = new DataView(wire.buffer, wire.byteOffset).getInt32(12 - 4 * w, true);
    return out;
  };
  const x = Uint8Array.from(BENCH_INPUTS.random);
  x[0]! ^= BENCH_INPUTS.iat;
  x[1]! ^= BENCH_INPUTS.rat;
  for (let i = 0; i < 7; i++) {
    x[2 + i]! ^= BENCH_INPUTS.preq[i]!;
    x[9 + i]! ^= BENCH_INPUTS.pres[i]!;
  }
  const p2 = new Uint8Array(16);
  p2.set(BENCH_INPUTS.ra, 0);
  p2.set(BENCH_INPUTS.ia, 6);
  const job = Int32Array.of(...words(x), ...words(p2), ...words(BENCH_INPUTS.confirm));
  const pool = new PasskeyPool({ workers: 0 });
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    pool.search('confirm', job, 0, count - 1);
    rates.push(count / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/** Milliseconds of a `process.cpuUsage()` difference: user and system, every thread of the process. */
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** A 16-octet wire-order value as 32 hex digits in spec order (most significant first), for the C program. */
const specHex = (wire: Uint8Array) => Buffer.from(wire).reverse().toString('hex');

/** The C brute force compiled into `dir`, or why not. */
function compileC(dir: string): { binary: string } | { skipped: string } {
  const source = fileURLToPath(new URL('../../bench/c1-brute-force.c', import.meta.url));
  if (!existsSync(source)) return { skipped: `${source} not found (run from the repository)` };
  const binary = join(dir, 'c1-brute-force');
  try {
    execFileSync('cc', ['-O2', '-o', binary, source], { stdio: 'pipe' });
    return { binary };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      skipped:
        code === 'ENOENT' ? 'no C compiler (cc) on PATH' : `cc -O2 failed: ${(error as Error).message}`,
    };
  }
}

/**
 * Worst-case passkey recovery (999999, the last candidate): ours (`searchPasskey`, every core, the
 * worker pool started beforehand) and the C brute force on the same inputs, alternately, `runs` times.
 */
function worstCase(dir: string, runs = 3): WorstCaseBench {
  const inputs = {
    ...BENCH_INPUTS,
    confirm: c1(
      passkeyTk(MAX_PASSKEY),
      BENCH_INPUTS.random,
      BENCH_INPUTS.preq,
      BENCH_INPUTS.pres,
      BENCH_INPUTS.iat,
      BENCH_INPUTS.ia,
      BENCH_INPUTS.rat,
      BENCH_INPUTS.ra,
    ),
  };
  const p1 = new Uint8Array(16);
  p1[0] = inputs.iat;
  p1[1] = inputs.rat;
  p1.set(inputs.preq, 2);
  p1.set(inputs.pres, 9);
  const p2 = new Uint8Array(16);
  p2.set(inputs.ra, 0);
  p2.set(inputs.ia, 6);
  const args = [specHex(p1), specHex(p2), specHex(inputs.random), specHex(inputs.confirm)];
  const compiled = compileC(dir);
  // Start the workers (created on first use) and let them compile the kernel.
  searchPasskey({ ...inputs, confirm: new Uint8Array(16) }, 'tables', 0, 199_999);
  const oursMs: number[] = [];
  const oursCpuMs: number[] = [];
  const cMs: number[] = [];
  const cCpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const { passkey } = searchPasskey(inputs);
    oursMs.push(performance.now() - start);
    oursCpuMs.push(cpuMs(process.cpuUsage(cpu)));
    if (passkey !== MAX_PASSKEY) throw new Error(`bench: passkey search gave ${passkey}, not ${MAX_PASSKEY}`);
    if ('binary' in compiled) {
      const [found, seconds, cpuSeconds] = execFileSync(compiled.binary, args, { encoding: 'utf8' })
        .trim()
        .split(' ');
      if (Number(found) !== MAX_PASSKEY)
        throw new Error(`bench: the C brute force gave ${found}, not ${MAX_PASSKEY}`);
      cMs.push(Number(seconds) * 1000);
      cCpuMs.push(Number(cpuSeconds) * 1000);
    }
  }
  const threads = defaultPool().threads;
  return 'binary' in compiled
    ? { oursMs, oursCpuMs, cMs, cCpuMs, threads }
    : { oursMs, oursCpuMs, cSkipped: compiled.skipped, threads };
}

/** Audits `file` streaming, as `ble-smp audit` does: the report, the octets read, and the seconds it took. */
async function auditFile(
  file: string,
): Promise<{ report: AuditReport; bytes: number; seconds: number; cpu: number }> {
  // As `ble-smp audit` reads: ACL packets no SMP audit needs are left out before a record is made.
  const reader = new TraceReader({ smpOnly: true });
  const auditor = new TraceAuditor();
  let bytes = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    bytes += (chunk as Buffer).length;
    auditor.read(reader, chunk as Buffer);
  }
  auditor.read(reader);
  const report = auditor.finish();
  return {
    report,
    bytes,
    seconds: (performance.now() - start) / 1000,
    cpu: cpuMs(process.cpuUsage(cpu)) / 1000,
  };
}

/** Seconds of `ble-smp audit FILE` as a process (exit 0 or 1: findings are expected), or undefined if it fails. */
function runCli(file: string): number | undefined {
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const start = performance.now();
  const result = spawnSync(process.execPath, [bin, 'audit', file], { stdio: 'ignore' });
  return result.status === 0 || result.status === 1 ? (performance.now() - start) / 1000 : undefined;
}

/**
 * Times `tshark -r FILE -Y btsmp`: wall seconds, and CPU seconds where Linux's /proc gives the
 * shell's children times. Throws when tshark is missing or fails.
 */
function runTshark(file: string): { seconds: number; cpu?: number } {
  const script =
    'tshark -r "$1" -Y btsmp > /dev/null 2>&1 || exit 127; echo "$(getconf CLK_TCK 2>/dev/null || echo 100) $(cat /proc/$$/stat 2>/dev/null)"';
  const start = performance.now();
  const out = execFileSync('sh', ['-c', script, 'sh', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const seconds = (performance.now() - start) / 1000;
  const [tick, ...stat] = out.trim().split(' ');
  const text = stat.join(' ');
  // Fields after "(comm) ": state is field 3, cutime 16 and cstime 17 (proc(5)).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[13]) + Number(fields[14])) / Number(tick);
  return Number.isFinite(cpu) && text.length > 0 ? { seconds, cpu } : { seconds };
}

/**
 * Runs the audit bench: generates the capture, audits it streaming and times
 * tshark on it, alternately `runs` times, races the worst-case passkey against the C brute force, and
 * measures the passkey search rate per engine.
 * @example
 * ```ts
 * const { auditSeconds, tsharkSeconds } = await runAuditBench([nodeBackend, nobleBackend], 100);
 * ```
 */
export async function runAuditBench(
  backends: readonly CryptoBackend[],
  megabytes = 100,
  runs = 3,
): Promise<AuditBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ble-smp-audit-bench-'));
  try {
    const file = join(dir, 'mixed.btsnoop');
    const generated = await generateMixedCapture(file, megabytes);
    // Audit and tshark alternated, `runs` times each: a load spike on a shared machine hits both.
    const auditRuns: number[] = [];
    const auditCpu: number[] = [];
    const tsharkRuns: number[] = [];
    const tsharkCpu: number[] = [];
    const cliRuns: number[] = [];
    let bytes = 0;
    let passkeysRecovered: number[] = [];
    for (let run = 0; run < runs; run++) {
      const audited = await auditFile(file);
      bytes = audited.bytes;
      auditRuns.push(audited.seconds);
      auditCpu.push(audited.cpu);
      const report = audited.report;
      if (report.pairings.length !== generated.pairings)
        throw new Error(`bench: ${report.pairings.length} pairings found, ${generated.pairings} written`);
      passkeysRecovered = report.pairings
        .filter(
          (p) =>
            p.model === 'passkey' &&
            p.passkey !== undefined &&
            p.findings.some((f) => f.rule === 'passkey-recovered'),
        )
        .map((p) => p.passkey!);
      if (passkeysRecovered.length !== generated.passkeyPairings)
        throw new Error(
          `bench: ${passkeysRecovered.length} passkeys recovered, ${generated.passkeyPairings} pairings written`,
        );
      const cli = runCli(file);
      if (cli !== undefined) cliRuns.push(cli);
      if (run === 0 || tsharkRuns.length > 0) {
        try {
          const tshark = runTshark(file);
          tsharkRuns.push(tshark.seconds);
          if (tshark.cpu !== undefined) tsharkCpu.push(tshark.cpu);
        } catch {
          // tshark not installed (or failing): no ratio.
        }
      }
    }
    const worst = worstCase(dir);
    const c1PerSecond: Record<string, number> = {
      'tables, all cores': c1Rate('tables', 1_000_000),
      'tables, one thread': oneThreadRate(1_000_000),
    };
    for (const backend of backends) c1PerSecond[backend.name] = c1Rate(backend, 20_000);
    return {
      megabytes: bytes / 1e6,
      pairings: generated.pairings,
      passkeyPairings: generated.passkeyPairings,
      passkeysRecovered,
      auditSeconds: median(auditRuns),
      auditMBps: bytes / 1e6 / median(auditRuns),
      auditRuns,
      auditCpu,
      cliRuns,
      ...(tsharkRuns.length === 0 ? {} : { tsharkSeconds: median(tsharkRuns), tsharkRuns }),
      ...(tsharkCpu.length === tsharkRuns.length && tsharkCpu.length > 0 ? { tsharkCpu } : {}),
      worstCase: worst,
      c1PerSecond,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
