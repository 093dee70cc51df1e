/**
 * A streaming pcap reader (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
 * either byte order, microsecond or nanosecond timestamps, any link type of
 * {@link LinkType}.
 * @module
 */
import { TraceReadError } from '../errors.js';
import type { TraceRecord } from '../model.js';
import { PendingOctets, u32 } from './buffer.js';
import { checkLinkType, frameRecord } from './link-types.js';

const HEADER = 24;
const RECORD_HEADER = 16;

/** The four magic numbers, as the first four octets read little-endian. */
const MAGIC: Readonly<Record<number, { littleEndian: boolean; nanos: boolean }>> = {
  2712847316: { littleEndian: true, nanos: false },
  3569595041: { littleEndian: false, nanos: false },
  2712812621: { littleEndian: true, nanos: true },
  1295823521: { littleEndian: false, nanos: true },
};

/** Reads pcap records from chunks of the file, in order. */
export class PcapReader {
  readonly format = 'pcap' as const;
  readonly unit = 'frame' as const;
  readonly #pending = new PendingOctets();
  #header: { littleEndian: boolean; nanos: boolean; linkType: number } | undefined;
  #frame = 0;

  /** The link type from the file header, once read. */
  get linkType(): number | undefined {
    return this.#header?.linkType;
  }

  /** Adds octets; returns the packets of every record they complete. */
  push(chunk: Uint8Array): TraceRecord[] {
    this.#pending.append(chunk);
    const out: TraceRecord[] = [];
    if (!this.#header) {
      if (this.#pending.available < HEADER) return out;
      const header = this.#pending.take(HEADER);
      const magic = MAGIC[u32(header, 0, true)];
      if (!magic) throw new TraceReadError('bad-header', 'not a pcap file', 0);
      const linkType = u32(header, 20, magic.littleEndian) & 0x0fffffff;
      checkLinkType(linkType, 20);
      this.#header = { ...magic, linkType };
    }
    const { littleEndian, nanos, linkType } = this.#header;
    for (;;) {
      const next = this.#pending.takeRecord(RECORD_HEADER, (h) => u32(h, 8, littleEndian), this.#frame + 1);
      if (!next) break;
      const { head, data } = next;
      this.#frame += 1;
      const time = u32(head, 0, littleEndian) + u32(head, 4, littleEndian) / (nanos ? 1e9 : 1e6);
      const record = frameRecord(linkType, data, this.#frame, time);
      if (record) out.push(record);
    }
    return out;
  }

  /** At the end of the file; throws `truncated` when it ends inside a record. */
  end(): TraceRecord[] {
    if (!this.#header && this.#pending.available > 0) {
      throw new TraceReadError('truncated', 'the pcap header is incomplete', 0);
    }
    this.#pending.finish('pcap record');
    return [];
  }
}
