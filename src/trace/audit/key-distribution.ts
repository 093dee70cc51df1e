/**
 * Key distribution as the capture shows it (Core Vol 3 Part H 3.6.1, 2.4.3;
 * smp-rules.md 6): masks, order, encryption first, identity addresses.
 * @module
 */
import { AuthReq, KeyDist } from '../../smp/constants.js';
import type { SmpPdu } from '../../smp/pdu.js';
import type { PairingContext } from './context.js';
import { keyBitsText, PDU_NAMES } from './names.js';
import { KEY_PDU_BIT } from './roles.js';
import { valueShown } from './unknown.js';

/** The order within one side's distribution (3.6.1). */
const ORDER: readonly SmpPdu['type'][] = [
  'encryption-information',
  'central-identification',
  'identity-information',
  'identity-address-information',
  'signing-information',
];

/** Audits the masks, the order and the timing of the distributed keys. */
export function checkKeyDistribution(ctx: PairingContext): void {
  const { request, response } = ctx;
  if (!request || !response) return;
  const widened = [
    ['Initiator', response.pdu.initiatorKeys & ~request.pdu.initiatorKeys],
    ['Responder', response.pdu.responderKeys & ~request.pdu.responderKeys],
  ] as const;
  for (const [name, extra] of widened) {
    if (extra) {
      ctx.add(
        'keydist-outside-mask',
        response.at,
        `the Pairing Response's ${name} Key Distribution sets ${keyBitsText(extra)}, which the Pairing Request did not: the responder may only clear bits (the initiator must fail with 0x0A)`,
        [request.at],
      );
    }
  }
  const encryptedAt = ctx.events('encryption-change').find((e) => e.enabled)?.at;
  const sc = (request.pdu.authReq & response.pdu.authReq & AuthReq.SecureConnections) !== 0;
  const last = { initiator: -1, responder: -1 };
  const lastAt = { initiator: 0, responder: 0 };
  let firstInitiatorKey: number | undefined;
  for (const message of ctx.messages) {
    const bit = KEY_PDU_BIT[message.pdu.type];
    if (bit === undefined || !message.sender) continue;
    const side = message.sender;
    const name = PDU_NAMES[message.pdu.type];
    const mask = side === 'initiator' ? response.pdu.initiatorKeys : response.pdu.responderKeys;
    const maskName = side === 'initiator' ? 'Initiator' : 'Responder';
    if (!message.decrypted && (encryptedAt === undefined || message.at < encryptedAt)) {
      ctx.add(
        'keydist-before-encryption',
        message.at,
        `the ${side} sent ${name} on a link that was not encrypted`,
      );
    }
    if (sc && bit === KeyDist.EncKey) {
      ctx.add(
        'keydist-outside-mask',
        message.at,
        `the ${side} sent ${name} in a Secure Connections pairing, where the LTK is derived and EncKey distributes nothing`,
        [response.at],
      );
    } else if ((mask & bit) === 0) {
      ctx.add(
        'keydist-outside-mask',
        message.at,
        `the ${side} sent ${name}, but the negotiated ${maskName} Key Distribution (Pairing Response at ${ctx.place(response.at)}) is ${keyBitsText(mask)}`,
        [response.at],
      );
    }
    const index = ORDER.indexOf(message.pdu.type);
    if (index <= last[side]) {
      ctx.add(
        'keydist-order',
        message.at,
        `the ${side} sent ${name} after ${PDU_NAMES[ORDER[last[side]]!]} (${ctx.place(lastAt[side])}): out of order or repeated`,
        [lastAt[side]],
      );
    }
    last[side] = index;
    lastAt[side] = message.at;
    if (side === 'initiator' && firstInitiatorKey === undefined) firstInitiatorKey = message.at;
    if (side === 'responder' && firstInitiatorKey !== undefined) {
      ctx.add(
        'keydist-order',
        message.at,
        `the responder sent ${name} after the initiator had started its keys (${ctx.place(firstInitiatorKey)}): the responder distributes first`,
        [firstInitiatorKey],
      );
    }
    // A redacted address is unknown: not judged (reportHidden says so).
    if (message.pdu.type === 'identity-address-information' && valueShown(ctx, message)) {
      const { addressType, address } = message.pdu;
      if (addressType === 1 && address[5]! >> 6 !== 0b11) {
        ctx.add(
          'identity-address',
          message.at,
          `the ${side}'s Identity Address Information carries a random address that is not static (top bits ${(address[5]! >> 6).toString(2).padStart(2, '0')}): an identity must be public or static random`,
        );
      }
    }
  }
}
