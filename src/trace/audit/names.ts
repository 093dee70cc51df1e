/**
 * Names for what the report prints: IO capabilities, AuthReq bits, key
 * distribution bits, PDU names, addresses. Tables from Core Vol 3 Part H 3.5.1
 * and 3.6.1.
 * @module
 */
import { IO_NAMES } from '../../smp/association.js';
import type { SmpPdu } from '../../smp/pdu.js';
import type { DeviceAddress } from '../events.js';
import type { PairingMessage } from './types.js';

/** AuthReq bits (3.5.1, Figure 3.3). */
const AUTH_REQ_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'Bonding'],
  [0x04, 'MITM'],
  [0x08, 'SC'],
  [0x10, 'Keypress'],
  [0x20, 'CT2'],
];

/** Key distribution bits (3.6.1, Figure 3.11). */
const KEY_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'EncKey'],
  [0x02, 'IdKey'],
  [0x04, 'SignKey'],
  [0x08, 'LinkKey'],
];

/** PDU names as the spec writes them (3.3, Table 3.4). */
export const PDU_NAMES: Readonly<Record<SmpPdu['type'], string>> = Object.freeze({
  'pairing-request': 'Pairing Request',
  'pairing-response': 'Pairing Response',
  'pairing-confirm': 'Pairing Confirm',
  'pairing-random': 'Pairing Random',
  'pairing-failed': 'Pairing Failed',
  'encryption-information': 'Encryption Information',
  'central-identification': 'Central Identification',
  'identity-information': 'Identity Information',
  'identity-address-information': 'Identity Address Information',
  'signing-information': 'Signing Information',
  'security-request': 'Security Request',
  'pairing-public-key': 'Pairing Public Key',
  'pairing-dhkey-check': 'Pairing DHKey Check',
  'keypress-notification': 'Keypress Notification',
});

const bitsText = (value: number, bits: ReadonlyArray<readonly [number, string]>, none: string) => {
  const names = bits.filter(([bit]) => value & bit).map(([, name]) => name);
  return `${names.length ? names.join(' ') : none} (0x${value.toString(16).padStart(2, '0')})`;
};

/** `Bonding MITM (0x05)`. */
export const authReqText = (authReq: number) => bitsText(authReq, AUTH_REQ_BITS, 'No bonding');
/** `EncKey SignKey (0x05)`. */
export const keyBitsText = (keys: number) => bitsText(keys, KEY_BITS, 'none');
/** `KeyboardOnly (0x02)`. */
export const ioText = (io: number) => `${IO_NAMES[io] ?? 'reserved'} (0x${io.toString(16).padStart(2, '0')})`;

/** `D2:A7:4C:76:F3:E0 (random static)`. */
export function addressText(address: DeviceAddress): string {
  const text = [...address.address]
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join(':');
  if (address.type === 0) return `${text} (public)`;
  const kind = ['non-resolvable', 'resolvable', 'reserved', 'static'][address.address[5]! >> 6];
  return `${text} (random ${kind})`;
}

/**
 * Who sent a PDU, in words: its pairing role (`the responder`), or the host
 * by the HCI direction when the roles are not known (`the remote device`).
 * @example
 * ```ts
 * senderText({ device: 'remote' }); // 'the remote device'
 * ```
 */
export function senderText(message: Pick<PairingMessage, 'sender' | 'device'>): string | undefined {
  if (message.sender) return `the ${message.sender}`;
  if (message.device) return message.device === 'local' ? 'the local host' : 'the remote device';
  return undefined;
}
