/**
 * The socket API of `@abandonware/bluetooth-hci-socket` and
 * `@stoprocent/bluetooth-hci-socket` as noble and bleno use it
 * (lib/hci-socket/hci.js and mgmt.js of both families), so that a stand-in
 * and the secure adapter can take its place.
 * @module
 */

/** One entry of `getDeviceList()`, as the native module reports it. */
export interface HciDeviceInfo {
  readonly devId: number;
  readonly devUp: boolean;
  readonly idVendor: number | null;
  readonly idProduct: number | null;
  readonly busNumber: number | null;
  readonly deviceAddress: number | null;
}

/**
 * What noble and bleno call on an HCI socket. Packets written and emitted as
 * `data` carry their H4 indicator first (0x01 command, 0x02 ACL, 0x04 event);
 * on a control socket (`bindControl`) they are Linux mgmt packets.
 */
export interface HciSocketLike {
  /** `params`: the `@stoprocent` socket's bind parameters (its UART and USB drivers), passed through. */
  bindRaw(devId?: number, params?: unknown): number;
  bindUser(devId?: number, params?: unknown): number;
  bindControl(): void;
  isDevUp(): boolean;
  setFilter(filter: Buffer): void;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
  getDeviceList(): HciDeviceInfo[];
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  /** The `@stoprocent` socket's UART driver reports the device going up or down. */
  on(event: 'state', listener: (up: boolean) => void): this;
  removeAllListeners(event?: string): this;
}

/** The constructor noble and bleno call as `new BluetoothHciSocket()`. */
export type HciSocketClass = new () => HciSocketLike;
