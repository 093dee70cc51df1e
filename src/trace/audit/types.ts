/**
 * The auditor's results: per pairing, what was negotiated, what the maths
 * says, and the findings.
 * @module
 */
import type { AssociationModel } from '../../smp/association.js';
import type { SmpPdu } from '../../smp/pdu.js';
import type { DeviceAddress, TraceDevice } from '../events.js';
import type { TraceUnit } from '../model.js';
import type { RuleId, Severity } from './rules.js';

/** The pairing roles: the initiator is always the central on LE. */
export type Side = 'initiator' | 'responder';

/** One finding: which rule, how bad, where (line or frame number), and what. */
export interface Finding {
  /** Stable id, one of {@link AUDIT_RULES}. */
  readonly rule: RuleId;
  readonly severity: Severity;
  /** The line (btmon text) or frame (binary capture) where it happens. */
  readonly where: number;
  /** Other lines or frames it involves (the key it equals, the earlier failure). */
  readonly related?: readonly number[];
  readonly message: string;
  /** The rule it checks, from docs/smp-rules.md. */
  readonly specRule: string;
}

/** An SMP PDU of the pairing with who sent it. */
export interface PairingMessage {
  readonly at: number;
  readonly time?: number;
  /** Who sent it; undefined when neither the capture nor the protocol order says. */
  readonly sender?: Side;
  /** The sender follows from the protocol order, not from a recorded direction. */
  readonly inferred: boolean;
  /** Which host sent it by the HCI direction (the captured one, or its peer), roles known or not. */
  readonly device?: TraceDevice;
  readonly pdu: SmpPdu;
  readonly bytes: Uint8Array;
  /**
   * The decoder refused it (a Pairing Request or Response with a field out of
   * range, read field by field for the audit); why.
   */
  readonly malformed?: string;
  /** Recovered by decrypting link-layer PDUs with the derived key. */
  readonly decrypted?: boolean;
}

/** A step of the pairing for the sequence chart: a PDU or a link event. */
export interface ChartStep {
  readonly at: number;
  /** Who acted; `both` for link events (encryption on, disconnection). */
  readonly from: Side | 'both';
  readonly label: string;
}

/** One side of a pairing as the report shows it. */
export interface SideReport {
  readonly role: Side;
  /** `B8:27:EB:15:50:70 (public)`, when the capture shows it. */
  readonly address?: string;
  readonly addressRaw?: DeviceAddress;
  /** The capture does not show the address: c1 gave it back from a confirm (legacy pairing). */
  readonly addressRecovered?: boolean;
  /** Whether this side is the host whose HCI was captured. */
  readonly local?: boolean;
  /** Its Pairing Request or Response fields, spelt out. */
  readonly features?: {
    readonly ioCapability: string;
    readonly oobData: boolean;
    readonly authReq: string;
    readonly maxKeySize: number;
    readonly initiatorKeys: string;
    readonly responderKeys: string;
  };
}

/** The audit of one pairing. */
export interface PairingAudit {
  readonly index: number;
  /** The connection: `handle 0x0040` or `access address 0xaf9a9394`. */
  readonly connection: string;
  readonly unit: TraceUnit;
  /** Line or frame of the Pairing Request (of the first PDU seen, for a partial pairing). */
  readonly start: number;
  /**
   * The capture does not show the Pairing Request: it began mid-pairing, or
   * the pairing was refused before it (a Security Request answered by
   * Pairing Failed). Checked for what it shows; `notVerifiable` says the rest.
   */
  readonly partial?: boolean;
  readonly initiator: SideReport;
  readonly responder: SideReport;
  readonly method: 'legacy' | 'secure-connections' | 'unknown';
  readonly model?: AssociationModel;
  /** How the model was chosen: the IO table row (`NoInputNoOutput x KeyboardOnly: JW`), OOB flags, or no MITM. */
  readonly modelChoice?: string;
  readonly keySize?: number;
  /** The negotiated key distribution masks (from the Pairing Response), spelt out. */
  readonly negotiated?: { readonly initiatorKeys: string; readonly responderKeys: string };
  readonly outcome: 'completed' | 'failed' | 'incomplete';
  /** The TK found (legacy): 0 for Just Works, the passkey when recovered. */
  readonly passkey?: number;
  /** The STK derived (legacy), wire order hex. */
  readonly stk?: string;
  /** Checks that passed, in words. */
  readonly verified: readonly string[];
  /** What the capture cannot show, in words (Secure Connections above all). */
  readonly notVerifiable: readonly string[];
  readonly findings: readonly Finding[];
  /** The PDUs and link events in order, for the sequence chart. */
  readonly steps: readonly ChartStep[];
}
