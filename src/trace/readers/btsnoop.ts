/**
 * A streaming btsnoop reader (the format Android's HCI snoop log and
 * `btmon -w` write): datalink 1001 (HCI without indicator), 1002 (H4) and
 * 2001 (Linux monitor). All fields big-endian; timestamps in µs since 0 AD.
 * @module
 */
import { BTSNOOP_EPOCH_OFFSET_US } from '../btsnoop-writer.js';
import { TraceReadError } from '../errors.js';
import type { TraceRecord } from '../model.js';
import { otherChannelFrame } from './acl-filter.js';
import { MAX_RECORD, PendingOctets, u32 } from './buffer.js';
import { h4RecordIn, monitorRecord } from './link-types.js';

const HEADER = 16;
const RECORD_HEADER = 24;
const EPOCH_HIGH = Number(BTSNOOP_EPOCH_OFFSET_US >> 32n);
const EPOCH_LOW = Number(BTSNOOP_EPOCH_OFFSET_US & 0xffffffffn);

/** The btsnoop datalinks the reader knows (btsnoop format description; BlueZ `src/shared/btsnoop.h`). */
const DATALINKS = new Set([1001, 1002, 2001]);

/** Reads btsnoop records from chunks of the file, in order. */
export class BtsnoopReader {
  readonly format = 'btsnoop' as const;
  readonly unit = 'frame' as const;
  readonly #pending = new PendingOctets();
  readonly #smpOnly: boolean;
  #datalink: number | undefined;
  #frame = 0;
  #skipped = 0;

  /** `smpOnly`: leave out ACL packets no SMP audit needs (see {@link otherChannelFrame}). */
  constructor(options: { readonly smpOnly?: boolean } = {}) {
    this.#smpOnly = options.smpOnly ?? false;
  }

  /** Packets left out (`smpOnly`); frame numbers still count them. */
  get skipped(): number {
    return this.#skipped;
  }

  /** The datalink from the file header, once read. */
  get datalink(): number | undefined {
    return this.#datalink;
  }

  /** Adds octets; returns the packets of every record they complete. */
  push(chunk: Uint8Array): TraceRecord[] {
    this.#pending.append(chunk);
    const out: TraceRecord[] = [];
    if (this.#datalink === undefined) {
      if (this.#pending.available < HEADER) return out;
      const header = this.#pending.take(HEADER);
      const ident = String.fromCharCode(...header.subarray(0, 8));
      if (ident !== 'btsnoop\0') throw new TraceReadError('bad-header', 'not a btsnoop file', 0);
      const version = u32(header, 8, false);
      const datalink = u32(header, 12, false);
      if (version !== 1) throw new TraceReadError('bad-header', `btsnoop version ${version}, expected 1`, 8);
      if (!DATALINKS.has(datalink)) {
        throw new TraceReadError(
          'unsupported-link-type',
          `btsnoop datalink ${datalink} (known: 1001 HCI, 1002 H4, 2001 Linux monitor)`,
          12,
        );
      }
      this.#datalink = datalink;
    }
    // Records are parsed in place: the hot loop of a large capture makes one view per record, for its data.
    const pending = this.#pending;
    const bytes = pending.bytes;
    const first = pending.position;
    let position = first;
    try {
      for (;;) {
        if (bytes.length - position < RECORD_HEADER) break;
        const included = u32(bytes, position + 4, false);
        if (included > MAX_RECORD) {
          throw new TraceReadError(
            'bad-record',
            `record ${this.#frame + 1} claims ${included} octets`,
            pending.offset + (position - first),
          );
        }
        if (bytes.length - position < RECORD_HEADER + included) break;
        this.#frame += 1;
        const flags = u32(bytes, position + 8, false);
        // µs since the Unix epoch, exact in a double: subtract the 0 AD offset word by word.
        const micros =
          (u32(bytes, position + 16, false) - EPOCH_HIGH) * 0x100000000 +
          (u32(bytes, position + 20, false) - EPOCH_LOW);
        const start = position + RECORD_HEADER;
        position = start + included;
        const record = this.#record(flags, bytes, start, position, micros / 1e6);
        if (record) out.push(record);
      }
    } finally {
      pending.skip(position - first);
    }
    return out;
  }

  /** At the end of the file; throws `truncated` when it ends inside a record. */
  end(): TraceRecord[] {
    if (this.#datalink === undefined && this.#pending.available > 0) {
      throw new TraceReadError('truncated', 'the btsnoop header is incomplete', 0);
    }
    this.#pending.finish('btsnoop record');
    return [];
  }

  #record(
    flags: number,
    bytes: Uint8Array,
    start: number,
    end: number,
    time: number,
  ): TraceRecord | undefined {
    const at = this.#frame;
    if (this.#smpOnly && this.#skippable(flags, bytes, start, end)) {
      this.#skipped += 1;
      return undefined;
    }
    switch (this.#datalink) {
      case 1002:
        return h4RecordIn(bytes, start, end, flags & 1 ? 'rx' : 'tx', at, time);
      case 2001:
        return monitorRecord(flags & 0xffff, flags >>> 16, bytes.subarray(start, end), at, time);
      default: {
        // 1001: no indicator; flags bit 1 marks commands and events, bit 0 the direction.
        const type = flags & 2 ? (flags & 1 ? 'event' : 'command') : 'acl';
        const data = bytes.subarray(start, end);
        return { kind: 'hci', at, time, direction: flags & 1 ? 'rx' : 'tx', packet: { type, data } };
      }
    }
  }

  /** An ACL packet carrying a whole frame on another channel than SMP, in this datalink's framing. */
  #skippable(flags: number, bytes: Uint8Array, start: number, end: number): boolean {
    switch (this.#datalink) {
      case 1002:
        return bytes[start] === 0x02 && otherChannelFrame(bytes, start + 1, end);
      case 2001: {
        const opcode = flags & 0xffff;
        return (opcode === 4 || opcode === 5) && otherChannelFrame(bytes, start, end);
      }
      default:
        return (flags & 2) === 0 && otherChannelFrame(bytes, start, end);
    }
  }
}
