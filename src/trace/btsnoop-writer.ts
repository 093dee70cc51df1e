/**
 * A btsnoop writer: HCI packets to a capture file that Wireshark, tshark and
 * btmon read. Datalink 1002 (HCI UART H4), as Android writes it: each record
 * holds the packet with its H4 indicator octet.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeH4, type HciPacket } from '../hci/h4.js';
import { monitorOpcode } from './readers/monitor.js';

/** The btsnoop identification pattern, "btsnoop\0". */
const IDENTIFICATION = [0x62, 0x74, 0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00] as const;

/**
 * The btsnoop datalink types this writer knows: 1002 is HCI UART (H4), as
 * Android writes it; 2001 is the Linux monitor, as `btmon -w` writes it.
 * @example
 * ```ts
 * if (header.readUInt32BE(12) === BtsnoopDatalink.H4) console.log('H4 records');
 * ```
 */
export const BtsnoopDatalink = Object.freeze({ H4: 1002, LinuxMonitor: 2001 } as const);

/** A datalink the writer can write. */
export type BtsnoopDatalinkValue = (typeof BtsnoopDatalink)[keyof typeof BtsnoopDatalink];

/**
 * Microseconds from midnight, 1 January 0 AD, to the Unix epoch: btsnoop
 * timestamps count from 0 AD.
 * @example
 * ```ts
 * const unixMicros = record.readBigUInt64BE(16) - BTSNOOP_EPOCH_OFFSET_US;
 * ```
 */
export const BTSNOOP_EPOCH_OFFSET_US = 0x00dcddb30f2f8000n;

/**
 * The 16-octet btsnoop file header: identification, version 1, datalink
 * (1002 H4 by default, or 2001 Linux monitor), big-endian.
 * @example
 * ```ts
 * writeFileSync('empty.btsnoop', btsnoopHeader());
 * ```
 */
export function btsnoopHeader(datalink: BtsnoopDatalinkValue = BtsnoopDatalink.H4): Uint8Array {
  const header = new Uint8Array(16);
  header.set(IDENTIFICATION);
  const view = new DataView(header.buffer);
  view.setUint32(8, 1);
  view.setUint32(12, datalink);
  return header;
}

/**
 * One btsnoop record (24-octet header, then the packet with its H4
 * indicator): flags bit 0 is the direction (0 sent, 1 received), bit 1 is set
 * for commands and events; drops are 0; the timestamp is in µs since 0 AD.
 * With datalink 2001 the record holds the packet without indicator and the
 * flags are the Linux monitor opcode (adapter index 0).
 * @example
 * ```ts
 * const octets = btsnoopRecord('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }, Date.now());
 * ```
 */
export function btsnoopRecord(
  direction: 'tx' | 'rx',
  packet: HciPacket,
  timeMs: number,
  datalink: BtsnoopDatalinkValue = BtsnoopDatalink.H4,
): Uint8Array {
  const monitor = datalink === BtsnoopDatalink.LinuxMonitor;
  const data = monitor ? packet.data : encodeH4(packet);
  const record = new Uint8Array(24 + data.length);
  const view = new DataView(record.buffer);
  const controlOrEvent = packet.type === 'command' || packet.type === 'event';
  view.setUint32(0, data.length);
  view.setUint32(4, data.length);
  view.setUint32(
    8,
    monitor ? monitorOpcode(packet.type, direction) : (direction === 'rx' ? 1 : 0) | (controlOrEvent ? 2 : 0),
  );
  view.setUint32(12, 0);
  view.setBigUint64(16, BigInt(Math.round(timeMs * 1000)) + BTSNOOP_EPOCH_OFFSET_US);
  record.set(data, 24);
  return record;
}

/**
 * Where a {@link BtsnoopWriter} puts its octets when not a file: a test's buffer, say.
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const sink: BtsnoopSink = { write: (chunk) => chunks.push(chunk) };
 * ```
 */
export interface BtsnoopSink {
  /**
   * Takes the next octets of the capture, in order: the header, then one record a call.
   * @example
   * ```ts
   * const sink: BtsnoopSink = { write: (chunk) => socket.write(chunk) }; // a live capture to a viewer
   * ```
   */
  write(chunk: Uint8Array): void;
  /**
   * Called once by {@link BtsnoopWriter.close}.
   * @example
   * ```ts
   * const sink: BtsnoopSink = { write: (chunk) => stream.write(chunk), close: () => new Promise((done) => stream.end(done)) };
   * ```
   */
  close?(): void | Promise<void>;
}

/**
 * Writes HCI packets to a btsnoop capture (datalink 1002, H4): the header at
 * once, then one record per packet, appended synchronously so a capture cut
 * short by a crash still holds every packet recorded.
 * @example
 * ```ts
 * const writer = new BtsnoopWriter('pairing.btsnoop');
 * writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
 * writer.record('rx', { type: 'event', data: Uint8Array.of(0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00) });
 * await writer.close();
 * // tshark -r pairing.btsnoop
 * ```
 */
export class BtsnoopWriter {
  readonly #sink: BtsnoopSink;
  readonly #datalink: BtsnoopDatalinkValue;
  #closed = false;

  /**
   * `target`: a file path (created or truncated) or a sink; `datalink`: 1002
   * (H4, the default) or 2001 (Linux monitor). Throws when the file cannot be opened.
   */
  constructor(target: string | BtsnoopSink, datalink: BtsnoopDatalinkValue = BtsnoopDatalink.H4) {
    this.#datalink = datalink;
    if (typeof target === 'string') {
      const fd = openSync(target, 'w');
      this.#sink = {
        write: (chunk) => {
          let done = 0;
          while (done < chunk.length) done += writeSync(fd, chunk, done);
        },
        close: () => closeSync(fd),
      };
    } else {
      this.#sink = target;
    }
    this.#sink.write(btsnoopHeader(datalink));
  }

  /**
   * Records one packet sent to the controller (`tx`) or received from it
   * (`rx`), at `timeMs` (ms since the Unix epoch; default now). Ignored after close.
   * @example
   * ```ts
   * transport.onPacket((packet) => writer.record('rx', packet));
   * writer.record('tx', { type: 'command', data: encodeCommand({ name: 'reset' }) });
   * ```
   */
  record(direction: 'tx' | 'rx', packet: HciPacket, timeMs: number = Date.now()): void {
    if (this.#closed) return;
    this.#sink.write(btsnoopRecord(direction, packet, timeMs, this.#datalink));
  }

  /**
   * Closes the file (or the sink); safe to call more than once.
   * @example
   * ```ts
   * transport.onClose(() => void writer.close());
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sink.close?.();
  }
}
