/**
 * One HCI device as the Linux kernel presents it to HCI sockets, over a
 * ble-smp {@link Transport}: every bound socket hears the controller's
 * packets (raw sockets through their filter), commands are flow-controlled,
 * and, while no socket holds the user channel, the kernel's part of LE
 * security that bleno relies on: keys loaded with mgmt Load Long Term Keys
 * answer the controller's LE Long Term Key Requests.
 * @module
 */
import { equalBytes } from '../../crypto/bytes.js';
import { encodeCommand } from '../../hci/commands.js';
import { decodeEvent } from '../../hci/events.js';
import { encodeH4, type HciPacket } from '../../hci/h4.js';
import type { Transport } from '../../transport/transport.js';
import { CommandGate } from './command-gate.js';

/** A key loaded through mgmt Load Long Term Keys (BlueZ doc/mgmt-api.txt). */
export interface MgmtLongTermKey {
  /** 6 octets, wire order. */
  readonly address: Uint8Array;
  /** mgmt address type: 1 LE public, 2 LE random. */
  readonly addressType: number;
  readonly ediv: number;
  /** 8 octets. */
  readonly rand: Uint8Array;
  /** 16 octets. */
  readonly key: Uint8Array;
}

/** What a socket bound to a device is told. */
export interface DeviceListener {
  readonly channel: 'raw' | 'user' | 'control';
  /** Whether this packet passes the socket's filter (raw sockets). */
  accepts(packet: HciPacket): boolean;
  deliver(data: Buffer): void;
  fail(error: Error): void;
}

const MGMT_OP_LOAD_LONG_TERM_KEYS = 0x0013;
const MGMT_EV_CMD_COMPLETE = 0x0001;
const LTK_INFO_SIZE = 36;

/**
 * The device behind the stand-in HCI sockets.
 * @example
 * ```ts
 * const device = new HciDevice(new VirtualAir().createController());
 * device.attach({ channel: 'raw', accepts: () => true, deliver: (d) => console.log(d), fail: console.error });
 * ```
 */
export class HciDevice {
  readonly #transport: Transport;
  readonly #gate: CommandGate;
  readonly #listeners = new Set<DeviceListener>();
  /** Peer address of each connection, from LE (Enhanced) Connection Complete. */
  readonly #peers = new Map<number, Uint8Array>();
  #keys: MgmtLongTermKey[] = [];
  #up = true;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.#gate = new CommandGate((data) => this.#send({ type: 'command', data }));
    transport.onPacket((packet) => this.#onPacket(packet));
    transport.onClose(() => {
      this.#up = false;
      this.#gate.close();
    });
  }

  /** Whether the device is up (its transport open). */
  get up(): boolean {
    return this.#up;
  }

  /** The keys loaded through mgmt, most recent load. */
  get longTermKeys(): readonly MgmtLongTermKey[] {
    return this.#keys;
  }

  /**
   * Adds a bound socket's listener: it hears the device's packets (a raw
   * socket through its filter, a control socket none) and failures to send.
   * @example
   * ```ts
   * device.attach({
   *   channel: 'user', accepts: () => true,
   *   deliver: (data) => socket.emit('data', data), fail: (error) => socket.emit('error', error),
   * });
   * ```
   */
  attach(listener: DeviceListener): void {
    this.#listeners.add(listener);
  }

  /**
   * Removes a listener added with {@link HciDevice.attach}.
   * @example
   * ```ts
   * device.detach(listener); // the socket stopped
   * ```
   */
  detach(listener: DeviceListener): void {
    this.#listeners.delete(listener);
  }

  /**
   * A packet a socket wrote, with its H4 indicator: a command (0x01) waits its
   * turn in the command flow control, ACL data (0x02) goes straight out; any
   * other type throws.
   * @example
   * ```ts
   * device.write(Uint8Array.of(0x01, 0x03, 0x0c, 0x00)); // HCI_Reset
   * ```
   */
  write(data: Uint8Array): void {
    const body = data.subarray(1);
    if (data[0] === 0x01) this.#gate.submit(Uint8Array.from(body));
    else if (data[0] === 0x02) this.#send({ type: 'acl', data: Uint8Array.from(body) });
    else throw new Error(`HCI socket: packet type 0x${(data[0] ?? 0).toString(16)} is not supported`);
  }

  /**
   * A packet written on a control socket: answers mgmt Load Long Term Keys, refuses
   * the rest (Unknown Command); the Command Complete comes to `reply` on a later turn.
   * @example
   * ```ts
   * device.control(loadLongTermKeys, (reply) => socket.emit('data', reply));
   * device.longTermKeys.length; // the keys of that load
   * ```
   */
  control(data: Uint8Array, reply: (data: Buffer) => void): void {
    const view = Buffer.from(data);
    if (view.length < 6) return;
    const opcode = view.readUInt16LE(0);
    const index = view.readUInt16LE(2);
    let status = 0x01; // Unknown Command
    if (opcode === MGMT_OP_LOAD_LONG_TERM_KEYS && view.length >= 8) {
      const count = view.readUInt16LE(6);
      const keys: MgmtLongTermKey[] = [];
      for (let i = 0; i < count; i++) {
        const at = 8 + i * LTK_INFO_SIZE;
        if (at + LTK_INFO_SIZE > view.length) break;
        keys.push({
          address: Uint8Array.from(view.subarray(at, at + 6)),
          addressType: view[at + 6]!,
          ediv: view.readUInt16LE(at + 10),
          rand: Uint8Array.from(view.subarray(at + 12, at + 20)),
          key: Uint8Array.from(view.subarray(at + 20, at + 36)),
        });
      }
      this.#keys = keys;
      status = 0x00;
    }
    const event = Buffer.alloc(9);
    event.writeUInt16LE(MGMT_EV_CMD_COMPLETE, 0);
    event.writeUInt16LE(index, 2);
    event.writeUInt16LE(3, 4);
    event.writeUInt16LE(opcode, 6);
    event[8] = status;
    setImmediate(() => reply(event));
  }

  #send(packet: HciPacket): void {
    try {
      this.#transport.send(packet);
    } catch (error) {
      for (const listener of this.#listeners) listener.fail(error as Error);
    }
  }

  #onPacket(packet: HciPacket): void {
    if (packet.type === 'event') {
      if (this.#gate.onEvent(packet.data)) return;
      this.#kernel(packet.data);
    }
    const data = Buffer.from(encodeH4(packet));
    for (const listener of this.#listeners) {
      if (listener.channel !== 'control' && listener.accepts(packet)) listener.deliver(data);
    }
  }

  /** The kernel's own handling of an event, while it manages the device (no user channel). */
  #kernel(data: Uint8Array): void {
    const decoded = decodeEvent(data);
    if (!decoded.ok) return;
    const event = decoded.event;
    if (event.name === 'le-connection-complete' || event.name === 'le-enhanced-connection-complete') {
      if (event.status === 0) this.#peers.set(event.handle, event.peerAddress);
    } else if (event.name === 'disconnection-complete') {
      this.#peers.delete(event.handle);
    } else if (event.name === 'le-long-term-key-request') {
      if ([...this.#listeners].some((l) => l.channel === 'user')) return;
      const peer = this.#peers.get(event.handle);
      const key = this.#keys.find(
        (k) =>
          peer !== undefined &&
          equalBytes(k.address, peer) &&
          k.ediv === event.ediv &&
          equalBytes(k.rand, event.rand),
      );
      const command = key
        ? ({ name: 'le-long-term-key-request-reply', handle: event.handle, ltk: key.key } as const)
        : ({ name: 'le-long-term-key-request-negative-reply', handle: event.handle } as const);
      this.#gate.submit(encodeCommand(command), () => undefined);
    }
  }
}
