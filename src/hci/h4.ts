/**
 * H4 framing (Core Vol 4 Part A, UART transport): each HCI packet is preceded
 * by one indicator octet. The parser copes with any split or coalescing of
 * reads, and reports a stream it cannot frame instead of throwing.
 * @module
 */

/**
 * H4 packet indicators (Vol 4 Part A 2).
 * @example
 * ```ts
 * if (chunk[0] === H4Indicator.Event) console.log('an HCI event');
 * ```
 */
export const H4Indicator = Object.freeze({
  Command: 0x01,
  Acl: 0x02,
  Sco: 0x03,
  Event: 0x04,
  Iso: 0x05,
} as const);

/** The kinds of HCI packet. */
export type HciPacketType = 'command' | 'acl' | 'sco' | 'event' | 'iso';

/** One HCI packet, without its H4 indicator. */
export interface HciPacket {
  readonly type: HciPacketType;
  readonly data: Uint8Array;
}

/** Header length and where the payload length sits, per packet type (Vol 4 Part E 5.4). */
const LAYOUT: Readonly<
  Record<number, { type: HciPacketType; header: number; length: (h: Uint8Array) => number }>
> = {
  [H4Indicator.Command]: { type: 'command', header: 3, length: (h) => h[2]! },
  [H4Indicator.Acl]: { type: 'acl', header: 4, length: (h) => h[2]! | (h[3]! << 8) },
  [H4Indicator.Sco]: { type: 'sco', header: 3, length: (h) => h[2]! },
  [H4Indicator.Event]: { type: 'event', header: 2, length: (h) => h[1]! },
  [H4Indicator.Iso]: { type: 'iso', header: 4, length: (h) => h[2]! | ((h[3]! & 0x3f) << 8) },
};
const INDICATOR_OF: Readonly<Record<HciPacketType, number>> = {
  command: H4Indicator.Command,
  acl: H4Indicator.Acl,
  sco: H4Indicator.Sco,
  event: H4Indicator.Event,
  iso: H4Indicator.Iso,
};

/** What the parser made of a chunk: complete packets, and an error if the stream broke. */
export interface H4ParseResult {
  readonly packets: HciPacket[];
  /** Set when an octet that is no packet indicator arrived where one was due; the stream is out of step. */
  readonly error?: string;
}

/**
 * A streaming H4 parser: feed it whatever the transport read; it returns every
 * packet completed so far and keeps the rest.
 * @example
 * ```ts
 * const parser = new H4Parser();
 * socket.on('data', (chunk) => {
 *   const { packets, error } = parser.push(chunk);
 *   if (error) socket.destroy(new Error(error));
 *   for (const packet of packets) handle(packet);
 * });
 * ```
 */
export class H4Parser {
  #buffer = new Uint8Array(0);
  #broken: string | undefined;

  /**
   * Adds octets; returns the packets they complete. After an error every later push returns it again.
   * @example
   * ```ts
   * parser.push(Uint8Array.of(0x04, 0x0e, 0x04, 0x01)); // { packets: [] }: the event is not complete yet
   * parser.push(Uint8Array.of(0x03, 0x0c, 0x00)).packets; // [{ type: 'event', data: 0e 04 01 03 0c 00 }]
   * ```
   */
  push(chunk: Uint8Array): H4ParseResult {
    if (this.#broken) return { packets: [], error: this.#broken };
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const packets: HciPacket[] = [];
    let offset = 0;
    for (;;) {
      if (offset >= joined.length) break;
      const layout = LAYOUT[joined[offset]!];
      if (!layout) {
        this.#broken = `H4: octet 0x${joined[offset]!.toString(16).padStart(2, '0')} is no packet indicator`;
        this.#buffer = new Uint8Array(0);
        return { packets, error: this.#broken };
      }
      const headerEnd = offset + 1 + layout.header;
      if (joined.length < headerEnd) break;
      const end = headerEnd + layout.length(joined.subarray(offset + 1, headerEnd));
      if (joined.length < end) break;
      packets.push({ type: layout.type, data: joined.slice(offset + 1, end) });
      offset = end;
    }
    this.#buffer = joined.slice(offset);
    return { packets };
  }

  /** Octets held for an incomplete packet. */
  get pending(): number {
    return this.#buffer.length;
  }
}

/**
 * One packet with its H4 indicator, ready to write to a UART or socket.
 * @example
 * ```ts
 * socket.write(encodeH4({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) })); // HCI_Reset
 * ```
 */
export function encodeH4(packet: HciPacket): Uint8Array {
  const out = new Uint8Array(packet.data.length + 1);
  out[0] = INDICATOR_OF[packet.type];
  out.set(packet.data, 1);
  return out;
}
