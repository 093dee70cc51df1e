/**
 * HCI command packets (Core Vol 4 Part E 5.4.1, 7.x): typed values and their
 * codec. A packet is the 2-octet opcode (little-endian), the parameter total
 * length, and the parameters, without the H4 indicator. Each command's
 * parameter layout is a table below with its spec section; the codec reads it.
 *
 * Decoding never throws: it returns the command, or the status a Controller
 * answers with (Unknown HCI Command, Invalid HCI Command Parameters), so that
 * a virtual controller can parse what a host sends.
 * @module
 */
import { HciErrorCode, HciOpcode } from './constants.js';

// ------------------------------------------------------------------ layouts

/**
 * How one parameter sits on the wire (Vol 4 Part E 5.2): `'u8'` and `'u16'`
 * are unsigned little-endian integers; `'handle'` is a Connection_Handle (2
 * octets, 12 bits meaningful: the reserved upper bits are ignored on decode);
 * `'bool'` is one octet 0x00 or 0x01; `'adv-data'` is a length octet then 31
 * data octets of which the first `length` count; a number `n` is an octet
 * string of `n` octets, kept in wire order.
 */
export type FieldKind = 'u8' | 'u16' | 'handle' | 'bool' | 'adv-data' | number;

/** A parameter layout: field names of `T` with their wire kinds, in wire order. */
export type Layout<T = Record<string, unknown>> = readonly (readonly [
  name: keyof T & string,
  kind: FieldKind,
])[];

/** A decoded parameter value. */
export type FieldValue = number | boolean | Uint8Array;

/**
 * Largest significant Advertising_Data or Scan_Response_Data (7.8.7, 7.8.8).
 * @example
 * ```ts
 * if (data.length > MAX_ADVERTISING_DATA) throw new RangeError('use extended advertising');
 * ```
 */
export const MAX_ADVERTISING_DATA = 31;

function kindLength(kind: FieldKind): number {
  if (typeof kind === 'number') return kind;
  switch (kind) {
    case 'u8':
    case 'bool':
      return 1;
    case 'u16':
    case 'handle':
      return 2;
    case 'adv-data':
      return 1 + MAX_ADVERTISING_DATA;
  }
}

/**
 * The number of octets a layout takes on the wire.
 * @example
 * ```ts
 * layoutLength([['handle', 'handle'], ['reason', 'u8']]); // 3
 * ```
 */
export function layoutLength(layout: Layout): number {
  let total = 0;
  for (const [, kind] of layout) total += kindLength(kind);
  return total;
}

/** The outcome of {@link readFields}. */
export type ReadResult =
  | { readonly ok: true; readonly value: Record<string, FieldValue>; readonly end: number }
  | { readonly ok: false; readonly message: string };

/**
 * Reads the fields of a layout from `bytes` at `offset`. Never throws: too few
 * octets, a boolean octet other than 0 or 1, or an advertising data length
 * above 31 are reported. Octet strings are plain `Uint8Array` copies, never views of `bytes`.
 * @example
 * ```ts
 * readFields([['handle', 'handle'], ['reason', 'u8']], Uint8Array.of(0x40, 0x00, 0x13), 0);
 * // { ok: true, value: { handle: 0x0040, reason: 0x13 }, end: 3 }
 * ```
 */
export function readFields(layout: Layout, bytes: Uint8Array, offset: number): ReadResult {
  const need = layoutLength(layout);
  if (bytes.length - offset < need) {
    return {
      ok: false,
      message: `${need} parameter octets expected, got ${Math.max(0, bytes.length - offset)}`,
    };
  }
  const value: Record<string, FieldValue> = {};
  let at = offset;
  for (const [name, kind] of layout) {
    if (typeof kind === 'number') {
      value[name] = new Uint8Array(bytes.subarray(at, at + kind));
    } else {
      switch (kind) {
        case 'u8':
          value[name] = bytes[at]!;
          break;
        case 'u16':
          value[name] = bytes[at]! | (bytes[at + 1]! << 8);
          break;
        case 'handle':
          value[name] = (bytes[at]! | (bytes[at + 1]! << 8)) & 0x0fff;
          break;
        case 'bool':
          if (bytes[at]! > 1) return { ok: false, message: `${name}: reserved value 0x${hex2(bytes[at]!)}` };
          value[name] = bytes[at] === 1;
          break;
        case 'adv-data': {
          const length = bytes[at]!;
          if (length > MAX_ADVERTISING_DATA) {
            return { ok: false, message: `${name}: length ${length} above ${MAX_ADVERTISING_DATA}` };
          }
          value[name] = new Uint8Array(bytes.subarray(at + 1, at + 1 + length));
          break;
        }
      }
    }
    at += kindLength(kind);
  }
  return { ok: true, value, end: at };
}

/**
 * Writes the fields of a layout from `value` into `out` at `offset`.
 * @throws TypeError when a field is missing, out of range or of the wrong size
 * (a caller's bug, never peer input); `where` names the packet in the message.
 * @example
 * ```ts
 * const out = new Uint8Array(3);
 * writeFields([['handle', 'handle'], ['reason', 'u8']], { handle: 0x40, reason: 0x13 }, out, 0, 'disconnect');
 * // out: Uint8Array [0x40, 0x00, 0x13]
 * ```
 */
export function writeFields(
  layout: Layout,
  value: Readonly<Record<string, unknown>>,
  out: Uint8Array,
  offset: number,
  where: string,
): number {
  let at = offset;
  for (const [name, kind] of layout) {
    const field = value[name];
    if (typeof kind === 'number') {
      out.set(octets(where, name, field, kind, kind), at);
    } else {
      switch (kind) {
        case 'u8':
          out[at] = integer(where, name, field, 0xff);
          break;
        case 'u16':
        case 'handle': {
          const n = integer(where, name, field, kind === 'u16' ? 0xffff : 0x0fff);
          out[at] = n & 0xff;
          out[at + 1] = n >> 8;
          break;
        }
        case 'bool':
          if (typeof field !== 'boolean') throw new TypeError(`${where}: ${name} must be a boolean`);
          out[at] = field ? 1 : 0;
          break;
        case 'adv-data': {
          const data = octets(where, name, field, 0, MAX_ADVERTISING_DATA);
          out[at] = data.length;
          out.fill(0, at + 1, at + 1 + MAX_ADVERTISING_DATA);
          out.set(data, at + 1);
          break;
        }
      }
    }
    at += kindLength(kind);
  }
  return at;
}

function integer(where: string, name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(
      `${where}: ${name} must be an integer from 0 to 0x${max.toString(16)}, got ${String(value)}`,
    );
  }
  return value;
}

function octets(where: string, name: string, value: unknown, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    const size = min === max ? `${max}` : `${min} to ${max}`;
    throw new TypeError(`${where}: ${name} must be a Uint8Array of ${size} octets`);
  }
  return value;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ------------------------------------------------------------------ commands

/** HCI_LE_Set_Advertising_Parameters (7.8.5). Intervals in units of 0.625 ms. */
export interface AdvertisingParameters {
  readonly advertisingIntervalMin: number;
  readonly advertisingIntervalMax: number;
  /** 0x00 ADV_IND, 0x01 ADV_DIRECT_IND (high duty), 0x02 ADV_SCAN_IND, 0x03 ADV_NONCONN_IND, 0x04 ADV_DIRECT_IND (low duty). */
  readonly advertisingType: number;
  /** 0x00 public, 0x01 random, 0x02/0x03 RPA with public/random fallback. */
  readonly ownAddressType: number;
  readonly peerAddressType: number;
  /** 6 octets, wire order. */
  readonly peerAddress: Uint8Array;
  /** Bit 0: channel 37, bit 1: 38, bit 2: 39. */
  readonly advertisingChannelMap: number;
  readonly advertisingFilterPolicy: number;
}

/** HCI_LE_Set_Scan_Parameters (7.8.10). Interval and window in units of 0.625 ms. */
export interface ScanParameters {
  /** 0x00 passive, 0x01 active. */
  readonly scanType: number;
  readonly scanInterval: number;
  readonly scanWindow: number;
  readonly ownAddressType: number;
  readonly scanningFilterPolicy: number;
}

/** The connection parameters of HCI_LE_Create_Connection and HCI_LE_Connection_Update (7.8.12, 7.8.18). */
export interface ConnectionIntervalParameters {
  /** Units of 1.25 ms. */
  readonly connectionIntervalMin: number;
  /** Units of 1.25 ms. */
  readonly connectionIntervalMax: number;
  /** In connection events. */
  readonly maxLatency: number;
  /** Units of 10 ms. */
  readonly supervisionTimeout: number;
  /** Units of 0.625 ms. */
  readonly minCeLength: number;
  /** Units of 0.625 ms. */
  readonly maxCeLength: number;
}

/** HCI_LE_Create_Connection (7.8.12). */
export interface CreateConnectionParameters extends ConnectionIntervalParameters {
  /** Units of 0.625 ms. */
  readonly scanInterval: number;
  /** Units of 0.625 ms. */
  readonly scanWindow: number;
  /** 0x00: connect to the peer address below; 0x01: use the Filter Accept List. */
  readonly initiatorFilterPolicy: number;
  readonly peerAddressType: number;
  /** 6 octets, wire order. */
  readonly peerAddress: Uint8Array;
  readonly ownAddressType: number;
}

/**
 * Every HCI command this library sends, discriminated by `name`. Byte arrays
 * are in wire order; Connection_Handles are 12-bit.
 */
export type HciCommand =
  | { readonly name: 'disconnect'; readonly handle: number; readonly reason: number }
  | { readonly name: 'set-event-mask' /** 8 octets, wire order. */; readonly eventMask: Uint8Array }
  | { readonly name: 'reset' }
  | { readonly name: 'read-local-version-information' }
  | { readonly name: 'read-local-supported-commands' }
  | { readonly name: 'read-buffer-size' }
  | { readonly name: 'read-bd-addr' }
  | { readonly name: 'le-set-event-mask' /** 8 octets, wire order. */; readonly leEventMask: Uint8Array }
  | { readonly name: 'le-read-buffer-size' }
  | { readonly name: 'le-read-local-supported-features' }
  | { readonly name: 'le-read-filter-accept-list-size' }
  | { readonly name: 'le-read-resolving-list-size' }
  | { readonly name: 'le-read-maximum-data-length' }
  | {
      readonly name: 'le-set-random-address' /** 6 octets, wire order. */;
      readonly randomAddress: Uint8Array;
    }
  | ({ readonly name: 'le-set-advertising-parameters' } & AdvertisingParameters)
  | { readonly name: 'le-set-advertising-data' /** 0 to 31 octets. */; readonly advertisingData: Uint8Array }
  | {
      readonly name: 'le-set-scan-response-data';
      /** 0 to 31 octets. */
      readonly scanResponseData: Uint8Array;
    }
  | { readonly name: 'le-set-advertising-enable'; readonly enable: boolean }
  | ({ readonly name: 'le-set-scan-parameters' } & ScanParameters)
  | { readonly name: 'le-set-scan-enable'; readonly enable: boolean; readonly filterDuplicates: boolean }
  | ({ readonly name: 'le-create-connection' } & CreateConnectionParameters)
  | { readonly name: 'le-create-connection-cancel' }
  | ({ readonly name: 'le-connection-update'; readonly handle: number } & ConnectionIntervalParameters)
  | { readonly name: 'le-read-remote-features'; readonly handle: number }
  | { readonly name: 'le-rand' }
  | {
      readonly name: 'le-start-encryption';
      readonly handle: number;
      /** Random_Number, 8 octets, wire order (0 for Secure Connections keys). */
      readonly rand: Uint8Array;
      /** Encrypted_Diversifier (0 for Secure Connections keys). */
      readonly ediv: number;
      /** Long_Term_Key, 16 octets, wire order. */
      readonly ltk: Uint8Array;
    }
  | {
      readonly name: 'le-long-term-key-request-reply';
      readonly handle: number;
      /** 16 octets, wire order. */
      readonly ltk: Uint8Array;
    }
  | { readonly name: 'le-long-term-key-request-negative-reply'; readonly handle: number };

/** The `name` of each command. */
export type HciCommandName = HciCommand['name'];
type ParametersOf<N extends HciCommandName> = Omit<Extract<HciCommand, { name: N }>, 'name'>;

/** Opcode and parameter layout of every command (Vol 4 Part E 7.x, the section beside each). */
/** The connection parameters at the end of LE Create Connection and LE Connection Update (7.8.12, 7.8.18). */
const INTERVAL_LAYOUT: Layout<ConnectionIntervalParameters> = [
  ['connectionIntervalMin', 'u16'],
  ['connectionIntervalMax', 'u16'],
  ['maxLatency', 'u16'],
  ['supervisionTimeout', 'u16'],
  ['minCeLength', 'u16'],
  ['maxCeLength', 'u16'],
];

const COMMANDS: { readonly [N in HciCommandName]: { opcode: HciOpcode; layout: Layout<ParametersOf<N>> } } = {
  // 7.1.6
  disconnect: {
    opcode: HciOpcode.Disconnect,
    layout: [
      ['handle', 'handle'],
      ['reason', 'u8'],
    ],
  },
  // 7.3.1
  'set-event-mask': { opcode: HciOpcode.SetEventMask, layout: [['eventMask', 8]] },
  // 7.3.2
  reset: { opcode: HciOpcode.Reset, layout: [] },
  // 7.4.1
  'read-local-version-information': { opcode: HciOpcode.ReadLocalVersionInformation, layout: [] },
  // 7.4.2
  'read-local-supported-commands': { opcode: HciOpcode.ReadLocalSupportedCommands, layout: [] },
  // 7.4.5
  'read-buffer-size': { opcode: HciOpcode.ReadBufferSize, layout: [] },
  // 7.4.6
  'read-bd-addr': { opcode: HciOpcode.ReadBdAddr, layout: [] },
  // 7.8.1
  'le-set-event-mask': { opcode: HciOpcode.LeSetEventMask, layout: [['leEventMask', 8]] },
  // 7.8.2
  'le-read-buffer-size': { opcode: HciOpcode.LeReadBufferSize, layout: [] },
  // 7.8.3
  'le-read-local-supported-features': { opcode: HciOpcode.LeReadLocalSupportedFeatures, layout: [] },
  // 7.8.14
  'le-read-filter-accept-list-size': { opcode: HciOpcode.LeReadFilterAcceptListSize, layout: [] },
  // 7.8.41
  'le-read-resolving-list-size': { opcode: HciOpcode.LeReadResolvingListSize, layout: [] },
  // 7.8.46
  'le-read-maximum-data-length': { opcode: HciOpcode.LeReadMaximumDataLength, layout: [] },
  // 7.8.4
  'le-set-random-address': { opcode: HciOpcode.LeSetRandomAddress, layout: [['randomAddress', 6]] },
  // 7.8.5
  'le-set-advertising-parameters': {
    opcode: HciOpcode.LeSetAdvertisingParameters,
    layout: [
      ['advertisingIntervalMin', 'u16'],
      ['advertisingIntervalMax', 'u16'],
      ['advertisingType', 'u8'],
      ['ownAddressType', 'u8'],
      ['peerAddressType', 'u8'],
      ['peerAddress', 6],
      ['advertisingChannelMap', 'u8'],
      ['advertisingFilterPolicy', 'u8'],
    ],
  },
  // 7.8.7: Advertising_Data_Length, then 31 octets of which that many are significant.
  'le-set-advertising-data': {
    opcode: HciOpcode.LeSetAdvertisingData,
    layout: [['advertisingData', 'adv-data']],
  },
  // 7.8.8
  'le-set-scan-response-data': {
    opcode: HciOpcode.LeSetScanResponseData,
    layout: [['scanResponseData', 'adv-data']],
  },
  // 7.8.9
  'le-set-advertising-enable': { opcode: HciOpcode.LeSetAdvertisingEnable, layout: [['enable', 'bool']] },
  // 7.8.10
  'le-set-scan-parameters': {
    opcode: HciOpcode.LeSetScanParameters,
    layout: [
      ['scanType', 'u8'],
      ['scanInterval', 'u16'],
      ['scanWindow', 'u16'],
      ['ownAddressType', 'u8'],
      ['scanningFilterPolicy', 'u8'],
    ],
  },
  // 7.8.11
  'le-set-scan-enable': {
    opcode: HciOpcode.LeSetScanEnable,
    layout: [
      ['enable', 'bool'],
      ['filterDuplicates', 'bool'],
    ],
  },
  // 7.8.12
  'le-create-connection': {
    opcode: HciOpcode.LeCreateConnection,
    layout: [
      ['scanInterval', 'u16'],
      ['scanWindow', 'u16'],
      ['initiatorFilterPolicy', 'u8'],
      ['peerAddressType', 'u8'],
      ['peerAddress', 6],
      ['ownAddressType', 'u8'],
      ...INTERVAL_LAYOUT,
    ],
  },
  // 7.8.13
  'le-create-connection-cancel': { opcode: HciOpcode.LeCreateConnectionCancel, layout: [] },
  // 7.8.18
  'le-connection-update': {
    opcode: HciOpcode.LeConnectionUpdate,
    layout: [['handle', 'handle'], ...INTERVAL_LAYOUT],
  },
  // 7.8.21
  'le-read-remote-features': { opcode: HciOpcode.LeReadRemoteFeatures, layout: [['handle', 'handle']] },
  // 7.8.23
  'le-rand': { opcode: HciOpcode.LeRand, layout: [] },
  // 7.8.24
  'le-start-encryption': {
    opcode: HciOpcode.LeStartEncryption,
    layout: [
      ['handle', 'handle'],
      ['rand', 8],
      ['ediv', 'u16'],
      ['ltk', 16],
    ],
  },
  // 7.8.25
  'le-long-term-key-request-reply': {
    opcode: HciOpcode.LeLongTermKeyRequestReply,
    layout: [
      ['handle', 'handle'],
      ['ltk', 16],
    ],
  },
  // 7.8.26
  'le-long-term-key-request-negative-reply': {
    opcode: HciOpcode.LeLongTermKeyRequestNegativeReply,
    layout: [['handle', 'handle']],
  },
};

/**
 * The opcode of each command, by name.
 * @example
 * ```ts
 * COMMAND_OPCODE['le-rand']; // 0x2018
 * ```
 */
export const COMMAND_OPCODE: Readonly<Record<HciCommandName, HciOpcode>> = Object.freeze(
  Object.fromEntries(Object.entries(COMMANDS).map(([name, spec]) => [name, spec.opcode])) as Record<
    HciCommandName,
    HciOpcode
  >,
);

/**
 * The commands a controller answers with Command Status, their outcome coming
 * later in an event of its own (Core v5.4 Vol 4 Part E 7.1.6, 7.8.12, 7.8.18,
 * 7.8.21, 7.8.24: "When the Controller receives the command, the Controller
 * sends the HCI_Command_Status event"). Every other command of this codec is
 * answered by Command Complete with its return parameters.
 * @example
 * ```ts
 * COMMANDS_ANSWERED_BY_STATUS.has('le-create-connection'); // true
 * ```
 */
export const COMMANDS_ANSWERED_BY_STATUS: ReadonlySet<HciCommandName> = new Set<HciCommandName>([
  'disconnect',
  'le-create-connection',
  'le-connection-update',
  'le-read-remote-features',
  'le-start-encryption',
]);

/**
 * The command name of each opcode this codec knows.
 * @example
 * ```ts
 * COMMAND_NAME[0x0c03]; // 'reset'
 * ```
 */
export const COMMAND_NAME: Readonly<Record<number, HciCommandName>> = Object.freeze(
  Object.fromEntries(Object.entries(COMMANDS).map(([name, spec]) => [spec.opcode, name])) as Record<
    number,
    HciCommandName
  >,
);

/** The outcome of {@link decodeCommand}: the command, or the status a Controller answers with. */
export type CommandDecodeResult =
  | { readonly ok: true; readonly command: HciCommand }
  | {
      readonly ok: false;
      /** The opcode of the packet; 0x0000 (no command) when the packet is too short to hold one. */
      readonly opcode: number;
      /** 0x01 Unknown HCI Command, or 0x12 Invalid HCI Command Parameters. */
      readonly status: 0x01 | 0x12;
      readonly message: string;
    };

/**
 * Decodes an HCI command packet (opcode, length, parameters; no H4 indicator),
 * as a Controller would. Never throws. An opcode this codec does not know is
 * 0x01 Unknown HCI Command; a parameter total length that disagrees with the
 * packet or with the command's layout, a boolean parameter other than 0 or 1,
 * or an advertising data length above 31 is 0x12 Invalid HCI Command
 * Parameters. The reserved upper 4 bits of a Connection_Handle are ignored.
 * @example
 * ```ts
 * decodeCommand(Uint8Array.of(0x03, 0x0c, 0x00)); // { ok: true, command: { name: 'reset' } }
 * decodeCommand(Uint8Array.of(0x42, 0x20, 0x00)); // { ok: false, opcode: 0x2042, status: 0x01, message: ... }
 * ```
 */
export function decodeCommand(data: Uint8Array): CommandDecodeResult {
  const invalid = (opcode: number, message: string): CommandDecodeResult => ({
    ok: false,
    opcode,
    status: HciErrorCode.InvalidHciCommandParameters,
    message,
  });
  if (!(data instanceof Uint8Array)) return invalid(0, 'HCI command: not a Uint8Array');
  if (data.length < 2) return invalid(0, `HCI command: ${data.length} octets, shorter than an opcode`);
  const op = data[0]! | (data[1]! << 8);
  const name = COMMAND_NAME[op];
  if (data.length < 3) return invalid(op, `HCI command ${hex4(op)}: no parameter total length`);
  if (name === undefined) {
    return {
      ok: false,
      opcode: op,
      status: HciErrorCode.UnknownHciCommand,
      message: `unknown HCI command opcode ${hex4(op)} (OGF 0x${hex2(op >> 10)}, OCF 0x${(op & 0x3ff).toString(16).padStart(3, '0')})`,
    };
  }
  if (data[2] !== data.length - 3) {
    return invalid(op, `${name}: parameter total length ${data[2]} but ${data.length - 3} octets follow`);
  }
  const layout: Layout = COMMANDS[name].layout;
  const expected = layoutLength(layout);
  if (data[2] !== expected)
    return invalid(op, `${name}: ${expected} parameter octets expected, got ${data[2]}`);
  const read = readFields(layout, data, 3);
  if (!read.ok) return invalid(op, `${name}: ${read.message}`);
  return { ok: true, command: { name, ...read.value } as HciCommand };
}

/**
 * Encodes a command to its packet: opcode (little-endian), parameter total
 * length, parameters. Prefix the H4 indicator with encodeH4 for a UART or socket.
 * @throws TypeError when a field has the wrong size or range (a caller's bug, never peer input).
 * @example
 * ```ts
 * encodeCommand({ name: 'reset' }); // Uint8Array [0x03, 0x0c, 0x00]
 * encodeCommand({ name: 'le-long-term-key-request-negative-reply', handle: 0x0040 });
 * // Uint8Array [0x1b, 0x20, 0x02, 0x40, 0x00]
 * ```
 */
export function encodeCommand(command: HciCommand): Uint8Array {
  const spec = (COMMANDS as Record<string, { opcode: number; layout: Layout } | undefined>)[command?.name];
  if (spec === undefined) throw new TypeError(`encodeCommand: unknown command "${String(command?.name)}"`);
  const length = layoutLength(spec.layout);
  const out = new Uint8Array(3 + length);
  out[0] = spec.opcode & 0xff;
  out[1] = spec.opcode >> 8;
  out[2] = length;
  writeFields(
    spec.layout,
    command as unknown as Record<string, unknown>,
    out,
    3,
    `encodeCommand: ${command.name}`,
  );
  return out;
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
