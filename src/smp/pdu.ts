/**
 * The 14 SMP PDUs (Core Vol 3 Part H 3.5, 3.6): typed values and their codec.
 * Decoding never throws: it returns the PDU, or the action the receiver must
 * take (ignore a reserved code, or fail with Invalid Parameters).
 * @module
 */
import { toHex } from '../crypto/bytes.js';
import { MAX_KEY_SIZE, MIN_KEY_SIZE, Opcode, PDU_LENGTH, Reason } from './constants.js';

/** The six feature octets of a Pairing Request or Response (3.5.1, 3.5.2). */
export interface PairingFeatures {
  readonly ioCapability: number;
  readonly oobDataPresent: boolean;
  readonly authReq: number;
  readonly maxKeySize: number;
  readonly initiatorKeys: number;
  readonly responderKeys: number;
}

/** Every SMP PDU, discriminated by `type`. Byte arrays are in wire order. */
export type SmpPdu =
  | ({ readonly type: 'pairing-request' } & PairingFeatures)
  | ({ readonly type: 'pairing-response' } & PairingFeatures)
  | { readonly type: 'pairing-confirm'; readonly value: Uint8Array }
  | { readonly type: 'pairing-random'; readonly value: Uint8Array }
  | { readonly type: 'pairing-failed'; readonly reason: number }
  | { readonly type: 'encryption-information'; readonly ltk: Uint8Array }
  | { readonly type: 'central-identification'; readonly ediv: number; readonly rand: Uint8Array }
  | { readonly type: 'identity-information'; readonly irk: Uint8Array }
  | {
      readonly type: 'identity-address-information';
      readonly addressType: number;
      readonly address: Uint8Array;
    }
  | { readonly type: 'signing-information'; readonly csrk: Uint8Array }
  | { readonly type: 'security-request'; readonly authReq: number }
  | { readonly type: 'pairing-public-key'; readonly publicKey: Uint8Array }
  | { readonly type: 'pairing-dhkey-check'; readonly value: Uint8Array }
  | { readonly type: 'keypress-notification'; readonly notification: number };

/**
 * The `type` of each opcode (3.3, Table 3.4).
 * @example
 * ```ts
 * PDU_TYPE[0x0c]; // 'pairing-public-key'
 * ```
 */
export const PDU_TYPE: Readonly<Record<Opcode, SmpPdu['type']>> = Object.freeze({
  [Opcode.PairingRequest]: 'pairing-request',
  [Opcode.PairingResponse]: 'pairing-response',
  [Opcode.PairingConfirm]: 'pairing-confirm',
  [Opcode.PairingRandom]: 'pairing-random',
  [Opcode.PairingFailed]: 'pairing-failed',
  [Opcode.EncryptionInformation]: 'encryption-information',
  [Opcode.CentralIdentification]: 'central-identification',
  [Opcode.IdentityInformation]: 'identity-information',
  [Opcode.IdentityAddressInformation]: 'identity-address-information',
  [Opcode.SigningInformation]: 'signing-information',
  [Opcode.SecurityRequest]: 'security-request',
  [Opcode.PairingPublicKey]: 'pairing-public-key',
  [Opcode.PairingDhKeyCheck]: 'pairing-dhkey-check',
  [Opcode.PairingKeypressNotification]: 'keypress-notification',
});
const OPCODE_OF = Object.freeze(
  Object.fromEntries(Object.entries(PDU_TYPE).map(([code, type]) => [type, Number(code)])) as Record<
    SmpPdu['type'],
    Opcode
  >,
);

/** Why a received PDU was not decoded, and what the receiver does about it (3.3, 3.4). */
export type DecodeError =
  | { readonly action: 'ignore'; readonly message: string }
  | { readonly action: 'fail'; readonly reason: Reason; readonly message: string };

/** The outcome of {@link decodePdu}. */
export type DecodeResult =
  | { readonly ok: true; readonly pdu: SmpPdu }
  | ({ readonly ok: false } & DecodeError);

const invalid = (message: string): DecodeResult => ({
  ok: false,
  action: 'fail',
  reason: Reason.InvalidParameters,
  message,
});

/**
 * The fields of a Pairing Request or Response (octets 1..6 after the code,
 * Vol 3 Part H 3.5.1-3.5.2) as read, reserved values included: the reserved
 * AuthReq bits and key-distribution bits masked, nothing else checked.
 * {@link decodePdu} checks them; a capture auditor reads malformed ones too.
 * @example
 * ```ts
 * pairingFeatures(Uint8Array.of(0x01, 0x07, 0x00, 0x01, 0x14, 0x00, 0x01)).maxKeySize; // 20
 * ```
 */
export function pairingFeatures(bytes: Uint8Array): PairingFeatures {
  return {
    ioCapability: bytes[1]!,
    oobDataPresent: bytes[2] === 1,
    authReq: bytes[3]! & 0x3f,
    maxKeySize: bytes[4]!,
    initiatorKeys: bytes[5]! & 0x0f,
    responderKeys: bytes[6]! & 0x0f,
  };
}

/**
 * Decodes one SMP PDU (the L2CAP payload of CID 0x0006). Never throws: a
 * reserved code is to be ignored (3.3); a wrong length or an out-of-range field
 * fails with Invalid Parameters (0x0A). Reserved bits of AuthReq and of the key
 * distribution fields are cleared, as receivers must ignore them.
 * @example
 * ```ts
 * const result = decodePdu(Uint8Array.of(0x0b, 0x0d));
 * if (result.ok) result.pdu; // { type: 'security-request', authReq: 0x0d }
 * ```
 */
export function decodePdu(bytes: Uint8Array): DecodeResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return invalid('empty SMP PDU');
  const code = bytes[0]!;
  const type = PDU_TYPE[code as Opcode];
  if (type === undefined)
    return { ok: false, action: 'ignore', message: `reserved SMP code 0x${hex2(code)}` };
  const length = PDU_LENGTH[code as Opcode];
  if (bytes.length !== length) {
    return invalid(`${type}: ${length} octets expected, got ${bytes.length}`);
  }
  // A copy, whatever the input: Buffer#slice would share memory with a receive buffer that gets reused.
  const body = (from: number, to: number) => Uint8Array.prototype.slice.call(bytes, from, to);
  switch (type) {
    case 'pairing-request':
    case 'pairing-response': {
      const features = pairingFeatures(bytes);
      if (features.ioCapability > 4) return invalid(`${type}: reserved IO capability 0x${hex2(bytes[1]!)}`);
      if (bytes[2]! > 1) return invalid(`${type}: reserved OOB data flag 0x${hex2(bytes[2]!)}`);
      if (features.maxKeySize < MIN_KEY_SIZE || features.maxKeySize > MAX_KEY_SIZE) {
        return invalid(`${type}: maximum encryption key size ${features.maxKeySize} outside 7..16`);
      }
      return { ok: true, pdu: { type, ...features } };
    }
    case 'pairing-confirm':
    case 'pairing-random':
    case 'pairing-dhkey-check':
      return { ok: true, pdu: { type, value: body(1, 17) } };
    case 'pairing-failed':
      return { ok: true, pdu: { type, reason: bytes[1]! } };
    case 'encryption-information':
      return { ok: true, pdu: { type, ltk: body(1, 17) } };
    case 'central-identification':
      return { ok: true, pdu: { type, ediv: bytes[1]! | (bytes[2]! << 8), rand: body(3, 11) } };
    case 'identity-information':
      return { ok: true, pdu: { type, irk: body(1, 17) } };
    case 'identity-address-information':
      if (bytes[1]! > 1) return invalid(`${type}: reserved address type 0x${hex2(bytes[1]!)}`);
      return { ok: true, pdu: { type, addressType: bytes[1]!, address: body(2, 8) } };
    case 'signing-information':
      return { ok: true, pdu: { type, csrk: body(1, 17) } };
    case 'security-request':
      return { ok: true, pdu: { type, authReq: bytes[1]! & 0x3f } };
    case 'pairing-public-key':
      return { ok: true, pdu: { type, publicKey: body(1, 65) } };
    case 'keypress-notification':
      if (bytes[1]! > 4) return invalid(`${type}: reserved notification type 0x${hex2(bytes[1]!)}`);
      return { ok: true, pdu: { type, notification: bytes[1]! } };
  }
}

function field(pdu: SmpPdu, name: string, value: Uint8Array, length: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new TypeError(`encodePdu: ${pdu.type} ${name} must be ${length} octets`);
  }
  return value;
}
function octet(pdu: SmpPdu, name: string, value: number, max = 0xff, min = 0): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `encodePdu: ${pdu.type} ${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}
/** A field whose reserved bits a sender must leave at 0 (3.5.1, 3.6.1). */
function bits(pdu: SmpPdu, name: string, value: number, allowed: number): number {
  octet(pdu, name, value);
  if (value & ~allowed) {
    throw new TypeError(
      `encodePdu: ${pdu.type} ${name} 0x${hex2(value)} sets reserved bits (allowed 0x${hex2(allowed)})`,
    );
  }
  return value;
}

/**
 * Encodes an SMP PDU to its octets as sent (code first, fields in wire order).
 * @throws TypeError when a field has the wrong size or range (a caller's bug, never peer input).
 * @example
 * ```ts
 * encodePdu({ type: 'pairing-failed', reason: Reason.ConfirmValueFailed }); // Uint8Array [5, 4]
 * ```
 */
export function encodePdu(pdu: SmpPdu): Uint8Array {
  const code = OPCODE_OF[pdu.type];
  const out = new Uint8Array(PDU_LENGTH[code]);
  out[0] = code;
  switch (pdu.type) {
    case 'pairing-request':
    case 'pairing-response':
      out[1] = octet(pdu, 'ioCapability', pdu.ioCapability, 4);
      out[2] = pdu.oobDataPresent ? 1 : 0;
      out[3] = bits(pdu, 'authReq', pdu.authReq, 0x3f);
      out[4] = octet(pdu, 'maxKeySize', pdu.maxKeySize, MAX_KEY_SIZE, MIN_KEY_SIZE);
      out[5] = bits(pdu, 'initiatorKeys', pdu.initiatorKeys, 0x0f);
      out[6] = bits(pdu, 'responderKeys', pdu.responderKeys, 0x0f);
      break;
    case 'pairing-confirm':
    case 'pairing-random':
    case 'pairing-dhkey-check':
      out.set(field(pdu, 'value', pdu.value, 16), 1);
      break;
    case 'pairing-failed':
      out[1] = octet(pdu, 'reason', pdu.reason);
      break;
    case 'encryption-information':
      out.set(field(pdu, 'ltk', pdu.ltk, 16), 1);
      break;
    case 'central-identification':
      out[1] = octet(pdu, 'ediv', pdu.ediv, 0xffff) & 0xff;
      out[2] = pdu.ediv >> 8;
      out.set(field(pdu, 'rand', pdu.rand, 8), 3);
      break;
    case 'identity-information':
      out.set(field(pdu, 'irk', pdu.irk, 16), 1);
      break;
    case 'identity-address-information':
      out[1] = octet(pdu, 'addressType', pdu.addressType, 1);
      out.set(field(pdu, 'address', pdu.address, 6), 2);
      break;
    case 'signing-information':
      out.set(field(pdu, 'csrk', pdu.csrk, 16), 1);
      break;
    case 'security-request':
      out[1] = bits(pdu, 'authReq', pdu.authReq, 0x3f);
      break;
    case 'pairing-public-key':
      out.set(field(pdu, 'publicKey', pdu.publicKey, 64), 1);
      break;
    case 'keypress-notification':
      out[1] = octet(pdu, 'notification', pdu.notification, 4);
      break;
  }
  return out;
}

/**
 * A one-line description of a PDU for logs, with key material hidden unless
 * `showKeys` is set.
 * @example
 * ```ts
 * describePdu({ type: 'pairing-failed', reason: 4 }); // 'pairing-failed reason=0x04'
 * ```
 */
export function describePdu(pdu: SmpPdu, showKeys = false): string {
  const secret = new Set(['ltk', 'irk', 'csrk', 'rand']);
  const parts = Object.entries(pdu)
    .filter(([name]) => name !== 'type')
    .map(([name, value]) => {
      if (value instanceof Uint8Array)
        return `${name}=${secret.has(name) && !showKeys ? '<hidden>' : toHex(value)}`;
      if (typeof value === 'number') return `${name}=0x${value.toString(16).padStart(2, '0')}`;
      return `${name}=${String(value)}`;
    });
  return [pdu.type, ...parts].join(' ');
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
