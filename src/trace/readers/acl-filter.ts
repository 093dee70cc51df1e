/**
 * Which ACL packets an SMP audit can leave unread: a whole L2CAP frame in
 * one ACL packet, on a channel other than SMP (0x0006). A first fragment of
 * a longer frame and every continuation are kept, since only reassembly
 * shows their channel (Core Vol 4 Part E 5.4.2; Vol 3 Part A 3.1). The
 * readers use it to skip such packets of a large capture before making a
 * record of them; the HCI decoder, to pass over those it is given.
 * @module
 */

/** The SMP fixed channel (Core Vol 3 Part A 2.1). */
const SMP_CID = 0x0006;

/**
 * Whether the HCI ACL packet at `start`..`end` of `bytes` (handle, length,
 * then the L2CAP basic header) is a whole L2CAP frame on a channel other
 * than SMP.
 * @example
 * ```ts
 * otherChannelFrame(aclPacket, 0, aclPacket.length); // true for an ATT notification in one packet
 * ```
 */
export function otherChannelFrame(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false;
  // Packet Boundary flag 01: a continuation fragment.
  if (((bytes[start + 1]! >> 4) & 3) === 1) return false;
  const aclLength = bytes[start + 2]! | (bytes[start + 3]! << 8);
  const l2capLength = bytes[start + 4]! | (bytes[start + 5]! << 8);
  if (aclLength !== end - start - 4 || l2capLength + 4 !== aclLength) return false;
  return (bytes[start + 6]! | (bytes[start + 7]! << 8)) !== SMP_CID;
}
