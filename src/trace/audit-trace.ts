/**
 * The one-call form: a whole capture in memory, audited.
 * @module
 */
import { type AuditOptions, type AuditReport, TraceAuditor } from './audit/audit.js';
import type { TraceFormat } from './model.js';
import { TraceReader } from './readers/index.js';

/**
 * Reads and audits a whole capture held in memory (any format the readers
 * know). Throws {@link TraceReadError} when the capture cannot be read.
 * @example
 * ```ts
 * const report = auditTrace(readFileSync('mailing-list.btmon.txt'));
 * report.pairings[0]?.findings.map((f) => `${f.rule} at line ${f.where}`);
 * ```
 */
export function auditTrace(
  bytes: Uint8Array,
  options: AuditOptions = {},
): AuditReport & { format: TraceFormat } {
  const reader = new TraceReader({ smpOnly: true });
  const auditor = new TraceAuditor(options);
  auditor.read(reader, bytes);
  auditor.read(reader);
  return { ...auditor.finish(), format: reader.format! };
}
