/**
 * btmon-style lines for HCI traffic: commands, events, and ACL data with the
 * SMP PDUs inside, reassembled across fragments. Keys are hidden unless asked
 * for (they are secrets: log them only on the user's explicit request).
 * @module
 */
import { toHex } from '../crypto/bytes.js';
import { decodePdu, describePdu } from '../smp/pdu.js';
import { decodeAcl } from './acl.js';
import { decodeCommand } from './commands.js';
import { describeHciError, HciEventCode, HciOpcode, LeSubeventCode } from './constants.js';
import { decodeEvent } from './events.js';
import type { HciPacket } from './h4.js';
import { FixedChannel, L2capReassembler } from './l2cap.js';

const spaced = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/Le /g, 'LE ');
const OPCODE_NAME = new Map<number, string>(
  Object.entries(HciOpcode).map(([name, code]) => [code, spaced(name)]),
);
const EVENT_NAME = new Map<number, string>(
  Object.entries(HciEventCode).map(([name, code]) => [code, spaced(name)]),
);
const SUBEVENT_NAME = new Map<number, string>(
  Object.entries(LeSubeventCode).map(([name, code]) => [code, `LE ${spaced(name)}`]),
);
const CHANNEL_NAME: Readonly<Record<number, string>> = {
  [FixedChannel.Att]: 'ATT',
  [FixedChannel.LeSignalling]: 'LE Signaling',
  [FixedChannel.Smp]: 'SMP',
};

const opcodeText = (opcode: number) =>
  `${OPCODE_NAME.get(opcode) ?? 'Unknown'} (0x${(opcode >> 10).toString(16).padStart(2, '0')}|0x${(opcode & 0x3ff).toString(16).padStart(4, '0')})`;

/**
 * Formats HCI packets as btmon does (`<` host to controller, `>` controller
 * to host), following each connection's L2CAP frames so an SMP PDU split over
 * several ACL packets is shown once, whole.
 * @example
 * ```ts
 * const formatter = new HciTraceFormatter();
 * for (const line of formatter.lines('tx', packet)) console.log(line);
 * ```
 */
export class HciTraceFormatter {
  readonly #showKeys: boolean;
  readonly #reassemblers = new Map<string, L2capReassembler>();

  /** `showKeys`: print key material (LTK, IRK, CSRK, Rand) instead of `<hidden>`. */
  constructor(options: { readonly showKeys?: boolean } = {}) {
    this.#showKeys = options.showKeys ?? false;
  }

  /** The lines for one packet sent (`tx`, host to controller) or received (`rx`). */
  lines(direction: 'tx' | 'rx', packet: HciPacket): string[] {
    const arrow = direction === 'tx' ? '<' : '>';
    switch (packet.type) {
      case 'command':
        return this.#command(arrow, packet.data);
      case 'event':
        return this.#event(arrow, packet.data);
      case 'acl':
        return this.#acl(arrow, direction, packet.data);
      default:
        return [`${arrow} HCI ${packet.type.toUpperCase()} packet: ${packet.data.length} octets`];
    }
  }

  #command(arrow: string, data: Uint8Array): string[] {
    const opcode = data.length >= 2 ? data[0]! | (data[1]! << 8) : 0;
    const lines = [`${arrow} HCI Command: ${opcodeText(opcode)} plen ${Math.max(0, data.length - 3)}`];
    const decoded = decodeCommand(data);
    if (!decoded.ok) return [...lines, `        ${decoded.message}`];
    const command = decoded.command as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(command)) {
      if (name === 'name') continue;
      lines.push(`        ${name}: ${this.#value(name, value)}`);
    }
    return lines;
  }

  #event(arrow: string, data: Uint8Array): string[] {
    const code = data[0] ?? 0;
    const name =
      code === HciEventCode.LeMeta
        ? (SUBEVENT_NAME.get(data[2] ?? 0) ?? 'LE Meta Event')
        : (EVENT_NAME.get(code) ?? 'Unknown');
    const lines = [
      `${arrow} HCI Event: ${name} (0x${code.toString(16).padStart(2, '0')}) plen ${Math.max(0, data.length - 2)}`,
    ];
    const decoded = decodeEvent(data);
    if (!decoded.ok) return [...lines, `        ${decoded.message}`];
    const event = decoded.event as unknown as Record<string, unknown>;
    if (decoded.event.name === 'command-complete' || decoded.event.name === 'command-status') {
      lines.push(`      ${opcodeText(decoded.event.opcode)} ncmd ${decoded.event.numHciCommandPackets}`);
    }
    for (const [field, value] of Object.entries(event)) {
      if (['name', 'opcode', 'numHciCommandPackets'].includes(field)) continue;
      lines.push(`        ${field}: ${this.#value(field, value)}`);
    }
    return lines;
  }

  #acl(arrow: string, direction: string, data: Uint8Array): string[] {
    const decoded = decodeAcl(data);
    if (!decoded.ok) return [`${arrow} ACL Data: ${decoded.message}`];
    const { handle, pb, data: payload } = decoded.packet;
    const lines = [
      `${arrow} ACL Data ${direction === 'tx' ? 'TX' : 'RX'}: Handle ${handle} flags 0x${pb.toString(16).padStart(2, '0')} dlen ${payload.length}`,
    ];
    const key = `${direction}/${handle}`;
    let reassembler = this.#reassemblers.get(key);
    if (!reassembler) {
      reassembler = new L2capReassembler();
      this.#reassemblers.set(key, reassembler);
    }
    const result = reassembler.push(pb, payload);
    if (!result.ok || !result.frame) return lines;
    const { cid, payload: frame } = result.frame;
    const channel = CHANNEL_NAME[cid] ?? `CID 0x${cid.toString(16).padStart(4, '0')}`;
    if (cid === FixedChannel.Smp) {
      const pdu = decodePdu(frame);
      lines.push(
        `      SMP: ${pdu.ok ? describePdu(pdu.pdu, this.#showKeys) : `${pdu.message}`} (len ${frame.length})`,
      );
    } else {
      lines.push(`      ${channel}: ${toHex(frame)}`);
    }
    return lines;
  }

  #value(name: string, value: unknown): string {
    if (value instanceof Uint8Array) {
      const secret = ['ltk', 'key', 'longTermKey', 'randomNumber', 'rand'].includes(name);
      return secret && !this.#showKeys ? '<hidden>' : toHex(value);
    }
    if (name === 'status' || name === 'reason') return describeHciError(value as number);
    if (typeof value === 'number') return `0x${value.toString(16)}`;
    if (typeof value === 'object' && value !== null)
      return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
    return String(value);
  }
}
