/**
 * HCI traffic as btmon prints it (BlueZ `monitor/packet.c` and
 * `monitor/l2cap.c`): a header line per packet with its direction, name,
 * length, frame number, `[hci0]` and a timestamp, then the decoded fields,
 * indented, with btmon's labels. The fields come from the same tables the
 * btmon text reader rebuilds packets from (./readers/btmon-fields.ts), so
 * what this writes, `ble-smp audit` reads back. Keys are secrets: printed as
 * `xx` (one pair an octet) unless key logging was asked for.
 * @module
 */
import { toHex } from '../crypto/bytes.js';
import { decodeAcl } from '../hci/acl.js';
import { HCI_ERROR_NAME, HciEventCode, HciOpcode, LeSubeventCode } from '../hci/constants.js';
import type { HciPacket } from '../hci/h4.js';
import { L2capReassembler } from '../hci/l2cap.js';
import {
  COMMAND_FIELDS,
  EVENT_FIELDS,
  LE_SUBEVENT_FIELDS,
  type PrintedField,
  RETURN_FIELDS,
  SMP_FIELDS,
} from './readers/btmon-fields.js';

const spaced = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\bLe\b/g, 'LE')
    .replace(/\bBd Addr\b/g, 'BD ADDR');
const names = (table: Readonly<Record<string, number>>, prefix = '') =>
  new Map(Object.entries(table).map(([name, code]) => [code, `${prefix}${spaced(name)}`]));
const OPCODE_NAME = names(HciOpcode);
/** btmon's event names where they differ from the spec's (monitor/packet.c event_table). */
const EVENT_NAME = new Map([
  ...names(HciEventCode),
  [0x05, 'Disconnect Complete'],
  [0x13, 'Number of Completed Packets'],
  [0x3e, 'LE Meta Event'],
]);
const SUBEVENT_NAME = names(LeSubeventCode, 'LE ');

/** SMP PDU names, by code (monitor/l2cap.c smp_table; Core Vol 3 Part H 3.3). */
const SMP_NAME: Readonly<Record<number, string>> = {
  1: 'Pairing Request',
  2: 'Pairing Response',
  3: 'Pairing Confirm',
  4: 'Pairing Random',
  5: 'Pairing Failed',
  6: 'Encryption Information',
  7: 'Central Identification',
  8: 'Identity Information',
  9: 'Identity Address Information',
  10: 'Signing Information',
  11: 'Security Request',
  12: 'Pairing Public Key',
  13: 'Pairing DHKey Check',
  14: 'Pairing Keypress Notification',
};

/** SMP Pairing Failed reasons as btmon names them (Core Vol 3 Part H 3.5.5, Table 3.7). */
const SMP_REASON: Readonly<Record<number, string>> = {
  1: 'Passkey entry failed',
  2: 'OOB not available',
  3: 'Authentication requirements',
  4: 'Confirm value failed',
  5: 'Pairing not supported',
  6: 'Encryption key size',
  7: 'Command not supported',
  8: 'Unspecified reason',
  9: 'Repeated attempts',
  10: 'Invalid parameters',
  11: 'DHKey check failed',
  12: 'Numeric comparison failed',
  13: 'BR/EDR pairing in progress',
  14: 'Cross-transport Key Derivation/Generation not allowed',
};

const pick = (table: readonly string[], value: number) => table[value] ?? 'Reserved';

/** Key distribution as btmon prints it: the keys, each followed by a space, or `<none> `. */
function keyDistribution(value: number): string {
  const keys = ['EncKey', 'IdKey', 'Sign', 'LinkKey'].filter((_, bit) => value & (1 << bit));
  return keys.length === 0 ? '<none> ' : `${keys.join(' ')} `;
}

/** AuthReq as btmon prints it (monitor/l2cap.c print_smp_auth_req). */
function authReq(value: number): string {
  const bond = ['No bonding', 'Bonding'][value & 0x03] ?? 'Reserved';
  return [
    bond,
    value & 0x04 ? 'MITM' : 'No MITM',
    value & 0x08 ? 'SC' : 'Legacy',
    value & 0x10 ? 'Keypresses' : 'No Keypresses',
    ...(value & 0x20 ? ['CT2'] : []),
  ].join(', ');
}

/** The name btmon gives a one-octet value, by field label (SMP or HCI). */
function named(label: string, value: number, smp: boolean): string {
  switch (label) {
    case 'IO capability':
      return pick(
        ['DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput', 'KeyboardDisplay'],
        value,
      );
    case 'OOB data':
      return pick(
        ['Authentication data not present', 'Authentication data from remote device present'],
        value,
      );
    case 'Authentication requirement':
      return authReq(value);
    case 'Initiator key distribution':
    case 'Responder key distribution':
      return keyDistribution(value).trimEnd();
    case 'Reason':
      return smp ? (SMP_REASON[value] ?? 'Reserved') : (HCI_ERROR_NAME[value] ?? 'Reserved');
    case 'Status':
      return HCI_ERROR_NAME[value] ?? 'Reserved';
    case 'Address type':
    case 'Peer address type':
    case 'Own address type':
      return pick(['Public', 'Random'], value);
    case 'Role':
      return pick(['Central', 'Peripheral'], value);
    case 'Encryption':
      return pick(['Disabled', 'Enabled with AES-CCM'], value);
    case 'Type':
      return pick(
        [
          'Passkey entry started',
          'Passkey digit entered',
          'Passkey digit erased',
          'Passkey cleared',
          'Passkey entry completed',
        ],
        value,
      );
    default:
      return 'Unknown';
  }
}

/** Fields that hold key material (an LTK, STK, IRK, CSRK, or what identifies an LTK). */
const SECRET = new Set(['Long term key', 'Identity resolving key', 'Signature key', 'EDIV', 'Rand']);

const hex2 = (value: number) => `0x${value.toString(16).padStart(2, '0')}`;

/**
 * Writes btmon's lines for HCI packets, one call per packet, following each
 * connection's L2CAP frames so that an SMP PDU split over several ACL packets
 * is decoded once, whole, under its last fragment (as btmon does).
 * @example
 * ```ts
 * const btmon = new BtmonWriter({ showKeys: false });
 * for (const line of btmon.lines('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) })) console.log(line);
 * // < HCI Command: Reset (0x03|0x0003) plen 0  #1 [hci0] 0.000000
 * ```
 */
export class BtmonWriter {
  readonly #showKeys: boolean;
  readonly #index: number;
  readonly #now: () => number;
  readonly #reassemblers = new Map<string, L2capReassembler>();
  #frame = 0;
  #start: number | undefined;

  /**
   * `showKeys`: print key material instead of `xx`; `index`: the controller's
   * index (`[hci0]`); `now`: the clock in milliseconds (default `performance.now()`).
   */
  constructor(
    options: { readonly showKeys?: boolean; readonly index?: number; readonly now?: () => number } = {},
  ) {
    this.#showKeys = options.showKeys ?? false;
    this.#index = options.index ?? 0;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * The lines for one packet sent (`tx`, host to controller) or received (`rx`).
   * @example
   * ```ts
   * transport = tapped(transport, (direction, packet) => {
   *   for (const line of btmon.lines(direction, packet)) console.error(line);
   * });
   * ```
   */
  lines(direction: 'tx' | 'rx', packet: HciPacket): string[] {
    const now = this.#now();
    this.#start ??= now;
    this.#frame++;
    const tail = `  #${this.#frame} [hci${this.#index}] ${((now - this.#start) / 1000).toFixed(6)}`;
    const arrow = direction === 'tx' ? '<' : '>';
    const data = packet.data;
    switch (packet.type) {
      case 'command': {
        const opcode = (data[0] ?? 0) | ((data[1] ?? 0) << 8);
        const header = `${arrow} HCI Command: ${opcodeText(opcode)} plen ${data[2] ?? 0}${tail}`;
        return [header, ...this.#fields(COMMAND_FIELDS[opcode], data.subarray(3), false)];
      }
      case 'event':
        return this.#event(arrow, data, tail);
      case 'acl':
        return this.#acl(arrow, direction, data, tail);
      default:
        return [`${arrow} ${packet.type.toUpperCase()} Data: len ${data.length}${tail}`];
    }
  }

  #event(arrow: string, data: Uint8Array, tail: string): string[] {
    const code = data[0] ?? 0;
    const header = `${arrow} HCI Event: ${EVENT_NAME.get(code) ?? 'Unknown'} (${hex2(code)}) plen ${data[1] ?? 0}${tail}`;
    const body = data.subarray(2);
    if (code === 0x0e || code === 0x0f) {
      const status = code === 0x0f;
      const ncmd = body[status ? 1 : 0] ?? 0;
      const at = status ? 2 : 1;
      const opcode = (body[at] ?? 0) | ((body[at + 1] ?? 0) << 8);
      const returned = status ? body.subarray(0, 1) : body.subarray(3);
      const layout: readonly PrintedField[] = (!status && RETURN_FIELDS[opcode]) || [['Status', 'paren', 1]];
      return [header, `      ${opcodeText(opcode)} ncmd ${ncmd}`, ...this.#fields(layout, returned, false)];
    }
    if (code === 0x3e) {
      const subevent = body[0] ?? 0;
      const name = SUBEVENT_NAME.get(subevent) ?? 'LE Unknown';
      return [
        header,
        `      ${name} (${hex2(subevent)})`,
        ...this.#fields(LE_SUBEVENT_FIELDS[subevent], body.subarray(1), false),
      ];
    }
    return [header, ...this.#fields(EVENT_FIELDS[code], body, false)];
  }

  #acl(arrow: string, direction: 'tx' | 'rx', data: Uint8Array, tail: string): string[] {
    const decoded = decodeAcl(data);
    if (!decoded.ok) return [`${arrow} ACL Data ${direction.toUpperCase()}: ${decoded.message}${tail}`];
    const { handle, pb, data: payload } = decoded.packet;
    const flags = ((data[1] ?? 0) >> 4) & 0x0f;
    const lines = [
      `${arrow} ACL Data ${direction.toUpperCase()}: Handle ${handle} flags ${hex2(flags)} dlen ${payload.length}${tail}`,
    ];
    const key = `${direction}/${handle}`;
    let reassembler = this.#reassemblers.get(key);
    if (!reassembler) {
      reassembler = new L2capReassembler();
      this.#reassemblers.set(key, reassembler);
    }
    const result = reassembler.push(pb, payload);
    if (!result.ok || !result.frame) return lines;
    const { cid, payload: frame } = result.frame;
    if (cid !== 0x0006) {
      lines.push(
        `      ${cid === 0x0004 ? 'ATT' : `Channel ${cid}`}: len ${frame.length}`,
        `        ${toHex(frame)}`,
      );
      return lines;
    }
    const code = frame[0] ?? 0;
    lines.push(
      `      SMP: ${SMP_NAME[code] ?? 'Unknown'} (${hex2(code)}) len ${Math.max(0, frame.length - 1)}`,
    );
    return [...lines, ...this.#fields(SMP_FIELDS[code], frame.subarray(1), true)];
  }

  /** The field lines of a layout over `data`; what the layout does not cover is not printed. */
  #fields(layout: readonly PrintedField[] | undefined, data: Uint8Array, smp: boolean): string[] {
    if (!layout) return [];
    const lines: string[] = [];
    let at = 0;
    for (const [labels, format, size] of layout) {
      const value = data.subarray(at, at + size);
      at += size;
      if (format === 'zero') continue;
      const label = labels.split('|').at(-1)!;
      if (value.length < size) break;
      const hidden = SECRET.has(label) && !this.#showKeys;
      lines.push(`        ${label}: ${hidden ? redacted(format, size) : shown(label, format, value, smp)}`);
    }
    return lines;
  }
}

/** A value as btmon prints it in `format`. */
function shown(label: string, format: PrintedField[1], value: Uint8Array, smp: boolean): string {
  switch (format) {
    case 'hex':
      return toHex(value);
    case 'dec':
      return String(value.reduceRight((n, octet) => n * 256 + octet, 0));
    case 'le':
      return `0x${toHex(Uint8Array.from(value).reverse())}`;
    case 'bdaddr':
      return [...value]
        .reverse()
        .map((octet) => octet.toString(16).padStart(2, '0').toUpperCase())
        .join(':');
    default:
      return `${named(label, value[0]!, smp)} (${hex2(value[0]!)})`;
  }
}

/** A secret value, redacted as people redact btmon output: `xx` for each octet. */
function redacted(format: PrintedField[1], size: number): string {
  return format === 'le' ? `0x${'xx'.repeat(size)}` : 'xx'.repeat(size);
}

function opcodeText(opcode: number): string {
  const name = OPCODE_NAME.get(opcode) ?? 'Unknown';
  return `${name} (${hex2(opcode >> 10)}|0x${(opcode & 0x3ff).toString(16).padStart(4, '0')})`;
}
