/**
 * The Linux monitor channel's opcodes (BlueZ `monitor/bt.h`, `BTSNOOP_OPCODE_*`),
 * as btsnoop datalink 2001 and pcap link type 254 carry them: which HCI
 * packet type and direction each opcode means. Opcodes not listed (index
 * added, system notes, management) carry no HCI packet.
 * @module
 */
import type { HciPacketType } from '../../hci/h4.js';
import type { TraceDirection } from '../model.js';

/** Opcode -> HCI packet type and direction (monitor/bt.h; directions as the host sees them). */
export const MONITOR_OPCODES: Readonly<
  Record<number, { readonly type: HciPacketType; readonly direction: TraceDirection }>
> = Object.freeze({
  2: { type: 'command', direction: 'tx' }, // BTSNOOP_OPCODE_COMMAND_PKT
  3: { type: 'event', direction: 'rx' }, // BTSNOOP_OPCODE_EVENT_PKT
  4: { type: 'acl', direction: 'tx' }, // BTSNOOP_OPCODE_ACL_TX_PKT
  5: { type: 'acl', direction: 'rx' }, // BTSNOOP_OPCODE_ACL_RX_PKT
  6: { type: 'sco', direction: 'tx' }, // BTSNOOP_OPCODE_SCO_TX_PKT
  7: { type: 'sco', direction: 'rx' }, // BTSNOOP_OPCODE_SCO_RX_PKT
  18: { type: 'iso', direction: 'tx' }, // BTSNOOP_OPCODE_ISO_TX_PKT
  19: { type: 'iso', direction: 'rx' }, // BTSNOOP_OPCODE_ISO_RX_PKT
});

/** The monitor opcode for an HCI packet type and direction (the inverse of {@link MONITOR_OPCODES}). */
export function monitorOpcode(type: HciPacketType, direction: 'tx' | 'rx'): number {
  for (const [opcode, entry] of Object.entries(MONITOR_OPCODES)) {
    if (entry.type === type && entry.direction === direction) return Number(opcode);
  }
  // Commands only go to the controller and events only come from it.
  return type === 'command' ? 2 : 3;
}
