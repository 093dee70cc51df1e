/**
 * Key distribution as the capture shows it (Core Vol 3 Part H 3.6.1, 2.4.3;
 * smp-rules.md 6): masks, order, encryption first, identity addresses
 * against the addresses the sides connected from (Vol 6 Part B 1.3).
 * @module
 */
import { AuthReq, KeyDist } from '../../smp/constants.js';
import type { SmpPdu } from '../../smp/pdu.js';
import type { DeviceAddress } from '../events.js';
import type { PairingContext } from './context.js';
import { addressText, keyBitsText, PDU_NAMES, senderText } from './names.js';
import { KEY_PDU_BIT } from './roles.js';
import type { Side } from './types.js';
import { valueShown } from './unknown.js';
import { hex, sameBytes } from './values.js';

/** The order within one side's distribution (3.6.1). */
const ORDER: readonly SmpPdu['type'][] = [
  'encryption-information',
  'central-identification',
  'identity-information',
  'identity-address-information',
  'signing-information',
];

/**
 * Audits the masks, the order and the timing of the distributed keys. A
 * partial pairing (no Pairing Request or Response in the capture) still has
 * each side's order and identity address checked; the masks need the
 * Response.
 */
export function checkKeyDistribution(ctx: PairingContext): void {
  const { request, response } = ctx;
  if (request && response) {
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
  } else if (!request && !response && !ctx.pairing.partial) return;
  const keyMessages = ctx.messages.filter((m) => KEY_PDU_BIT[m.pdu.type] !== undefined);
  if (!response && keyMessages.length)
    ctx.notVerifiable.push(
      'the key distribution masks: the capture does not show the Pairing Response that negotiated them',
    );
  const encryptedAt = ctx.events('encryption-change').find((e) => e.enabled)?.at;
  // A partial pairing's link may have been encrypted before the capture began.
  const encryptionInView = !ctx.pairing.partial || ctx.events('encryption-change').length > 0;
  if (!encryptionInView && keyMessages.some((m) => !m.decrypted))
    ctx.notVerifiable.push(
      'whether the keys went over an encrypted link: the capture shows no encryption change on it, which may have come before the capture began',
    );
  const sc =
    request && response && (request.pdu.authReq & response.pdu.authReq & AuthReq.SecureConnections) !== 0;
  // Each sender's order: by pairing role, or by host (local, remote) when the roles are unknown.
  const last = new Map<string, { index: number; at: number }>();
  let firstInitiatorKey: number | undefined;
  for (const message of keyMessages) {
    const bit = KEY_PDU_BIT[message.pdu.type]!;
    const source = message.sender ?? message.device;
    if (!source) continue;
    const side = message.sender;
    const who = senderText(message)!;
    const name = PDU_NAMES[message.pdu.type];
    if (encryptionInView && !message.decrypted && (encryptedAt === undefined || message.at < encryptedAt)) {
      ctx.add(
        'keydist-before-encryption',
        message.at,
        `${who} sent ${name} on a link that was not encrypted`,
      );
    }
    if (side && response) {
      const mask = side === 'initiator' ? response.pdu.initiatorKeys : response.pdu.responderKeys;
      const maskName = side === 'initiator' ? 'Initiator' : 'Responder';
      if (sc && bit === KeyDist.EncKey) {
        ctx.add(
          'keydist-outside-mask',
          message.at,
          `${who} sent ${name} in a Secure Connections pairing, where the LTK is derived and EncKey distributes nothing`,
          [response.at],
        );
      } else if ((mask & bit) === 0) {
        ctx.add(
          'keydist-outside-mask',
          message.at,
          `${who} sent ${name}, but the negotiated ${maskName} Key Distribution (Pairing Response at ${ctx.place(response.at)}) is ${keyBitsText(mask)}`,
          [response.at],
        );
      }
    }
    const index = ORDER.indexOf(message.pdu.type);
    const before = last.get(source);
    if (before && index <= before.index) {
      ctx.add(
        'keydist-order',
        message.at,
        `${who} sent ${name} after ${PDU_NAMES[ORDER[before.index]!]} (${ctx.place(before.at)}): out of order or repeated (3.6.1: encryption, identity, then signing keys)`,
        [before.at],
      );
    }
    last.set(source, { index, at: message.at });
    if (side === 'initiator' && firstInitiatorKey === undefined) firstInitiatorKey = message.at;
    if (side === 'responder' && firstInitiatorKey !== undefined) {
      ctx.add(
        'keydist-order',
        message.at,
        `${who} sent ${name} after the initiator had started its keys (${ctx.place(firstInitiatorKey)}): the responder distributes first`,
        [firstInitiatorKey],
      );
    }
    // A redacted address is unknown: not judged (reportHidden says so).
    if (message.pdu.type === 'identity-address-information' && valueShown(ctx, message))
      checkIdentityAddress(ctx, message.pdu, message.at, side, who);
  }
  checkIrkResolves(ctx);
}

const RANDOM_KINDS = ['non-resolvable private', 'resolvable private', 'reserved (10)', 'static'] as const;

/** The kind of a random address by its two most significant bits (Vol 6 Part B 1.3.2). */
const randomKind = (address: Uint8Array) => RANDOM_KINDS[address[5]! >> 6]!;

/** A public address, or a static random one: the two kinds of identity address (Vol 6 Part B 1.3). */
const isIdentityType = (address: DeviceAddress) => address.type === 0 || address.address[5]! >> 6 === 0b11;

/**
 * Identity Address Information (3.6.4; Vol 6 Part B 1.3): the address must
 * be an identity address, public or static random; a static address has
 * top bits 11 and a random part (the other 46 bits) neither all 0 nor all 1
 * (1.3.2.1). And it must agree with the address the side connected from,
 * when that address is itself an identity (public or static): a device not
 * using a private address connects from its identity address, so the same
 * address with the other type, or another address, is a contradiction (its
 * peer files the bond under an identity that does not match it).
 */
function checkIdentityAddress(
  ctx: PairingContext,
  pdu: Extract<SmpPdu, { type: 'identity-address-information' }>,
  at: number,
  side: Side | undefined,
  sender: string,
): void {
  const distributed: DeviceAddress = { address: pdu.address, type: pdu.addressType };
  const text = addressText(distributed);
  const who = `${sender}'s Identity Address Information (${text})`;
  if (pdu.addressType === 1) {
    const top = pdu.address[5]! >> 6;
    if (top !== 0b11) {
      ctx.add(
        'identity-address',
        at,
        `${who} carries a ${randomKind(pdu.address)} random address (top bits ${top.toString(2).padStart(2, '0')}): an identity address is public or static random (top bits 11)`,
      );
      return;
    }
    const rest = [...pdu.address.subarray(0, 5), pdu.address[5]! & 0x3f];
    const allOnes = rest.slice(0, 5).every((b) => b === 0xff) && rest[5] === 0x3f;
    if (rest.every((b) => b === 0) || allOnes) {
      ctx.add(
        'identity-address',
        at,
        `${who} is not a valid static address: its random part is all ${allOnes ? '1' : '0'} (Vol 6 Part B 1.3.2.1 asks for at least one bit of each)`,
      );
      return;
    }
  }
  if (!side) return;
  const connected = side === 'initiator' ? ctx.initiatorAddress : ctx.responderAddress;
  if (!connected || !isIdentityType(connected)) return;
  const sameValue = sameBytes(connected.address, pdu.address);
  if (sameValue && connected.type === pdu.addressType) {
    ctx.verified.push(`the ${side}'s identity address is the address it connected from`);
    return;
  }
  ctx.add(
    'identity-address',
    at,
    sameValue
      ? `${who} types as ${pdu.addressType ? 'random' : 'public'} the address the ${side} connected from as ${addressText(connected)}: the same six octets with the other type are another device's address (Vol 6 Part B 1.3)`
      : `${who} is not the address the ${side} connected from, ${addressText(connected)}, which is itself an identity (not a private address): a device that does not use a private address connects from its identity address, so the bond filed under ${text} will not match it`,
  );
}

/**
 * A side that connected from a resolvable private address and distributed
 * its IRK: the IRK must resolve that address, hash = ah(IRK, prand)
 * (Vol 6 Part B 1.3.2.2, Vol 3 Part H 2.2.2), or its peer cannot recognise it
 * next time.
 */
function checkIrkResolves(ctx: PairingContext): void {
  for (const side of ['initiator', 'responder'] as const) {
    const connected = side === 'initiator' ? ctx.initiatorAddress : ctx.responderAddress;
    if (connected?.type !== 1 || connected.address[5]! >> 6 !== 0b01) continue;
    const info = ctx.all('identity-information', side)[0];
    if (!info || !valueShown(ctx, info)) continue;
    const hash = ctx.crypto.ah(info.pdu.irk, connected.address.subarray(3, 6));
    if (sameBytes(hash, connected.address.subarray(0, 3))) {
      ctx.verified.push(`the ${side}'s IRK resolves the private address it connected from`);
      continue;
    }
    ctx.add(
      'identity-address',
      info.at,
      `the IRK the ${side} distributed, ${hex(info.pdu.irk)}, does not resolve the resolvable private address it connected from, ${addressText(connected)} (ah(IRK, prand) = ${hex(hash)}, not ${hex(connected.address.subarray(0, 3))}): its peer will not recognise it`,
    );
  }
}
