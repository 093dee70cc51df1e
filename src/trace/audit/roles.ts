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
import type { SmpEvent } from '../events.js';
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

/** The SMP events of a pairing as messages with senders, in order. */
export function assignSenders(events: readonly SmpEvent[]): PairingMessage[] {
  const out: PairingMessage[] = [];
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
    let sender: Side | undefined = event.sender
      ? event.sender === 'central'
        ? 'initiator'
        : 'responder'
      : undefined;
    const inferred = sender === undefined;
    if (!sender) sender = inferSender(pdu, seen, request, response, initiatorKeysSeen);
    if (sender === 'initiator' && KEY_PDU_BIT[pdu.type] !== undefined) initiatorKeysSeen = true;
    out.push({
      at: event.at,
      ...(event.time === undefined ? {} : { time: event.time }),
      ...(sender ? { sender } : {}),
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
