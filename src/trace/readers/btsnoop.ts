/**
 * A streaming btsnoop reader (the format Android's HCI snoop log and
 * `btmon -w` write): datalink 1001 (HCI without indicator), 1002 (H4) and
 * 2001 (Linux monitor). All fields big-endian; timestamps in µs since 0 AD.
 * @module
 */
import { BTSNOOP_EPOCH_OFFSET_US } from '../btsnoop-writer.js';
import { TraceReadError } from '../errors.js';
import type { TraceRecord } from '../model.js';
import { PendingOctets, u32 } from './buffer.js';
import { h4Record, monitorRecord } from './link-types.js';

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
  #datalink: number | undefined;
  #frame = 0;

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
    for (;;) {
      const next = this.#pending.takeRecord(RECORD_HEADER, (h) => u32(h, 4, false), this.#frame + 1);
      if (!next) break;
      const { head, data } = next;
      this.#frame += 1;
      const flags = u32(head, 8, false);
      // µs since the Unix epoch, exact in a double: subtract the 0 AD offset word by word.
      const micros = (u32(head, 16, false) - EPOCH_HIGH) * 0x100000000 + (u32(head, 20, false) - EPOCH_LOW);
      const time = micros / 1e6;
      const record = this.#record(flags, data, time);
      if (record) out.push(record);
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

  #record(flags: number, data: Uint8Array, time: number): TraceRecord | undefined {
    const at = this.#frame;
    switch (this.#datalink) {
      case 1002:
        return h4Record(data, flags & 1 ? 'rx' : 'tx', at, time);
      case 2001:
        return monitorRecord(flags & 0xffff, flags >>> 16, data, at, time);
      default: {
        // 1001: no indicator; flags bit 1 marks commands and events, bit 0 the direction.
        const type = flags & 2 ? (flags & 1 ? 'event' : 'command') : 'acl';
        return { kind: 'hci', at, time, direction: flags & 1 ? 'rx' : 'tx', packet: { type, data } };
      }
    }
  }
}
