/**
 * HCI packets to trace events: connections with both addresses, SMP PDUs
 * reassembled from ACL fragments with who sent them, the keys handed to the
 * controller, encryption changes and disconnections.
 * @module
 */
import { decodeAcl } from '../hci/acl.js';
import { decodeCommand } from '../hci/commands.js';
import { HciOpcode } from '../hci/constants.js';
import { decodeEvent } from '../hci/events.js';
import { FixedChannel, L2capReassembler } from '../hci/l2cap.js';
import { decodePdu } from '../smp/pdu.js';
import type { DeviceAddress, LinkRole, TraceEvent } from './events.js';
import type { HciRecord } from './model.js';
import { otherChannelFrame } from './readers/acl-filter.js';

const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

/** What most packets yield: shared, never pushed to (callers only read the events). */
const NONE: TraceEvent[] = Object.freeze([]) as unknown as TraceEvent[];

/** Whether the record hides (a redacted value) any of the octets `from` to `to` (exclusive) of its packet. */
const hides = (record: HciRecord, from: number, to: number) =>
  record.unknown?.some((u) => u.offset < to && u.offset + u.length > from) ?? false;

interface Connection {
  readonly link: string;
  readonly localRole: LinkRole;
  /** The peer's address, and whether the local one was known when the connection came up. */
  peer?: DeviceAddress;
  localKnown?: boolean;
  readonly reassembler: L2capReassembler;
}

/** Decodes the HCI packets of one capture, in order. */
export class HciDecoder {
  readonly #connections = new Map<string, Connection>();
  readonly #generation = new Map<string, number>();
  /** Per adapter: public address, random address, own address type of the last connect/advertise. */
  readonly #local = new Map<number, { public?: Uint8Array; random?: Uint8Array; ownType?: number }>();

  /** The events one HCI packet yields. */
  push(record: HciRecord): TraceEvent[] {
    const adapter = record.adapter ?? 0;
    const { packet } = record;
    if (packet.type === 'acl') return this.#acl(record, adapter);
    const base = { at: record.at, ...(record.time === undefined ? {} : { time: record.time }) };
    if (packet.type === 'command') {
      const decoded = decodeCommand(packet.data);
      if (!decoded.ok) return [];
      const command = decoded.command;
      const local = this.#localOf(adapter);
      switch (command.name) {
        case 'le-set-random-address':
          // Redacted: the address is unknown, not the zeros the text was read as.
          if (hides(record, 3, 9)) delete local.random;
          else local.random = command.randomAddress;
          return [];
        case 'le-create-connection':
        case 'le-set-advertising-parameters':
          local.ownType = command.ownAddressType;
          return [];
        case 'le-start-encryption':
        case 'le-long-term-key-request-reply': {
          const connection = this.#connections.get(`${adapter}:${command.handle}`);
          const link = connection?.link ?? this.#linkName(adapter, command.handle);
          const started = command.name === 'le-start-encryption';
          // LE Enable Encryption: handle, Rand, EDIV, LTK; LTK Request Reply: handle, LTK (7.8.24, 7.8.25).
          const ltkAt = started ? 15 : 5;
          const unknown = record.unknown?.map((u) => ({ ...u, offset: u.offset - 3 }));
          return [
            {
              type: 'encryption-start',
              ...base,
              link,
              source: started ? 'le-enable-encryption' : 'ltk-reply',
              ...(hides(record, ltkAt, ltkAt + 16) ? {} : { ltk: command.ltk }),
              ediv: started ? command.ediv : 0,
              rand: started ? command.rand : new Uint8Array(8),
              ...(unknown?.length ? { unknown } : {}),
            },
          ];
        }
        default:
          return [];
      }
    }
    if (packet.type !== 'event') return [];
    const decoded = decodeEvent(packet.data);
    if (!decoded.ok) return [];
    const event = decoded.event;
    switch (event.name) {
      case 'command-complete':
        if (event.opcode === HciOpcode.ReadBdAddr && event.returnParameters.kind === 'read-bd-addr') {
          if (hides(record, 6, 12)) return [];
          this.#localOf(adapter).public = event.returnParameters.address;
          return this.#completeConnections(adapter, base);
        }
        return [];
      case 'le-connection-complete':
      case 'le-enhanced-connection-complete': {
        if (event.status !== 0) return [];
        const key = `${adapter}:${event.handle}`;
        const generation = (this.#generation.get(key) ?? 0) + 1;
        this.#generation.set(key, generation);
        const link = this.#linkName(adapter, event.handle, generation);
        const localRole: LinkRole = event.role === 0 ? 'central' : 'peripheral';
        const connection: Connection = { link, localRole, reassembler: new L2capReassembler() };
        this.#connections.set(key, connection);
        // Event code, length, subevent, status, handle, role, peer type: the peer address at 8, the RPAs after it.
        let peer: DeviceAddress | undefined = hides(record, 8, 14)
          ? undefined
          : { address: event.peerAddress, type: event.peerAddressType & 1 };
        let localRpa: Uint8Array | undefined;
        let localHidden = false;
        if (event.name === 'le-enhanced-connection-complete') {
          if (hides(record, 20, 26)) peer = undefined;
          else if (!isZero(event.peerRpa)) peer = { address: event.peerRpa, type: 1 };
          localHidden = hides(record, 14, 20);
          if (!isZero(event.localRpa)) localRpa = event.localRpa;
        }
        // A redacted address is unknown: the connection says nothing of it, as when a capture lacks it.
        const self = localHidden ? undefined : this.#localAddress(adapter, localRpa);
        if (peer) connection.peer = peer;
        connection.localKnown = self !== undefined || localHidden;
        const [central, peripheral] = localRole === 'central' ? [self, peer] : [peer, self];
        return [
          {
            type: 'connection',
            ...base,
            link,
            localRole,
            ...(central ? { central } : {}),
            ...(peripheral ? { peripheral } : {}),
          },
        ];
      }
      case 'encryption-change':
      case 'encryption-key-refresh-complete': {
        const connection = this.#connections.get(`${adapter}:${event.handle}`);
        const link = connection?.link ?? this.#linkName(adapter, event.handle);
        const enabled = event.name === 'encryption-change' ? event.enabled !== 0 : true;
        return [
          {
            type: 'encryption-change',
            ...base,
            link,
            status: event.status,
            enabled: event.status === 0 && enabled,
          },
        ];
      }
      case 'disconnection-complete': {
        if (event.status !== 0) return [];
        const key = `${adapter}:${event.handle}`;
        const link = this.#connections.get(key)?.link ?? this.#linkName(adapter, event.handle);
        this.#connections.delete(key);
        return [{ type: 'disconnection', ...base, link, reason: event.reason }];
      }
      default:
        return [];
    }
  }

  #acl(record: HciRecord, adapter: number): TraceEvent[] {
    const data = record.packet.data;
    // Fast path: most ACL traffic is not SMP; a whole unfragmented frame on another channel is skipped at once.
    if (otherChannelFrame(data, 0, data.length)) return NONE;
    const base = { at: record.at, ...(record.time === undefined ? {} : { time: record.time }) };
    const decoded = decodeAcl(data);
    if (!decoded.ok) return [];
    const { handle, pb } = decoded.packet;
    const key = `${adapter}:${handle}`;
    let connection = this.#connections.get(key);
    if (!connection) {
      // A capture started mid-connection: the role is unknown until a PDU shows it.
      connection = {
        link: this.#linkName(adapter, handle),
        localRole: 'central',
        reassembler: new L2capReassembler(),
      };
      this.#connections.set(key, { ...connection });
    }
    const result = connection.reassembler.push(pb, decoded.packet.data);
    const frame = result.frame;
    if (!frame || frame.cid !== FixedChannel.Smp) return [];
    const known = this.#generation.has(key) && record.direction !== 'unknown';
    const other: LinkRole = connection.localRole === 'central' ? 'peripheral' : 'central';
    const sender = known ? (record.direction === 'tx' ? connection.localRole : other) : undefined;
    // Text captures rebuild each PDU whole in one packet: ACL and L2CAP headers before the PDU.
    const unknown = record.unknown
      ?.map((u) => ({ ...u, offset: u.offset - 8 }))
      .filter((u) => u.offset >= 0 && u.offset + u.length <= frame.payload.length);
    return [
      {
        type: 'smp',
        ...base,
        link: connection.link,
        ...(sender ? { sender } : {}),
        ...(record.direction === 'unknown' ? {} : { device: record.direction === 'tx' ? 'local' : 'remote' }),
        bytes: frame.payload,
        decoded: decodePdu(frame.payload),
        ...(unknown?.length ? { unknown } : {}),
      },
    ];
  }

  /** Connection events completing the open connections of `adapter` whose local address was unknown. */
  #completeConnections(adapter: number, base: { at: number; time?: number }): TraceEvent[] {
    const self = this.#localAddress(adapter, undefined);
    if (!self) return [];
    const out: TraceEvent[] = [];
    for (const [key, connection] of this.#connections) {
      if (!key.startsWith(`${adapter}:`) || connection.localKnown !== false || !connection.peer) continue;
      connection.localKnown = true;
      const [central, peripheral] =
        connection.localRole === 'central' ? [self, connection.peer] : [connection.peer, self];
      out.push({
        type: 'connection',
        ...base,
        link: connection.link,
        localRole: connection.localRole,
        central,
        peripheral,
        update: true,
      });
    }
    return out;
  }

  #localOf(adapter: number) {
    let local = this.#local.get(adapter);
    if (!local) {
      local = {};
      this.#local.set(adapter, local);
    }
    return local;
  }

  #localAddress(adapter: number, rpa: Uint8Array | undefined): DeviceAddress | undefined {
    if (rpa) return { address: rpa, type: 1 };
    const local = this.#localOf(adapter);
    if (local.ownType === undefined || (local.ownType & 1) === 0) {
      return local.public ? { address: local.public, type: 0 } : undefined;
    }
    return local.random ? { address: local.random, type: 1 } : undefined;
  }

  #linkName(
    adapter: number,
    handle: number,
    generation = this.#generation.get(`${adapter}:${handle}`) ?? 1,
  ): string {
    const name = `${adapter === 0 ? '' : `hci${adapter} `}handle 0x${handle.toString(16).padStart(4, '0')}`;
    return generation > 1 ? `${name} #${generation}` : name;
  }
}
