/**
 * A stand-in for `@abandonware/bluetooth-hci-socket` over ble-smp transports:
 * noble and bleno run unchanged on a {@link VirtualController} (or an H4
 * transport), with the kernel's part played by {@link HciDevice}.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { HciPacket } from '../../hci/h4.js';
import type { Transport } from '../../transport/transport.js';
import { type DeviceListener, HciDevice } from './hci-device.js';
import type { HciDeviceInfo, HciSocketLike } from './socket-api.js';

const devices: HciDevice[] = [];

/**
 * Makes a transport HCI device `hciN` for the stand-in sockets (N counting
 * from 0 in the order added) and returns the device; `removeHciDevices()`
 * forgets them all.
 * @example
 * ```ts
 * addHciDevice(new VirtualAir().createController());
 * const socket = new TransportHciSocket();
 * socket.bindRaw(0);
 * ```
 */
export function addHciDevice(transport: Transport): HciDevice {
  const device = new HciDevice(transport);
  devices.push(device);
  return device;
}

/**
 * Forgets every device added with {@link addHciDevice}; sockets bound to them
 * stay bound.
 * @example
 * ```ts
 * afterEach(() => removeHciDevices());
 * ```
 */
export function removeHciDevices(): void {
  devices.splice(0);
}

/** The packet types and events a raw socket's `hci_filter` lets through (Linux include/net/bluetooth/hci_sock.h). */
function filterAccepts(filter: Buffer | undefined, packet: HciPacket): boolean {
  if (!filter || filter.length < 12) return true;
  const type = { command: 1, acl: 2, sco: 3, event: 4, iso: 5 }[packet.type];
  if (!(filter.readUInt32LE(0) & (1 << type))) return false;
  if (packet.type !== 'event') return true;
  const code = packet.data[0] ?? 0;
  const word = code < 32 ? filter.readUInt32LE(4) : filter.readUInt32LE(8);
  return ((word >>> (code & 31)) & 1) === 1;
}

/**
 * The stand-in socket. Construct it as noble and bleno do, with no
 * arguments; bind it to a device added with {@link addHciDevice}.
 * @example
 * ```ts
 * provideHciSocket(TransportHciSocket); // before noble or bleno is first required
 * addHciDevice(air.createController());
 * ```
 */
export class TransportHciSocket extends EventEmitter implements HciSocketLike {
  #device: HciDevice | undefined;
  #channel: DeviceListener['channel'] = 'raw';
  #filter: Buffer | undefined;
  #listener: DeviceListener | undefined;

  /**
   * Binds to `hci<devId>` (default 0) as a raw socket, which hears the device's
   * packets through its filter once started; returns `devId`. Throws an error with
   * code `ENODEV` when no such device was added.
   * @example
   * ```ts
   * socket.bindRaw(0); // 0
   * ```
   */
  bindRaw(devId?: number): number {
    return this.#bind('raw', devId ?? 0);
  }

  /**
   * Binds to `hci<devId>` (default 0) as the user channel: once started it hears
   * every packet, and the device leaves LE Long Term Key Requests to it; returns
   * `devId`. Throws an error with code `ENODEV` when no such device was added.
   * @example
   * ```ts
   * socket.bindUser(0);
   * socket.start();
   * ```
   */
  bindUser(devId?: number): number {
    return this.#bind('user', devId ?? 0);
  }

  /**
   * Binds as a control (mgmt) socket of the first device: what it writes are
   * mgmt commands, answered as `data` events.
   * @example
   * ```ts
   * socket.bindControl();
   * socket.write(loadLongTermKeys); // mgmt Load Long Term Keys; the Command Complete comes as 'data'
   * ```
   */
  bindControl(): void {
    this.#bind('control', 0);
  }

  /**
   * Whether the bound device is up (its transport open); false before binding.
   * @example
   * ```ts
   * if (!socket.isDevUp()) console.log('hci0 is down');
   * ```
   */
  isDevUp(): boolean {
    return this.#device?.up ?? false;
  }

  /**
   * Sets a raw socket's `hci_filter` (Linux hci_sock.h: the packet-type mask, then
   * the event mask in two words); packets it does not pass are not delivered.
   * @example
   * ```ts
   * const filter = Buffer.alloc(14);
   * filter.writeUInt32LE(1 << 4, 0); // HCI events only
   * filter.fill(0xff, 4, 12); // every event code
   * socket.setFilter(filter);
   * ```
   */
  setFilter(filter: Buffer): void {
    this.#filter = Buffer.from(filter);
  }

  /**
   * Starts delivering: packets come as `data` events, failures to send as
   * `error` events. Does nothing before binding or when already started.
   * @example
   * ```ts
   * socket.on('data', (data) => console.log(data.toString('hex')));
   * socket.start();
   * ```
   */
  start(): void {
    const device = this.#device;
    if (!device || this.#listener) return;
    const listener: DeviceListener = {
      channel: this.#channel,
      accepts: (packet) => this.#channel === 'user' || filterAccepts(this.#filter, packet),
      deliver: (data) => this.emit('data', data),
      fail: (error) => this.emit('error', error),
    };
    this.#listener = listener;
    device.attach(listener);
  }

  /**
   * Stops delivering; the socket stays bound and may start again.
   * @example
   * ```ts
   * socket.stop();
   * ```
   */
  stop(): void {
    if (this.#listener) this.#device?.detach(this.#listener);
    this.#listener = undefined;
  }

  /**
   * Writes a packet with its H4 indicator to the device, or a mgmt command on a
   * control socket. Throws when the socket is not bound.
   * @example
   * ```ts
   * socket.write(Buffer.from([0x01, 0x03, 0x0c, 0x00])); // HCI_Reset
   * ```
   */
  write(data: Buffer): void {
    const device = this.#device;
    if (!device) throw new Error('HCI socket: not bound');
    if (this.#channel === 'control') device.control(data, (reply) => this.emit('data', reply));
    else device.write(data);
  }

  /**
   * The devices added with {@link addHciDevice}, as `hci<devId>` entries with whether each is up (no USB details).
   * @example
   * ```ts
   * socket.getDeviceList(); // [{ devId: 0, devUp: true, idVendor: null, ... }] after one addHciDevice
   * ```
   */
  getDeviceList(): HciDeviceInfo[] {
    return devices.map((d, devId) => ({
      devId,
      devUp: d.up,
      idVendor: null,
      idProduct: null,
      busNumber: null,
      deviceAddress: null,
    }));
  }

  #bind(channel: DeviceListener['channel'], devId: number): number {
    const device = devices[devId];
    if (!device) {
      throw Object.assign(new Error(`no HCI device hci${devId} (add one with addHciDevice)`), {
        code: 'ENODEV',
      });
    }
    this.#device = device;
    this.#channel = channel;
    return devId;
  }
}
