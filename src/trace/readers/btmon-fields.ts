/**
 * btmon prints decoded fields, not octets. These tables say, for each packet
 * the auditor needs, which printed field fills which octets, in packet order,
 * so the text reader can rebuild the packet exactly and hand it to the same
 * decoder as the binary captures. Field names and formats follow BlueZ
 * `monitor/packet.c` and `monitor/l2cap.c`; btmon prints keys and SMP values in
 * wire order, numbers (EDIV, Rand) as little-endian integers and addresses
 * most significant octet first. Labels are matched without the size suffix
 * BlueZ 5.75 added (`Long term key[16]`, see ./btmon-text.ts).
 * @module
 */
import type { UnknownValue } from '../model.js';

/**
 * How a field is printed: `paren` the `(0x..)` at the end of the line, `dec`
 * a decimal number, `hex` octets in wire order, `le` a hex number stored
 * little-endian, `bdaddr` an address printed MSB first, `zero` a field not
 * needed (filled with zeros, no line consumed).
 */
export type FieldFormat = 'paren' | 'dec' | 'hex' | 'le' | 'bdaddr' | 'zero';

/** One printed field: label(s) as btmon prints them, its format and its size in octets. */
export type PrintedField = readonly [labels: string, format: FieldFormat, size: number];

/** SMP PDU fields after the code octet, by code (Core Vol 3 Part H 3.5, 3.6). */
export const SMP_FIELDS: Readonly<Record<number, readonly PrintedField[]>> = Object.freeze({
  1: featureFields(),
  2: featureFields(),
  3: [['Confim value|Confirm value', 'hex', 16]], // btmon's own spelling, and the corrected one
  4: [['Random value', 'hex', 16]],
  5: [['Reason', 'paren', 1]],
  6: [['Long term key', 'hex', 16]],
  7: [
    ['EDIV', 'le', 2],
    ['Rand', 'le', 8],
  ],
  8: [['Identity resolving key', 'hex', 16]],
  9: [
    ['Address type', 'paren', 1],
    ['Address', 'bdaddr', 6],
  ],
  10: [['Signature key', 'hex', 16]],
  11: [['Authentication requirement', 'paren', 1]],
  12: [
    ['X', 'hex', 32],
    ['Y', 'hex', 32],
  ],
  13: [['E', 'hex', 16]],
  14: [['Type', 'paren', 1]],
});

function featureFields(): readonly PrintedField[] {
  return [
    ['IO capability', 'paren', 1],
    ['OOB data', 'paren', 1],
    ['Authentication requirement', 'paren', 1],
    ['Max encryption key size', 'dec', 1],
    ['Initiator key distribution', 'paren', 1],
    ['Responder key distribution', 'paren', 1],
  ];
}

const CONNECTION_TAIL: PrintedField = ['', 'zero', 7]; // interval, latency, supervision timeout, clock accuracy

/** HCI command parameters, by opcode (Core Vol 4 Part E 7.8.x). */
export const COMMAND_FIELDS: Readonly<Record<number, readonly PrintedField[]>> = Object.freeze({
  8197: [['Address', 'bdaddr', 6]], // LE Set Random Address (7.8.4)
  8205: [
    // LE Create Connection (7.8.12)
    ['', 'zero', 5],
    ['Peer address type', 'paren', 1],
    ['Peer address', 'bdaddr', 6],
    ['Own address type', 'paren', 1],
    ['', 'zero', 12],
  ],
  8217: [
    // LE Enable Encryption (7.8.24)
    ['Handle', 'dec', 2],
    ['Random number', 'le', 8],
    ['Encrypted diversifier', 'le', 2],
    ['Long term key', 'hex', 16],
  ],
  8218: [
    // LE Long Term Key Request Reply (7.8.25)
    ['Handle', 'dec', 2],
    ['Long term key', 'hex', 16],
  ],
  8219: [['Handle', 'dec', 2]], // LE Long Term Key Request Negative Reply (7.8.26)
});

/** HCI event parameters, by event code (7.7.x); LE Meta subevents below. */
export const EVENT_FIELDS: Readonly<Record<number, readonly PrintedField[]>> = Object.freeze({
  5: [
    // Disconnection Complete (7.7.5)
    ['Status', 'paren', 1],
    ['Handle', 'dec', 2],
    ['Reason', 'paren', 1],
  ],
  8: [
    // Encryption Change (7.7.8)
    ['Status', 'paren', 1],
    ['Handle', 'dec', 2],
    ['Encryption', 'paren', 1],
  ],
  48: [
    // Encryption Key Refresh Complete (7.7.39)
    ['Status', 'paren', 1],
    ['Handle', 'dec', 2],
  ],
});

/** LE Meta subevent parameters, by subevent code (7.7.65.x). */
export const LE_SUBEVENT_FIELDS: Readonly<Record<number, readonly PrintedField[]>> = Object.freeze({
  1: [
    // LE Connection Complete (7.7.65.1)
    ['Status', 'paren', 1],
    ['Handle', 'dec', 2],
    ['Role', 'paren', 1],
    ['Peer address type', 'paren', 1],
    ['Peer address', 'bdaddr', 6],
    CONNECTION_TAIL,
  ],
  5: [
    // LE Long Term Key Request (7.7.65.5)
    ['Handle', 'dec', 2],
    ['Random number', 'le', 8],
    ['Encrypted diversifier', 'le', 2],
  ],
  10: [
    // LE Enhanced Connection Complete (7.7.65.10)
    ['Status', 'paren', 1],
    ['Handle', 'dec', 2],
    ['Role', 'paren', 1],
    ['Peer address type', 'paren', 1],
    ['Peer address', 'bdaddr', 6],
    ['Local resolvable private address', 'bdaddr', 6],
    ['Peer resolvable private address', 'bdaddr', 6],
    CONNECTION_TAIL,
  ],
});

/** Command Complete return parameters, by the opcode answered (7.4.6 Read BD_ADDR). */
export const RETURN_FIELDS: Readonly<Record<number, readonly PrintedField[]>> = Object.freeze({
  4105: [
    ['Status', 'paren', 1],
    ['Address', 'bdaddr', 6],
  ],
});

/** One printed `Label: value` line of a btmon block. */
export interface PrintedLine {
  readonly label: string;
  readonly value: string;
  readonly line: number;
}

/** Formats that carry values people redact: keys, nonces, addresses, EDIV and Rand. */
const REDACTABLE: ReadonlySet<FieldFormat> = new Set(['hex', 'bdaddr', 'le']);

/** A character people type in place of a digit they hide. */
const MASK = '[xX*?#_]';

/**
 * Whether a printed value stands for a value hidden on purpose: an address
 * with masked octets (`XX:XX:XX:XX:XX:XX`, `F8:7D:76:XX:XX:XX`), a number or
 * key whose digits are (partly) masked (`xx`, `0xxxxx`,
 * `ffeeddccxxxxxxxxxxxxxxxxxxxxxxxx`, `****`), dots in place of the value, or a
 * word saying so (`<redacted>`, `[hidden]`).
 * @example
 * ```ts
 * isRedacted('XX:XX:XX:XX:XX:XX (Intel Corporate)'); // true
 * isRedacted('b22ef80c481a8b4929e7159e0c2b0ba3'); // false
 * ```
 */
export function isRedacted(value: string): boolean {
  const text = value.trim();
  if (text === '') return false;
  const address = new RegExp(
    `^(?:[0-9a-fA-F]{2}|${MASK}{1,2})(?:[:-](?:[0-9a-fA-F]{2}|${MASK}{1,2})){5}\\b`,
  ).exec(text);
  if (address) return new RegExp(MASK).test(address[0]);
  const token = text.split(/\s/)[0]!.replace(/^0x(?=[0-9a-fA-FxX*?#_]*$)/i, '');
  if (new RegExp(`^(?:[0-9a-fA-F]|${MASK})+$`).test(token) && new RegExp(MASK).test(token)) return true;
  if (/^(?:\.{2,}|…)$/.test(token)) return true;
  return /^[<[({]?\s*(?:redacted|hidden|removed|masked|censored|omitted|elided|snip)\b/i.test(text);
}

/** The octets of one value in `format`, `hidden` when it is redacted, or undefined when the text does not hold one. */
function parseValue(value: string, format: FieldFormat, size: number): Uint8Array | 'hidden' | undefined {
  const out = new Uint8Array(size);
  let number: number | bigint | undefined;
  switch (format) {
    case 'zero':
      return out;
    case 'hex': {
      const match = new RegExp(`^([0-9a-fA-F]{${size * 2}})\\b`).exec(value);
      if (!match) break;
      for (let i = 0; i < size; i++) out[i] = Number.parseInt(match[1]!.slice(i * 2, i * 2 + 2), 16);
      return out;
    }
    case 'bdaddr': {
      const match = /\b([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\b/.exec(value);
      if (!match || size !== 6) break;
      match[1]!.split(':').forEach((octet, i) => {
        out[5 - i] = Number.parseInt(octet, 16);
      });
      return out;
    }
    case 'paren': {
      const match = /\(0x([0-9a-fA-F]+)\)\s*$/.exec(value);
      if (match) number = BigInt(`0x${match[1]}`);
      break;
    }
    case 'dec': {
      const match = /^(\d+)/.exec(value);
      if (match) number = BigInt(match[1]!);
      break;
    }
    case 'le': {
      const match = /^0x([0-9a-fA-F]+)\b/.exec(value);
      if (match) number = BigInt(`0x${match[1]}`);
      break;
    }
  }
  if (number === undefined) return REDACTABLE.has(format) && isRedacted(value) ? 'hidden' : undefined;
  let n = BigInt(number);
  for (let i = 0; i < size; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return n === 0n ? out : undefined;
}

/**
 * The octets that `fields` describe, read from `lines` in order (each field
 * takes the first line after the previous field with one of its labels);
 * undefined when a field is missing or unreadable. A redacted value (see
 * {@link isRedacted}) of a key, nonce, address, EDIV or Rand is read as
 * zeros and reported in `hidden`, when given (otherwise the packet is
 * unreadable): the packet stays, that value unknown.
 * @example
 * ```ts
 * const hidden: UnknownValue[] = [];
 * buildFields(SMP_FIELDS[6]!, [{ label: 'Long term key', value: 'xx'.repeat(16), line: 9 }], hidden);
 * // 16 zero octets; hidden: [{ field: 'Long term key', offset: 0, length: 16, line: 9 }]
 * ```
 */
export function buildFields(
  fields: readonly PrintedField[],
  lines: readonly PrintedLine[],
  hidden?: UnknownValue[],
): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  const found: UnknownValue[] = [];
  let offset = 0;
  let cursor = 0;
  for (const [labels, format, size] of fields) {
    if (format === 'zero') {
      parts.push(new Uint8Array(size));
      offset += size;
      continue;
    }
    const names = labels.split('|');
    let at = -1;
    for (let i = cursor; i < lines.length; i++) {
      if (names.includes(lines[i]!.label)) {
        at = i;
        break;
      }
    }
    let value: Uint8Array | 'hidden' | undefined;
    if (at >= 0) {
      value = parseValue(lines[at]!.value, format, size);
      cursor = at + 1;
    } else if (labels === 'Address type') {
      // Older btmon prints only the address with its kind in brackets: public unless a random kind is named.
      const address = lines.slice(cursor).find((l) => l.label === 'Address');
      if (address) value = Uint8Array.of(/Static|Resolvable|random/i.test(address.value) ? 1 : 0);
    }
    if (value === 'hidden') {
      if (!hidden) return undefined;
      found.push({ field: names[0]!, offset, length: size, line: lines[at]!.line });
      value = new Uint8Array(size);
    }
    if (!value) return undefined;
    parts.push(value);
    offset += size;
  }
  const out = new Uint8Array(offset);
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  hidden?.push(...found);
  return out;
}
