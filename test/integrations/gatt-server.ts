/**
 * A GATT server of one service for our host's `att` option (Core Vol 3 Part
 * G over ATT, Part F): enough for noble to discover, read and write. The
 * first request with a chosen opcode can be held: the test secures the link
 * meanwhile and answers it afterwards, as a peripheral that sends a Security
 * Request in the middle of a GATT exchange does.
 */
import type { Connection } from '../../src/host/connection.js';

/** Service 0xAB00: handle 1 its declaration, 2 the characteristic's, 3 the value (read, write). */
export const SERVICE_UUID = 'ab00';
export const CHARACTERISTIC_UUID = 'ab01';

/** ATT opcodes (Vol 3 Part F 3.4.8). */
export const AttOpcode = Object.freeze({
  ExchangeMtu: 0x02,
  FindInformation: 0x04,
  ReadByType: 0x08,
  Read: 0x0a,
  ReadByGroupType: 0x10,
  Write: 0x12,
});

/** A request the server holds: answer it when the test says so. */
export interface HeldRequest {
  readonly connection: Connection;
  readonly opcode: number;
  /** Sends the answer the server would have sent; only once. */
  answer(): void;
}

export interface GattServer {
  att(connection: Connection, pdu: Uint8Array): Uint8Array | null | undefined;
  /** How many requests of each opcode arrived. */
  readonly received: Map<number, number>;
  /** Every request, in hex, in order. */
  readonly requests: string[];
  /** The value of the characteristic (writes change it). */
  value: Uint8Array;
}

const error = (opcode: number, handle: number, code: number) =>
  Uint8Array.of(0x01, opcode, handle & 0xff, handle >> 8, code);
const ATTRIBUTE_NOT_FOUND = 0x0a;

/**
 * The server. `hold` says which request to hold (the first of that opcode on
 * each connection); `onHeld` gets it. `requireEncryption` answers reads and writes of
 * the value with Insufficient Authentication (0x05) on an unencrypted link.
 */
export function gattServer(
  options: {
    hold?: number;
    onHeld?: (request: HeldRequest) => void;
    requireEncryption?: boolean;
    send?: (connection: Connection, pdu: Uint8Array) => void;
  } = {},
): GattServer {
  const held = new WeakSet<Connection>();
  const server: GattServer = {
    received: new Map(),
    requests: [],
    value: new TextEncoder().encode('initial'),
    att(connection, pdu) {
      const opcode = pdu[0] ?? 0;
      if (opcode & 0x40 || opcode % 2 === 1) return null; // commands, responses, confirmations
      server.received.set(opcode, (server.received.get(opcode) ?? 0) + 1);
      server.requests.push(Buffer.from(pdu).toString('hex'));
      if (options.hold === opcode && options.send && !held.has(connection)) {
        held.add(connection);
        let answered = false;
        const send = options.send;
        options.onHeld?.({
          connection,
          opcode,
          answer: () => {
            if (answered) return;
            answered = true;
            const response = answerOf(server, connection, pdu, options.requireEncryption ?? false);
            if (response) send(connection, response);
          },
        });
        return null;
      }
      return answerOf(server, connection, pdu, options.requireEncryption ?? false);
    },
  };
  return server;
}

function answerOf(
  server: GattServer,
  connection: Connection,
  pdu: Uint8Array,
  requireEncryption: boolean,
): Uint8Array | undefined {
  const opcode = pdu[0] ?? 0;
  const view = new DataView(pdu.buffer, pdu.byteOffset, pdu.byteLength);
  const u16 = (at: number) => (at + 2 <= pdu.length ? view.getUint16(at, true) : 0);
  const start = u16(1);
  const end = u16(3);
  switch (opcode) {
    case AttOpcode.ExchangeMtu:
      return Uint8Array.of(0x03, 23, 0);
    case AttOpcode.ReadByGroupType:
      // Primary Service (0x2800): handles 1-3, UUID 0xAB00.
      if (u16(5) === 0x2800 && start <= 1 && end >= 1) return Uint8Array.of(0x11, 6, 1, 0, 3, 0, 0x00, 0xab);
      return error(opcode, start, ATTRIBUTE_NOT_FOUND);
    case AttOpcode.ReadByType:
      // Characteristic (0x2803) at 2: read | write, value handle 3, UUID 0xAB01.
      if (u16(5) === 0x2803 && start <= 2 && end >= 2)
        return Uint8Array.of(0x09, 7, 2, 0, 0x0a, 3, 0, 0x01, 0xab);
      return error(opcode, start, ATTRIBUTE_NOT_FOUND);
    case AttOpcode.FindInformation:
      return error(opcode, start, ATTRIBUTE_NOT_FOUND);
    case AttOpcode.Read:
      if (start !== 3) return error(opcode, start, 0x01); // Invalid Handle
      if (requireEncryption && !connection.encrypted) return error(opcode, start, 0x05);
      return Uint8Array.of(0x0b, ...server.value);
    case AttOpcode.Write:
      if (start !== 3) return error(opcode, start, 0x01);
      if (requireEncryption && !connection.encrypted) return error(opcode, start, 0x05);
      server.value = pdu.slice(3);
      return Uint8Array.of(0x13);
    default:
      return undefined;
  }
}
