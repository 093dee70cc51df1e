/**
 * `ble-smp vectors`: runs every spec vector on every backend and prints a
 * table of vectors passed and operations per second, so that one command
 * answers "is the crypto right on this platform, and how fast".
 * @module
 */
import { parseArgs } from 'node:util';
import { formatRate, measureOpsPerSecond } from '../../bench/measure.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/backends/noble.js';
import { nodeBackend } from '../../crypto/backends/node.js';
import { runVectors, VECTOR_GROUPS, type VectorResult } from '../../crypto/selftest/suite.js';
import { loadVectorFile, VECTOR_FILE_URL, type VectorFile } from '../../crypto/selftest/vector-file.js';
import { toolbox } from '../../crypto/toolbox.js';
import { type CommandIo, UsageError } from '../io.js';
import { formatTable } from '../table.js';

export const VECTORS_USAGE = `Usage: ble-smp vectors [--backend noble|node] [--file PATH] [--no-timing] [--json]

Runs every Bluetooth SMP spec vector on each crypto backend and prints, per
function, the vectors passed and the operations per second. Exits 1 on any
mismatch, 2 on a file that cannot be read or holds no vectors.

  --backend NAME  only this backend (default: both)
  --file PATH     another vector file in the same format
  --no-timing     skip the ops/s measurement
  --json          print the results as JSON`;

const BACKENDS: Record<string, CryptoBackend> = { noble: nobleBackend, node: nodeBackend };

interface GroupReport {
  group: string;
  label: string;
  vectors: number;
  backends: Record<string, { passed: number; opsPerSecond: number | null }>;
}

/**
 * Runs the command with its arguments (after `vectors`); resolves to the exit status.
 * @example
 * ```ts
 * const status = await vectorsCommand(['--no-timing'], processIo);
 * ```
 */
export async function vectorsCommand(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(argv);
  const backends = values.backend ? [BACKENDS[values.backend]!] : Object.values(BACKENDS);
  const file = values.file ?? VECTOR_FILE_URL;
  const shown = String(values.file ?? 'the shipped vector file');
  let data: VectorFile;
  try {
    data = loadVectorFile(file);
  } catch (error) {
    io.err(`ble-smp vectors: cannot read ${shown}: ${(error as Error).message}`);
    return 2;
  }
  const problem = vectorFileProblem(data);
  if (problem) {
    io.err(`ble-smp vectors: ${shown} ${problem}`);
    return 2;
  }

  const results = new Map<string, VectorResult[]>();
  for (const backend of backends) results.set(backend.name, runVectors(data, toolbox(backend)));

  const reports: GroupReport[] = VECTOR_GROUPS.filter((g) => (data[g.group]?.length ?? 0) > 0).map((g) => {
    const vectors = data[g.group]!;
    const report: GroupReport = { group: g.group, label: g.label, vectors: vectors.length, backends: {} };
    for (const backend of backends) {
      const passed = results.get(backend.name)!.filter((r) => r.group === g.group && r.passed).length;
      let opsPerSecond: number | null = null;
      if (!values['no-timing'] && passed === vectors.length) {
        const op = g.operation(vectors[0]!, toolbox(backend));
        opsPerSecond = measureOpsPerSecond([op], { batchMs: 10, batches: 5 })[0]!;
      }
      report.backends[backend.name] = { passed, opsPerSecond };
    }
    return report;
  });
  const failures = [...results.entries()].flatMap(([backend, list]) =>
    list.filter((r) => !r.passed).map((r) => ({ backend, ...r })),
  );

  if (values.json) {
    io.out(JSON.stringify({ file: String(file), groups: reports, failures }, null, 2));
  } else {
    io.out(printTable(reports, backends, values['no-timing'] === true));
    for (const failure of failures) io.out(describeFailure(failure.backend, failure));
    const runs = [...results.values()].reduce((n, list) => n + list.length, 0);
    io.out(
      failures.length === 0
        ? `\nAll ${runs} vector runs match (${runs / backends.length} vectors x ${backends.length} backends).`
        : `\n${failures.length} of ${runs} vector runs do not match.`,
    );
  }
  return failures.length === 0 ? 0 : 1;
}

/**
 * What makes a parsed file unusable, or undefined: not an object, a group
 * that is not a list, or no vector in any group this command knows (a run
 * over nothing would report "All 0 vector runs match").
 */
function vectorFileProblem(data: unknown): string | undefined {
  const groups = VECTOR_GROUPS.map((g) => g.group);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return 'is not a vector file: its JSON is not an object of vector groups';
  }
  const record = data as Record<string, unknown>;
  const notLists = groups.filter((g) => record[g] !== undefined && !Array.isArray(record[g]));
  if (notLists.length > 0) return `is not a vector file: ${notLists.join(', ')} should be a list of vectors`;
  if (groups.every((g) => ((record[g] as unknown[] | undefined)?.length ?? 0) === 0)) {
    return `has no vectors: none in any of the groups ${groups.join(', ')}`;
  }
  return undefined;
}

function parseOptions(argv: string[]) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        backend: { type: 'string' },
        file: { type: 'string' },
        'no-timing': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (parsed.values.backend !== undefined && !(parsed.values.backend in BACKENDS)) {
      throw new UsageError(`unknown backend '${parsed.values.backend}' (choose noble or node)`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

function printTable(reports: GroupReport[], backends: CryptoBackend[], noTiming: boolean): string {
  const header = ['function', 'vectors'];
  for (const b of backends) header.push(`${b.name} passed`, ...(noTiming ? [] : [`${b.name} ops/s`]));
  const rows = reports.map((r) => {
    const row = [r.label, String(r.vectors)];
    for (const b of backends) {
      const { passed, opsPerSecond } = r.backends[b.name]!;
      row.push(passed === r.vectors ? `${passed}/${r.vectors}` : `${passed}/${r.vectors} FAIL`);
      if (!noTiming) row.push(opsPerSecond === null ? '-' : formatRate(opsPerSecond));
    }
    return row;
  });
  const right = header.map((_, i) => i).filter((i) => i > 0);
  return formatTable(header, rows, { right });
}

function describeFailure(backend: string, failure: VectorResult): string {
  const lines = [`MISMATCH ${failure.group} ${failure.id} on ${backend}:`];
  if (failure.actual.error) lines.push(`  error: ${failure.actual.error}`);
  for (const [name, expected] of Object.entries(failure.expected)) {
    if (failure.actual[name] !== expected) {
      lines.push(`  ${name}: got ${failure.actual[name] ?? '(nothing)'}, expected ${expected}`);
    }
  }
  return lines.join('\n');
}
