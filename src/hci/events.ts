/**
 * HCI event packets (Core Vol 4 Part E 5.4.4, 7.7): typed values and their
 * codec. A packet is the event code, the parameter total length and the
 * parameters, without the H4 indicator. Fixed layouts are tables with their
 * spec section; Command Complete, Number Of Completed Packets and LE
 * Advertising Report, whose length varies, have their own code.
 *
 * Decoding never throws. An event or LE subevent this codec does not know
 * decodes to `{ name: 'unknown' }` with its parameters; a known event that is
 * cut short is `{ ok: false }`. Octets after the last parameter the spec
 * defines are ignored, as Linux and Zephyr do, so that a Controller of a later
 * spec version that appends parameters still works.
 * @module
 */
import { type FieldValue, type Layout, layoutLength, readFields, writeFields } from './commands.js';
import { HciEventCode, HciOpcode, LeSubeventCode } from './constants.js';

// ------------------------------------------------------------------ types

/** The fields shared by LE Connection Complete and LE Enhanced Connection Complete (7.7.65.1, 7.7.65.10). */
export interface ConnectionCompleteFields {
  readonly status: number;
  readonly handle: number;
  /** 0x00 Central, 0x01 Peripheral. */
  readonly role: number;
  /** 0x00 public, 0x01 random; Enhanced adds 0x02/0x03 for resolved identity addresses. */
  readonly peerAddressType: number;
  /** 6 octets, wire order. */
  readonly peerAddress: Uint8Array;
  /** Units of 1.25 ms. */
  readonly connectionInterval: number;
  /** In connection events. */
  readonly peripheralLatency: number;
  /** Units of 10 ms. */
  readonly supervisionTimeout: number;
  /** 0x00 500 ppm ... 0x07 20 ppm (only meaningful on the Peripheral). */
  readonly centralClockAccuracy: number;
}

/** One report of an LE Advertising Report event (7.7.65.2). */
export interface AdvertisingReport {
  /** 0x00 ADV_IND, 0x01 ADV_DIRECT_IND, 0x02 ADV_SCAN_IND, 0x03 ADV_NONCONN_IND, 0x04 SCAN_RSP. */
  readonly eventType: number;
  readonly addressType: number;
  /** 6 octets, wire order. */
  readonly address: Uint8Array;
  /** 0 to 31 octets of advertising or scan response data. */
  readonly data: Uint8Array;
  /** dBm, -127 to +20; 127 when not available. */
  readonly rssi: number;
}

/** One handle/count pair of a Number Of Completed Packets event (7.7.19). */
export interface CompletedPackets {
  readonly handle: number;
  readonly count: number;
}

/**
 * The return parameters of a Command Complete event, discriminated by `kind`,
 * which follows from the opcode answered (see {@link returnParametersKind}).
 * A failed command may return only its status: that decodes as `'status'`.
 * `'raw'` holds the return parameters of an opcode this codec does not know.
 */
export type ReturnParameters =
  | { readonly kind: 'status'; readonly status: number }
  | {
      readonly kind: 'read-bd-addr';
      readonly status: number;
      /** 6 octets, wire order. */
      readonly address: Uint8Array;
    }
  | {
      readonly kind: 'read-local-version-information';
      readonly status: number;
      readonly hciVersion: number;
      readonly hciSubversion: number;
      readonly lmpVersion: number;
      readonly companyIdentifier: number;
      readonly lmpSubversion: number;
    }
  | {
      readonly kind: 'read-local-supported-commands';
      readonly status: number;
      /** 64 octets, wire order: bit n of octet m is the command of Vol 4 Part E 6.27's octet m, bit n. */
      readonly supportedCommands: Uint8Array;
    }
  | {
      readonly kind: 'read-buffer-size';
      readonly status: number;
      readonly aclDataPacketLength: number;
      readonly syncDataPacketLength: number;
      readonly totalNumAclDataPackets: number;
      readonly totalNumSyncDataPackets: number;
    }
  | {
      readonly kind: 'le-read-buffer-size';
      readonly status: number;
      /** 0 when LE shares the BR/EDR buffers of Read Buffer Size. */
      readonly leAclDataPacketLength: number;
      readonly totalNumLeAclDataPackets: number;
    }
  | {
      readonly kind: 'le-rand';
      readonly status: number;
      /** 8 octets. */
      readonly randomNumber: Uint8Array;
    }
  | {
      readonly kind: 'le-read-local-supported-features';
      readonly status: number;
      /** 8 octets, wire order: bit n is bit n % 8 of octet n >> 3. */
      readonly leFeatures: Uint8Array;
    }
  | {
      /** LE Read Filter Accept List Size, LE Read Resolving List Size: the list's size in entries. */
      readonly kind: 'list-size';
      readonly status: number;
      readonly size: number;
    }
  | {
      readonly kind: 'le-read-maximum-data-length';
      readonly status: number;
      readonly supportedMaxTxOctets: number;
      readonly supportedMaxTxTime: number;
      readonly supportedMaxRxOctets: number;
      readonly supportedMaxRxTime: number;
    }
  | { readonly kind: 'connection-handle'; readonly status: number; readonly handle: number }
  | { readonly kind: 'raw'; readonly data: Uint8Array };

/** The `kind` of each shape of return parameters. */
export type ReturnParametersKind = ReturnParameters['kind'];

/** Every HCI event this library reads, discriminated by `name`. Byte arrays are in wire order. */
export type HciEvent =
  | {
      readonly name: 'disconnection-complete';
      readonly status: number;
      readonly handle: number;
      readonly reason: number;
    }
  | {
      readonly name: 'encryption-change';
      readonly status: number;
      readonly handle: number;
      /** Encryption_Enabled: 0x00 off, 0x01 on (AES-CCM on LE), 0x02 AES-CCM on BR/EDR. */
      readonly enabled: number;
    }
  | {
      readonly name: 'command-complete';
      readonly numHciCommandPackets: number;
      /** The opcode of the command this completes; 0x0000 when none. */
      readonly opcode: number;
      readonly returnParameters: ReturnParameters;
    }
  | {
      readonly name: 'command-status';
      readonly status: number;
      readonly numHciCommandPackets: number;
      readonly opcode: number;
    }
  | { readonly name: 'hardware-error'; readonly hardwareCode: number }
  | { readonly name: 'number-of-completed-packets'; readonly completed: readonly CompletedPackets[] }
  | { readonly name: 'encryption-key-refresh-complete'; readonly status: number; readonly handle: number }
  | ({ readonly name: 'le-connection-complete' } & ConnectionCompleteFields)
  | { readonly name: 'le-advertising-report'; readonly reports: readonly AdvertisingReport[] }
  | {
      readonly name: 'le-connection-update-complete';
      readonly status: number;
      readonly handle: number;
      /** Units of 1.25 ms. */
      readonly connectionInterval: number;
      readonly peripheralLatency: number;
      /** Units of 10 ms. */
      readonly supervisionTimeout: number;
    }
  | {
      readonly name: 'le-read-remote-features-complete';
      readonly status: number;
      readonly handle: number;
      /** The peer's LE features, 8 octets (Vol 6 Part B 4.6). */
      readonly leFeatures: Uint8Array;
    }
  | {
      readonly name: 'le-long-term-key-request';
      readonly handle: number;
      /** Random_Number, 8 octets, wire order. */
      readonly rand: Uint8Array;
      /** Encrypted_Diversifier. */
      readonly ediv: number;
    }
  | ({
      readonly name: 'le-enhanced-connection-complete';
      /** The local RPA used for the connection, or 00:00:00:00:00:00; 6 octets, wire order. */
      readonly localRpa: Uint8Array;
      /** The peer's RPA, or 00:00:00:00:00:00; 6 octets, wire order. */
      readonly peerRpa: Uint8Array;
    } & ConnectionCompleteFields)
  | {
      readonly name: 'unknown';
      readonly code: number;
      /** Present for an LE Meta event (code 0x3E) with a subevent this codec does not know. */
      readonly subevent?: number;
      /** The parameters after the event code and length (and after the subevent code, if any). */
      readonly parameters: Uint8Array;
    };

/** The `name` of each event. */
export type HciEventName = HciEvent['name'];

/** The outcome of {@link decodeEvent}. */
export type EventDecodeResult =
  | { readonly ok: true; readonly event: HciEvent }
  | { readonly ok: false; readonly message: string };

// ------------------------------------------------------------------ layouts

type FixedName = Exclude<
  HciEventName,
  'command-complete' | 'number-of-completed-packets' | 'le-advertising-report' | 'unknown'
>;
type FieldsOf<N extends HciEventName> = Omit<Extract<HciEvent, { name: N }>, 'name'>;

const CONNECTION_HEAD = [
  ['status', 'u8'],
  ['handle', 'handle'],
  ['role', 'u8'],
  ['peerAddressType', 'u8'],
  ['peerAddress', 6],
] as const;
const CONNECTION_TAIL = [
  ['connectionInterval', 'u16'],
  ['peripheralLatency', 'u16'],
  ['supervisionTimeout', 'u16'],
  ['centralClockAccuracy', 'u8'],
] as const;

/** Event code, LE subevent code and parameter layout of each fixed-size event (Vol 4 Part E 7.7.x). */
const FIXED: {
  readonly [N in FixedName]: { code: number; subevent?: number; layout: Layout<FieldsOf<N>> };
} = {
  // 7.7.5
  'disconnection-complete': {
    code: HciEventCode.DisconnectionComplete,
    layout: [
      ['status', 'u8'],
      ['handle', 'handle'],
      ['reason', 'u8'],
    ],
  },
  // 7.7.8
  'encryption-change': {
    code: HciEventCode.EncryptionChange,
    layout: [
      ['status', 'u8'],
      ['handle', 'handle'],
      ['enabled', 'u8'],
    ],
  },
  // 7.7.15
  'command-status': {
    code: HciEventCode.CommandStatus,
    layout: [
      ['status', 'u8'],
      ['numHciCommandPackets', 'u8'],
      ['opcode', 'u16'],
    ],
  },
  // 7.7.16
  'hardware-error': { code: HciEventCode.HardwareError, layout: [['hardwareCode', 'u8']] },
  // 7.7.39
  'encryption-key-refresh-complete': {
    code: HciEventCode.EncryptionKeyRefreshComplete,
    layout: [
      ['status', 'u8'],
      ['handle', 'handle'],
    ],
  },
  // 7.7.65.1
  'le-connection-complete': {
    code: HciEventCode.LeMeta,
    subevent: LeSubeventCode.ConnectionComplete,
    layout: [...CONNECTION_HEAD, ...CONNECTION_TAIL],
  },
  // 7.7.65.3
  'le-connection-update-complete': {
    code: HciEventCode.LeMeta,
    subevent: LeSubeventCode.ConnectionUpdateComplete,
    layout: [
      ['status', 'u8'],
      ['handle', 'handle'],
      ['connectionInterval', 'u16'],
      ['peripheralLatency', 'u16'],
      ['supervisionTimeout', 'u16'],
    ],
  },
  // 7.7.65.4
  'le-read-remote-features-complete': {
    code: HciEventCode.LeMeta,
    subevent: LeSubeventCode.ReadRemoteFeaturesComplete,
    layout: [
      ['status', 'u8'],
      ['handle', 'handle'],
      ['leFeatures', 8],
    ],
  },
  // 7.7.65.5
  'le-long-term-key-request': {
    code: HciEventCode.LeMeta,
    subevent: LeSubeventCode.LongTermKeyRequest,
    layout: [
      ['handle', 'handle'],
      ['rand', 8],
      ['ediv', 'u16'],
    ],
  },
  // 7.7.65.10
  'le-enhanced-connection-complete': {
    code: HciEventCode.LeMeta,
    subevent: LeSubeventCode.EnhancedConnectionComplete,
    layout: [...CONNECTION_HEAD, ['localRpa', 6], ['peerRpa', 6], ...CONNECTION_TAIL],
  },
};

type KindFields<K extends ReturnParametersKind> = Omit<Extract<ReturnParameters, { kind: K }>, 'kind'>;

/** The layout of each shape of Command Complete return parameters (7.4.1, 7.4.2, 7.4.5, 7.4.6, 7.8.2, 7.8.3, 7.8.14, 7.8.23, 7.8.25, 7.8.26, 7.8.41, 7.8.46). */
const RETURN_LAYOUT: { readonly [K in Exclude<ReturnParametersKind, 'raw'>]: Layout<KindFields<K>> } = {
  status: [['status', 'u8']],
  // 7.4.6
  'read-bd-addr': [
    ['status', 'u8'],
    ['address', 6],
  ],
  // 7.4.1
  'read-local-version-information': [
    ['status', 'u8'],
    ['hciVersion', 'u8'],
    ['hciSubversion', 'u16'],
    ['lmpVersion', 'u8'],
    ['companyIdentifier', 'u16'],
    ['lmpSubversion', 'u16'],
  ],
  // 7.4.2
  'read-local-supported-commands': [
    ['status', 'u8'],
    ['supportedCommands', 64],
  ],
  // 7.4.5
  'read-buffer-size': [
    ['status', 'u8'],
    ['aclDataPacketLength', 'u16'],
    ['syncDataPacketLength', 'u8'],
    ['totalNumAclDataPackets', 'u16'],
    ['totalNumSyncDataPackets', 'u16'],
  ],
  // 7.8.2
  'le-read-buffer-size': [
    ['status', 'u8'],
    ['leAclDataPacketLength', 'u16'],
    ['totalNumLeAclDataPackets', 'u8'],
  ],
  // 7.8.23
  'le-rand': [
    ['status', 'u8'],
    ['randomNumber', 8],
  ],
  // 7.8.3
  'le-read-local-supported-features': [
    ['status', 'u8'],
    ['leFeatures', 8],
  ],
  // 7.8.14, 7.8.41
  'list-size': [
    ['status', 'u8'],
    ['size', 'u8'],
  ],
  // 7.8.46
  'le-read-maximum-data-length': [
    ['status', 'u8'],
    ['supportedMaxTxOctets', 'u16'],
    ['supportedMaxTxTime', 'u16'],
    ['supportedMaxRxOctets', 'u16'],
    ['supportedMaxRxTime', 'u16'],
  ],
  // 7.8.25, 7.8.26
  'connection-handle': [
    ['status', 'u8'],
    ['handle', 'handle'],
  ],
};

/** Commands that return more than a status; every other opcode of {@link HciOpcode} returns only a status. */
const RETURN_KIND: Readonly<Record<number, ReturnParametersKind>> = {
  [HciOpcode.ReadBdAddr]: 'read-bd-addr',
  [HciOpcode.ReadLocalVersionInformation]: 'read-local-version-information',
  [HciOpcode.ReadLocalSupportedCommands]: 'read-local-supported-commands',
  [HciOpcode.ReadBufferSize]: 'read-buffer-size',
  [HciOpcode.LeReadBufferSize]: 'le-read-buffer-size',
  [HciOpcode.LeRand]: 'le-rand',
  [HciOpcode.LeReadLocalSupportedFeatures]: 'le-read-local-supported-features',
  [HciOpcode.LeReadFilterAcceptListSize]: 'list-size',
  [HciOpcode.LeReadResolvingListSize]: 'list-size',
  [HciOpcode.LeReadMaximumDataLength]: 'le-read-maximum-data-length',
  [HciOpcode.LeLongTermKeyRequestReply]: 'connection-handle',
  [HciOpcode.LeLongTermKeyRequestNegativeReply]: 'connection-handle',
};
const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(HciOpcode));

/**
 * The shape of the return parameters a Command Complete for `opcode` carries:
 * the command's own shape, `'status'` for the other commands of
 * {@link HciOpcode}, and `'raw'` for opcodes this codec does not know
 * (including 0x0000, which answers no command).
 * @example
 * ```ts
 * returnParametersKind(HciOpcode.ReadBdAddr); // 'read-bd-addr'
 * returnParametersKind(HciOpcode.Reset); // 'status'
 * returnParametersKind(0xfc01); // 'raw' (vendor specific)
 * ```
 */
export function returnParametersKind(opcode: number): ReturnParametersKind {
  return RETURN_KIND[opcode] ?? (KNOWN_OPCODES.has(opcode) ? 'status' : 'raw');
}

const FIXED_BY_CODE = new Map<number, FixedName>();
const FIXED_BY_SUBEVENT = new Map<number, FixedName>();
for (const [name, spec] of Object.entries(FIXED) as [FixedName, { code: number; subevent?: number }][]) {
  if (spec.subevent === undefined) FIXED_BY_CODE.set(spec.code, name);
  else FIXED_BY_SUBEVENT.set(spec.subevent, name);
}
const KNOWN_CODES: ReadonlySet<number> = new Set(Object.values(HciEventCode));
const KNOWN_SUBEVENTS: ReadonlySet<number> = new Set(Object.values(LeSubeventCode));

/** Most reports in one LE Advertising Report event (7.7.65.2: Num_Reports 0x01 to 0x19). */
const MAX_REPORTS = 0x19;
/** Most significant octets in one advertising report (7.7.65.2: Data_Length 0 to 31). */
const MAX_REPORT_DATA = 31;

// ------------------------------------------------------------------ decode

/**
 * Decodes an HCI event packet (code, length, parameters; no H4 indicator).
 * Never throws. An unknown event code or LE subevent is `{ name: 'unknown' }`;
 * a packet whose length octet disagrees with its size, or a known event with
 * too few parameters or out-of-range counts, is `{ ok: false }`. Command
 * Complete's return parameters are decoded by the opcode they answer.
 * @example
 * ```ts
 * decodeEvent(Uint8Array.of(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00));
 * // { ok: true, event: { name: 'command-complete', numHciCommandPackets: 1, opcode: 0x0c03,
 * //   returnParameters: { kind: 'status', status: 0 } } }
 * ```
 */
export function decodeEvent(data: Uint8Array): EventDecodeResult {
  if (!(data instanceof Uint8Array)) return fail('HCI event: not a Uint8Array');
  if (data.length < 2) return fail(`HCI event: ${data.length} octets, shorter than the 2-octet header`);
  if (data[1] !== data.length - 2) {
    return fail(
      `HCI event 0x${hex2(data[0]!)}: parameter total length ${data[1]} but ${data.length - 2} octets follow`,
    );
  }
  const code = data[0]!;
  const params = data.subarray(2);
  if (code === HciEventCode.LeMeta) {
    if (params.length < 1) return fail('LE Meta event without a subevent code');
    const subevent = params[0]!;
    const name = FIXED_BY_SUBEVENT.get(subevent);
    if (name !== undefined) return decodeFixed(name, params.subarray(1));
    if (subevent === LeSubeventCode.AdvertisingReport) return decodeAdvertisingReport(params.subarray(1));
    return { ok: true, event: { name: 'unknown', code, subevent, parameters: copy(params.subarray(1)) } };
  }
  const name = FIXED_BY_CODE.get(code);
  if (name !== undefined) return decodeFixed(name, params);
  if (code === HciEventCode.CommandComplete) return decodeCommandComplete(params);
  if (code === HciEventCode.NumberOfCompletedPackets) return decodeCompletedPackets(params);
  return { ok: true, event: { name: 'unknown', code, parameters: copy(params) } };
}

function decodeFixed(name: FixedName, body: Uint8Array): EventDecodeResult {
  const read = readFields(FIXED[name].layout as Layout, body, 0);
  if (!read.ok) return fail(`${name}: ${read.message}`);
  return { ok: true, event: { name, ...read.value } as HciEvent };
}

/** 7.7.14: Num_HCI_Command_Packets, Command_Opcode, Return_Parameters. */
function decodeCommandComplete(body: Uint8Array): EventDecodeResult {
  if (body.length < 3) return fail(`command-complete: 3 parameter octets at least, got ${body.length}`);
  const numHciCommandPackets = body[0]!;
  const opcode = body[1]! | (body[2]! << 8);
  const rest = body.subarray(3);
  const event = (returnParameters: ReturnParameters): EventDecodeResult => ({
    ok: true,
    event: { name: 'command-complete', numHciCommandPackets, opcode, returnParameters },
  });
  const kind = returnParametersKind(opcode);
  if (kind === 'raw') return event({ kind, data: copy(rest) });
  const layout = RETURN_LAYOUT[kind] as Layout;
  if (rest.length === 0) return fail(`command-complete ${hex4(opcode)}: no return parameters`);
  if (rest.length < layoutLength(layout)) {
    // A failed command may return only its status; a successful one returns everything.
    if (rest[0] !== 0) return event({ kind: 'status', status: rest[0]! });
    return fail(
      `command-complete ${hex4(opcode)}: ${kind} needs ${layoutLength(layout)} octets, got ${rest.length}`,
    );
  }
  const read = readFields(layout, rest, 0);
  if (!read.ok) return fail(`command-complete ${hex4(opcode)}: ${read.message}`);
  return event({ kind, ...read.value } as ReturnParameters);
}

/**
 * 7.7.19: Num_Handles, then per handle Connection_Handle[i] and
 * Num_Completed_Packets[i], interleaved as every stack (Linux, Zephyr, Bumble,
 * the Nordic SoftDevice Controller) lays them out.
 */
function decodeCompletedPackets(body: Uint8Array): EventDecodeResult {
  if (body.length < 1) return fail('number-of-completed-packets: no Num_Handles');
  const n = body[0]!;
  if (body.length < 1 + 4 * n) {
    return fail(`number-of-completed-packets: ${n} handles need ${1 + 4 * n} octets, got ${body.length}`);
  }
  const completed: CompletedPackets[] = [];
  for (let i = 0, at = 1; i < n; i++, at += 4) {
    completed.push({
      handle: (body[at]! | (body[at + 1]! << 8)) & 0x0fff,
      count: body[at + 2]! | (body[at + 3]! << 8),
    });
  }
  return { ok: true, event: { name: 'number-of-completed-packets', completed } };
}

/**
 * 7.7.65.2: Num_Reports, then per report Event_Type, Address_Type, Address,
 * Data_Length, Data, RSSI (signed), interleaved as Linux and Zephyr read them.
 */
function decodeAdvertisingReport(body: Uint8Array): EventDecodeResult {
  if (body.length < 1) return fail('le-advertising-report: no Num_Reports');
  const n = body[0]!;
  if (n < 1 || n > MAX_REPORTS)
    return fail(`le-advertising-report: Num_Reports ${n} outside 1..${MAX_REPORTS}`);
  const reports: AdvertisingReport[] = [];
  let at = 1;
  for (let i = 0; i < n; i++) {
    if (body.length < at + 9) return fail(`le-advertising-report: report ${i + 1} of ${n} is cut short`);
    const length = body[at + 8]!;
    if (length > MAX_REPORT_DATA) {
      return fail(`le-advertising-report: report ${i + 1} Data_Length ${length} above ${MAX_REPORT_DATA}`);
    }
    if (body.length < at + 10 + length)
      return fail(`le-advertising-report: report ${i + 1} of ${n} is cut short`);
    reports.push({
      eventType: body[at]!,
      addressType: body[at + 1]!,
      address: copy(body.subarray(at + 2, at + 8)),
      data: copy(body.subarray(at + 9, at + 9 + length)),
      rssi: (body[at + 9 + length]! << 24) >> 24,
    });
    at += 10 + length;
  }
  return { ok: true, event: { name: 'le-advertising-report', reports } };
}

// ------------------------------------------------------------------ encode

/**
 * Encodes an event to its packet: event code, parameter total length,
 * parameters (for LE events, the subevent code first). A virtual controller
 * sends these; prefix the H4 indicator with encodeH4 for a UART or socket.
 * @throws TypeError when a field has the wrong size or range, the return
 * parameters do not fit the opcode, an `unknown` event has a code this codec
 * knows, or the parameters exceed 255 octets (a caller's bug, never peer input).
 * @example
 * ```ts
 * encodeEvent({ name: 'command-complete', numHciCommandPackets: 1, opcode: HciOpcode.Reset,
 *   returnParameters: { kind: 'status', status: 0 } }); // Uint8Array [0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00]
 * ```
 */
export function encodeEvent(event: HciEvent): Uint8Array {
  const where = `encodeEvent: ${String(event?.name)}`;
  let code: number;
  let params: Uint8Array;
  switch (event?.name) {
    case 'command-complete':
      code = HciEventCode.CommandComplete;
      params = encodeCommandComplete(event, where);
      break;
    case 'number-of-completed-packets':
      code = HciEventCode.NumberOfCompletedPackets;
      params = encodeCompletedPackets(event.completed, where);
      break;
    case 'le-advertising-report':
      code = HciEventCode.LeMeta;
      params = encodeAdvertisingReport(event.reports, where);
      break;
    case 'unknown':
      code = event.code;
      params = encodeUnknown(event, where);
      break;
    default: {
      const spec = (FIXED as Record<string, { code: number; subevent?: number; layout: Layout } | undefined>)[
        event?.name
      ];
      if (spec === undefined) throw new TypeError(`encodeEvent: unknown event "${String(event?.name)}"`);
      const head = spec.subevent === undefined ? 0 : 1;
      code = spec.code;
      params = new Uint8Array(head + layoutLength(spec.layout));
      if (spec.subevent !== undefined) params[0] = spec.subevent;
      writeFields(spec.layout, event as unknown as Record<string, FieldValue>, params, head, where);
    }
  }
  if (params.length > 0xff) throw new TypeError(`${where}: ${params.length} parameter octets, above 255`);
  const out = new Uint8Array(2 + params.length);
  out[0] = code;
  out[1] = params.length;
  out.set(params, 2);
  return out;
}

function encodeCommandComplete(
  event: Extract<HciEvent, { name: 'command-complete' }>,
  where: string,
): Uint8Array {
  const head = new Uint8Array(3);
  writeFields(
    [
      ['numHciCommandPackets', 'u8'],
      ['opcode', 'u16'],
    ],
    event,
    head,
    0,
    where,
  );
  const rp = event.returnParameters;
  const expected = returnParametersKind(event.opcode);
  if (rp?.kind === 'raw') {
    if (expected !== 'raw')
      throw new TypeError(`${where}: opcode ${hex4(event.opcode)} returns ${expected}, not raw`);
    if (!(rp.data instanceof Uint8Array)) throw new TypeError(`${where}: raw data must be a Uint8Array`);
    return concat(head, rp.data);
  }
  const statusOnlyFailure = rp?.kind === 'status' && expected !== 'raw' && rp.status !== 0;
  if (rp?.kind !== expected && !statusOnlyFailure) {
    throw new TypeError(
      `${where}: opcode ${hex4(event.opcode)} returns ${expected}, not ${String(rp?.kind)}` +
        (rp?.kind === 'status' ? ' (status-only return parameters need a non-zero status)' : ''),
    );
  }
  const layout = RETURN_LAYOUT[rp.kind] as Layout;
  const body = new Uint8Array(layoutLength(layout));
  writeFields(layout, rp as unknown as Record<string, unknown>, body, 0, where);
  return concat(head, body);
}

function encodeCompletedPackets(completed: readonly CompletedPackets[], where: string): Uint8Array {
  if (!Array.isArray(completed) || completed.length > 63) {
    throw new TypeError(`${where}: completed must be an array of at most 63 handle/count pairs`);
  }
  const out = new Uint8Array(1 + 4 * completed.length);
  out[0] = completed.length;
  completed.forEach((pair, i) => {
    writeFields(
      [
        ['handle', 'handle'],
        ['count', 'u16'],
      ],
      pair as unknown as Record<string, unknown>,
      out,
      1 + 4 * i,
      `${where}[${i}]`,
    );
  });
  return out;
}

function encodeAdvertisingReport(reports: readonly AdvertisingReport[], where: string): Uint8Array {
  if (!Array.isArray(reports) || reports.length < 1 || reports.length > MAX_REPORTS) {
    throw new TypeError(`${where}: reports must be an array of 1 to ${MAX_REPORTS} reports`);
  }
  const parts: Uint8Array[] = [Uint8Array.of(LeSubeventCode.AdvertisingReport, reports.length)];
  reports.forEach((report, i) => {
    const at = `${where}[${i}]`;
    const data = report?.data;
    if (!(data instanceof Uint8Array) || data.length > MAX_REPORT_DATA) {
      throw new TypeError(`${at}: data must be a Uint8Array of at most ${MAX_REPORT_DATA} octets`);
    }
    const rssi = report.rssi;
    if (!Number.isInteger(rssi) || rssi < -128 || rssi > 127) {
      throw new TypeError(`${at}: rssi must be an integer from -128 to 127, got ${String(rssi)}`);
    }
    const out = new Uint8Array(10 + data.length);
    writeFields(
      [
        ['eventType', 'u8'],
        ['addressType', 'u8'],
        ['address', 6],
      ],
      report as unknown as Record<string, unknown>,
      out,
      0,
      at,
    );
    out[8] = data.length;
    out.set(data, 9);
    out[9 + data.length] = rssi & 0xff;
    parts.push(out);
  });
  return concat(...parts);
}

function encodeUnknown(event: Extract<HciEvent, { name: 'unknown' }>, where: string): Uint8Array {
  const { code, subevent, parameters } = event;
  if (!Number.isInteger(code) || code < 0 || code > 0xff)
    throw new TypeError(`${where}: code must be an octet`);
  if (!(parameters instanceof Uint8Array)) throw new TypeError(`${where}: parameters must be a Uint8Array`);
  if (code === HciEventCode.LeMeta) {
    if (subevent === undefined || !Number.isInteger(subevent) || subevent < 0 || subevent > 0xff) {
      throw new TypeError(`${where}: an LE Meta event needs a subevent octet`);
    }
    if (KNOWN_SUBEVENTS.has(subevent)) {
      throw new TypeError(`${where}: LE subevent 0x${hex2(subevent)} is known; encode it by its name`);
    }
    return concat(Uint8Array.of(subevent), parameters);
  }
  if (subevent !== undefined) throw new TypeError(`${where}: only LE Meta events (0x3e) have a subevent`);
  if (KNOWN_CODES.has(code))
    throw new TypeError(`${where}: event code 0x${hex2(code)} is known; encode it by its name`);
  return parameters;
}

// ------------------------------------------------------------------ helpers

function fail(message: string): EventDecodeResult {
  return { ok: false, message };
}
/** A plain `Uint8Array` copy, whatever the input: a Buffer's subarray would share a reused receive buffer. */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
