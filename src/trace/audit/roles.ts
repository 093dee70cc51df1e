/**
 * Who sent each SMP PDU. HCI captures with a direction say it outright
 * (the central is the initiator on LE); sniffer captures and H4 captures
 * without direction do not, and the protocol order decides (Core Vol 3
 * Part H 2.3.5: request, response, confirms and randoms alternating
 * initiator first, except the lone responder confirm of SC Just Works and
 * Numeric Comparison; key distribution responder first).
 * @module
 */
import { KeyDist } from '../../smp/constants.js';
import { type PairingFeatures, pairingFeatures, type SmpPdu } from '../../smp/pdu.js';
import type { LinkRole, SmpEvent, TraceEvent } from '../events.js';
import { resolveModels } from './context.js';
import type { PairingMessage, Side } from './types.js';

const other = (side: Side): Side => (side === 'initiator' ? 'responder' : 'initiator');

/** Key PDU type -> the key distribution bit that names it (3.6.1). */
export const KEY_PDU_BIT: Readonly<Partial<Record<SmpPdu['type'], number>>> = Object.freeze({
  'encryption-information': KeyDist.EncKey,
  'central-identification': KeyDist.EncKey,
  'identity-information': KeyDist.IdKey,
  'identity-address-information': KeyDist.IdKey,
  'signing-information': KeyDist.SignKey,
});

/**
 * A Pairing Request or Response the decoder refused (a reserved IO
 * capability or OOB flag, a maximum key size outside 7..16, extra octets),
 * read field by field as its receiver would have to: the pairing it opens
 * is audited on (Core Vol 3 Part H 3.5.1, 3.5.2). Undefined for anything
 * else, or when the PDU is too short to hold the six feature octets.
 * @example
 * ```ts
 * readFeaturesLeniently(Uint8Array.of(0x01, 0x07, 0x00, 0x01, 0x14, 0x00, 0x01))?.maxKeySize; // 20
 * ```
 */
export function readFeaturesLeniently(bytes: Uint8Array): SmpPdu | undefined {
  const code = bytes[0];
  if ((code !== 0x01 && code !== 0x02) || bytes.length < 7) return undefined;
  return { type: code === 0x01 ? 'pairing-request' : 'pairing-response', ...pairingFeatures(bytes) };
}

/**
 * The captured host's role on the link when the capture has no Connection
 * Complete for it: the central sends the Pairing Request, the peripheral
 * the Pairing Response and the Security Request (Core Vol 3 Part H 3.5.1,
 * 3.5.2, 3.6.7), and the HCI direction says which of them the captured host
 * sent; else the host that starts encryption (HCI LE Enable Encryption) is
 * the central's, the one that answers the controller's LTK request (LTK
 * Request Reply) the peripheral's (Core Vol 4 Part E 7.8.24, 7.8.25).
 * Undefined when nothing in `events` tells.
 * @example
 * ```ts
 * inferLocalRole(pairing.events); // 'central' when the Pairing Request went out (<, TX)
 * ```
 */
export function inferLocalRole(events: readonly TraceEvent[]): LinkRole | undefined {
  for (const event of events) {
    if (event.type !== 'smp' || !event.device) continue;
    const code = event.bytes[0];
    const sentBy: LinkRole | undefined =
      code === 0x01 ? 'central' : code === 0x02 || code === 0x0b ? 'peripheral' : undefined;
    if (!sentBy) continue;
    return event.device === 'local' ? sentBy : sentBy === 'central' ? 'peripheral' : 'central';
  }
  for (const event of events) {
    if (event.type !== 'encryption-start') continue;
    if (event.source === 'le-enable-encryption') return 'central';
    if (event.source === 'ltk-reply') return 'peripheral';
  }
  return undefined;
}

/**
 * The SMP events of a pairing as messages with senders, in order.
 * `localRole`: the captured host's role, known or inferred, which with the
 * HCI direction of a PDU gives its sender.
 */
export function assignSenders(events: readonly SmpEvent[], localRole?: LinkRole): PairingMessage[] {
  const out: PairingMessage[] = [];
  // The protocol order tells senders only from the start of the exchange: the Pairing Request
  // or Response in view. A capture that began later could start at either side's PDU.
  const fromStart = events.some((e) => e.bytes[0] === 0x01 || e.bytes[0] === 0x02);
  let request: SmpEvent | undefined;
  let response: SmpEvent | undefined;
  const counts = new Map<string, number>();
  let initiatorKeysSeen = false;
  for (const event of events) {
    const pdu = event.decoded.ok ? event.decoded.pdu : readFeaturesLeniently(event.bytes);
    if (!pdu) continue;
    // Only the first Request and Response count: a second one is out of sequence (3.5.1).
    if (pdu.type === 'pairing-request') request ??= event;
    if (pdu.type === 'pairing-response') response ??= event;
    const seen = counts.get(pdu.type) ?? 0;
    counts.set(pdu.type, seen + 1);
    const role: LinkRole | undefined =
      event.sender ??
      (localRole && event.device
        ? (event.device === 'local') === (localRole === 'central')
          ? 'central'
          : 'peripheral'
        : undefined);
    let sender: Side | undefined = role ? (role === 'central' ? 'initiator' : 'responder') : undefined;
    const inferred = sender === undefined;
    if (!sender && (fromStart || pdu.type === 'security-request'))
      sender = inferSender(pdu, seen, request, response, initiatorKeysSeen);
    if (sender === 'initiator' && KEY_PDU_BIT[pdu.type] !== undefined) initiatorKeysSeen = true;
    out.push({
      at: event.at,
      ...(event.time === undefined ? {} : { time: event.time }),
      ...(sender ? { sender } : {}),
      ...(event.device ? { device: event.device } : {}),
      inferred,
      pdu,
      bytes: event.bytes,
      ...(event.decoded.ok ? {} : { malformed: event.decoded.message }),
      ...(event.decrypted ? { decrypted: true } : {}),
    });
  }
  return out;
}

function inferSender(
  pdu: SmpPdu,
  seen: number,
  request: SmpEvent | undefined,
  response: SmpEvent | undefined,
  initiatorKeysSeen: boolean,
): Side | undefined {
  const alternate = (): Side => (seen % 2 === 0 ? 'initiator' : 'responder');
  switch (pdu.type) {
    case 'pairing-request':
      return 'initiator';
    case 'pairing-response':
    case 'security-request':
      return 'responder';
    case 'pairing-public-key':
    case 'pairing-dhkey-check':
    case 'pairing-random':
      return alternate();
    case 'pairing-confirm': {
      if (request && response) {
        // SC Just Works and Numeric Comparison: only the responder commits (Cb). With a
        // reserved IO capability, every model the field could stand for must agree.
        const models = resolveModels(request.bytes, response.bytes);
        if (models.every((a) => a.secureConnections && a.model !== 'passkey' && a.model !== 'oob')) {
          return 'responder';
        }
      }
      return alternate();
    }
    default: {
      const bit = KEY_PDU_BIT[pdu.type];
      const features = response && (readFeaturesLeniently(response.bytes) as PairingFeatures | undefined);
      if (bit === undefined || !features) return undefined;
      // Responder first: a key the responder's mask names, before any initiator key, is the responder's.
      if (seen === 0 && !initiatorKeysSeen && features.responderKeys & bit) return 'responder';
      return other('responder');
    }
  }
}
