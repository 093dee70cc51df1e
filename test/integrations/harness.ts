/**
 * Runs the real noble and bleno on the virtual controller through the
 * stand-in HCI socket, beside ble-smp hosts; captures our side as btsnoop.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tapped } from '../../src/cli/tap.js';
import type { Connection } from '../../src/host/connection.js';
import type { Host } from '../../src/host/host.js';
import { Host as HostClass } from '../../src/host/host.js';
import type { HostOptions } from '../../src/host/host-options.js';
import { provideHciSocket } from '../../src/integrations/shared/require-hook.js';
import {
  addHciDevice,
  removeHciDevices,
  TransportHciSocket,
} from '../../src/integrations/shared/transport-socket.js';
import { BtsnoopWriter } from '../../src/trace/btsnoop-writer.js';
import type { Transport } from '../../src/transport/transport.js';
import type { VirtualAir } from '../../src/transport/virtual/air.js';
import { tb } from '../host/virtual-hosts.js';

export const require = createRequire(import.meta.url);

/** The two package families users install: the maintained forks first. */
export const FAMILIES = ['@stoprocent', '@abandonware'] as const;
export type Family = (typeof FAMILIES)[number];
const LIBRARIES = FAMILIES.map((family) => join(process.cwd(), 'node_modules', family));

/** Addresses of the library's controller and ours (wire order). */
export const LIBRARY_ADDRESS = Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66);
export const HOST_ADDRESS = Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06);

/** Requires a fresh copy of noble or bleno (their modules hold the HCI socket). */
export function freshRequire<T>(request: string): T {
  for (const key of Object.keys(require.cache)) {
    if (LIBRARIES.some((dir) => key.startsWith(dir))) delete require.cache[key];
  }
  return require(request) as T;
}

/** Puts the library's controller on the air as hci0, behind the stand-in socket. */
export function libraryController(air: VirtualAir, transport?: Transport): Transport {
  removeHciDevices();
  provideHciSocket(TransportHciSocket);
  const controller = transport ?? air.createController({ address: LIBRARY_ADDRESS });
  addHciDevice(controller);
  return controller;
}

/** An ATT server whose every request needs an encrypted link (Insufficient Authentication, 0x05), then is not supported. */
export function encryptionRequired(connection: Connection, pdu: Uint8Array): Uint8Array | undefined {
  const opcode = pdu[0] ?? 0;
  if (opcode & 0x40 || opcode % 2 === 1 || connection.encrypted) return undefined;
  return Uint8Array.of(0x01, opcode, 0x00, 0x00, 0x05);
}

/** Our host on the air, with every packet recorded in a btsnoop capture. */
export async function capturedHost(air: VirtualAir, options: HostOptions) {
  const chunks: Uint8Array[] = [];
  const writer = new BtsnoopWriter({ write: (chunk) => chunks.push(chunk) });
  const transport = tapped(air.createController({ address: HOST_ADDRESS }), (direction, packet) =>
    writer.record(direction, packet),
  );
  const host: Host = await HostClass.open(transport, { crypto: tb, ...options });
  return { host, capture: () => Buffer.concat(chunks) };
}

/** Resolves with the first emission of `event` whose arguments pass `test`. */
export function until<A extends unknown[]>(
  emitter: object,
  event: string,
  test: (...args: A) => boolean = () => true,
): Promise<A> {
  const on = emitter as { on(event: string, listener: (...args: A) => void): unknown };
  return new Promise((resolve) => on.on(event, (...args: A) => test(...args) && resolve(args)));
}

export interface NoblePeripheral extends EventEmitter {
  address: string;
  connect(callback: (error?: Error) => void): void;
  discoverServices(uuids: string[], callback: (error: Error | undefined, services: unknown[]) => void): void;
  disconnect(callback?: () => void): void;
}
export interface Noble extends EventEmitter {
  startScanning(uuids: string[], duplicates: boolean): void;
  stopScanning(): void;
}

/** A new noble of the family, as `require('<family>/noble')` makes it. */
export function freshNoble(family: Family): Noble {
  return freshRequire<Noble>(`${family}/noble`);
}

/** Our host advertises; noble scans, finds it and connects. */
export async function nobleConnects<P extends Pick<NoblePeripheral, 'connect'> = NoblePeripheral>(
  host: Host,
  noble: Noble,
): Promise<P> {
  await host.startAdvertising();
  const found = until<[P]>(noble, 'discover');
  noble.startScanning([], false);
  const [peripheral] = await found;
  noble.stopScanning();
  await new Promise<void>((resolve, reject) => peripheral.connect((e) => (e ? reject(e) : resolve())));
  return peripheral;
}

/** noble scans, connects to our advertising host and discovers services, which needs encryption. */
export async function nobleDiscovers(host: Host, family: Family, given?: Noble): Promise<NoblePeripheral> {
  const noble = given ?? freshNoble(family);
  if (!given) await until(noble, 'stateChange', (state) => state === 'poweredOn');
  const peripheral = await nobleConnects(host, noble);
  peripheral.discoverServices([], () => undefined);
  return peripheral;
}

export interface Bleno extends EventEmitter {
  startAdvertising(name: string, uuids: string[], callback?: (error?: Error) => void): void;
  stopAdvertising(callback?: () => void): void;
  disconnect(): void;
}

/** A fresh bleno of the family, powered on and advertising. */
export async function blenoAdvertising(family: Family): Promise<Bleno> {
  const bleno = freshRequire<Bleno>(`${family}/bleno`);
  await until(bleno, 'stateChange', (state) => state === 'poweredOn');
  await new Promise<void>((resolve, reject) =>
    bleno.startAdvertising('plain', [], (e) => (e ? reject(e) : resolve())),
  );
  return bleno;
}

/** Hosts pushed onto the returned list are closed after each test, and HCI_CHANNEL_USER is cleared. */
export function closedAfterEach(): Host[] {
  const hosts: Host[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    delete process.env.HCI_CHANNEL_USER;
  });
  return hosts;
}
