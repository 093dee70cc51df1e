/**
 * The working state of one pairing's audit: its PDUs with their senders, the
 * negotiated features, the addresses, the events on the link, and the
 * findings so far.
 * @module
 */
import type { Toolbox } from '../../crypto/toolbox.js';
import { type Association, IO_NAMES, resolveAssociation } from '../../smp/association.js';
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

/**
 * Every association the two feature PDUs could stand for (Core Vol 3 Part H
 * 2.3.5.1): one when each field is in range; with a reserved IO capability
 * (0x05..0xFF, 3.5.1 Table 3.4) or OOB data flag (0x02..0xFF, Table 3.5),
 * one per value the field could have meant, since nothing says how the
 * receiver read it.
 * @example
 * ```ts
 * resolveModels(request.bytes, response.bytes).map((a) => a.model);
 * ```
 */
export function resolveModels(request: Uint8Array, response: Uint8Array): Association[] {
  const ios = (io: number) => (io <= 4 ? [io] : [0, 1, 2, 3, 4]);
  const oobs = (flag: number) => (flag <= 1 ? [flag === 1] : [false, true]);
  const out: Association[] = [];
  for (const iIo of ios(request[1]!))
    for (const iOob of oobs(request[2]!))
      for (const rIo of ios(response[1]!))
        for (const rOob of oobs(response[2]!))
          out.push(
            resolveAssociation(
              { ioCapability: iIo, oobDataPresent: iOob, authReq: request[3]! & 0x3f },
              { ioCapability: rIo, oobDataPresent: rOob, authReq: response[3]! & 0x3f },
            ),
          );
  return out;
}

const ioName = (io: number) => IO_NAMES[io] ?? `reserved 0x${io.toString(16).padStart(2, '0')}`;

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
  /**
   * The association model. Undefined while a reserved field leaves several
   * models open; the legacy check then settles it from the confirms.
   */
  association?: Association;
  /** Every model the feature fields allow (more than one only with a reserved field). */
  readonly candidates: readonly Association[] = [];
  /** How a model was settled despite a reserved field, for the report. */
  modelNote?: string;
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
    if (!request || !response) return;
    this.candidates = resolveModels(request.bytes, response.bytes);
    const models = new Set(this.candidates.map((a) => a.model));
    const reserved = [request, response].some((m) => m.bytes[1]! > 4 || m.bytes[2]! > 1);
    if (models.size === 1) {
      const first = this.candidates[0]!;
      if (!reserved || !first.tableCell) this.association = first;
      else {
        const cells = new Set(this.candidates.map((a) => a.tableCell!.slice(a.tableCell!.indexOf(': ') + 2)));
        this.association = {
          ...first,
          tableCell: `${ioName(response.bytes[1]!)} x ${ioName(request.bytes[1]!)}: ${[...cells].join(' or ')}`,
        };
      }
      if (reserved) this.modelNote = 'every value the reserved field could stand for gives the same model';
    } else if (this.secureConnections) {
      this.#settleSecureConnections(models);
    }
  }

  /**
   * SC with a model the fields leave open: the PDUs tell (2.3.5.6.2-2.3.5.6.4):
   * Passkey Entry commits from both sides 20 times, Just Works and Numeric
   * Comparison only from the responder (the air does not tell those two
   * apart), OOB not at all.
   */
  #settleSecureConnections(models: Set<string>): void {
    const confirms = (side: Side) =>
      this.messages.filter((m) => m.pdu.type === 'pairing-confirm' && m.sender === side).length;
    const randoms = this.messages.filter((m) => m.pdu.type === 'pairing-random').length;
    let model: Association['model'] | undefined;
    let note: string | undefined;
    if (confirms('initiator') > 0 && models.has('passkey')) {
      model = 'passkey';
      note = 'both sides commit, round after round: Passkey Entry';
    } else if (confirms('responder') > 0) {
      model = models.has('just-works')
        ? 'just-works'
        : models.has('numeric-comparison')
          ? 'numeric-comparison'
          : undefined;
      note =
        models.has('just-works') && models.has('numeric-comparison')
          ? 'only the responder commits: Just Works or Numeric Comparison (the air does not tell them apart; checked as Just Works)'
          : 'only the responder commits';
    } else if (randoms > 0 && models.has('oob')) {
      model = 'oob';
      note = 'nonces with no commitment: OOB';
    }
    const chosen = model && this.candidates.find((a) => a.model === model);
    if (chosen) {
      this.association = chosen.tableCell ? { ...chosen, tableCell: this.#reservedCell(chosen) } : chosen;
      this.modelNote = `a reserved field leaves ${[...models].join(', ')} open; ${note}`;
    }
  }

  #reservedCell(chosen: Association): string {
    const cell = chosen.tableCell!.slice(chosen.tableCell!.indexOf(': ') + 2);
    return `${ioName(this.response!.bytes[1]!)} x ${ioName(this.request!.bytes[1]!)}: ${cell}`;
  }

  /** Settles a legacy model the fields left open, from what the confirms showed. */
  settle(model: Association['model'], note: string): void {
    const chosen = this.candidates.find((a) => a.model === model);
    if (!chosen) return;
    this.association = chosen.tableCell ? { ...chosen, tableCell: this.#reservedCell(chosen) } : chosen;
    this.modelNote = `a reserved field leaves ${[...new Set(this.candidates.map((a) => a.model))].join(', ')} open; ${note}`;
  }

  /** `legacy` or `secure-connections` once Request and Response are seen (both set the SC bit: 2.3.5.1). */
  get method(): 'legacy' | 'secure-connections' | 'unknown' {
    if (!this.request || !this.response) return 'unknown';
    return this.secureConnections ? 'secure-connections' : 'legacy';
  }

  /** Both sides set the SC bit. */
  get secureConnections(): boolean {
    if (!this.request || !this.response) return false;
    return (this.request.pdu.authReq & this.response.pdu.authReq & AuthReq.SecureConnections) !== 0;
  }

  /**
   * min(initiator max, responder max), when both are known (2.3.4). A
   * maximum above 16 (malformed) limits nothing: a key has 16 octets.
   */
  get keySize(): number | undefined {
    if (!this.request || !this.response) return undefined;
    return Math.min(this.request.pdu.maxKeySize, this.response.pdu.maxKeySize, 16);
  }

  /**
   * The PDU that ends phase 2, after which the initiator may start
   * encryption: the responder's Pairing Random in legacy pairing (the
   * initiator needs Srand to check Sconfirm and compute the STK, 2.3.5.5);
   * the responder's DHKey Check Eb under Secure Connections (2.3.5.6.5).
   * Undefined when the capture does not show it.
   */
  get phaseTwoEnd(): PairingMessage | undefined {
    // Request or Response out of view: the responder's Pairing Random ends phase 2 at the earliest
    // (legacy; under Secure Connections its DHKey Check follows).
    if (this.method === 'unknown')
      return this.pairing.partial
        ? this.messages.find((m) => m.pdu.type === 'pairing-random' && m.sender !== 'initiator')
        : undefined;
    const type = this.secureConnections ? 'pairing-dhkey-check' : 'pairing-random';
    return this.all(type, 'responder')[0];
  }

  /**
   * The first encryption start on the link before phase 2 ended (2.4.4: the
   * initiator encrypts with the STK or LTK the pairing produced, so not
   * before it has them), unless a Pairing Failed ended the pairing first.
   */
  get earlyEncryption(): Extract<TraceEvent, { type: 'encryption-start' }> | undefined {
    const start = this.events('encryption-start')[0];
    if (!start) return undefined;
    const failed = this.all('pairing-failed').find((m) => !m.decrypted);
    if (failed && failed.at < start.at) return undefined;
    const end = this.phaseTwoEnd;
    return end && end.at < start.at ? undefined : start;
  }

  /**
   * The addresses c1 showed the sides used, when the capture lacks them
   * (legacy pairing, recovered from a confirm with the TK known).
   */
  recovered?: { readonly initiator: DeviceAddress; readonly responder: DeviceAddress };

  /** The address the initiator (central) used on this connection: as the capture shows it, else recovered. */
  get initiatorAddress(): DeviceAddress | undefined {
    return this.pairing.central ?? this.recovered?.initiator;
  }

  /** The address the responder (peripheral) used on this connection: as the capture shows it, else recovered. */
  get responderAddress(): DeviceAddress | undefined {
    return this.pairing.peripheral ?? this.recovered?.responder;
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
