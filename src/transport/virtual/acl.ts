/**
 * ACL data between virtual controllers with LE flow control (Core Vol 4 Part
 * E 4.1.1, 5.4.2, 7.7.19): a packet takes one of the sender's buffers until it
 * reaches the peer's host, then Number Of Completed Packets gives it back.
 * A host that breaks the rules gets a Hardware Error and its packet is dropped.
 * @module
 */
import { BroadcastFlag, decodeAcl, encodeAcl, PacketBoundary } from '../../hci/acl.js';
import { VirtualHardwareCode } from './hardware-codes.js';
import { ends } from './links.js';
import type { ControllerState, Link } from './state.js';

/**
 * One ACL packet from `state`'s host: checked, relayed to the peer's host.
 * @example
 * ```ts
 * onAcl(state, packet.data);
 * ```
 */
export function onAcl(state: ControllerState, data: Uint8Array): void {
  const decoded = decodeAcl(data);
  if (!decoded.ok) {
    state.hardwareError(VirtualHardwareCode.MalformedAcl);
    return;
  }
  const { handle, pb, bc, data: payload } = decoded.packet;
  if (bc !== BroadcastFlag.PointToPoint || pb === PacketBoundary.Complete) {
    state.hardwareError(VirtualHardwareCode.MalformedAcl);
    return;
  }
  if (payload.length > state.aclBufferSize) {
    state.hardwareError(VirtualHardwareCode.AclTooLong);
    return;
  }
  const link = state.links.get(handle);
  // Data for a handle that is not connected (a host racing a disconnection) is discarded, taking no buffer.
  if (link === undefined) return;
  if (state.buffersInUse >= state.aclBufferCount) {
    state.hardwareError(VirtualHardwareCode.AclBufferOverflow);
    return;
  }
  state.buffersInUse++;
  state.inFlight ??= new Map();
  state.inFlight.set(link, (state.inFlight.get(link) ?? 0) + 1);
  const { peer } = ends(link, state);
  // Vol 4 Part E 5.4.2: on LE a controller hands the host first packets as 0b10 (first flushable).
  const relayed = encodeAcl({
    handle: peer.handle,
    pb: pb === PacketBoundary.FirstNonFlushable ? PacketBoundary.FirstFlushable : pb,
    bc: BroadcastFlag.PointToPoint,
    data: payload,
  });
  // Data sent before a disconnection still reaches the peer (ahead of its Disconnection Complete).
  peer.state.deliver({ type: 'acl', data: relayed }, () => delivered(state, link, handle));
}

/** One packet reached the peer: free its buffer and tell the host (7.7.19), unless the link ended. */
function delivered(state: ControllerState, link: Link, handle: number): void {
  if (!link.alive || !state.open) return;
  const held = state.inFlight?.get(link) ?? 0;
  if (held === 0) return;
  if (held === 1) state.inFlight!.delete(link);
  else state.inFlight!.set(link, held - 1);
  state.buffersInUse--;
  state.event({ name: 'number-of-completed-packets', completed: [{ handle, count: 1 }] });
}
