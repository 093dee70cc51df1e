/**
 * The Hardware_Code values of a virtual controller's Hardware Error events.
 * @module
 */

/**
 * The Hardware_Code of the HCI_Hardware_Error events (Vol 4 Part E 7.7.16) a
 * virtual controller raises when the host breaks the HCI protocol. The spec
 * leaves the codes to the implementation; these are this controller's. The
 * offending packet is dropped.
 * @example
 * ```ts
 * if (event.name === 'hardware-error' && event.hardwareCode === VirtualHardwareCode.AclTooLong) {
 *   console.error('the host ignored LE_ACL_Data_Packet_Length');
 * }
 * ```
 */
export const VirtualHardwareCode = Object.freeze({
  /** An ACL packet whose header does not match its length, or with a PB/BC flag not used on LE. */
  MalformedAcl: 0x01,
  /** An ACL packet whose payload exceeds the ACL data packet length the controller reported (7.8.2). */
  AclTooLong: 0x02,
  /** An ACL packet sent while every ACL buffer was in use: the host ignored its credits (4.1.1). */
  AclBufferOverflow: 0x03,
  /** A command sent before the previous one was answered: Num_HCI_Command_Packets is 1 (4.4). */
  CommandOverflow: 0x04,
  /** A packet of a type a host does not send to an LE controller (event, SCO, ISO). */
  UnexpectedPacket: 0x05,
} as const);
