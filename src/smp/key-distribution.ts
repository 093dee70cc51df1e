/**
 * Key distribution (Core Vol 3 Part H 3.6.1, 2.4.3; smp-rules.md section 6):
 * negotiating the masks, checking the response, what each side sends, and the
 * gate every received key PDU passes.
 * @module
 */
import { KeyDist, Reason } from './constants.js';
import type { PairingFeatures, SmpPdu } from './pdu.js';

/** The key PDUs, in the order a side sends them (3.6.1). */
export type KeyPduType =
  | 'encryption-information'
  | 'central-identification'
  | 'identity-information'
  | 'identity-address-information'
  | 'signing-information';

/** Which key PDUs each mask bit stands for, in spec order (3.6.1, Figure 3.11). */
const KEY_PDUS: ReadonlyArray<{ bit: number; pdus: readonly KeyPduType[]; legacyOnly: boolean }> = [
  // EncKey: LTK, EDIV and Rand. Under SC the LTK is derived: nothing is sent (2.4.3, 3.6.1).
  { bit: KeyDist.EncKey, pdus: ['encryption-information', 'central-identification'], legacyOnly: true },
  { bit: KeyDist.IdKey, pdus: ['identity-information', 'identity-address-information'], legacyOnly: false },
  { bit: KeyDist.SignKey, pdus: ['signing-information'], legacyOnly: false },
  // LinkKey: derived for BR/EDR (2.4.2.4); no PDU on LE.
];

/** The negotiated masks: which keys the initiator and the responder distribute. */
export interface KeyMasks {
  readonly initiatorKeys: number;
  readonly responderKeys: number;
}

/**
 * The responder's masks for its Pairing Response: the request's AND ours (3.6.1).
 * @example
 * ```ts
 * negotiateKeyMasks(request, { initiatorKeys: 0x03, responderKeys: 0x03 });
 * ```
 */
export function negotiateKeyMasks(request: KeyMasks, local: KeyMasks): KeyMasks {
  return {
    initiatorKeys: request.initiatorKeys & local.initiatorKeys,
    responderKeys: request.responderKeys & local.responderKeys,
  };
}

/**
 * The initiator's check of a Pairing Response: it may not set a key bit the
 * request did not (3.6.1); such a response fails with Invalid Parameters.
 * Returns the problem, or null when the response is acceptable.
 * @example
 * ```ts
 * checkResponseMasks(request, response); // null, or a message for 0x0A
 * ```
 */
export function checkResponseMasks(request: KeyMasks, response: KeyMasks): string | null {
  const extraInitiator = response.initiatorKeys & ~request.initiatorKeys;
  const extraResponder = response.responderKeys & ~request.responderKeys;
  if (extraInitiator || extraResponder) {
    return `Pairing Response sets key bits the request did not (initiator 0x${hex(extraInitiator)}, responder 0x${hex(extraResponder)})`;
  }
  return null;
}

/** {@link keyPdusFor}'s answers, made once: [legacy, SC][mask & 0x0f]. */
const KEY_PDU_LISTS: readonly (readonly (readonly KeyPduType[])[])[] = [false, true].map(
  (secureConnections) =>
    Array.from({ length: 16 }, (_, mask) =>
      KEY_PDUS.filter((entry) => mask & entry.bit && !(secureConnections && entry.legacyOnly)).flatMap(
        (entry) => entry.pdus,
      ),
    ),
);

/**
 * The key PDUs one side sends for its negotiated mask, in spec order; under
 * Secure Connections, Encryption Information and Central Identification are
 * never sent (3.6.1).
 * @example
 * ```ts
 * keyPdusFor(KeyDist.EncKey | KeyDist.IdKey, false);
 * // ['encryption-information', 'central-identification', 'identity-information', 'identity-address-information']
 * ```
 */
export function keyPdusFor(mask: number, secureConnections: boolean): KeyPduType[] {
  // Bits 4-7 carry no LE key PDU: the four low bits decide the list.
  return KEY_PDU_LISTS[secureConnections ? 1 : 0]![mask & 0x0f]!.slice();
}

/**
 * Whether a PDU is one of the five key distribution PDUs.
 * @example
 * ```ts
 * isKeyPdu({ type: 'identity-information', irk }); // true
 * ```
 */
export function isKeyPdu(pdu: SmpPdu): pdu is Extract<SmpPdu, { type: KeyPduType }> {
  return KEY_PDUS.some((entry) => (entry.pdus as readonly string[]).includes(pdu.type));
}

/**
 * Whether an Identity Address Information carries an identity address: public,
 * or static random (two most significant bits 11) (3.6.5; smp-rules.md 6).
 * @example
 * ```ts
 * isIdentityAddress(1, Uint8Array.of(1, 2, 3, 4, 5, 0xc0)); // true: static random
 * ```
 */
export function isIdentityAddress(addressType: number, address: Uint8Array): boolean {
  if (addressType === 0) return true;
  return addressType === 1 && (address[5]! & 0xc0) === 0xc0;
}

/** The receive gate's verdict on one key PDU. */
export type KeyGateVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: Reason; readonly message: string };

/**
 * The receive gate (smp-rules.md section 6): a key PDU is accepted only on an
 * encrypted link, only if it is exactly the next one expected from the peer's
 * negotiated mask, and an identity address must be an identity.
 * @example
 * ```ts
 * checkKeyPdu(pdu, expected[0], true); // { ok: true } or { ok: false, reason: 0x08, ... }
 * ```
 */
export function checkKeyPdu(
  pdu: Extract<SmpPdu, { type: KeyPduType }>,
  expected: KeyPduType | undefined,
  encrypted: boolean,
): KeyGateVerdict {
  if (!encrypted) {
    return {
      ok: false,
      reason: Reason.UnspecifiedReason,
      message: `${pdu.type} received before the link was encrypted`,
    };
  }
  if (pdu.type !== expected) {
    const wanted = expected === undefined ? 'no more keys (outside the negotiated mask)' : expected;
    return {
      ok: false,
      reason: Reason.UnspecifiedReason,
      message: `${pdu.type} received, expected ${wanted}`,
    };
  }
  if (pdu.type === 'identity-address-information' && !isIdentityAddress(pdu.addressType, pdu.address)) {
    return {
      ok: false,
      reason: Reason.InvalidParameters,
      message: 'Identity Address Information carries a random address that is not static',
    };
  }
  return { ok: true };
}

/**
 * The key distribution masks of a Pairing Request or Response.
 * @example
 * ```ts
 * masksOf(response); // { initiatorKeys: 0x02, responderKeys: 0x03 }
 * ```
 */
export function masksOf(features: PairingFeatures): KeyMasks {
  return { initiatorKeys: features.initiatorKeys, responderKeys: features.responderKeys };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
