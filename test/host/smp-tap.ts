/**
 * A transport between a host and its controller that sees, and may rewrite,
 * the SMP PDUs the host sends: a way to make an ordinary host misbehave on the
 * air (reflect a confirm, commit to a known random) for host-level attack tests.
 * Only SMP PDUs that fit one ACL packet are touched (every legacy PDU does with
 * the virtual controller's 27-octet buffers); a rewrite keeps the length.
 */
import type { HciPacket } from '../../src/hci/h4.js';
import type { CloseListener, PacketListener, Transport } from '../../src/transport/transport.js';

const SMP_CID = 0x0006;

/** The SMP PDUs seen in each direction, in order (octets from the opcode on). */
export interface SmpTapLog {
  readonly sent: Uint8Array[];
  readonly received: Uint8Array[];
}

/** Rewrites one outgoing SMP PDU; returns the octets to send instead (same length), or the PDU itself. */
export type SmpRewrite = (pdu: Uint8Array, log: SmpTapLog) => Uint8Array;

/** The SMP payload of a single-packet ACL frame on CID 0x0006, or null. */
function smpPayload(acl: Uint8Array): Uint8Array | null {
  if (acl.length < 8) return null;
  const pb = (acl[1]! >> 4) & 0b11;
  const total = acl[2]! | (acl[3]! << 8);
  const length = acl[4]! | (acl[5]! << 8);
  const cid = acl[6]! | (acl[7]! << 8);
  if (pb === 0b01 || cid !== SMP_CID || total !== length + 4 || acl.length !== 8 + length) return null;
  return acl.subarray(8);
}

/** Wraps `inner`; `rewrite` sees every outgoing SMP PDU after the log has it. */
export function smpTap(inner: Transport, rewrite: SmpRewrite = (pdu) => pdu) {
  const log: SmpTapLog = { sent: [], received: [] };
  const transport: Transport = {
    send(packet: HciPacket) {
      const pdu = packet.type === 'acl' ? smpPayload(packet.data) : null;
      if (!pdu) return inner.send(packet);
      const replacement = rewrite(pdu.slice(), log);
      if (replacement.length !== pdu.length) throw new Error('smpTap: a rewrite must keep the length');
      log.sent.push(replacement.slice());
      const data = packet.data.slice();
      data.set(replacement, 8);
      inner.send({ type: 'acl', data });
    },
    onPacket(listener: PacketListener) {
      inner.onPacket((packet) => {
        const pdu = packet.type === 'acl' ? smpPayload(packet.data) : null;
        if (pdu) log.received.push(pdu.slice());
        listener(packet);
      });
    },
    onClose(listener: CloseListener) {
      inner.onClose(listener);
    },
    close: () => inner.close(),
  };
  return { transport, log };
}
