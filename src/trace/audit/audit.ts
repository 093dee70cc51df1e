/**
 * The auditor: packets in, one {@link PairingAudit} per pairing out. It
 * decodes as packets arrive and keeps only what belongs to pairings, so a
 * large capture streams through in bounded memory.
 * @module
 */
import { defaultBackend } from '../../crypto/default-backend.js';
import { type Toolbox, toolbox } from '../../crypto/toolbox.js';
import type { PairingFeatures } from '../../smp/pdu.js';
import type { LinkRole, SmpEvent, TraceEvent } from '../events.js';
import { HciDecoder } from '../hci-decoder.js';
import { LinkLayerDecoder } from '../ll-decoder.js';
import type { TraceRecord, TraceUnit } from '../model.js';
import { type CapturedPairing, PairingCollector } from '../pairings.js';
import type { TraceReader } from '../readers/index.js';
import { PairingContext } from './context.js';
import { checkEncryption, checkFailures, outcome } from './failures.js';
import { GivenKeys, givenKeyText } from './given-keys.js';
import { checkKeyDistribution } from './key-distribution.js';
import { checkLegacy } from './legacy.js';
import { decryptLinkLayer } from './ll-decrypt.js';
import { addressText, authReqText, ioText, keyBitsText, PDU_NAMES } from './names.js';
import { checkRandomness, type SeenValue } from './randomness.js';
import { assignSenders, inferLocalRole, readFeaturesLeniently } from './roles.js';
import { AUDIT_RULES } from './rules.js';
import { checkSecureConnections } from './secure-connections.js';
import type { ChartStep, Finding, PairingAudit, SideReport } from './types.js';
import { reportHidden } from './unknown.js';
import { hex } from './values.js';

/** Findings that belong to a connection rather than a pairing (encryption with no pairing in the capture). */
export interface ConnectionFinding extends Finding {
  readonly connection: string;
}

/** The audit of a whole capture. */
export interface AuditReport {
  readonly unit: TraceUnit;
  /** Packets read. */
  readonly packets: number;
  readonly pairings: readonly PairingAudit[];
  readonly connectionFindings: readonly ConnectionFinding[];
}

/** Options of the auditor. */
export interface AuditOptions {
  /** The crypto toolbox (default: the default backend's). */
  readonly crypto?: Toolbox;
  /**
   * LTKs (16 octets, wire order) to try on link-layer encryption that no
   * recovered STK explains: the MIC tells which one started it; a Secure
   * Connections pairing's key distribution is then decrypted and audited.
   */
  readonly ltks?: readonly Uint8Array[];
}

/**
 * Audits a capture packet by packet: push every record from a reader, then
 * `finish()`.
 * @example
 * ```ts
 * const reader = new TraceReader();
 * const auditor = new TraceAuditor();
 * for await (const chunk of createReadStream(file)) auditor.push(reader.push(chunk), reader.unit);
 * auditor.push(reader.end(), reader.unit);
 * const report = auditor.finish();
 * ```
 */
export class TraceAuditor {
  readonly #hci = new HciDecoder();
  readonly #ll = new LinkLayerDecoder();
  readonly #collector = new PairingCollector();
  readonly #crypto: Toolbox;
  readonly #given: GivenKeys;
  #unit: TraceUnit = 'frame';
  #packets = 0;
  /** What {@link TraceAuditor.ended} has audited so far. */
  readonly #live = {
    done: new Set<CapturedPairing>(),
    audited: [] as PairingAudit[],
    seen: new Map<string, SeenValue>(),
  };

  constructor(options: AuditOptions = {}) {
    this.#crypto = options.crypto ?? toolbox(defaultBackend());
    this.#given = new GivenKeys(options.ltks ?? [], this.#crypto);
  }

  /**
   * Takes the next packets, in capture order; `unit` is how the capture numbers them.
   * @example
   * ```ts
   * auditor.push(reader.push(chunk), reader.unit);
   * ```
   */
  push(records: readonly TraceRecord[], unit: TraceUnit = this.#unit): void {
    this.#unit = unit;
    this.#packets += records.length;
    for (const record of records) {
      const events: TraceEvent[] = record.kind === 'hci' ? this.#hci.push(record) : this.#ll.push(record);
      for (const event of events) {
        this.#collector.push(event);
        this.#given.push(event);
      }
    }
  }

  /**
   * Reads `chunk` with `reader` and audits the packets it completes; without
   * a chunk, ends the input (a capture cut short throws TraceReadError). The
   * packet count is the reader's, packets it left out (`smpOnly`) included.
   * Returns the records read, for a caller that keeps some.
   * @example
   * ```ts
   * const reader = new TraceReader({ smpOnly: true });
   * for await (const chunk of createReadStream(file)) auditor.read(reader, chunk);
   * auditor.read(reader);
   * ```
   */
  read(reader: TraceReader, chunk?: Uint8Array): TraceRecord[] {
    const records = chunk === undefined ? reader.end() : reader.push(chunk);
    this.push(records, reader.unit);
    this.#packets = reader.packets;
    return records;
  }

  /**
   * For a live audit: audits the pairings that ended since the last call, each
   * once, in capture order. A pairing has ended when its link went away, a
   * new connection or a later pairing started on it, or a Pairing Failed
   * was seen; `all` ends the others too (the end of the stream, or a quiet
   * spell). {@link TraceAuditor.finish} still audits every pairing.
   * @example
   * ```ts
   * auditor.push(reader.push(chunk), reader.unit);
   * for (const pairing of auditor.ended()) console.log(formatPairing(pairing));
   * ```
   */
  ended(options: { readonly all?: boolean } = {}): PairingAudit[] {
    const live = this.#live;
    const fresh: PairingAudit[] = [];
    for (const pairing of this.#collector.pairings) {
      if (live.done.has(pairing)) continue;
      const failed = pairing.events.some(
        (e) => e.type === 'smp' && e.decoded.ok && e.decoded.pdu.type === 'pairing-failed',
      );
      if (!options.all && !failed && this.#collector.isOpen(pairing)) continue;
      live.done.add(pairing);
      fresh.push(auditPairing(pairing, this.#unit, this.#crypto, live.seen, this.#given.ltks));
    }
    const from = live.audited.length;
    live.audited.push(...fresh);
    markRepeatedFailures(live.audited, from);
    return fresh;
  }

  /**
   * Audits every pairing seen.
   * @example
   * ```ts
   * const report = auditor.finish();
   * for (const pairing of report.pairings) console.log(pairing.outcome, pairing.findings.length);
   * ```
   */
  finish(): AuditReport {
    const seen = new Map<string, SeenValue>();
    const pairings = this.#collector.pairings.map((pairing) =>
      auditPairing(pairing, this.#unit, this.#crypto, seen, this.#given.ltks),
    );
    markRepeatedFailures(pairings);
    const connectionFindings: ConnectionFinding[] = [];
    for (const { link, start } of this.#collector.unpaired) {
      const zero = start.ltk?.every((b) => b === 0);
      const rule = zero ? 'zero-ltk' : 'encryption-without-pairing';
      const message = zero
        ? `encryption started on ${link} with an all-zero key and no pairing in the capture`
        : `encryption started on ${link} with no pairing in the capture (EDIV 0x${start.ediv.toString(16).padStart(4, '0')}, Rand ${hex(start.rand)}): a key bonded earlier, ${givenKeyText(this.#given, start)}`;
      const { severity, rule: specRule } = AUDIT_RULES[rule];
      connectionFindings.push({ connection: link, rule, severity, where: start.at, message, specRule });
    }
    return { unit: this.#unit, packets: this.#packets, pairings, connectionFindings };
  }
}

/** Audits one captured pairing. */
function auditPairing(
  pairing: CapturedPairing,
  unit: TraceUnit,
  crypto: Toolbox,
  seen: Map<string, SeenValue>,
  ltks: readonly Uint8Array[] = [],
): PairingAudit {
  const smp = pairing.events.filter((e): e is SmpEvent => e.type === 'smp');
  // No Connection Complete in the capture: who sent the Request, Response or Security Request tells the role.
  const localRole = pairing.localRole ?? inferLocalRole(pairing.events);
  const ctx = new PairingContext(pairing, unit, crypto, assignSenders(smp, localRole));
  if (pairing.partial) notePartial(ctx, localRole);
  for (const event of smp) {
    // Request and Response are read field by field below; the rest as the decoder says.
    if (!event.decoded.ok && event.decoded.action === 'fail' && !readFeaturesLeniently(event.bytes)) {
      ctx.add('malformed-pdu', event.at, `SMP PDU ${hex(event.bytes)}: ${event.decoded.message}`);
    }
  }
  checkFields(ctx);
  const { request, response } = ctx;
  if (ctx.keySize !== undefined && ctx.keySize < 16 && response) {
    ctx.add(
      'key-size',
      response.at,
      `the negotiated key size is ${ctx.keySize} octets (min of ${request!.pdu.maxKeySize} and ${response.pdu.maxKeySize}): ${128 - 8 * ctx.keySize} of the key's 128 bits are zero`,
    );
  }
  checkLegacy(ctx);
  const decrypted = decryptLinkLayer(ctx, ltks);
  if (decrypted.length) {
    ctx.messages.push(...decrypted);
    ctx.messages.sort((a, b) => a.at - b.at);
  }
  checkSecureConnections(ctx);
  checkEncryption(ctx);
  checkKeyDistribution(ctx);
  checkRandomness(ctx, seen);
  reportHidden(ctx);
  checkFailures(ctx);
  ctx.findings.sort((a, b) => a.where - b.where);
  const association = ctx.association;

  const side = (role: 'initiator' | 'responder'): SideReport => {
    const address = role === 'initiator' ? ctx.initiatorAddress : ctx.responderAddress;
    const recovered = address !== (role === 'initiator' ? pairing.central : pairing.peripheral);
    const features = (role === 'initiator' ? request : response)?.pdu;
    return {
      role,
      ...(address ? { address: addressText(address), addressRaw: address } : {}),
      ...(address && recovered ? { addressRecovered: true } : {}),
      ...(localRole ? { local: (localRole === 'central') === (role === 'initiator') } : {}),
      ...(features ? { features: featureReport(features) } : {}),
    };
  };
  const mitm = ctx.mitmRequestedBy();
  let modelChoice: string | undefined;
  if (association) {
    modelChoice = association.tableCell
      ? `IO capability table (responder x initiator) ${association.tableCell}`
      : association.model === 'oob'
        ? 'OOB data flags'
        : 'neither side set MITM';
    if (association.tableCell && mitm.length && !association.authenticated && ctx.candidates.length === 1) {
      modelChoice += `; MITM was requested by the ${mitm.join(' and ')}, but the IO capabilities allow only Just Works: the key is unauthenticated`;
    }
  }
  if (ctx.modelNote) modelChoice = modelChoice ? `${modelChoice} (${ctx.modelNote})` : ctx.modelNote;
  return {
    index: pairing.index,
    connection: pairing.link,
    unit,
    start: pairing.events[0]?.at ?? 0,
    ...(pairing.partial ? { partial: true } : {}),
    initiator: side('initiator'),
    responder: side('responder'),
    method: ctx.method,
    ...(association ? { model: association.model } : {}),
    ...(modelChoice ? { modelChoice } : {}),
    ...(ctx.keySize !== undefined ? { keySize: ctx.keySize } : {}),
    ...(response
      ? {
          negotiated: {
            initiatorKeys: keyBitsText(response.pdu.initiatorKeys),
            responderKeys: keyBitsText(response.pdu.responderKeys),
          },
        }
      : {}),
    outcome: outcome(ctx),
    ...(ctx.passkey !== undefined ? { passkey: ctx.passkey } : {}),
    ...(ctx.stk ? { stk: hex(ctx.stk) } : {}),
    verified: ctx.verified,
    notVerifiable: ctx.notVerifiable,
    findings: ctx.findings,
    steps: chartSteps(ctx),
  };
}

/**
 * A pairing whose Pairing Request the capture does not show: what cannot be
 * checked, and whose PDUs are whose.
 */
function notePartial(ctx: PairingContext, localRole: LinkRole | undefined): void {
  const seen = [...new Set(ctx.messages.map((m) => PDU_NAMES[m.pdu.type]))].join(', ');
  const refused =
    ctx.messages[0]?.pdu.type === 'security-request' && ctx.messages[1]?.pdu.type === 'pairing-failed';
  ctx.notVerifiable.push(
    refused
      ? 'the pairing itself: the Security Request was answered with Pairing Failed, so no pairing began'
      : `the pairing's start: the capture shows no Pairing Request (it began before the capture, or the start was cut out), only ${seen}; ${ctx.response ? "the initiator's features, the association model and the confirms" : "the negotiated features and key distribution masks, the association model, the confirms and the keys' derivation"} cannot be checked`,
  );
  if (!ctx.messages.some((m) => m.sender) && ctx.messages.some((m) => m.device))
    ctx.notVerifiable.push(
      'the pairing roles: the capture has no Connection Complete and no Pairing Request, Response or Security Request with a direction, so the PDUs are told apart only by host (local or remote), not as initiator or responder',
    );
  else if (!localRole && !ctx.messages.some((m) => m.sender))
    ctx.notVerifiable.push('who sent each PDU: the capture records no direction and no roles');
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** What is wrong with the AuthReq octet as sent: reserved bits 6-7 and Bonding_Flags 1x (3.5.1, Table 3.6). */
function authReqProblems(authReq: number): string[] {
  const problems: string[] = [];
  if (authReq & 0xc0)
    problems.push(`AuthReq ${hex2(authReq)} sets the reserved bits 6-7 (${hex2(authReq & 0xc0)})`);
  if ((authReq & 0x03) >= 2)
    problems.push(
      `AuthReq ${hex2(authReq)} has Bonding_Flags ${(authReq & 0x03).toString(2)}, a reserved value`,
    );
  return problems;
}

/**
 * The fields of Pairing Request, Pairing Response and Security Request as
 * sent (Core Vol 3 Part H 3.5.1, 3.5.2, 3.6.1, 3.6.7): each field out of
 * range or reserved, named. An out-of-range field makes the receiver fail
 * with Invalid Parameters (0x0A, 3.3); reserved bits are sent as 0 and
 * ignored on receipt. The pairing is audited on either way.
 */
function checkFields(ctx: PairingContext): void {
  for (const message of ctx.messages) {
    const { pdu, bytes } = message;
    const invalid: string[] = [];
    const reserved: string[] = [];
    if (pdu.type === 'pairing-request' || pdu.type === 'pairing-response') {
      if (bytes.length !== 7) invalid.push(`${bytes.length} octets where the PDU has 7`);
      if (bytes[1]! > 4) invalid.push(`IO Capability ${hex2(bytes[1]!)} is reserved (Table 3.4)`);
      if (bytes[2]! > 1) invalid.push(`OOB Data Flag ${hex2(bytes[2]!)} is reserved (Table 3.5)`);
      if (bytes[4]! < 7 || bytes[4]! > 16)
        invalid.push(`Maximum Encryption Key Size ${bytes[4]} is outside 7..16 (2.3.4)`);
      reserved.push(...authReqProblems(bytes[3]!));
      for (const [index, name] of [
        [5, 'Initiator'],
        [6, 'Responder'],
      ] as const) {
        if (bytes[index]! & 0xf0)
          reserved.push(
            `${name} Key Distribution ${hex2(bytes[index]!)} sets the reserved bits 4-7 (${hex2(bytes[index]! & 0xf0)}, 3.6.1)`,
          );
      }
    } else if (pdu.type === 'security-request') {
      reserved.push(...authReqProblems(bytes[1]!));
    } else continue;
    if (!invalid.length && !reserved.length) continue;
    const who = message.sender ? `the ${message.sender}'s ` : '';
    let consequence = '';
    if (invalid.length) {
      const answer = ctx.messages.find(
        (m) => m.at > message.at && m.sender !== undefined && m.sender !== message.sender,
      );
      consequence =
        pdu.type === 'security-request'
          ? ''
          : answer && answer.pdu.type !== 'pairing-failed'
            ? `: the receiver must fail the pairing with Invalid Parameters (0x0A), yet it went on with ${PDU_NAMES[answer.pdu.type]} at ${ctx.place(answer.at)}`
            : ': the receiver must fail the pairing with Invalid Parameters (0x0A)';
    }
    const ignored = reserved.length
      ? `${invalid.length ? '; ' : ''}${reserved.join('; ')}: a sender sets reserved bits to 0, a receiver ignores them`
      : '';
    ctx.add(
      'malformed-pdu',
      message.at,
      `${who}${PDU_NAMES[pdu.type]} ${hex(bytes)}: ${invalid.join('; ')}${consequence}${ignored}`,
    );
  }
}

function featureReport(features: PairingFeatures): NonNullable<SideReport['features']> {
  return {
    ioCapability: ioText(features.ioCapability),
    oobData: features.oobDataPresent,
    authReq: authReqText(features.authReq),
    maxKeySize: features.maxKeySize,
    initiatorKeys: keyBitsText(features.initiatorKeys),
    responderKeys: keyBitsText(features.responderKeys),
  };
}

/** The PDUs and the link events of the pairing, in order, for the sequence chart. */
function chartSteps(ctx: PairingContext): ChartStep[] {
  const steps: ChartStep[] = ctx.messages.map((m) => ({
    at: m.at,
    from: m.sender ?? 'both',
    label: `${PDU_NAMES[m.pdu.type]}${m.pdu.type === 'pairing-failed' ? ` 0x${m.pdu.reason.toString(16).padStart(2, '0')}` : ''}`,
  }));
  for (const event of ctx.pairing.events) {
    if (event.type === 'encryption-start')
      steps.push({
        at: event.at,
        from: 'initiator',
        label:
          event.source === 'll-enc-req'
            ? 'LL_ENC_REQ'
            : event.source === 'ltk-reply'
              ? 'LTK Request Reply'
              : 'LE Enable Encryption',
      });
    else if (event.type === 'encryption-change')
      steps.push({
        at: event.at,
        from: 'both',
        label: event.enabled ? 'encryption on' : `encryption change 0x${event.status.toString(16)}`,
      });
    else if (event.type === 'disconnection')
      steps.push({
        at: event.at,
        from: 'both',
        label: `disconnected 0x${event.reason.toString(16).padStart(2, '0')}`,
      });
  }
  return steps.sort((a, b) => a.at - b.at);
}

/** A second failed pairing between the same two addresses gets `repeated-failures` (2.3.6). */
function markRepeatedFailures(pairings: PairingAudit[], from = 0): void {
  const failures = new Map<string, PairingAudit[]>();
  for (const [index, pairing] of pairings.entries()) {
    if (pairing.outcome !== 'failed') continue;
    const key = `${pairing.initiator.address ?? pairing.connection}|${pairing.responder.address ?? pairing.connection}`;
    const earlier = failures.get(key) ?? [];
    if (earlier.length > 0 && index >= from) {
      const { severity, rule: specRule } = AUDIT_RULES['repeated-failures'];
      (pairing.findings as Finding[]).push({
        rule: 'repeated-failures',
        severity,
        where: pairing.start,
        related: earlier.map((p) => p.start),
        message: `failed pairing number ${earlier.length + 1} between the same devices (earlier: ${earlier.map((p) => `${p.unit} ${p.start}`).join(', ')}); a stack should answer quick retries with Repeated Attempts (0x09)`,
        specRule,
      });
    }
    failures.set(key, [...earlier, pairing]);
  }
}
