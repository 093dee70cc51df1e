/**
 * L2CAP on LE-U (Core Vol 3 Part A): the fixed channels, the basic frame
 * (3.1) and reassembly of frames from ACL fragments. The channels a host
 * without a GATT server must still answer have their own modules:
 * le-signalling.ts and att.ts. Nothing here throws on input from the air.
 * @module
 */
import { PacketBoundary } from './acl.js';

/**
 * Fixed channel identifiers on LE-U (Vol 3 Part A 2.1, Table 2.3).
 * @example
 * ```ts
 * if (frame.cid === FixedChannel.Smp) session.receive(frame.payload);
 * ```
 */
export const FixedChannel = Object.freeze({
  Att: 0x0004,
  LeSignalling: 0x0005,
  Smp: 0x0006,
} as const);

/**
 * Octets in the basic L2CAP header: Length (2) and Channel ID (2), little-endian (3.1).
 * @example
 * ```ts
 * frame.length - L2CAP_HEADER_LENGTH; // the information payload's length
 * ```
 */
export const L2CAP_HEADER_LENGTH = 4;

/** One L2CAP basic frame (B-frame, 3.1): the channel and its information payload. */
export interface L2capFrame {
  readonly cid: number;
  readonly payload: Uint8Array;
}

/**
 * Encodes a basic frame: payload length (LE 2), channel ID (LE 2), payload (3.1).
 * @throws TypeError when the CID is not 16 bits or the payload exceeds 65535 octets (a caller's bug).
 * @example
 * ```ts
 * encodeL2cap(FixedChannel.Smp, Uint8Array.of(0x05, 0x04)); // Uint8Array [2, 0, 6, 0, 5, 4]
 * ```
 */
export function encodeL2cap(cid: number, payload: Uint8Array): Uint8Array {
  if (!Number.isInteger(cid) || cid < 0 || cid > 0xffff) {
    throw new TypeError(`encodeL2cap: cid must be an integer from 0 to 65535, got ${cid}`);
  }
  if (!(payload instanceof Uint8Array) || payload.length > 0xffff) {
    throw new TypeError('encodeL2cap: payload must be a Uint8Array of at most 65535 octets');
  }
  const out = new Uint8Array(L2CAP_HEADER_LENGTH + payload.length);
  out[0] = payload.length & 0xff;
  out[1] = payload.length >> 8;
  out[2] = cid & 0xff;
  out[3] = cid >> 8;
  out.set(payload, L2CAP_HEADER_LENGTH);
  return out;
}

/** Why the reassembler discarded octets. */
export type ReassemblyError =
  /** A continuing fragment (PB 0b01) arrived with no frame started. */
  | 'continuation-without-start'
  /** A frame's fragments carried more octets than its header's length. */
  | 'overlong'
  /** A start fragment arrived before the previous frame was complete; the new start is kept. */
  | 'start-before-complete'
  /** The header announces a payload larger than the reassembler accepts. */
  | 'too-large'
  /** The packet boundary flag is 0b11 (AMP, not used on LE) or not a 2-bit value. */
  | 'reserved-boundary';

/** The outcome of {@link L2capReassembler.push}: a completed frame, if any, and what was discarded. */
export type ReassemblyResult =
  | { readonly ok: true; readonly frame: L2capFrame | undefined }
  | {
      readonly ok: false;
      readonly error: ReassemblyError;
      readonly message: string;
      /** Octets thrown away. */
      readonly dropped: number;
      /** Only after `start-before-complete`: the frame the new start completed on its own, if it did. */
      readonly frame: L2capFrame | undefined;
    };

/** Options of {@link L2capReassembler}. */
export interface ReassemblerOptions {
  /** The largest information payload accepted, in octets (default and maximum 65535). */
  readonly maxPayload?: number;
}

/**
 * Rebuilds L2CAP basic frames from the ACL payloads of one connection handle
 * (Vol 3 Part A 7.2.2; Vol 4 Part E 5.4.2). A start fragment (PB 0b00 or 0b10)
 * opens a frame and continuing fragments (0b01) extend it until the header's
 * length is met. It copes with a header split across fragments. Broken input
 * never throws: the partial frame is dropped and the result says why.
 * @example
 * ```ts
 * const reassemblers = new Map<number, L2capReassembler>();
 * function onAcl(bytes: Uint8Array) {
 *   const acl = decodeAcl(bytes);
 *   if (!acl.ok) return log(acl.message);
 *   const { handle, pb, data } = acl.packet;
 *   let r = reassemblers.get(handle);
 *   if (!r) reassemblers.set(handle, (r = new L2capReassembler()));
 *   const result = r.push(pb, data);
 *   if (!result.ok) log(result.message);
 *   if (result.frame) route(handle, result.frame);
 * }
 * ```
 */
export class L2capReassembler {
  readonly #maxPayload: number;
  #parts: Uint8Array[] | undefined;
  #received = 0;
  /** Header plus payload, once the 4 header octets are in. */
  #expected: number | undefined;

  /** @throws TypeError when `maxPayload` is not an integer from 0 to 65535. */
  constructor(options: ReassemblerOptions = {}) {
    const max = options.maxPayload ?? 0xffff;
    if (!Number.isInteger(max) || max < 0 || max > 0xffff) {
      throw new TypeError(`L2capReassembler: maxPayload must be an integer from 0 to 65535, got ${max}`);
    }
    this.#maxPayload = max;
  }

  /** Octets held for an incomplete frame. */
  get pending(): number {
    return this.#received;
  }

  /**
   * Feeds the payload of one ACL packet with its packet boundary flag.
   * @example
   * ```ts
   * reassembler.push(PacketBoundary.FirstFlushable, firstFragment); // { ok: true, frame: undefined }
   * reassembler.push(PacketBoundary.Continuing, lastFragment); // { ok: true, frame: { cid: 6, payload } }
   * ```
   */
  push(pb: number, data: Uint8Array): ReassemblyResult {
    if (pb === PacketBoundary.FirstNonFlushable || pb === PacketBoundary.FirstFlushable) {
      const open = this.#parts !== undefined;
      const previous = this.reset();
      const result = this.#append(data);
      if (!open) return result;
      const message = `L2CAP: new start fragment with ${previous} octets of the previous frame unfinished`;
      if (!result.ok)
        return { ...result, message: `${message}; ${result.message}`, dropped: previous + result.dropped };
      return { ok: false, error: 'start-before-complete', message, dropped: previous, frame: result.frame };
    }
    if (pb === PacketBoundary.Continuing) {
      if (this.#parts === undefined) {
        return fail(
          'continuation-without-start',
          'L2CAP: continuing fragment with no frame started',
          data.length,
        );
      }
      return this.#append(data);
    }
    return fail(
      'reserved-boundary',
      `L2CAP: packet boundary flag ${String(pb)} is not used on LE`,
      data.length,
    );
  }

  /**
   * Drops any partial frame (for instance on disconnection); returns the octets dropped.
   * @example
   * ```ts
   * reassembler.reset(); // 27
   * ```
   */
  reset(): number {
    const dropped = this.#received;
    this.#parts = undefined;
    this.#received = 0;
    this.#expected = undefined;
    return dropped;
  }

  #append(data: Uint8Array): ReassemblyResult {
    const parts = this.#parts ?? [];
    this.#parts = parts;
    parts.push(data);
    this.#received += data.length;
    if (this.#expected === undefined && this.#received >= L2CAP_HEADER_LENGTH) {
      const header = join(parts, L2CAP_HEADER_LENGTH);
      const length = header[0]! | (header[1]! << 8);
      if (length > this.#maxPayload) {
        return fail(
          'too-large',
          `L2CAP: frame of ${length} octets exceeds the maximum of ${this.#maxPayload}`,
          this.reset(),
        );
      }
      this.#expected = L2CAP_HEADER_LENGTH + length;
    }
    if (this.#expected === undefined || this.#received < this.#expected)
      return { ok: true, frame: undefined };
    if (this.#received > this.#expected) {
      const message = `L2CAP: ${this.#received} octets for a frame of ${this.#expected}`;
      return fail('overlong', message, this.reset());
    }
    const whole = join(parts, this.#received);
    this.reset();
    return {
      ok: true,
      frame: { cid: whole[2]! | (whole[3]! << 8), payload: whole.subarray(L2CAP_HEADER_LENGTH) },
    };
  }
}

function fail(error: ReassemblyError, message: string, dropped: number): ReassemblyResult {
  return { ok: false, error, message, dropped, frame: undefined };
}

/** The first `length` octets of the concatenated parts, in a new array. */
function join(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    const take = part.subarray(0, length - offset);
    out.set(take, offset);
    offset += take.length;
  }
  return out;
}
