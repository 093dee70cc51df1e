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
}

/** One packet of a capture. */
export type TraceRecord = HciRecord | LinkLayerRecord;
