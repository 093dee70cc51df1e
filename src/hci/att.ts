/**
 * ATT (CID 0x0004, Core Vol 3 Part F) for a host without a GATT server: every
 * request is answered with "Request Not Supported" (3.4.1.1) rather than left
 * waiting for its 30 s transaction timeout.
 * @module
 */

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
