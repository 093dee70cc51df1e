/**
 * L2CAP on LE-U (Core Vol 3 Part A): the basic frame (3.1), reassembly of
 * frames from ACL fragments, and two small sans-I/O responders so that a host
 * with no GATT server and no credit-based channels still answers its peer as
 * the spec requires: the LE signalling channel (4) and "Request Not Supported"
 * on ATT (Vol 3 Part F 3.4.1.1). Nothing here throws on input from the air.
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

// ---------------------------------------------------------------------------
// LE signalling channel (CID 0x0005)

/**
 * Signalling command codes (Vol 3 Part A 4, Table 4.2) that may appear on the
 * LE signalling channel.
 * @example
 * ```ts
 * payload[0] === LeSignallingCode.ConnectionParameterUpdateRequest;
 * ```
 */
export const LeSignallingCode = Object.freeze({
  CommandReject: 0x01,
  DisconnectionRequest: 0x06,
  DisconnectionResponse: 0x07,
  ConnectionParameterUpdateRequest: 0x12,
  ConnectionParameterUpdateResponse: 0x13,
  LeCreditBasedConnectionRequest: 0x14,
  LeCreditBasedConnectionResponse: 0x15,
  FlowControlCreditIndication: 0x16,
  CreditBasedConnectionRequest: 0x17,
  CreditBasedConnectionResponse: 0x18,
  CreditBasedReconfigureRequest: 0x19,
  CreditBasedReconfigureResponse: 0x1a,
} as const);

/**
 * Command Reject reasons (Vol 3 Part A 4.1, Table 4.3).
 * @example
 * ```ts
 * encodeSignalling(LeSignallingCode.CommandReject, id, Uint8Array.of(CommandRejectReason.NotUnderstood, 0));
 * ```
 */
export const CommandRejectReason = Object.freeze({
  NotUnderstood: 0x0000,
  SignallingMtuExceeded: 0x0001,
  InvalidCid: 0x0002,
} as const);

/**
 * Codes a receiver never answers (Vol 3 Part A 4): the responses of Table 4.2
 * (BR/EDR ones included, in case a peer sends them on LE), whose parity does
 * not follow one rule (0x13 and 0x15 are odd, 0x18 and 0x1A even), and the
 * Flow Control Credit Indication, which has no response and can only name a
 * credit-based channel, of which this host has none.
 */
const NOT_ANSWERED: ReadonlySet<number> = new Set([
  0x01, 0x03, 0x05, 0x07, 0x09, 0x0b, 0x0d, 0x0f, 0x11, 0x13, 0x15, 0x16, 0x18, 0x1a,
]);

/** Connection Parameter Update Request fields (4.20), in their units: 1.25 ms, events, 10 ms. */
export interface ConnectionParameters {
  readonly intervalMin: number;
  readonly intervalMax: number;
  readonly peripheralLatency: number;
  readonly timeoutMultiplier: number;
}

/**
 * Why a set of connection parameters is invalid, or `undefined` when it is valid:
 * the ranges of Vol 3 Part A 4.20 (interval 6..3200, latency 0..499, timeout
 * 10..3200, min <= max) and the rule of Vol 6 Part B 4.5.2 that the supervision
 * timeout exceed (1 + latency) x interval max x 2.
 * @example
 * ```ts
 * checkConnectionParameters({ intervalMin: 6, intervalMax: 12, peripheralLatency: 0, timeoutMultiplier: 10 }); // undefined
 * ```
 */
export function checkConnectionParameters(p: ConnectionParameters): string | undefined {
  const { intervalMin: min, intervalMax: max, peripheralLatency: latency, timeoutMultiplier: timeout } = p;
  if (min < 6 || min > 3200) return `interval min ${min} outside 6..3200`;
  if (max < min || max > 3200) return `interval max ${max} outside ${min}..3200`;
  if (latency > 499) return `peripheral latency ${latency} above 499`;
  if (timeout < 10 || timeout > 3200) return `timeout multiplier ${timeout} outside 10..3200`;
  // timeout x 10 ms > (1 + latency) x max x 1.25 ms x 2, in integers.
  if (timeout * 4 <= (1 + latency) * max) {
    return `supervision timeout ${timeout * 10} ms not above (1 + ${latency}) x ${max * 1.25} ms x 2`;
  }
  return undefined;
}

/**
 * Encodes one signalling command: code, identifier, data length (LE 2), data (4).
 * @throws TypeError when the code or identifier is not an octet or the data exceeds 65535 octets.
 * @example
 * ```ts
 * encodeSignalling(0x13, 0x07, Uint8Array.of(0x00, 0x00)); // Uint8Array [0x13, 0x07, 2, 0, 0, 0]
 * ```
 */
export function encodeSignalling(code: number, identifier: number, data: Uint8Array): Uint8Array {
  for (const [name, value] of [
    ['code', code],
    ['identifier', identifier],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new TypeError(`encodeSignalling: ${name} must be an integer from 0 to 255, got ${value}`);
    }
  }
  if (!(data instanceof Uint8Array) || data.length > 0xffff) {
    throw new TypeError('encodeSignalling: data must be a Uint8Array of at most 65535 octets');
  }
  const out = new Uint8Array(4 + data.length);
  out[0] = code;
  out[1] = identifier;
  out[2] = data.length & 0xff;
  out[3] = data.length >> 8;
  out.set(data, 4);
  return out;
}

/** Options of {@link leSignalling}. */
export interface LeSignallingOptions {
  /** This host's role on the link; only a central may accept a parameter update (4.20). Default `central`. */
  readonly role?: 'central' | 'peripheral';
  /**
   * Whether to accept valid parameters the peripheral asks for: a flag, or a
   * callback that decides. Invalid parameters are rejected without asking.
   * Default `true`.
   */
  readonly accept?: boolean | ((parameters: ConnectionParameters) => boolean);
}

/** What {@link leSignalling} made of a command. */
export type LeSignallingOutcome =
  /** Accepted: the host now issues HCI LE Connection Update with these parameters. */
  | {
      readonly type: 'parameters-accepted';
      readonly identifier: number;
      readonly parameters: ConnectionParameters;
    }
  | {
      readonly type: 'parameters-rejected';
      readonly identifier: number;
      readonly parameters: ConnectionParameters;
      /** `invalid`: outside the spec's ranges (see {@link checkConnectionParameters}); `policy`: refused by the option. */
      readonly why: 'invalid' | 'policy';
      readonly message: string;
    }
  | {
      readonly type: 'command-rejected';
      readonly identifier: number;
      readonly code: number;
      readonly message: string;
    }
  | { readonly type: 'ignored'; readonly message: string };

/** The answer of {@link leSignalling}. */
export interface LeSignallingResult {
  /** Signalling commands to send back, each the payload of one frame on CID 0x0005; zero or one on LE. */
  readonly responses: Uint8Array[];
  readonly outcome: LeSignallingOutcome;
}

/**
 * Answers one frame received on the LE signalling channel (CID 0x0005), for a
 * host that implements no credit-based channels (Vol 3 Part A 4):
 *
 * - Connection Parameter Update Request (0x12) to a central: a Connection
 *   Parameter Update Response (0x13, 4.21) with result 0x0000 (accepted) or
 *   0x0001 (rejected: invalid parameters, or the `accept` option says no).
 *   Accepted parameters come back in the outcome for the host to apply.
 * - The same request to a peripheral, or with data other than 8 octets, and
 *   every other code that is not a response: Command Reject (0x01, 4.1),
 *   reason 0x0000 "command not understood", echoing the identifier.
 * - Responses (and the Flow Control Credit Indication) are not answered.
 * - A frame shorter than the command header, whose length field disagrees with
 *   its size (LE carries one command per frame), or with the illegal
 *   identifier 0x00 is dropped unanswered, as Linux does.
 * @example
 * ```ts
 * const { responses, outcome } = leSignalling(frame.payload, { accept: (p) => p.intervalMax <= 80 });
 * for (const r of responses) send(encodeL2cap(FixedChannel.LeSignalling, r));
 * if (outcome.type === 'parameters-accepted') leConnectionUpdate(handle, outcome.parameters);
 * ```
 */
export function leSignalling(payload: Uint8Array, options: LeSignallingOptions = {}): LeSignallingResult {
  const ignored = (message: string): LeSignallingResult => ({
    responses: [],
    outcome: { type: 'ignored', message },
  });
  if (payload.length < 4)
    return ignored(`LE signalling: ${payload.length} octets, shorter than a command header`);
  const code = payload[0]!;
  const identifier = payload[1]!;
  const length = payload[2]! | (payload[3]! << 8);
  if (length !== payload.length - 4) {
    return ignored(`LE signalling: length field ${length}, but ${payload.length - 4} octets follow`);
  }
  if (identifier === 0) return ignored('LE signalling: identifier 0x00 is illegal');
  if (NOT_ANSWERED.has(code)) return ignored(`LE signalling: code 0x${hex2(code)} is not answered`);
  const reject = (message: string): LeSignallingResult => ({
    responses: [
      encodeSignalling(
        LeSignallingCode.CommandReject,
        identifier,
        Uint8Array.of(CommandRejectReason.NotUnderstood & 0xff, CommandRejectReason.NotUnderstood >> 8),
      ),
    ],
    outcome: { type: 'command-rejected', identifier, code, message },
  });
  if (code !== LeSignallingCode.ConnectionParameterUpdateRequest) {
    return reject(`LE signalling: code 0x${hex2(code)} not supported`);
  }
  if ((options.role ?? 'central') !== 'central') {
    return reject('LE signalling: a Connection Parameter Update Request is for the central (4.20)');
  }
  if (length !== 8)
    return reject(`LE signalling: Connection Parameter Update Request with ${length} octets, not 8`);
  const word = (offset: number) => payload[offset]! | (payload[offset + 1]! << 8);
  const parameters: ConnectionParameters = {
    intervalMin: word(4),
    intervalMax: word(6),
    peripheralLatency: word(8),
    timeoutMultiplier: word(10),
  };
  const respond = (accepted: boolean) =>
    encodeSignalling(
      LeSignallingCode.ConnectionParameterUpdateResponse,
      identifier,
      Uint8Array.of(accepted ? 0 : 1, 0),
    );
  const invalid = checkConnectionParameters(parameters);
  if (invalid !== undefined) {
    return {
      responses: [respond(false)],
      outcome: { type: 'parameters-rejected', identifier, parameters, why: 'invalid', message: invalid },
    };
  }
  const accept = options.accept ?? true;
  if (!(typeof accept === 'function' ? accept(parameters) : accept)) {
    return {
      responses: [respond(false)],
      outcome: {
        type: 'parameters-rejected',
        identifier,
        parameters,
        why: 'policy',
        message: 'refused by policy',
      },
    };
  }
  return { responses: [respond(true)], outcome: { type: 'parameters-accepted', identifier, parameters } };
}

// ---------------------------------------------------------------------------
// ATT (CID 0x0004) for a host without a GATT server

/**
 * ATT opcodes that are not requests (Vol 3 Part F 3.4.8, Table 3.37): the
 * responses, notifications, the indication and the confirmation. Commands are
 * told apart by their Command Flag (bit 6, 3.3.1) instead.
 */
const ATT_NOT_REQUEST: ReadonlySet<number> = new Set([
  0x01, // Error Response
  0x03, // Exchange MTU Response
  0x05, // Find Information Response
  0x07, // Find By Type Value Response
  0x09, // Read By Type Response
  0x0b, // Read Response
  0x0d, // Read Blob Response
  0x0f, // Read Multiple Response
  0x11, // Read By Group Type Response
  0x13, // Write Response
  0x17, // Prepare Write Response
  0x19, // Execute Write Response
  0x1b, // Handle Value Notification
  0x1d, // Handle Value Indication
  0x1e, // Handle Value Confirmation
  0x21, // Read Multiple Variable Response
  0x23, // Multiple Handle Value Notification
]);

/**
 * ATT Error Response opcode and the Request Not Supported error code (Vol 3 Part F 3.4.1.1, Table 3.4).
 * @example
 * ```ts
 * attNotSupported(Uint8Array.of(0x0a, 0x03, 0x00))![4] === Att.RequestNotSupported; // true
 * ```
 */
export const Att = Object.freeze({
  ErrorResponse: 0x01,
  CommandFlag: 0x40,
  RequestNotSupported: 0x06,
} as const);

/**
 * The answer of a host with no ATT server to one ATT PDU (Vol 3 Part F 3.3,
 * 3.4.1.1): a request (Command Flag clear, and not a response, notification,
 * indication or confirmation; unknown opcodes included) gets an Error Response
 * `01 <request opcode> 00 00 06`, Request Not Supported with handle 0x0000.
 * Commands (Command Flag set), the other PDUs and an empty payload get nothing.
 * @example
 * ```ts
 * attNotSupported(Uint8Array.of(0x02, 0x17, 0x00)); // Exchange MTU Request -> Uint8Array [1, 2, 0, 0, 6]
 * attNotSupported(Uint8Array.of(0x52, 0x03, 0x00, 0x01)); // Write Command -> undefined
 * ```
 */
export function attNotSupported(payload: Uint8Array): Uint8Array | undefined {
  const opcode = payload[0];
  if (opcode === undefined || opcode & Att.CommandFlag || ATT_NOT_REQUEST.has(opcode)) return undefined;
  return Uint8Array.of(Att.ErrorResponse, opcode, 0x00, 0x00, Att.RequestNotSupported);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
