/**
 * HCI ACL data packets (Core Vol 4 Part E 5.4.2): the header codec, the split of
 * an L2CAP PDU into packets that fit the controller's LE ACL buffers, and the
 * host's side of ACL flow control (Vol 4 Part E 4.1.1, 4.3). Sans-I/O: nothing
 * here reads a socket or starts a timer.
 * @module
 */

/**
 * Packet_Boundary_Flag values (Vol 4 Part E 5.4.2). A host sends the first
 * packet of an L2CAP PDU with `FirstNonFlushable` on LE; controllers deliver
 * first packets with `FirstFlushable`. `Complete` (0b11) belongs to AMP and is
 * not used on LE.
 * @example
 * ```ts
 * fragment(0x0040, pdu, 27).map((p) => decodeAcl(p)); // pb: FirstNonFlushable, then Continuing
 * ```
 */
export const PacketBoundary = Object.freeze({
  FirstNonFlushable: 0b00,
  Continuing: 0b01,
  FirstFlushable: 0b10,
  Complete: 0b11,
} as const);

/**
 * Broadcast_Flag values (Vol 4 Part E 5.4.2). LE links are always point to point.
 * @example
 * ```ts
 * encodeAcl({ handle: 0x40, pb: 0, bc: BroadcastFlag.PointToPoint, data });
 * ```
 */
export const BroadcastFlag = Object.freeze({
  PointToPoint: 0b00,
  BrEdrBroadcast: 0b01,
} as const);

/**
 * Octets in the ACL header: handle and flags (2), Data_Total_Length (2).
 * @example
 * ```ts
 * packet.length - ACL_HEADER_LENGTH; // the payload's length
 * ```
 */
export const ACL_HEADER_LENGTH = 4;

/**
 * The largest connection handle; 0x0F00..0x0FFF are reserved (Vol 4 Part E 5.4.2).
 * @example
 * ```ts
 * if (handle > MAX_HANDLE) throw new RangeError('not a connection handle');
 * ```
 */
export const MAX_HANDLE = 0x0eff;

/** One ACL data packet, the payload in wire order. */
export interface AclPacket {
  /** Connection_Handle, 12 bits. */
  readonly handle: number;
  /** Packet_Boundary_Flag, 2 bits ({@link PacketBoundary}). */
  readonly pb: number;
  /** Broadcast_Flag, 2 bits ({@link BroadcastFlag}). */
  readonly bc: number;
  /** The payload (a fragment of an L2CAP PDU); its length is Data_Total_Length. */
  readonly data: Uint8Array;
}

/** The outcome of {@link decodeAcl}. */
export type AclDecodeResult =
  | { readonly ok: true; readonly packet: AclPacket }
  | { readonly ok: false; readonly message: string };

/**
 * Encodes an ACL data packet: handle and flags (little-endian, handle in bits
 * 0-11, PB in 12-13, BC in 14-15), Data_Total_Length, then the payload.
 * @throws TypeError when a field is out of range (a caller's bug, never peer input).
 * @example
 * ```ts
 * encodeAcl({ handle: 0x0040, pb: PacketBoundary.FirstNonFlushable, bc: 0, data: Uint8Array.of(0xaa) });
 * // Uint8Array [0x40, 0x00, 0x01, 0x00, 0xaa]
 * ```
 */
export function encodeAcl(packet: AclPacket): Uint8Array {
  integer('encodeAcl', 'handle', packet.handle, 0x0fff);
  integer('encodeAcl', 'pb', packet.pb, 0b11);
  integer('encodeAcl', 'bc', packet.bc, 0b11);
  if (!(packet.data instanceof Uint8Array) || packet.data.length > 0xffff) {
    throw new TypeError('encodeAcl: data must be a Uint8Array of at most 65535 octets');
  }
  const out = new Uint8Array(ACL_HEADER_LENGTH + packet.data.length);
  const word = packet.handle | (packet.pb << 12) | (packet.bc << 14);
  out[0] = word & 0xff;
  out[1] = word >> 8;
  out[2] = packet.data.length & 0xff;
  out[3] = packet.data.length >> 8;
  out.set(packet.data, ACL_HEADER_LENGTH);
  return out;
}

/**
 * Decodes one ACL data packet (as framed by H4, without the indicator). Never
 * throws: a packet shorter than its header, or whose Data_Total_Length is not
 * the number of octets that follow, gives `ok: false`. The payload is a copy.
 * @example
 * ```ts
 * const result = decodeAcl(Uint8Array.of(0x40, 0x20, 0x01, 0x00, 0xaa));
 * if (result.ok) result.packet; // { handle: 0x40, pb: 0b10, bc: 0, data: Uint8Array [0xaa] }
 * ```
 */
export function decodeAcl(bytes: Uint8Array): AclDecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'ACL: not a Uint8Array' };
  if (bytes.length < ACL_HEADER_LENGTH) {
    return { ok: false, message: `ACL: ${bytes.length} octets, shorter than the 4-octet header` };
  }
  const word = bytes[0]! | (bytes[1]! << 8);
  const length = bytes[2]! | (bytes[3]! << 8);
  if (bytes.length - ACL_HEADER_LENGTH !== length) {
    return {
      ok: false,
      message: `ACL: Data_Total_Length ${length}, but ${bytes.length - ACL_HEADER_LENGTH} octets follow`,
    };
  }
  return {
    ok: true,
    packet: {
      handle: word & 0x0fff,
      pb: (word >> 12) & 0b11,
      bc: (word >> 14) & 0b11,
      data: Uint8Array.prototype.slice.call(bytes, ACL_HEADER_LENGTH),
    },
  };
}

/**
 * Splits an L2CAP PDU into ACL packets whose payloads are at most `bufferSize`
 * octets (the controller's LE_ACL_Data_Packet_Length, 27 or more on LE; Vol 4
 * Part E 7.8.2). The first packet carries PB 0b00 (first non-flushable, host to
 * controller), the others 0b01 (continuing), as Vol 4 Part E 5.4.2 requires on LE.
 * @throws TypeError when the handle, the buffer size or the PDU is unusable (a caller's bug).
 * @example
 * ```ts
 * // An SMP Public Key PDU with its L2CAP header: 69 octets -> payloads of 27, 27 and 15.
 * const packets = fragment(0x0040, encodeL2cap(FixedChannel.Smp, publicKeyPdu), 27);
 * packets.length; // 3
 * ```
 */
export function fragment(handle: number, l2capPdu: Uint8Array, bufferSize: number): Uint8Array[] {
  integer('fragment', 'handle', handle, MAX_HANDLE);
  integer('fragment', 'bufferSize', bufferSize, 0xffff, 1);
  if (!(l2capPdu instanceof Uint8Array) || l2capPdu.length === 0) {
    throw new TypeError('fragment: the L2CAP PDU must be a non-empty Uint8Array');
  }
  const packets: Uint8Array[] = [];
  for (let offset = 0; offset < l2capPdu.length; offset += bufferSize) {
    packets.push(
      encodeAcl({
        handle,
        pb: offset === 0 ? PacketBoundary.FirstNonFlushable : PacketBoundary.Continuing,
        bc: BroadcastFlag.PointToPoint,
        data: l2capPdu.subarray(offset, offset + bufferSize),
      }),
    );
  }
  return packets;
}

/** What {@link AclFlowControl.completed} did with a Number of Completed Packets entry. */
export type CompletedResult =
  | { readonly ok: true; readonly returned: number }
  | {
      readonly ok: false;
      /** `unknown-handle`: no packets were ever sent on it, or it was disconnected. */
      readonly reason: 'unknown-handle' | 'more-than-outstanding' | 'invalid-count';
      /** Credits given back: the handle's outstanding packets when the count exceeded them, else 0. */
      readonly returned: number;
      /** The part of the count that was ignored. */
      readonly ignored: number;
    };

/** What {@link AclFlowControl.disconnected} released. */
export interface DisconnectedResult {
  /** Queued packets of the handle that were dropped unsent. */
  readonly dropped: number;
  /** Credits given back for its packets still in the controller. */
  readonly returned: number;
}

interface Link {
  readonly queue: Uint8Array[];
  /** Index of the next packet of `queue` to send (avoids shifting the array on every packet). */
  head: number;
  /** Packets sent to the controller and not yet reported completed. */
  outstanding: number;
}

/**
 * The host's side of packet-based ACL flow control (Vol 4 Part E 4.1.1): the
 * controller has `total` LE ACL buffers (Total_Num_LE_ACL_Data_Packets); each
 * packet sent takes one, and Number of Completed Packets events give them back.
 * Sans-I/O: the host calls {@link AclFlowControl.next} and writes what it gets.
 *
 * Scheduling is round-robin across handles, one packet at a time, in the order
 * the handles first had packets queued; within a handle packets leave in the
 * order they were queued. A large transfer on one link therefore cannot starve
 * the others, and fragments of different handles interleave (the controller
 * reassembles per handle). Invariant: `inFlight <= total`, always.
 * @example
 * ```ts
 * const flow = new AclFlowControl(8); // from LE Read Buffer Size
 * flow.enqueue(0x0040, fragment(0x0040, frame, 27));
 * for (let p = flow.next(); p; p = flow.next()) transport.write(encodeH4({ type: 'acl', data: p }));
 * // on Number of Completed Packets: flow.completed(handle, count), then drain next() again
 * ```
 */
export class AclFlowControl {
  readonly #total: number;
  #inFlight = 0;
  /** Links in round-robin order; the first is served next. */
  readonly #links = new Map<number, Link>();

  /**
   * @param total the controller's number of LE ACL data buffers, an integer from 1.
   * @throws TypeError when `total` is not a positive integer.
   */
  constructor(total: number) {
    integer('AclFlowControl', 'total', total, Number.MAX_SAFE_INTEGER, 1);
    this.#total = total;
  }

  /** The controller's buffer count, fixed at construction. */
  get total(): number {
    return this.#total;
  }

  /** Packets given out by {@link next} and not yet completed: never more than {@link total}. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Credits left: how many more packets {@link next} may give out now. */
  get available(): number {
    return this.#total - this.#inFlight;
  }

  /** Packets waiting, over all handles. */
  get queued(): number {
    let count = 0;
    for (const link of this.#links.values()) count += link.queue.length - link.head;
    return count;
  }

  /** Packets of one handle sent and not yet completed. */
  outstanding(handle: number): number {
    return this.#links.get(handle)?.outstanding ?? 0;
  }

  /**
   * Queues ACL packets (as made by {@link fragment}) for a handle, after any it already has.
   * @throws TypeError when the handle is out of range (a caller's bug).
   */
  enqueue(handle: number, packets: readonly Uint8Array[]): void {
    integer('AclFlowControl.enqueue', 'handle', handle, MAX_HANDLE);
    let link = this.#links.get(handle);
    if (!link) {
      link = { queue: [], head: 0, outstanding: 0 };
      this.#links.set(handle, link);
    }
    link.queue.push(...packets);
  }

  /** The next packet to write to the controller, or `undefined` when no credit is left or nothing is queued. */
  next(): Uint8Array | undefined {
    if (this.#inFlight >= this.#total) return undefined;
    for (const [handle, link] of this.#links) {
      if (link.head >= link.queue.length) continue;
      const packet = link.queue[link.head]!;
      link.head++;
      if (link.head === link.queue.length) {
        link.queue.length = 0;
        link.head = 0;
      }
      link.outstanding++;
      this.#inFlight++;
      // Round robin: the link just served goes to the back.
      this.#links.delete(handle);
      this.#links.set(handle, link);
      return packet;
    }
    return undefined;
  }

  /**
   * Applies one (handle, count) entry of a Number of Completed Packets event
   * (Vol 4 Part E 7.7.19). A handle never queued, or already disconnected (its
   * credits came back then), is ignored: `unknown-handle`. A count above the
   * handle's outstanding packets gives back those outstanding and ignores the
   * excess (`more-than-outstanding`, as Linux clamps), so credits never exceed
   * the total and a controller's miscount cannot stall the link forever.
   * @example
   * ```ts
   * for (const { handle, count } of event.entries) flow.completed(handle, count);
   * ```
   */
  completed(handle: number, count: number): CompletedResult {
    if (!Number.isInteger(count) || count < 0) {
      return { ok: false, reason: 'invalid-count', returned: 0, ignored: Number.isFinite(count) ? count : 0 };
    }
    const link = this.#links.get(handle);
    if (!link) return { ok: false, reason: 'unknown-handle', returned: 0, ignored: count };
    const returned = Math.min(count, link.outstanding);
    link.outstanding -= returned;
    this.#inFlight -= returned;
    if (returned < count) {
      return { ok: false, reason: 'more-than-outstanding', returned, ignored: count - returned };
    }
    return { ok: true, returned };
  }

  /**
   * Forgets a handle after Disconnection Complete: drops its queued packets
   * and gives back the credits of its packets still in the controller, which
   * the controller counts as completed (Vol 4 Part E 4.3).
   * @example
   * ```ts
   * flow.disconnected(0x0040); // { dropped: 2, returned: 3 }
   * ```
   */
  disconnected(handle: number): DisconnectedResult {
    const link = this.#links.get(handle);
    if (!link) return { dropped: 0, returned: 0 };
    this.#links.delete(handle);
    this.#inFlight -= link.outstanding;
    return { dropped: link.queue.length - link.head, returned: link.outstanding };
  }
}

function integer(where: string, name: string, value: number, max: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${where}: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
