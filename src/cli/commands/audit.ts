/**
 * `ble-smp audit FILE`: reads a capture (btmon text, btsnoop, pcap, pcapng),
 * audits every pairing in it and prints what was negotiated, what the maths
 * says and which rule was broken where. `audit -` and `audit --follow FILE`
 * audit a capture as it is written, each pairing printed once it ends.
 * @module
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BondStoreError } from '../../host/bond-store-error.js';
import type { AuditReport } from '../../trace/audit/audit.js';
import { TraceAuditor } from '../../trace/audit/audit.js';
import type { PairingAudit } from '../../trace/audit/types.js';
import { mermaidDiagram, svgDiagram } from '../../trace/diagram.js';
import { TraceReadError } from '../../trace/errors.js';
import type { CandidateKey } from '../../trace/ll-decrypt-capture.js';
import type { LinkLayerRecord } from '../../trace/model.js';
import { TraceReader } from '../../trace/readers/index.js';
import { formatPairing, formatReport, formatReportEnd, reportObjects } from '../../trace/report.js';
import { type CommandIo, UsageError } from '../io.js';
import { bondKeys, parseLtk, writeDecrypted } from './audit-decrypt.js';

export const AUDIT_USAGE = `Usage: ble-smp audit FILE|- [--json] [--diagram OUT.svg|OUT.md]
       ble-smp audit FILE --decrypt OUT.pcap [--ltk HEX]... [--bonds PATH]
       ble-smp audit --follow FILE [--json]

Reads a capture (btmon text, also quoted or folded as pasted in mail; btsnoop
1002/2001; pcap or pcapng with H4, Linux monitor or LE link-layer link types,
PPI around DLT 147 as in the crackle captures) and audits every pairing in it:
features, negotiated masks, key size and association model, the confirm and
STK maths (legacy: TK = 0 for Just Works, the passkey searched for Passkey
Entry), what Secure Connections lets a passive capture check, and findings
with their rule ids (docs/audit.md lists them).

  -                a live audit of the capture arriving on standard input, as
                   in \`sudo btmon -w /dev/stdout | ble-smp audit -\`: each
                   pairing is printed as soon as it ends (a Pairing Failed,
                   the link going away, a later pairing on it), the rest at
                   the end of the stream
  --follow FILE    the same for a capture file being written (btmon -w FILE),
                   read as it grows until Ctrl-C (SIGINT) or SIGTERM
  --json           one JSON object per pairing (and per connection finding)
  --diagram FILE   also write a sequence chart: .svg, or .md for Mermaid
  --decrypt OUT    write the link-layer packets of a sniffer capture to OUT
                   (pcap, LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, mode 0600: it
                   holds the keys in clear) with every encrypted PDU whose
                   key is known decrypted: the MIC checked and removed, the
                   length and CRC fixed, flagged decrypted; keys are the STKs
                   the audit recovers, the LTKs the capture then distributes,
                   and those of --ltk and --bonds; the MIC of each
                   encryption's first PDU tells which key started it
  --ltk HEX        an LTK to try (repeatable): 32 hex digits, most
                   significant octet first, as crackle prints it and takes it
                   with -l (the reverse of the octet order on air and in
                   btmon); also audits the key distribution it decrypts
  --bonds PATH     try the LTKs of a ble-smp bond store file, or of BlueZ's
                   storage (a directory: /var/lib/bluetooth with one adapter,
                   or an adapter's directory); EDIV and Rand matched first

Exit status: 0 no finding of warning or error severity; 1 findings of warning
or error severity; 2 usage error, or the file cannot be read (unknown format,
malformed or truncated).`;

/** Files larger than this get a progress line on stderr. */
const PROGRESS_BYTES = 4 * 1024 * 1024;
/** How often --follow looks for more of the file. */
const FOLLOW_POLL_MS = 200;

/** What a test (or an embedding program) may give the command instead of the process's own. */
export interface AuditCommandOptions {
  /** Progress lines (default standard error). */
  readonly progress?: (text: string) => void;
  /** Standard input, for `audit -` (default `process.stdin`). */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** Ends --follow (default SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

/** The chunks of a file as it grows, until `signal` aborts; then what is left. */
async function* follow(file: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead > 0) {
        yield Uint8Array.from(buffer.subarray(0, bytesRead));
        continue;
      }
      if (signal.aborted) return;
      await sleep(FOLLOW_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await handle.close();
  }
}

/** SIGINT or SIGTERM, as an AbortSignal, for as long as `run` runs. */
async function untilSignalled<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

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
  options: AuditCommandOptions = {},
): Promise<number> {
  let parsed: {
    values: {
      json?: boolean;
      diagram?: string;
      follow?: string;
      decrypt?: string;
      ltk?: string[];
      bonds?: string;
    };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        diagram: { type: 'string' },
        follow: { type: 'string' },
        decrypt: { type: 'string' },
        ltk: { type: 'string', multiple: true },
        bonds: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const followed = values.follow;
  if (followed !== undefined ? positionals.length !== 0 : positionals.length !== 1) {
    throw new UsageError('give exactly one capture file, - for standard input, or --follow FILE');
  }
  const diagram = values.diagram;
  if (diagram !== undefined && !/\.(svg|md)$/i.test(diagram))
    throw new UsageError('--diagram must name a .svg or .md file');
  const file = followed ?? positionals[0]!;
  const live = followed !== undefined || file === '-';
  const decryptTo = values.decrypt;
  if (decryptTo !== undefined && (live || decryptTo === ''))
    throw new UsageError('--decrypt needs an output file and a capture file (not - or --follow)');
  const given: CandidateKey[] = [];
  try {
    for (const [i, text] of (values.ltk ?? []).entries())
      given.push({ key: parseLtk(text), source: `--ltk #${i + 1}` });
    if (values.bonds !== undefined) given.push(...bondKeys(values.bonds));
  } catch (error) {
    io.err(
      `ble-smp audit: ${error instanceof BondStoreError ? `bond store ${values.bonds}: ${error.message}` : (error as Error).message}`,
    );
    return 2;
  }
  let size = 0;
  if (file !== '-') {
    try {
      size = statSync(file).size;
    } catch (error) {
      io.err(`ble-smp audit: cannot read ${file}: ${(error as Error).message}`);
      return 2;
    }
  }
  const showProgress = !live && size > PROGRESS_BYTES;
  const write = options.progress ?? ((text: string) => process.stderr.write(text));
  const reader = new TraceReader({ smpOnly: true });
  const auditor = new TraceAuditor({ ltks: given.map((k) => k.key) });
  /** The link-layer packets, kept for --decrypt. */
  const linkLayer: LinkLayerRecord[] = [];
  const printed: PairingAudit[] = [];
  const print = (pairings: readonly PairingAudit[]) => {
    for (const pairing of pairings) {
      if (printed.length === 0 && !values.json)
        io.out(`${file === '-' ? 'standard input' : file}: ${reader.format}`);
      printed.push(pairing);
      if (values.json) for (const object of reportObjects(single(pairing))) io.out(JSON.stringify(object));
      else io.out(formatPairing(pairing));
    }
  };
  const read = async (chunks: AsyncIterable<Uint8Array>) => {
    let done = 0;
    let lastShown = 0;
    for await (const chunk of chunks) {
      const records = auditor.read(reader, chunk);
      if (decryptTo !== undefined) for (const r of records) if (r.kind === 'll') linkLayer.push(r);
      if (live) print(auditor.ended());
      done += chunk.length;
      if (showProgress && done - lastShown >= PROGRESS_BYTES) {
        lastShown = done;
        write(`\raudit: ${((100 * done) / size).toFixed(0)}% of ${(size / 1e6).toFixed(1)} MB`);
      }
    }
    const rest = auditor.read(reader);
    if (decryptTo !== undefined) for (const r of rest) if (r.kind === 'll') linkLayer.push(r);
  };
  try {
    if (followed !== undefined) {
      const given = options.signal;
      await (given
        ? read(follow(followed, given))
        : untilSignalled((signal) => read(follow(followed, signal))));
    } else if (file === '-') {
      await read(options.stdin ?? (process.stdin as AsyncIterable<Uint8Array>));
    } else {
      await read(createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>);
    }
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
  if (decryptTo !== undefined && linkLayer.length === 0) {
    io.err(
      `ble-smp audit: --decrypt: ${file} holds no link-layer packets (${reader.format}, HCI): only a sniffer capture carries the ciphertext; an HCI capture shows the plaintext already`,
    );
    return 2;
  }
  let report: AuditReport;
  if (live) {
    print(auditor.ended({ all: true }));
    const { connectionFindings, unit, packets } = auditor.finish();
    report = { unit, packets, pairings: printed, connectionFindings };
    if (values.json) {
      for (const object of reportObjects({ ...report, pairings: [] })) io.out(JSON.stringify(object));
    } else if (printed.length === 0 && connectionFindings.length === 0) {
      io.out('No pairing in the capture.');
    } else {
      io.out(formatReportEnd(report));
    }
  } else {
    report = auditor.finish();
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
  if (decryptTo !== undefined && writeDecrypted(linkLayer, report, given, decryptTo, io) !== 0) return 2;
  const serious = [...report.pairings.flatMap((p) => p.findings), ...report.connectionFindings].some(
    (f) => f.severity !== 'info',
  );
  return serious ? 1 : 0;
}

/** A report of one pairing, for the per-pairing JSON of a live audit. */
function single(pairing: PairingAudit): AuditReport {
  return { unit: pairing.unit, packets: 0, pairings: [pairing], connectionFindings: [] };
}
