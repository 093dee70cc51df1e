/**
 * `ble-smp audit FILE`: reads a capture (btmon text, btsnoop, pcap, pcapng),
 * audits every pairing in it and prints what was negotiated, what the maths
 * says and which rule was broken where.
 * @module
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TraceAuditor } from '../../trace/audit/audit.js';
import { mermaidDiagram, svgDiagram } from '../../trace/diagram.js';
import { TraceReadError } from '../../trace/errors.js';
import { TraceReader } from '../../trace/readers/index.js';
import { formatReport, reportObjects } from '../../trace/report.js';
import { type CommandIo, UsageError } from '../io.js';

export const AUDIT_USAGE = `Usage: ble-smp audit FILE [--json] [--diagram OUT.svg|OUT.md]

Reads a capture (btmon text, also quoted or folded as pasted in mail; btsnoop
1002/2001; pcap or pcapng with H4, Linux monitor or LE link-layer link types,
PPI around DLT 147 as in the crackle captures) and audits every pairing in it:
features, negotiated masks, key size and association model, the confirm and
STK maths (legacy: TK = 0 for Just Works, the passkey searched for Passkey
Entry), what Secure Connections lets a passive capture check, and findings
with their rule ids (docs/audit.md lists them).

  --json           one JSON object per pairing (and per connection finding)
  --diagram FILE   also write a sequence chart: .svg, or .md for Mermaid

Exit status: 0 no finding of warning or error severity; 1 findings of warning
or error severity; 2 usage error, or the file cannot be read (unknown format,
malformed or truncated).`;

/** Files larger than this get a progress line on stderr. */
const PROGRESS_BYTES = 4 * 1024 * 1024;

/**
 * Runs the command with its arguments (after `audit`); resolves to the exit status.
 * @example
 * ```ts
 * process.exitCode = await auditCommand(['btmon.txt', '--json'], processIo);
 * ```
 */
export async function auditCommand(
  argv: string[],
  io: CommandIo,
  progress?: (text: string) => void,
): Promise<number> {
  let parsed: { values: { json?: boolean; diagram?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, diagram: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one capture file');
  const diagram = values.diagram;
  if (diagram !== undefined && !/\.(svg|md)$/i.test(diagram))
    throw new UsageError('--diagram must name a .svg or .md file');
  const file = positionals[0]!;
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    io.err(`ble-smp audit: cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const showProgress = size > PROGRESS_BYTES;
  const write = progress ?? ((text: string) => process.stderr.write(text));
  const reader = new TraceReader();
  const auditor = new TraceAuditor();
  let done = 0;
  let lastShown = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      auditor.push(reader.push(chunk as Buffer), reader.unit);
      done += (chunk as Buffer).length;
      if (showProgress && done - lastShown >= PROGRESS_BYTES) {
        lastShown = done;
        write(`\raudit: ${((100 * done) / size).toFixed(0)}% of ${(size / 1e6).toFixed(1)} MB`);
      }
    }
    auditor.push(reader.end(), reader.unit);
  } catch (error) {
    if (showProgress) write('\n');
    if (error instanceof TraceReadError) {
      io.err(
        `ble-smp audit: ${file}: ${error.message} (${error.code}, at ${reader.format === 'btmon-text' ? 'line' : 'octet'} ${error.offset})`,
      );
      return 2;
    }
    io.err(`ble-smp audit: cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  if (showProgress) write(`\raudit: 100% of ${(size / 1e6).toFixed(1)} MB\n`);
  const report = auditor.finish();
  if (values.json) {
    for (const object of reportObjects(report)) io.out(JSON.stringify(object));
  } else {
    io.out(`${file}: ${reader.format}`);
    io.out(
      report.pairings.length === 0 && report.connectionFindings.length === 0
        ? 'No pairing in the capture.'
        : formatReport(report),
    );
  }
  if (diagram) {
    try {
      writeFileSync(
        diagram,
        diagram.toLowerCase().endsWith('.md') ? mermaidDiagram(report.pairings) : svgDiagram(report.pairings),
      );
    } catch (error) {
      io.err(`ble-smp audit: cannot write the diagram ${diagram}: ${(error as Error).message}`);
      return 2;
    }
  }
  const serious = [...report.pairings.flatMap((p) => p.findings), ...report.connectionFindings].some(
    (f) => f.severity !== 'info',
  );
  return serious ? 1 : 0;
}
