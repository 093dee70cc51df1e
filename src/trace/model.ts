/**
 * The one packet model every reader produces: an HCI packet with its
 * direction (btmon text, btsnoop, pcap and pcapng with H4 or Linux monitor
 * link types) or a Bluetooth LE link-layer packet (sniffer captures).
 * @module
 */
import type { HciPacket } from '../hci/h4.js';

/** Host to controller (`tx`), controller to host (`rx`), or not recorded. */
export type TraceDirection = 'tx' | 'rx' | 'unknown';

/** How a capture numbers its packets: by text line (btmon) or by frame (binary captures, from 1). */
export type TraceUnit = 'line' | 'frame';

/** The formats the readers know. */
export type TraceFormat = 'btmon-text' | 'btsnoop' | 'pcap' | 'pcapng';

/**
 * Octets of a packet whose value the capture does not show: btmon text
 * pasted with a value redacted (`XX:XX:XX:XX:XX:XX`, `xx`). The packet holds
 * zeros there; whatever needs the value cannot be checked.
 */
export interface UnknownValue {
  /** The field as the capture names it (`Long term key`, `Address`). */
  readonly field: string;
  /** Where the value starts and its size in octets, in the packet (or PDU) it belongs to. */
  readonly offset: number;
  readonly length: number;
  /** The line of the value in the text. */
  readonly line: number;
}

/** An HCI packet as the host saw it. */
export interface HciRecord {
  readonly kind: 'hci';
  /** Line number (btmon text) or frame number (binary), from 1. */
  readonly at: number;
  /** Seconds, as the capture states them (absolute or relative), when present. */
  readonly time?: number;
  readonly direction: TraceDirection;
  readonly packet: HciPacket;
  /** The controller index of a Linux monitor capture (hci0 = 0). */
  readonly adapter?: number;
  /** Values the capture hides, with their place in `packet.data` (btmon text only). */
  readonly unknown?: readonly UnknownValue[];
}

/** A Bluetooth LE link-layer packet as a sniffer saw it (Core Vol 6 Part B 2.1). */
export interface LinkLayerRecord {
  readonly kind: 'll';
  readonly at: number;
  readonly time?: number;
  /** The access address (0x8E89BED6 on the advertising channels). */
  readonly accessAddress: number;
  /** The PDU: 2-octet header and payload, without access address and CRC. */
  readonly pdu: Uint8Array;
  /** RF channel, when the capture records it. */
  readonly channel?: number;
  /** The 3 CRC octets as captured (link types 251, 256 and PPI around 147), when the frame holds them. */
  readonly crc?: Uint8Array;
  /** A data PDU's sender, when the capture records it per packet (nRF Sniffer flags). */
  readonly sender?: 'central' | 'peripheral';
  /**
   * A data PDU's payload is ciphertext and MIC (true) or plaintext (false),
   * when the capture says so per packet (nRF Sniffer: flagged encrypted and
   * not decrypted by the sniffer); absent, every data PDU after
   * LL_START_ENC_REQ is taken as ciphertext.
   */
  readonly ciphertext?: boolean;
}

/** One packet of a capture. */
export type TraceRecord = HciRecord | LinkLayerRecord;
