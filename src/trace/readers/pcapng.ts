/**
 * A streaming pcapng reader (IETF draft-ietf-opsawg-pcapng): Section Header,
 * Interface Description, Enhanced, Simple and obsolete Packet blocks, either
 * byte order per section, interfaces of any link type of {@link LinkType}.
 * Other blocks are skipped.
 * @module
 */
import { TraceReadError } from '../errors.js';
import type { TraceRecord } from '../model.js';
import { PendingOctets, u16, u32 } from './buffer.js';
import { checkLinkType, frameRecord } from './link-types.js';

/** Block types (pcapng draft section 11.1). */
const Block = Object.freeze({
  SectionHeader: 0x0a0d0d0a,
  InterfaceDescription: 0x00000001,
  ObsoletePacket: 0x00000002,
  SimplePacket: 0x00000003,
  EnhancedPacket: 0x00000006,
} as const);
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MAX_BLOCK = 1 << 22;

interface Interface {
  readonly linkType: number;
  /** Timestamp units per second (if_tsresol; default 10^6). */
  readonly unitsPerSecond: number;
}

/** The if_tsresol option (code 9) of an Interface Description block, as units per second. */
function timestampResolution(options: Uint8Array, littleEndian: boolean): number {
  let offset = 0;
  while (offset + 4 <= options.length) {
    const code = u16(options, offset, littleEndian);
    const length = u16(options, offset + 2, littleEndian);
    if (code === 0) break;
    if (code === 9 && length >= 1 && offset + 4 < options.length) {
      const value = options[offset + 4]!;
      return value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
    }
    offset += 4 + ((length + 3) & ~3);
  }
  return 1e6;
}

/** Reads pcapng blocks from chunks of the file, in order. */
export class PcapngReader {
  readonly format = 'pcapng' as const;
  readonly unit = 'frame' as const;
  readonly #pending = new PendingOctets();
  #littleEndian: boolean | undefined;
  #interfaces: Interface[] = [];
  #frame = 0;

  /** Link types of the interfaces described so far. */
  get linkTypes(): number[] {
    return this.#interfaces.map((i) => i.linkType);
  }

  /** Adds octets; returns the packets of every block they complete. */
  push(chunk: Uint8Array): TraceRecord[] {
    this.#pending.append(chunk);
    const out: TraceRecord[] = [];
    while (this.#pending.available >= 12) {
      const head = this.#pending.peek(12);
      const at = this.#pending.offset;
      let littleEndian = this.#littleEndian;
      if (u32(head, 0, true) === Block.SectionHeader) {
        const magic = u32(head, 8, true);
        if (magic === BYTE_ORDER_MAGIC) littleEndian = true;
        else if (magic === 0x4d3c2b1a) littleEndian = false;
        else throw new TraceReadError('bad-header', 'pcapng section header without byte-order magic', at + 8);
      } else if (littleEndian === undefined) {
        throw new TraceReadError('bad-header', 'not a pcapng file (no section header first)', at);
      }
      const type = u32(head, 0, littleEndian);
      const length = u32(head, 4, littleEndian);
      if (length < 12 || length % 4 !== 0 || length > MAX_BLOCK) {
        throw new TraceReadError('bad-record', `pcapng block of impossible length ${length}`, at + 4);
      }
      if (this.#pending.available < length) break;
      const block = this.#pending.take(length);
      if (u32(block, length - 4, littleEndian) !== length) {
        throw new TraceReadError(
          'bad-record',
          'pcapng block trailer does not repeat its length',
          at + length - 4,
        );
      }
      const body = block.subarray(8, length - 4);
      const record = this.#block(type, body, littleEndian, at);
      if (record) out.push(record);
    }
    return out;
  }

  /** At the end of the file; throws `truncated` when it ends inside a block. */
  end(): TraceRecord[] {
    this.#pending.finish('pcapng block');
    return [];
  }

  #block(type: number, body: Uint8Array, littleEndian: boolean, at: number): TraceRecord | undefined {
    const short = () => new TraceReadError('bad-record', `pcapng block 0x${type.toString(16)} too short`, at);
    switch (type) {
      case Block.SectionHeader:
        this.#littleEndian = littleEndian;
        this.#interfaces = [];
        return undefined;
      case Block.InterfaceDescription: {
        if (body.length < 8) throw short();
        const linkType = u16(body, 0, littleEndian);
        checkLinkType(linkType, at + 8);
        this.#interfaces.push({
          linkType,
          unitsPerSecond: timestampResolution(body.subarray(8), littleEndian),
        });
        return undefined;
      }
      case Block.EnhancedPacket:
      case Block.ObsoletePacket: {
        if (body.length < 20) throw short();
        const id = type === Block.EnhancedPacket ? u32(body, 0, littleEndian) : u16(body, 0, littleEndian);
        const captured = u32(body, 12, littleEndian);
        if (20 + captured > body.length) throw short();
        return this.#packet(
          id,
          body.subarray(20, 20 + captured),
          u32(body, 4, littleEndian),
          u32(body, 8, littleEndian),
          at,
        );
      }
      case Block.SimplePacket: {
        if (body.length < 4) throw short();
        const captured = Math.min(u32(body, 0, littleEndian), body.length - 4);
        return this.#packet(0, body.subarray(4, 4 + captured), undefined, undefined, at);
      }
      default:
        return undefined;
    }
  }

  #packet(
    id: number,
    data: Uint8Array,
    high: number | undefined,
    low: number | undefined,
    at: number,
  ): TraceRecord | undefined {
    const description = this.#interfaces[id];
    if (!description) throw new TraceReadError('bad-record', `packet on undescribed interface ${id}`, at);
    this.#frame += 1;
    const time =
      high === undefined || low === undefined
        ? undefined
        : (high * 0x100000000 + low) / description.unitsPerSecond;
    return frameRecord(description.linkType, data, this.#frame, time);
  }
}
