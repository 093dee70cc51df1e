/**
 * The octets a streaming binary reader has received but not yet consumed:
 * chunks are appended, whole records are taken from the front. Only the
 * unconsumed tail of a chunk is ever copied.
 * @module
 */
import { TraceReadError } from '../errors.js';

/** No record in a real capture is this large; a larger length means a corrupt file. */
export const MAX_RECORD = 1 << 20;

/** A growable window over the input stream, with the absolute offset of its first octet. */
export class PendingOctets {
  #buffer: Uint8Array = new Uint8Array(0);
  #position = 0;
  #base = 0;

  /** Appends a chunk. */
  append(chunk: Uint8Array): void {
    if (this.#position >= this.#buffer.length) {
      this.#base += this.#buffer.length;
      this.#buffer = chunk;
    } else {
      const rest = this.#buffer.subarray(this.#position);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest);
      joined.set(chunk, rest.length);
      this.#base += this.#position;
      this.#buffer = joined;
    }
    this.#position = 0;
  }

  /** Octets available. */
  get available(): number {
    return this.#buffer.length - this.#position;
  }

  /** Absolute stream offset of the next octet. */
  get offset(): number {
    return this.#base + this.#position;
  }

  /**
   * The octets held and where the unconsumed ones start, for a reader that
   * parses records in place (no view per header); it then calls `skip`.
   */
  get bytes(): Uint8Array {
    return this.#buffer;
  }

  /** Index in {@link PendingOctets.bytes} of the next unconsumed octet. */
  get position(): number {
    return this.#position;
  }

  /** Consumes `length` octets (caller checks `available`). */
  skip(length: number): void {
    this.#position += length;
  }

  /** A view of the next `length` octets without consuming them (caller checks `available`). */
  peek(length: number): Uint8Array {
    return this.#buffer.subarray(this.#position, this.#position + length);
  }

  /** Consumes and returns the next `length` octets (a view). */
  take(length: number): Uint8Array {
    const view = this.peek(length);
    this.#position += length;
    return view;
  }

  /**
   * The next record with a fixed-size header whose included length sits at
   * `lengthAt` (as `lengthOf` reads it): header and data views, or undefined
   * until all its octets are in. Throws `bad-record` for an impossible length.
   */
  takeRecord(
    headerLength: number,
    lengthOf: (head: Uint8Array) => number,
    record: number,
  ): { head: Uint8Array; data: Uint8Array } | undefined {
    if (this.available < headerLength) return undefined;
    const head = this.peek(headerLength);
    const included = lengthOf(head);
    if (included > MAX_RECORD) {
      throw new TraceReadError('bad-record', `record ${record} claims ${included} octets`, this.offset);
    }
    if (this.available < headerLength + included) return undefined;
    this.take(headerLength);
    return { head, data: this.take(included) };
  }

  /** At the end of the input: throws `truncated` when octets of an incomplete unit remain. */
  finish(what: string): void {
    if (this.available > 0) {
      throw new TraceReadError(
        'truncated',
        `the capture ends inside a ${what}: ${this.available} octets left over`,
        this.offset,
      );
    }
  }
}

/** A 32-bit unsigned integer at `offset`, big- or little-endian. */
export function u32(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const a = bytes[offset]!;
  const b = bytes[offset + 1]!;
  const c = bytes[offset + 2]!;
  const d = bytes[offset + 3]!;
  return littleEndian
    ? (a | (b << 8) | (c << 16)) + d * 0x1000000
    : ((b << 16) | (c << 8) | d) + a * 0x1000000;
}

/** A 16-bit unsigned integer at `offset`. */
export function u16(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  return littleEndian
    ? bytes[offset]! | (bytes[offset + 1]! << 8)
    : (bytes[offset]! << 8) | bytes[offset + 1]!;
}
