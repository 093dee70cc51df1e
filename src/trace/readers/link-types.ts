/**
 * From one captured frame of a given link type to the packet model. Link
 * types are the tcpdump.org LINKTYPE_ values; btsnoop datalinks map onto them.
 * @module
 */
import { H4Indicator, type HciPacketType } from '../../hci/h4.js';
import { TraceReadError } from '../errors.js';
import type { HciRecord, TraceDirection, TraceRecord } from '../model.js';
import { MONITOR_OPCODES } from './monitor.js';
import { nordicBleRecord } from './nordic-ble.js';

/**
 * The link types the readers decode (https://www.tcpdump.org/linktypes.html),
 * and what their frames hold.
 * @example
 * ```ts
 * if (pcapLinkType === LinkType.H4WithPhdr) console.log('H4 with a direction header');
 * ```
 */
export const LinkType = Object.freeze({
  /** PPI (Per-Packet Information) header around another link type: the crackle captures (147 inside). */
  Ppi: 192,
  /** DLT_USER0: as the crackle captures use it, an LE link-layer packet laid out as 251. */
  User0: 147,
  /** LINKTYPE_BLUETOOTH_HCI_H4: the H4 indicator and packet, direction not recorded. */
  H4: 187,
  /** LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: 4-octet big-endian direction (0 sent, 1 received), then H4. */
  H4WithPhdr: 201,
  /** LINKTYPE_BLUETOOTH_LE_LL: access address, PDU, CRC. */
  LeLl: 251,
  /** LINKTYPE_BLUETOOTH_LINUX_MONITOR: adapter index and opcode (big-endian), then the packet. */
  LinuxMonitor: 254,
  /** LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: a 10-octet pseudo-header, then as 251. */
  LeLlWithPhdr: 256,
  /** LINKTYPE_NORDIC_BLE: the nRF Sniffer's UART and event headers, then as 251. */
  NordicBle: 272,
} as const);

const SUPPORTED = new Set<number>(Object.values(LinkType));

/** Throws {@link TraceReadError} for a link type the decoder cannot read. */
export function checkLinkType(linkType: number, offset: number): void {
  if (!SUPPORTED.has(linkType)) {
    throw new TraceReadError(
      'unsupported-link-type',
      `link type ${linkType} is not a Bluetooth link type this reader knows (${[...SUPPORTED].join(', ')})`,
      offset,
    );
  }
}

const H4_TYPES: Readonly<Record<number, HciPacketType>> = {
  [H4Indicator.Command]: 'command',
  [H4Indicator.Acl]: 'acl',
  [H4Indicator.Sco]: 'sco',
  [H4Indicator.Event]: 'event',
  [H4Indicator.Iso]: 'iso',
};

/** The access address, PDU and CRC of an LE link-layer frame; undefined when too short or inconsistent. */
function linkLayer(
  data: Uint8Array,
  at: number,
  time: number | undefined,
  channel?: number,
): TraceRecord | undefined {
  if (data.length < 6) return undefined;
  const accessAddress = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  const length = data[5]!;
  if (6 + length > data.length) return undefined;
  const pdu = data.subarray(4, 6 + length);
  return {
    kind: 'll',
    at,
    ...(time === undefined ? {} : { time }),
    accessAddress,
    pdu,
    ...(channel === undefined ? {} : { channel }),
    ...(6 + length + 3 <= data.length ? { crc: data.subarray(6 + length, 9 + length) } : {}),
  };
}

/** One H4 frame (indicator first); undefined when the indicator is unknown or the frame empty. */
export function h4Record(
  data: Uint8Array,
  direction: TraceDirection,
  at: number,
  time: number | undefined,
  adapter?: number,
): TraceRecord | undefined {
  return h4RecordIn(data, 0, data.length, direction, at, time, adapter);
}

/**
 * The H4 frame at `start`..`end` of `bytes` (a reader's buffer): as
 * {@link h4Record}, with one view made, for the packet's data.
 */
export function h4RecordIn(
  bytes: Uint8Array,
  start: number,
  end: number,
  direction: TraceDirection,
  at: number,
  time: number | undefined,
  adapter?: number,
): TraceRecord | undefined {
  const type = start < end ? H4_TYPES[bytes[start]!] : undefined;
  if (!type) return undefined;
  const record: { -readonly [K in keyof HciRecord]: HciRecord[K] } = {
    kind: 'hci',
    at,
    direction,
    packet: { type, data: bytes.subarray(start + 1, end) },
  };
  if (time !== undefined) record.time = time;
  if (adapter !== undefined) record.adapter = adapter;
  return record;
}

/** One Linux monitor frame (opcode and adapter given); undefined for opcodes that carry no HCI packet. */
export function monitorRecord(
  opcode: number,
  adapter: number,
  data: Uint8Array,
  at: number,
  time: number | undefined,
): TraceRecord | undefined {
  const entry = MONITOR_OPCODES[opcode];
  if (!entry) return undefined;
  return {
    kind: 'hci',
    at,
    ...(time === undefined ? {} : { time }),
    direction: entry.direction,
    packet: { type: entry.type, data },
    adapter,
  };
}

/**
 * The packet in one captured frame of `linkType`; undefined when the frame
 * holds none (a management note, a runt frame). Never throws.
 */
export function frameRecord(
  linkType: number,
  data: Uint8Array,
  at: number,
  time: number | undefined,
): TraceRecord | undefined {
  switch (linkType) {
    case LinkType.H4:
      return h4Record(data, 'unknown', at, time);
    case LinkType.H4WithPhdr: {
      if (data.length < 5) return undefined;
      const direction = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) & 1 ? 'rx' : 'tx';
      return h4Record(data.subarray(4), direction, at, time);
    }
    case LinkType.LinuxMonitor:
      if (data.length < 4) return undefined;
      return monitorRecord(
        (data[2]! << 8) | data[3]!,
        (data[0]! << 8) | data[1]!,
        data.subarray(4),
        at,
        time,
      );
    case LinkType.User0:
    case LinkType.LeLl:
      return linkLayer(data, at, time);
    case LinkType.LeLlWithPhdr: {
      // rf_channel, signal, noise, access address offenses, reference access address (4), flags (2).
      if (data.length < 10) return undefined;
      const record = linkLayer(data.subarray(10), at, time, data[0]!);
      // Flags: 0x0008 decrypted (the payload is plaintext); PDU type (bits 7-9) 2 or 3: data from the central or peripheral.
      const flags = data[8]! | (data[9]! << 8);
      const type = (flags >> 7) & 7;
      if (!record || (!(flags & 0x0008) && type !== 2 && type !== 3)) return record;
      return {
        ...record,
        ...(type === 2 || type === 3 ? { sender: type === 2 ? 'central' : 'peripheral' } : {}),
        ...(flags & 0x0008 ? { ciphertext: false } : {}),
      } as TraceRecord;
    }
    case LinkType.NordicBle:
      return nordicBleRecord(data, at, time);
    case LinkType.Ppi: {
      // PPI header: version, flags, length (LE 2), DLT (LE 4), then fields; the frame follows.
      if (data.length < 8) return undefined;
      const length = data[2]! | (data[3]! << 8);
      const inner = (data[4]! | (data[5]! << 8) | (data[6]! << 16)) + data[7]! * 0x1000000;
      if (length < 8 || length > data.length || inner === LinkType.Ppi) return undefined;
      return frameRecord(inner, data.subarray(length), at, time);
    }
    default:
      return undefined;
  }
}
