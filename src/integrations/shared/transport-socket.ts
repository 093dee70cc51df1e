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

  bindRaw(devId?: number): number {
    return this.#bind('raw', devId ?? 0);
  }

  bindUser(devId?: number): number {
    return this.#bind('user', devId ?? 0);
  }

  bindControl(): void {
    this.#bind('control', 0);
  }

  isDevUp(): boolean {
    return this.#device?.up ?? false;
  }

  setFilter(filter: Buffer): void {
    this.#filter = Buffer.from(filter);
  }

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

  stop(): void {
    if (this.#listener) this.#device?.detach(this.#listener);
    this.#listener = undefined;
  }

  write(data: Buffer): void {
    const device = this.#device;
    if (!device) throw new Error('HCI socket: not bound');
    if (this.#channel === 'control') device.control(data, (reply) => this.emit('data', reply));
    else device.write(data);
  }

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
