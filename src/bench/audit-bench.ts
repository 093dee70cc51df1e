/**
 * Trace auditor figures for `npm run bench`: audit throughput on a generated
 * btsnoop capture of mixed traffic with pairings inside (written to a temp
 * directory, removed afterwards), tshark's time on the same file when tshark
 * is installed, and the legacy passkey search rate per engine.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_MODELS, runDemoPairing } from '../cli/commands/demo.js';
import type { CryptoBackend } from '../crypto/backend.js';
import type { HciPacket } from '../hci/h4.js';
import { TraceAuditor } from '../trace/audit/audit.js';
import { searchPasskey } from '../trace/audit/passkey-search.js';
import { btsnoopHeader, btsnoopRecord } from '../trace/btsnoop-writer.js';
import { TraceReader } from '../trace/readers/index.js';

/** What the audit bench measured. */
export interface AuditBench {
  readonly megabytes: number;
  readonly pairings: number;
  readonly auditMBps: number;
  readonly tsharkSeconds?: number;
  readonly c1PerSecond: Record<string, number>;
}

/** ATT notifications on handle 0x0041: the mixed traffic between pairings. */
function attNotification(i: number): HciPacket {
  const data = new Uint8Array(4 + 4 + 23);
  data.set([0x41, 0x20, 27, 0, 23, 0, 0x04, 0x00, 0x1b, 0x10, 0x00]);
  for (let j = 11; j < data.length; j++) data[j] = (i + j) & 0xff;
  return { type: 'acl', data };
}

/** Writes about `megabytes` of btsnoop (1002) to `file`: the demo pairings repeated between ATT traffic. */
async function generate(file: string, megabytes: number): Promise<number> {
  const pairing: Array<[direction: 'tx' | 'rx', packet: HciPacket]> = [];
  for (const model of DEMO_MODELS.filter((m) => !m.oob)) {
    await runDemoPairing(model, undefined, false, (direction, packet) => pairing.push([direction, packet]));
  }
  const fd = openSync(file, 'w');
  let written = 0;
  let pairings = 0;
  let time = Date.UTC(2026, 0, 1);
  const batch: Uint8Array[] = [];
  const flush = () => {
    const joined = Buffer.concat(batch);
    writeSync(fd, joined);
    written += joined.length;
    batch.length = 0;
  };
  writeSync(fd, btsnoopHeader());
  while (written < megabytes * 1e6) {
    for (let i = 0; i < 20_000; i++) {
      time += 1;
      batch.push(btsnoopRecord('rx', attNotification(i), time));
    }
    for (const [direction, packet] of pairing) {
      time += 1;
      batch.push(btsnoopRecord(direction, packet, time));
    }
    pairings += DEMO_MODELS.length - 1;
    flush();
  }
  closeSync(fd);
  return pairings;
}

/** c1 evaluations per second of the passkey search with `engine`, over `count` candidates that do not match. */
function c1Rate(engine: 'tables' | CryptoBackend, count: number): number {
  const inputs = {
    confirm: new Uint8Array(16).fill(0xa5),
    random: new Uint8Array(16).fill(0x11),
    preq: Uint8Array.of(1, 4, 0, 5, 16, 1, 1),
    pres: Uint8Array.of(2, 0, 0, 5, 16, 1, 1),
    iat: 0,
    ia: Uint8Array.of(1, 2, 3, 4, 5, 6),
    rat: 1,
    ra: Uint8Array.of(6, 5, 4, 3, 2, 0xc1),
  };
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const { evaluations } = searchPasskey(inputs, engine, 0, count - 1);
    rates.push(evaluations / ((performance.now() - start) / 1000));
  }
  return rates.sort((a, b) => a - b)[1]!;
}

/**
 * Runs the audit bench: generates the capture, audits it streaming, times
 * tshark on it, and measures the passkey search.
 * @example
 * ```ts
 * const { auditMBps } = await runAuditBench([nodeBackend, nobleBackend], 100);
 * ```
 */
export async function runAuditBench(
  backends: readonly CryptoBackend[],
  megabytes = 100,
): Promise<AuditBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ble-smp-audit-bench-'));
  try {
    const file = join(dir, 'mixed.btsnoop');
    const generated = await generate(file, megabytes);
    const reader = new TraceReader();
    const auditor = new TraceAuditor();
    let bytes = 0;
    const start = performance.now();
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      bytes += (chunk as Buffer).length;
      auditor.push(reader.push(chunk as Buffer), reader.unit);
    }
    auditor.push(reader.end(), reader.unit);
    const report = auditor.finish();
    const seconds = (performance.now() - start) / 1000;
    if (report.pairings.length !== generated)
      throw new Error(`bench: ${report.pairings.length} pairings found, ${generated} written`);
    let tsharkSeconds: number | undefined;
    try {
      const t = performance.now();
      execFileSync('tshark', ['-r', file, '-Y', 'btsmp'], { stdio: 'ignore', maxBuffer: 1 << 30 });
      tsharkSeconds = (performance.now() - t) / 1000;
    } catch {
      tsharkSeconds = undefined;
    }
    const c1PerSecond: Record<string, number> = { tables: c1Rate('tables', 200_000) };
    for (const backend of backends) c1PerSecond[backend.name] = c1Rate(backend, 20_000);
    return {
      megabytes: bytes / 1e6,
      pairings: report.pairings.length,
      auditMBps: bytes / 1e6 / seconds,
      ...(tsharkSeconds === undefined ? {} : { tsharkSeconds }),
      c1PerSecond,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
