/**
 * `ble-smp pair --read`: one ATT read as a GATT client (Core Vol 3 Part F
 * 3.4.4, Part G 4.8): a Read Request for an attribute handle, or a Read By
 * Type Request for a characteristic UUID (Read Using Characteristic UUID),
 * and what came back: the value, or the ATT error.
 * @module
 */
import { fromHex, toHex } from '../crypto/bytes.js';
import type { Connection } from '../host/connection.js';
import type { Printer } from './security-events.js';

/** What `--read` names: an attribute handle, or a characteristic UUID (16-bit or 128-bit, as printed). */
export type ReadTarget = { readonly handle: number } | { readonly uuid: string };

/** ATT opcodes of a read (Vol 3 Part F 3.4.8). */
const ErrorResponse = 0x01;
const ReadByTypeRequest = 0x08;
const ReadByTypeResponse = 0x09;
const ReadRequest = 0x0a;
const ReadResponse = 0x0b;

/** ATT's transaction timeout (Vol 3 Part F 3.3.3). */
const ATT_TIMEOUT_MS = 30_000;

/** The ATT error codes (Vol 3 Part F 3.4.1.1, Table 3.4), by name. */
const ATT_ERRORS: Readonly<Record<number, string>> = {
  1: 'invalid-handle',
  2: 'read-not-permitted',
  3: 'write-not-permitted',
  4: 'invalid-pdu',
  5: 'insufficient-authentication',
  6: 'request-not-supported',
  7: 'invalid-offset',
  8: 'insufficient-authorization',
  9: 'prepare-queue-full',
  10: 'attribute-not-found',
  11: 'attribute-not-long',
  12: 'encryption-key-size-too-short',
  13: 'invalid-attribute-value-length',
  14: 'unlikely-error',
  15: 'insufficient-encryption',
  16: 'unsupported-group-type',
  17: 'insufficient-resources',
  18: 'database-out-of-sync',
  19: 'value-not-allowed',
};

/**
 * Reads `--read`'s argument: `0x` and up to four hex digits is an attribute
 * handle (0x0001..0xffff); four hex digits (`2a00`) or 32, with or without
 * the dashes (`5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b`), a characteristic UUID.
 * Throws a RangeError that says which forms there are.
 * @example
 * ```ts
 * parseReadTarget('0x000c'); // { handle: 12 }
 * parseReadTarget('2A00'); // { uuid: '2a00' }
 * ```
 */
export function parseReadTarget(text: string): ReadTarget {
  const handle = /^0x([0-9a-f]{1,4})$/i.exec(text);
  if (handle) {
    const value = Number.parseInt(handle[1]!, 16);
    if (value > 0) return { handle: value };
  }
  const hex = text.toLowerCase();
  if (/^[0-9a-f]{4}$/.test(hex)) return { uuid: hex };
  const long = hex.replace(
    /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/,
    '$1$2$3$4$5',
  );
  if (/^[0-9a-f]{32}$/.test(long)) {
    return { uuid: long.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5') };
  }
  throw new RangeError(
    `${JSON.stringify(text)}: an attribute handle (0x0001..0xffff, as in 0x000c) or a characteristic UUID ` +
      '(2a00, or 128-bit as in 5e0a0001-b1e5-400c-8a2b-3c4d5e6f7a8b)',
  );
}

/**
 * The ATT request that reads the target: Read Request for a handle, Read By
 * Type Request over every handle for a UUID (its octets reversed: ATT is
 * little-endian).
 * @example
 * ```ts
 * readRequest({ handle: 12 }); // Uint8Array [0x0a, 0x0c, 0x00]
 * readRequest({ uuid: '2a00' }); // Uint8Array [0x08, 0x01, 0x00, 0xff, 0xff, 0x00, 0x2a]
 * ```
 */
export function readRequest(target: ReadTarget): Uint8Array {
  if ('handle' in target) return Uint8Array.of(ReadRequest, target.handle & 0xff, target.handle >> 8);
  const uuid = fromHex(target.uuid.replaceAll('-', '')).reverse();
  return Uint8Array.of(ReadByTypeRequest, 0x01, 0x00, 0xff, 0xff, ...uuid);
}

/** What a read came to: the value and its handle, an ATT error, or no answer (timeout, disconnection). */
export type ReadOutcome =
  | { readonly handle: number; readonly value: Uint8Array }
  | { readonly handle: number; readonly error: number }
  | { readonly failed: 'timeout' | 'disconnected' };

/**
 * The outcome a response PDU gives the read of `target`, or undefined when
 * it is not the answer to that read (another PDU, or malformed).
 * @example
 * ```ts
 * readOutcome({ handle: 12 }, Uint8Array.of(0x01, 0x0a, 0x0c, 0x00, 0x05)); // { handle: 12, error: 5 }
 * readOutcome({ handle: 12 }, Uint8Array.of(0x0b, 0x68, 0x69)); // { handle: 12, value: Uint8Array [0x68, 0x69] }
 * ```
 */
export function readOutcome(target: ReadTarget, pdu: Uint8Array): ReadOutcome | undefined {
  const request = 'handle' in target ? ReadRequest : ReadByTypeRequest;
  if (pdu[0] === ErrorResponse && pdu.length === 5 && pdu[1] === request) {
    return { handle: pdu[2]! | (pdu[3]! << 8), error: pdu[4]! };
  }
  if ('handle' in target) {
    return pdu[0] === ReadResponse ? { handle: target.handle, value: pdu.slice(1) } : undefined;
  }
  // Read By Type Response: the length of each pair, then handle-value pairs; the first is the one read.
  const length = pdu[1] ?? 0;
  if (pdu[0] !== ReadByTypeResponse || length < 2 || pdu.length < 2 + length) return undefined;
  return { handle: pdu[2]! | (pdu[3]! << 8), value: pdu.slice(4, 2 + length) };
}

const hex4 = (handle: number) => `0x${handle.toString(16).padStart(4, '0')}`;

/**
 * Prints a read's outcome: `{"type":"read",...}` with the handle and the
 * value in hex, or the ATT error (its code and name), or what went wrong.
 * @example
 * ```ts
 * printRead(print, { handle: 12 }, { handle: 12, error: 5 }); // read 0x000c: error 0x05 insufficient-authentication
 * ```
 */
export function printRead(print: Printer, target: ReadTarget, outcome: ReadOutcome): void {
  const what = 'uuid' in target ? { uuid: target.uuid } : {};
  const name = 'uuid' in target ? target.uuid : hex4(target.handle);
  if ('failed' in outcome) {
    print({ type: 'read', ...target, failed: outcome.failed }, `read ${name}: no answer (${outcome.failed})`);
  } else if ('error' in outcome) {
    const errorName = ATT_ERRORS[outcome.error] ?? 'reserved';
    print(
      { type: 'read', ...what, handle: outcome.handle, error: outcome.error, errorName },
      `read ${name}: error 0x${outcome.error.toString(16).padStart(2, '0')} ${errorName}`,
    );
  } else {
    print(
      { type: 'read', ...what, handle: outcome.handle, value: toHex(outcome.value) },
      `read ${name}: ${'uuid' in target ? `handle ${hex4(outcome.handle)}, ` : ''}${toHex(outcome.value) || '(empty)'}`,
    );
  }
}

/**
 * A GATT client that only reads: give `att` to the host (HostOptions.att),
 * then `read` sends a request on a connection and resolves with its outcome
 * (one read at a time per connection, as ATT requires).
 * @example
 * ```ts
 * const reader = new AttReader();
 * const host = await Host.open(transport, { att: reader.att });
 * // ... once connected
 * const outcome = await reader.read(connection, { uuid: '2a00' }, (pdu) => host.sendL2cap(connection.handle, 0x0004, pdu));
 * ```
 */
export class AttReader {
  readonly #pending = new Map<Connection, (pdu: Uint8Array) => boolean>();

  /**
   * The host's ATT handler: a response completes the pending read; requests
   * are left to the host (Request Not Supported).
   * @example
   * ```ts
   * const host = await Host.open(transport, { att: reader.att });
   * ```
   */
  readonly att = (connection: Connection, pdu: Uint8Array): undefined => {
    if (this.#pending.get(connection)?.(pdu)) this.#pending.delete(connection);
    return undefined;
  };

  /**
   * Reads the target, sending the request with `send` (on the connection's
   * ATT channel); resolves with the value, the ATT error, or `failed` when no
   * answer comes within ATT's 30 s or the link drops.
   * @example
   * ```ts
   * const outcome = await reader.read(connection, { handle: 0x000c }, (pdu) => host.sendL2cap(connection.handle, 0x0004, pdu));
   * if ('value' in outcome) console.log(outcome.value);
   * ```
   */
  read(connection: Connection, target: ReadTarget, send: (pdu: Uint8Array) => void): Promise<ReadOutcome> {
    return new Promise((resolve) => {
      const done = (outcome: ReadOutcome) => {
        clearTimeout(timer);
        stopWatching();
        this.#pending.delete(connection);
        resolve(outcome);
      };
      const timer = setTimeout(() => done({ failed: 'timeout' }), ATT_TIMEOUT_MS);
      const stopWatching = connection.once('disconnect', () => done({ failed: 'disconnected' }));
      this.#pending.set(connection, (pdu) => {
        const outcome = readOutcome(target, pdu);
        if (outcome) done(outcome);
        return outcome !== undefined;
      });
      if (!connection.connected) done({ failed: 'disconnected' });
      else send(readRequest(target));
    });
  }
}
