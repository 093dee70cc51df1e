/**
 * The LE signalling channel (CID 0x0005, Core Vol 3 Part A 4) as a sans-I/O
 * responder for a host with no credit-based channels: Connection Parameter
 * Update Requests are checked and answered (a central may accept them),
 * everything else it does not serve is rejected as the spec requires. Nothing
 * here throws on input from the air.
 * @module
 */

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

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
