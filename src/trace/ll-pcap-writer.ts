/**
 * A pcap writer for LE link-layer packets, link type
 * LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256,
 * https://www.tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.html):
 * each frame is a 10-octet pseudo-header (RF channel, signal power, noise
 * power, access address offenses, reference access address (LE 4), flags
 * (LE 2)) and the LE packet without preamble: access address (LE 4), PDU
 * (header and payload), CRC (3). Wireshark reads the flags as its
 * packet-btle_rf.c does: bits as {@link LePhdrFlag}, the PDU type in bits
 * 7-9, the PHY in bits 14-15.
 * @module
 */

/**
 * The flag bits of the pseudo-header (LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR;
 * Wireshark's packet-btle_rf.c names them alike). A flag that says a field
 * is valid or was checked is set only when it is known.
 * @example
 * ```ts
 * const flags = LePhdrFlag.Decrypted | LePhdrFlag.MicChecked | LePhdrFlag.MicValid;
 * ```
 */
export const LePhdrFlag = Object.freeze({
  Dewhitened: 0x0001,
  SignalPowerValid: 0x0002,
  NoisePowerValid: 0x0004,
  /** The payload was decrypted: it holds the plaintext, the MIC removed. */
  Decrypted: 0x0008,
  ReferenceAccessAddressValid: 0x0010,
  AccessAddressOffensesValid: 0x0020,
  ChannelAliased: 0x0040,
  CrcChecked: 0x0400,
  CrcValid: 0x0800,
  MicChecked: 0x1000,
  MicValid: 0x2000,
} as const);

/**
 * The PDU type field of the flags (bits 7-9): 0 advertising or data with the
 * direction unspecified, 2 data sent by the central, 3 data sent by the
 * peripheral.
 * @example
 * ```ts
 * const flags = LePhdrPduType.DataFromCentral << 7;
 * ```
 */
export const LePhdrPduType = Object.freeze({
  Unspecified: 0,
  DataFromCentral: 2,
  DataFromPeripheral: 3,
} as const);

/**
 * The pcap link type this writer writes.
 * @example
 * ```ts
 * readTrace(linkLayerPcap(packets)).records; // read back as link type 256
 * LE_LL_WITH_PHDR; // 256
 * ```
 */
export const LE_LL_WITH_PHDR = 256;

/** One LE packet to write, with what is known about it. */
export interface LinkLayerPacket {
  /** Seconds since the Unix epoch (or since the capture's start, as the source states it). */
  readonly time?: number;
  /** The RF channel (0-39: 0 is 2402 MHz, advertising channel 37), when known. */
  readonly rfChannel?: number;
  readonly accessAddress: number;
  /** Header and payload. */
  readonly pdu: Uint8Array;
  /** The 3 CRC octets; absent, zeros are written and the CRC is not flagged checked. */
  readonly crc?: Uint8Array;
  /** Whether `crc` is the right CRC of `pdu` (checked against CRCInit); absent when not checked. */
  readonly crcValid?: boolean;
  /** The payload is plaintext decrypted from the captured ciphertext (its MIC authenticated and removed). */
  readonly decrypted?: boolean;
  /** An encrypted payload whose MIC was checked against the connection's key and failed. */
  readonly micFailed?: boolean;
  /** The sender of a data PDU, when known. */
  readonly sender?: 'central' | 'peripheral';
}

/** The RF channel written when the source did not record one: advertising channel 37, else data channel 0. */
const defaultRfChannel = (accessAddress: number) => (accessAddress === 0x8e89bed6 ? 0 : 1);

/**
 * One frame of link type 256: pseudo-header and LE packet. The reference
 * access address is the packet's own (flagged valid); signal and noise power
 * are not flagged valid; the decrypted, MIC and CRC flags follow `packet`.
 * @example
 * ```ts
 * const frame = phdrFrame({ accessAddress: 0x8e89bed6, pdu, crc });
 * ```
 */
export function phdrFrame(packet: LinkLayerPacket): Uint8Array {
  const { pdu } = packet;
  const frame = new Uint8Array(10 + 4 + pdu.length + 3);
  const view = new DataView(frame.buffer);
  frame[0] = packet.rfChannel ?? defaultRfChannel(packet.accessAddress);
  view.setUint32(4, packet.accessAddress >>> 0, true);
  let flags: number = LePhdrFlag.ReferenceAccessAddressValid;
  if (packet.decrypted) flags |= LePhdrFlag.Decrypted | LePhdrFlag.MicChecked | LePhdrFlag.MicValid;
  else if (packet.micFailed) flags |= LePhdrFlag.MicChecked;
  if (packet.crc && packet.crcValid !== undefined)
    flags |= LePhdrFlag.CrcChecked | (packet.crcValid ? LePhdrFlag.CrcValid : 0);
  if (packet.sender)
    flags |=
      (packet.sender === 'central' ? LePhdrPduType.DataFromCentral : LePhdrPduType.DataFromPeripheral) << 7;
  view.setUint16(8, flags, true);
  view.setUint32(10, packet.accessAddress >>> 0, true);
  frame.set(pdu, 14);
  if (packet.crc) frame.set(packet.crc.subarray(0, 3), 14 + pdu.length);
  return frame;
}

/**
 * A whole pcap file (little-endian, microsecond timestamps, link type 256)
 * of `packets`, in order. A packet without a time gets the previous one's.
 * @example
 * ```ts
 * writeFileSync('decrypted.pcap', linkLayerPcap(packets));
 * ```
 */
export function linkLayerPcap(packets: Iterable<LinkLayerPacket>): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(24);
  const headView = new DataView(head.buffer);
  headView.setUint32(0, 0xa1b2c3d4, true);
  headView.setUint16(4, 2, true);
  headView.setUint16(6, 4, true);
  headView.setUint32(16, 0xffff, true);
  headView.setUint32(20, LE_LL_WITH_PHDR, true);
  parts.push(head);
  let time = 0;
  for (const packet of packets) {
    if (packet.time !== undefined && Number.isFinite(packet.time) && packet.time >= 0) time = packet.time;
    const frame = phdrFrame(packet);
    const record = new Uint8Array(16);
    const view = new DataView(record.buffer);
    let seconds = Math.floor(time);
    let micros = Math.round((time - seconds) * 1e6);
    if (micros >= 1e6) {
      seconds += 1;
      micros -= 1e6;
    }
    view.setUint32(0, seconds >>> 0, true);
    view.setUint32(4, micros, true);
    view.setUint32(8, frame.length, true);
    view.setUint32(12, frame.length, true);
    parts.push(record, frame);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
