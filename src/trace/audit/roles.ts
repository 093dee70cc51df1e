/**
 * Who sent each SMP PDU. HCI captures with a direction say it outright
 * (the central is the initiator on LE); sniffer captures and H4 captures
 * without direction do not, and the protocol order decides (Core Vol 3
 * Part H 2.3.5: request, response, confirms and randoms alternating
 * initiator first, except the lone responder confirm of SC Just Works and
 * Numeric Comparison; key distribution responder first).
 * @module
 */
import { resolveAssociation } from '../../smp/association.js';
import { KeyDist } from '../../smp/constants.js';
import type { PairingFeatures, SmpPdu } from '../../smp/pdu.js';
import type { SmpEvent } from '../events.js';
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

/** The SMP events of a pairing as messages with senders, in order. */
export function assignSenders(events: readonly SmpEvent[]): PairingMessage[] {
  const out: PairingMessage[] = [];
  let request: PairingFeatures | undefined;
  let response: PairingFeatures | undefined;
  const counts = new Map<string, number>();
  let initiatorKeysSeen = false;
  for (const event of events) {
    if (!event.decoded.ok) continue;
    const pdu = event.decoded.pdu;
    if (pdu.type === 'pairing-request') request = pdu;
    if (pdu.type === 'pairing-response') response = pdu;
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
      ...(event.decrypted ? { decrypted: true } : {}),
    });
  }
  return out;
}

function inferSender(
  pdu: SmpPdu,
  seen: number,
  request: PairingFeatures | undefined,
  response: PairingFeatures | undefined,
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
        const association = resolveAssociation(request, response);
        // SC Just Works and Numeric Comparison: only the responder commits (Cb).
        if (association.secureConnections && association.model !== 'passkey' && association.model !== 'oob') {
          return 'responder';
        }
      }
      return alternate();
    }
    default: {
      const bit = KEY_PDU_BIT[pdu.type];
      if (bit === undefined || !response) return undefined;
      // Responder first: a key the responder's mask names, before any initiator key, is the responder's.
      if (seen === 0 && !initiatorKeysSeen && response.responderKeys & bit) return 'responder';
      return other('responder');
    }
  }
}
