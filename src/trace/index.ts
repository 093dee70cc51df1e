/**
 * `ble-smp/trace`: capture readers (btmon text, btsnoop, pcap, pcapng), the
 * btsnoop writer, the decoder to one packet model, the pairing auditor, and
 * link-layer decryption with its pcap writer.
 *
 * @example
 * ```ts
 * import { auditTrace } from 'ble-smp/trace';
 * const report = auditTrace(readFileSync('btmon.txt'));
 * for (const pairing of report.pairings) console.log(pairing.findings);
 * ```
 * @module
 */

export { type AuditOptions, type AuditReport, type ConnectionFinding, TraceAuditor } from './audit/audit.js';
export { type ConfirmInputs, MAX_PASSKEY, searchPasskey } from './audit/passkey-search.js';
export { AUDIT_RULES, type AuditRule, type RuleId, type Severity } from './audit/rules.js';
export type { ChartStep, Finding, PairingAudit, PairingMessage, Side, SideReport } from './audit/types.js';
export { auditTrace } from './audit-trace.js';
export { BtmonWriter } from './btmon-writer.js';
export {
  BTSNOOP_EPOCH_OFFSET_US,
  BtsnoopDatalink,
  type BtsnoopDatalinkValue,
  type BtsnoopSink,
  BtsnoopWriter,
  btsnoopHeader,
  btsnoopRecord,
} from './btsnoop-writer.js';
export { mermaidDiagram, svgDiagram } from './diagram.js';
export { TraceReadError, type TraceReadErrorCode } from './errors.js';
export type {
  ConnectionEvent,
  DeviceAddress,
  DisconnectionEvent,
  EncryptedPduEvent,
  EncryptionChangeEvent,
  EncryptionResponseEvent,
  EncryptionStartEvent,
  LinkRole,
  SmpEvent,
  TraceDevice,
  TraceEvent,
} from './events.js';
export { ADVERTISING_CRC_INIT, leCrc } from './le-crc.js';
export { type DecryptedPdu, type EncryptionMaterial, LinkCipher, sessionKey } from './ll-cipher.js';
export {
  type CandidateKey,
  type DecryptCaptureOptions,
  type DecryptedCapture,
  type DistributedLtk,
  decryptCapture,
  type EncryptionSession,
} from './ll-decrypt-capture.js';
export {
  LE_LL_WITH_PHDR,
  LePhdrFlag,
  LePhdrPduType,
  type LinkLayerPacket,
  linkLayerPcap,
  phdrFrame,
} from './ll-pcap-writer.js';
export type {
  HciRecord,
  LinkLayerRecord,
  TraceDirection,
  TraceFormat,
  TraceRecord,
  TraceUnit,
  UnknownValue,
} from './model.js';
export { readTrace, TraceReader, type TraceReaderOptions } from './readers/index.js';
export { LinkType } from './readers/link-types.js';
export { formatPairing, formatReport, reportObjects } from './report.js';
