/**
 * The working state of one pairing's audit: its PDUs with their senders, the
 * negotiated features, the addresses, the events on the link, and the
 * findings so far.
 * @module
 */
import type { Toolbox } from '../../crypto/toolbox.js';
import { type Association, resolveAssociation } from '../../smp/association.js';
import { AuthReq } from '../../smp/constants.js';
import type { PairingFeatures, SmpPdu } from '../../smp/pdu.js';
import type { DeviceAddress, TraceEvent } from '../events.js';
import type { TraceUnit } from '../model.js';
import type { CapturedPairing } from '../pairings.js';
import { AUDIT_RULES, type RuleId } from './rules.js';
import type { Finding, PairingMessage, Side } from './types.js';

type Features = PairingMessage & {
  readonly pdu: Extract<SmpPdu, { type: 'pairing-request' | 'pairing-response' }> & PairingFeatures;
};

/** The state every check reads and adds findings to. */
export class PairingContext {
  readonly pairing: CapturedPairing;
  readonly unit: TraceUnit;
  readonly crypto: Toolbox;
  readonly messages: PairingMessage[];
  readonly findings: Finding[] = [];
  readonly verified: string[] = [];
  readonly notVerifiable: string[] = [];
  readonly request?: Features;
  readonly response?: Features;
  readonly association?: Association;
  /** Passkey or 0 (Just Works) once the legacy check found the TK. */
  passkey?: number;
  stk?: Uint8Array;

  constructor(pairing: CapturedPairing, unit: TraceUnit, crypto: Toolbox, messages: PairingMessage[]) {
    this.pairing = pairing;
    this.unit = unit;
    this.crypto = crypto;
    this.messages = messages;
    const request = messages.find((m) => m.pdu.type === 'pairing-request') as Features | undefined;
    const response = messages.find((m) => m.pdu.type === 'pairing-response') as Features | undefined;
    if (request) this.request = request;
    if (response) this.response = response;
    if (request && response) this.association = resolveAssociation(request.pdu, response.pdu);
  }

  /** Both sides set the SC bit. */
  get secureConnections(): boolean {
    return this.association?.secureConnections ?? false;
  }

  /** min(initiator max, responder max), when both are known. */
  get keySize(): number | undefined {
    if (!this.request || !this.response) return undefined;
    return Math.min(this.request.pdu.maxKeySize, this.response.pdu.maxKeySize);
  }

  /** The address the initiator (central) used on this connection. */
  get initiatorAddress(): DeviceAddress | undefined {
    return this.pairing.central;
  }

  /** The address the responder (peripheral) used on this connection. */
  get responderAddress(): DeviceAddress | undefined {
    return this.pairing.peripheral;
  }

  /** Whether the responder or initiator asked for MITM. */
  mitmRequestedBy(): Side[] {
    const sides: Side[] = [];
    if (this.request && this.request.pdu.authReq & AuthReq.Mitm) sides.push('initiator');
    if (this.response && this.response.pdu.authReq & AuthReq.Mitm) sides.push('responder');
    return sides;
  }

  /** The PDUs of one type, in order. */
  all<T extends SmpPdu['type']>(
    type: T,
    sender?: Side,
  ): Array<PairingMessage & { pdu: Extract<SmpPdu, { type: T }> }> {
    return this.messages.filter(
      (m) => m.pdu.type === type && (sender === undefined || m.sender === sender),
    ) as Array<PairingMessage & { pdu: Extract<SmpPdu, { type: T }> }>;
  }

  /** Link events of one type during the pairing. */
  events<T extends TraceEvent['type']>(type: T): Array<Extract<TraceEvent, { type: T }>> {
    return this.pairing.events.filter((e) => e.type === type) as Array<Extract<TraceEvent, { type: T }>>;
  }

  /** Adds a finding of `rule` at `where`. */
  add(rule: RuleId, where: number, message: string, related?: readonly number[]): void {
    const { severity, rule: specRule } = AUDIT_RULES[rule];
    this.findings.push({ rule, severity, where, ...(related?.length ? { related } : {}), message, specRule });
  }

  /** `line 195` or `frame 566`. */
  place(at: number): string {
    return `${this.unit} ${at}`;
  }
}
