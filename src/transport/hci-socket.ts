/**
 * The Linux HCI user channel (HCI_CHANNEL_USER): exclusive, raw access to one
 * adapter, with the kernel's Bluetooth stack and bluetoothd out of the way.
 * Through an optional package loaded only when this transport is opened:
 * `@stoprocent/bluetooth-hci-socket` (prebuilt for Linux x64, arm and arm64,
 * no compiler needed) when it is installed, else
 * `@abandonware/bluetooth-hci-socket` (compiled from source by node-gyp); see
 * hci-socket-package.ts.
 * @module
 */
import { H4Transport } from './base.js';
import { type HciSocketLoaders, loadHciSocketPackage } from './hci-socket-package.js';
import type { ModuleLoader } from './optional.js';
import { formatTransport, type HciSocketDescriptor } from './parse.js';
import { type Transport, TransportError, type TransportErrorCode } from './transport.js';

/**
 * The part of the packages' `BluetoothHciSocket` this transport uses. Its
 * packets, both ways, carry the H4 indicator octet; `bindUser` throws the
 * `bind` errno error; a failed write is an `error` event.
 */
export interface HciSocketLike {
  bindUser(devId?: number): number;
  start(): void;
  stop(): void;
  write(data: Buffer): void;
  on(event: 'data' | 'error', listener: (...args: never[]) => void): unknown;
}

/** Options of {@link openHciSocketTransport}; all are there for tests and unusual setups. */
export interface HciSocketOptions {
  /**
   * Loads the socket packages, by name, in place of `import()`: tried in
   * order, `@stoprocent/bluetooth-hci-socket` first, then
   * `@abandonware/bluetooth-hci-socket`; a package without a loader here
   * counts as not installed. Default: `import()` of each.
   */
  readonly loaders?: HciSocketLoaders;
  /**
   * One loader, for `@abandonware/bluetooth-hci-socket` alone: the same as
   * `loaders: { '@abandonware/bluetooth-hci-socket': load }` (what
   * `openTransport`'s `loadHciSocket` passes). Ignored when `loaders` is given.
   */
  readonly load?: ModuleLoader;
  /** The OS; default `process.platform`. */
  readonly platform?: NodeJS.Platform;
}

/**
 * A code and a message saying what to do, for each errno of `bind` (and
 * `socket`) worth explaining, given the transport's name and adapter index.
 */
const BIND_ERRORS: Readonly<Record<string, (name: string, devId: number) => [TransportErrorCode, string]>> = {
  EPERM: (name) => ['permission', permission(name)],
  EACCES: (name) => ['permission', permission(name)],
  EBUSY: (name, devId) => [
    'busy',
    `${name} is in use, most likely by bluetoothd: take the adapter from it with ` +
      `\`sudo systemctl stop bluetooth\` (every adapter) or \`sudo btmgmt --index ${devId} power off\` ` +
      '(this one), then try again',
  ],
  ENODEV: (name) => ['no-device', `${name} does not exist: list the adapters with \`btmgmt info\``],
  ERFKILL: (name) => [
    'blocked',
    `${name} is blocked by rfkill: unblock it with \`rfkill unblock bluetooth\``,
  ],
  EAFNOSUPPORT: (name) => [
    'unsupported',
    `${name}: this kernel offers no Bluetooth sockets (AF_BLUETOOTH): load the module with ` +
      '`sudo modprobe bluetooth`; in a container, run it with the host network',
  ],
};

function permission(name: string): string {
  return (
    `${name}: no permission to open the HCI user channel: run with CAP_NET_ADMIN, e.g. ` +
    '`sudo setcap cap_net_admin,cap_net_raw+eip $(eval readlink -f $(which node))`, or as root'
  );
}

/** The errno name of an error: its `code`, or the first `EXXX` word of its message. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const message = error instanceof Error ? error.message : String(error);
  return /\b(E[A-Z]{2,})\b/.exec(message)?.[1];
}

function openError(name: string, devId: number, error: unknown): TransportError {
  const errno = errnoOf(error);
  const known = errno === undefined ? undefined : BIND_ERRORS[errno];
  const detail = error instanceof Error ? error.message : String(error);
  const [code, message] = known?.(name, devId) ?? [
    'connect-failed',
    `${name}: cannot open the HCI user channel (${detail})`,
  ];
  return new TransportError(code, message, { cause: error });
}

class HciSocketTransport extends H4Transport {
  readonly #socket: HciSocketLike;

  constructor(socket: HciSocketLike, name: string) {
    super(name);
    this.#socket = socket;
    socket.on('data', (data: Uint8Array) => this.receive(data));
    socket.on('error', (error: Error) =>
      this.fail(new TransportError('io', `${name}: ${error.message}`, { cause: error })),
    );
  }

  protected write(octets: Uint8Array): void {
    this.#socket.write(Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength));
  }

  protected async release(): Promise<void> {
    this.#socket.stop();
  }
}

/**
 * Opens the HCI user channel of adapter `hci<devId>`, through
 * `@stoprocent/bluetooth-hci-socket` when it is installed and loads, else
 * `@abandonware/bluetooth-hci-socket`. The channel is exclusive: bluetoothd
 * must not hold the adapter, and the process needs CAP_NET_ADMIN. Rejects
 * with a {@link TransportError} whose code is `not-linux`, `missing-module`
 * (neither package loads: the message names both and recommends the prebuilt
 * one), `permission`, `busy`, `no-device`, `blocked`, `unsupported` or
 * `connect-failed`, and whose message says what to do. Neither package has a
 * way to close its socket: `close()` stops reading, and the kernel releases
 * the adapter when the socket object is collected or the process exits.
 * @example
 * ```ts
 * const transport = await openHciSocketTransport({ type: 'hci-socket', devId: 0 });
 * transport.onPacket((packet) => console.log(packet.type));
 * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
 * ```
 */
export async function openHciSocketTransport(
  descriptor: HciSocketDescriptor,
  options: HciSocketOptions = {},
): Promise<Transport> {
  const name = formatTransport(descriptor);
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    throw new TransportError(
      'not-linux',
      `${name}: the HCI user channel exists on Linux only, and this is ${platform}: ` +
        'use a controller over serial:PATH or tcp:HOST:PORT instead',
    );
  }
  const loaders =
    options.loaders ?? (options.load ? { '@abandonware/bluetooth-hci-socket': options.load } : undefined);
  const { BluetoothHciSocket } = await loadHciSocketPackage(
    loaders ? { user: name, loaders } : { user: name },
  );
  let socket: HciSocketLike;
  try {
    socket = new (BluetoothHciSocket as new () => HciSocketLike)();
    socket.bindUser(descriptor.devId);
  } catch (error) {
    throw openError(name, descriptor.devId, error);
  }
  const transport = new HciSocketTransport(socket, name);
  try {
    socket.start();
  } catch (error) {
    await transport.close();
    throw openError(name, descriptor.devId, error);
  }
  return transport;
}
