/**
 * LINKTYPE_NORDIC_BLE (272): the records the nRF Sniffer for Bluetooth LE
 * writes, a UART header and an event header around an LE link-layer packet
 * laid out as link type 251 (access address, PDU, CRC).
 *
 * Header version 0 (legacy) starts `BE EF`: packet ID (1), packet counter (2),
 * unused (2), payload length (1), then a 9-octet event header (flags, channel,
 * RSSI, event counter (2), time (4)); the LE packet is at octet 17. Otherwise
 * octet 0 is the board ID and octet 3 the header version; version 1: board
 * (1), header length (1), payload length (1), version (1), packet counter (2),
 * packet ID (1); versions 2 and 3: board (1), payload length (2, little-endian),
 * version (1), packet counter (2), packet ID (1). The event header follows at
 * octet 7: its length (1, counting itself, normally 10), flags (1), channel
 * (1), RSSI (1, negated), event counter (2), time (4); the LE packet starts
 * that length after octet 7. Below version 3 the access address tells
 * advertising from data packets; version 3 says so by packet ID. On the LE
 * Coded PHY (flags bits 4 to 6 = 2) a coding indicator octet follows the
 * access address, before the PDU.
 * @module
 */
import { ADVERTISING_ACCESS_ADDRESS } from '../ll-decoder.js';
import type { LinkLayerRecord } from '../model.js';

/** The packet IDs that carry an LE packet (nRF Sniffer UART protocol). */
export const NordicBlePacketId = Object.freeze({
  /** EVENT_PACKET_ADVERTISING (version 3): an advertising physical channel PDU. */
  Advertising: 0x02,
  /** EVENT_PACKET_DATA: below version 3 any LE packet, in version 3 a data physical channel PDU. */
  Data: 0x06,
} as const);

/** The header versions this reader knows (the sniffer's protocol versions). */
const MAX_VERSION = 3;
/** The legacy (version 0) header: `BE EF` and a 6-octet UART header. */
const LEGACY_HEADER = 8;
/** Board ID and the 6-octet UART header of versions 1 to 3. */
const UART_HEADER = 7;
/** The event header's length as the sniffer writes it (the length octet included). */
const EVENT_HEADER = 10;
/** The PHY value of LE Coded: its packets carry a coding indicator octet after the access address. */
const LE_CODED = 2;

/** The flags octet of the event header (data packets; advertising ones use only the CRC bit and PHY). */
const Flag = Object.freeze({ CrcOk: 0x01, CentralToPeripheral: 0x02, Encrypted: 0x04, MicOk: 0x08 } as const);

/** What the nRF Sniffer recorded about one LE packet. */
export interface NordicBleHeader {
  /** Header version: 0 (legacy, `BE EF`), 1, 2 or 3. */
  readonly version: number;
  /** The sniffer board's ID (versions 1 to 3). */
  readonly board?: number;
  readonly packetId: number;
  /** The sniffer's UART packet counter. */
  readonly counter: number;
  /** Advertising or data physical channel PDU (by packet ID in version 3, else by access address). */
  readonly physicalChannel: 'advertising' | 'data';
  /** The flags octet as captured. */
  readonly flags: number;
  /** The sniffer received the packet with a good CRC. */
  readonly crcOk: boolean;
  /** The sender of a data packet (flags bit 1: 1 = central to peripheral). */
  readonly sender?: 'central' | 'peripheral';
  /** A data packet that was encrypted on air (flags bit 2). */
  readonly encrypted: boolean;
  /** An encrypted data packet the sniffer decrypted, its MIC checked good (flags bit 3). */
  readonly micOk: boolean;
  /** PHY (flags bits 4 to 6): 0 LE 1M, 1 LE 2M, 2 LE Coded. */
  readonly phy: number;
  /** Channel index (0 to 39). */
  readonly channel: number;
  /** RSSI in dBm (the captured octet negated). */
  readonly rssi: number;
  /** Connection event counter. */
  readonly eventCounter: number;
  /** Microseconds: from the end of the previous packet (below version 3) or the firmware's timestamp (version 3). */
  readonly time: number;
  /** The access address of the LE packet. */
  readonly accessAddress: number;
  /** LE Coded PHY: the coding indicator (0 S=8, 1 S=2) between access address and PDU. */
  readonly codingIndicator?: number;
  /** Where the LE packet (its access address) starts in the record. */
  readonly packetOffset: number;
  /** Where its PDU (header, payload, then CRC) starts in the record. */
  readonly pduOffset: number;
}

/** A link-layer packet read from an nRF Sniffer record, with what the sniffer said about it. */
export interface NordicBleRecord extends LinkLayerRecord {
  readonly nordic: NordicBleHeader;
}

const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le32 = (b: Uint8Array, at: number) => (le16(b, at) | (le16(b, at + 2) << 16)) >>> 0;

/** Version, packet ID, counter and where the event header starts; undefined when the lengths disagree. */
function uartHeader(
  data: Uint8Array,
): { version: number; board?: number; packetId: number; counter: number; event: number } | undefined {
  if (data.length < 2) return undefined;
  if (data[0] === 0xbe && data[1] === 0xef) {
    if (data.length < LEGACY_HEADER || LEGACY_HEADER + data[7]! !== data.length) return undefined;
    return { version: 0, packetId: data[2]!, counter: le16(data, 3), event: LEGACY_HEADER };
  }
  if (data.length < UART_HEADER) return undefined;
  const version = data[3]!;
  if (version < 1 || version > MAX_VERSION) return undefined;
  if (version === 1) {
    // The header length counts the UART header without the board ID.
    if (data[1]! + 1 !== UART_HEADER || UART_HEADER + data[2]! !== data.length) return undefined;
  } else if (UART_HEADER + le16(data, 1) !== data.length) {
    return undefined;
  }
  return { version, board: data[0]!, packetId: data[6]!, counter: le16(data, 4), event: UART_HEADER };
}

/**
 * Reads the headers of one LINKTYPE_NORDIC_BLE record; undefined for a record
 * that holds no LE packet: lengths that disagree with the record, an unknown
 * header version, a packet ID other than {@link NordicBlePacketId}'s, an
 * event header shorter than its fields, an LE packet shorter than its header,
 * or (version 3) a packet ID that contradicts the access address. Never throws.
 * @example
 * ```ts
 * const header = nordicBleHeader(frame);
 * if (header?.physicalChannel === 'data') console.log(header.sender, header.encrypted, header.rssi);
 * ```
 */
export function nordicBleHeader(data: Uint8Array): NordicBleHeader | undefined {
  const uart = uartHeader(data);
  if (!uart) return undefined;
  const { version, packetId, event } = uart;
  if (packetId !== NordicBlePacketId.Advertising && packetId !== NordicBlePacketId.Data) return undefined;
  // Version 0 has no length octet: its 9-octet event header starts with the flags.
  const fields = version === 0 ? event - 1 : event;
  const length = version === 0 ? EVENT_HEADER : (data[event] ?? 0);
  if (length < EVENT_HEADER) return undefined;
  const flags = data[fields + 1]!;
  const phy = (flags >> 4) & 0x07;
  const packetOffset = fields + length;
  // The access address, the coding indicator on LE Coded, and the 2-octet PDU header.
  const pduOffset = packetOffset + 4 + (phy === LE_CODED ? 1 : 0);
  if (pduOffset + 2 > data.length) return undefined;
  const accessAddress = le32(data, packetOffset);
  const advertising = accessAddress === ADVERTISING_ACCESS_ADDRESS;
  if (version === MAX_VERSION && advertising !== (packetId === NordicBlePacketId.Advertising))
    return undefined;
  const physicalChannel = advertising ? 'advertising' : 'data';
  return {
    version,
    ...(uart.board === undefined ? {} : { board: uart.board }),
    packetId,
    counter: uart.counter,
    physicalChannel,
    flags,
    crcOk: (flags & Flag.CrcOk) !== 0,
    ...(physicalChannel === 'data'
      ? { sender: flags & Flag.CentralToPeripheral ? 'central' : 'peripheral' }
      : {}),
    encrypted: physicalChannel === 'data' && (flags & Flag.Encrypted) !== 0,
    micOk: physicalChannel === 'data' && (flags & Flag.Encrypted) !== 0 && (flags & Flag.MicOk) !== 0,
    phy,
    channel: data[fields + 2]!,
    rssi: -data[fields + 3]!,
    eventCounter: le16(data, fields + 4),
    time: le32(data, fields + 6),
    accessAddress,
    ...(phy === LE_CODED ? { codingIndicator: data[packetOffset + 4]! } : {}),
    packetOffset,
    pduOffset,
  };
}

/**
 * The link-layer packet of one LINKTYPE_NORDIC_BLE record, as link types 251
 * and 256 give it (access address, PDU, channel), with the sniffer's headers
 * beside it; undefined when the record holds no LE packet (see
 * {@link nordicBleHeader}), when the PDU's length runs past the record, and
 * when the sniffer flags a bad CRC: such a packet is neither what was sent nor
 * what the peer accepted. A data packet also carries its sender and whether
 * its payload is ciphertext: flagged encrypted with a bad MIC, the sniffer
 * could not decrypt it and passes it as received (ciphertext and MIC);
 * flagged encrypted with the MIC OK, the sniffer decrypted it (plaintext,
 * the MIC removed); not flagged encrypted, it is plaintext, even after
 * LL_START_ENC_REQ. Never throws.
 * @example
 * ```ts
 * const record = nordicBleRecord(frame, 1, 1700000000.5);
 * if (record?.nordic.encrypted && !record.nordic.micOk) console.log('ciphertext as captured');
 * ```
 */
export function nordicBleRecord(
  data: Uint8Array,
  at: number,
  time: number | undefined,
): NordicBleRecord | undefined {
  const nordic = nordicBleHeader(data);
  if (!nordic?.crcOk) return undefined;
  const pdu = data.subarray(nordic.pduOffset);
  const end = 2 + pdu[1]!;
  if (end > pdu.length) return undefined;
  return {
    kind: 'll',
    at,
    ...(time === undefined ? {} : { time }),
    accessAddress: nordic.accessAddress,
    pdu: pdu.subarray(0, end),
    channel: nordic.channel,
    ...(nordic.sender === undefined
      ? {}
      : { sender: nordic.sender, ciphertext: nordic.encrypted && !nordic.micOk }),
    nordic,
  };
}
