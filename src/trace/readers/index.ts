/**
 * One streaming reader for every capture format: it sniffs the format from
 * the first octets and hands the rest to the right reader.
 * @module
 */
import { TraceReadError } from '../errors.js';
import type { TraceFormat, TraceRecord, TraceUnit } from '../model.js';
import { BtmonTextReader } from './btmon-text.js';
import { BtsnoopReader } from './btsnoop.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';

/** A reader of one capture format, fed the file in chunks. */
export interface FormatReader {
  readonly format: TraceFormat;
  readonly unit: TraceUnit;
  /** Packets left out as the options asked (btsnoop with `smpOnly`). */
  readonly skipped?: number;
  push(chunk: Uint8Array): TraceRecord[];
  end(): TraceRecord[];
}

/** Options of {@link TraceReader}. */
export interface TraceReaderOptions {
  /**
   * Leave out the ACL packets an SMP audit never needs (a whole L2CAP frame
   * in one packet, on another channel than SMP), before a record is made of
   * them: most of a large btsnoop capture. Frame numbers are those of the
   * capture; {@link TraceReader.packets} counts the packets left out too.
   * Applies to btsnoop captures; other formats are read whole.
   */
  readonly smpOnly?: boolean;
}

const SNIFF = 8;

/** The format of a capture from its first octets (at least 8, or the whole file if shorter). */
function sniff(head: Uint8Array, options: TraceReaderOptions): FormatReader {
  const word = (head[0]! | (head[1]! << 8) | (head[2]! << 16)) + head[3]! * 0x1000000;
  if (String.fromCharCode(...head.subarray(0, 8)) === 'btsnoop\0') return new BtsnoopReader(options);
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(word)) return new PcapReader();
  if (word === 0x0a0d0d0a) return new PcapngReader();
  // Text: printable ASCII or UTF-8, tabs and line ends only.
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f))) {
    return new BtmonTextReader();
  }
  throw new TraceReadError('unknown-format', 'not a btmon text, btsnoop, pcap or pcapng capture', 0);
}

/**
 * Reads any supported capture from chunks: btmon text, btsnoop (1001, 1002,
 * 2001), pcap and pcapng (link types 187, 201, 251, 254, 256, 192 PPI around
 * 147). Throws {@link TraceReadError} for anything else, for malformed
 * headers and records, and (from `end`) for a capture cut short.
 * @example
 * ```ts
 * const reader = new TraceReader();
 * for await (const chunk of createReadStream('pairing.btsnoop')) handle(reader.push(chunk));
 * handle(reader.end());
 * ```
 */
export class TraceReader {
  readonly #options: TraceReaderOptions;
  #reader: FormatReader | undefined;
  #head: Uint8Array[] = [];
  #headLength = 0;
  #returned = 0;

  constructor(options: TraceReaderOptions = {}) {
    this.#options = options;
  }

  /**
   * Packets read so far: those returned, and those left out (`smpOnly`).
   * @example
   * ```ts
   * const reader = new TraceReader({ smpOnly: true });
   * reader.push(bytes);
   * reader.packets; // every packet of the capture so far, skipped ones included
   * ```
   */
  get packets(): number {
    return this.#returned + (this.#reader?.skipped ?? 0);
  }

  /** The format, once known (after the first 8 octets). */
  get format(): TraceFormat | undefined {
    return this.#reader?.format;
  }

  /** How packets are numbered: by line (text) or frame (binary); `frame` until the format is known. */
  get unit(): TraceUnit {
    return this.#reader?.unit ?? 'frame';
  }

  /**
   * Adds octets; returns the packets they complete (none until the format is known).
   * @example
   * ```ts
   * socket.on('data', (chunk: Uint8Array) => auditor.push(reader.push(chunk), reader.unit));
   * ```
   */
  push(chunk: Uint8Array): TraceRecord[] {
    if (this.#reader) return this.#count(this.#reader.push(chunk));
    this.#head.push(chunk);
    this.#headLength += chunk.length;
    if (this.#headLength < SNIFF) return [];
    return this.#count(this.#start());
  }

  #count(records: TraceRecord[]): TraceRecord[] {
    this.#returned += records.length;
    return records;
  }

  /**
   * Ends the input; returns the last packets or throws {@link TraceReadError}.
   * @example
   * ```ts
   * auditor.push(reader.end(), reader.unit); // a capture cut short mid-record throws, code 'truncated'
   * ```
   */
  end(): TraceRecord[] {
    if (!this.#reader) {
      if (this.#headLength === 0) throw new TraceReadError('unknown-format', 'the capture is empty', 0);
      const first = this.#start();
      return this.#count([...first, ...this.#reader!.end()]);
    }
    return this.#count(this.#reader.end());
  }

  #start(): TraceRecord[] {
    const head = new Uint8Array(this.#headLength);
    let offset = 0;
    for (const part of this.#head) {
      head.set(part, offset);
      offset += part.length;
    }
    this.#head = [];
    this.#reader = sniff(head.subarray(0, Math.min(head.length, SNIFF)), this.#options);
    return this.#reader.push(head);
  }
}

/**
 * Reads a whole capture held in memory.
 * @example
 * ```ts
 * const { format, unit, records } = readTrace(readFileSync('btmon.txt'));
 * ```
 */
export function readTrace(bytes: Uint8Array): {
  format: TraceFormat;
  unit: TraceUnit;
  records: TraceRecord[];
} {
  const reader = new TraceReader();
  const records = reader.push(bytes);
  records.push(...reader.end());
  return { format: reader.format!, unit: reader.unit, records };
}
