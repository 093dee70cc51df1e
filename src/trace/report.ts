/**
 * The audit as text (one screen per pairing) and as JSON (one object per
 * pairing). Values from the capture are printed: they came from the user's
 * own file and are the point of the report.
 * @module
 */
import type { AuditReport } from './audit/audit.js';
import type { PairingAudit, SideReport } from './audit/types.js';

const MARK = { error: 'ERROR  ', warning: 'WARN   ', info: 'ok     ' } as const;

function sideLines(side: SideReport): string[] {
  const who = `${side.role}${side.local === undefined ? '' : side.local ? ' (this host)' : ' (peer)'}`;
  const address = side.address
    ? `${side.address}${side.addressRecovered ? ', recovered from a confirm' : ''}`
    : 'address not in the capture';
  const lines = [`  ${who.padEnd(22)} ${address}`];
  if (side.features) {
    const f = side.features;
    lines.push(
      `    IO ${f.ioCapability}, OOB ${f.oobData ? 'yes' : 'no'}, AuthReq ${f.authReq}, max key ${f.maxKeySize}, keys: initiator ${f.initiatorKeys}, responder ${f.responderKeys}`,
    );
  }
  return lines;
}

/**
 * The readable report of one pairing.
 * @example
 * ```ts
 * console.log(formatPairing(report.pairings[0]!));
 * ```
 */
export function formatPairing(pairing: PairingAudit): string {
  const method = {
    legacy: 'LE legacy',
    'secure-connections': 'LE Secure Connections',
    unknown: 'unknown method',
  }[pairing.method];
  const lines = [
    `Pairing ${pairing.index} on ${pairing.connection}, from ${pairing.unit} ${pairing.start}: ${pairing.outcome}${pairing.partial ? ' (partial: no Pairing Request in the capture)' : ''}`,
    ...sideLines(pairing.initiator),
    ...sideLines(pairing.responder),
    `  method                 ${method}${pairing.model ? `, ${pairing.model}` : ''}${pairing.keySize ? `, key size ${pairing.keySize}` : ''}`,
  ];
  if (pairing.modelChoice) lines.push(`  model chosen by        ${pairing.modelChoice}`);
  if (pairing.negotiated) {
    lines.push(
      `  negotiated keys        initiator ${pairing.negotiated.initiatorKeys}, responder ${pairing.negotiated.responderKeys}`,
    );
  }
  if (pairing.passkey !== undefined) {
    lines.push(
      `  TK                     ${pairing.passkey !== 0 ? `passkey ${String(pairing.passkey).padStart(6, '0')}` : pairing.model === 'just-works' ? '0 (Just Works)' : '0 (passkey 000000: the TK of Just Works)'}`,
    );
  }
  if (pairing.stk) lines.push(`  STK                    ${pairing.stk}`);
  for (const v of pairing.verified) lines.push(`  verified               ${v}`);
  for (const n of pairing.notVerifiable) lines.push(`  cannot verify          ${n}`);
  lines.push('  findings:');
  if (pairing.findings.length === 0) lines.push('    none');
  for (const f of pairing.findings) {
    lines.push(`    ${MARK[f.severity]}${pairing.unit} ${String(f.where).padEnd(6)} ${f.rule}: ${f.message}`);
  }
  return lines.join('\n');
}

/**
 * The readable report of a whole capture.
 * @example
 * ```ts
 * process.stdout.write(`${formatReport(auditTrace(bytes))}\n`);
 * ```
 */
export function formatReport(report: AuditReport): string {
  return [...report.pairings.map(formatPairing), formatReportEnd(report)].join('\n\n');
}

/**
 * The end of a readable report: the connection findings, if any, and the
 * counts (what a live audit prints after the pairings it printed one by one).
 * @example
 * ```ts
 * console.log(formatReportEnd(report)); // '1234 packets, 2 pairings: 1 errors, 0 warnings, 9 checks passed or noted'
 * ```
 */
export function formatReportEnd(report: AuditReport): string {
  const parts: string[] = [];
  if (report.connectionFindings.length) {
    parts.push(
      [
        'Connections',
        ...report.connectionFindings.map(
          (f) => `    ${MARK[f.severity]}${report.unit} ${String(f.where).padEnd(6)} ${f.rule}: ${f.message}`,
        ),
      ].join('\n'),
    );
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const p of report.pairings) for (const f of p.findings) counts[f.severity] += 1;
  for (const f of report.connectionFindings) counts[f.severity] += 1;
  parts.push(
    `${report.packets} packets, ${report.pairings.length} pairing${report.pairings.length === 1 ? '' : 's'}: ${counts.error} errors, ${counts.warning} warnings, ${counts.info} checks passed or noted`,
  );
  return parts.join('\n\n');
}

/**
 * One JSON-ready object per pairing (and one per connection finding), as
 * `ble-smp audit --json` prints them.
 * @example
 * ```ts
 * for (const object of reportObjects(report)) console.log(JSON.stringify(object));
 * ```
 */
export function reportObjects(report: AuditReport): object[] {
  const side = ({ addressRaw: _raw, ...rest }: SideReport) => rest;
  return [
    ...report.pairings.map(({ steps: _steps, ...pairing }) => ({
      type: 'pairing',
      ...pairing,
      initiator: side(pairing.initiator),
      responder: side(pairing.responder),
    })),
    ...report.connectionFindings.map((f) => ({ type: 'connection-finding', unit: report.unit, ...f })),
  ];
}
