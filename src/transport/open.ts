/**
 * One entry point from a transport string to an open transport.
 * @module
 */
import { type HciSocketOptions, openHciSocketTransport } from './hci-socket.js';
import type { ModuleLoader } from './optional.js';
import { parseTransport, type TransportDescriptor } from './parse.js';
import { openSerialTransport } from './serial.js';
import { openSocketTransport } from './stream.js';
import { type Transport, TransportError } from './transport.js';

/** Options of {@link openTransport}; each applies to the transports it names. */
export interface OpenTransportOptions {
  /** tcp, unix: how long to wait for the connection. Default 10000 ms. */
  readonly connectTimeoutMs?: number;
  /** tcp, unix, serial: how long `close()` waits for written octets to drain. Default 1000 ms. */
  readonly flushTimeoutMs?: number;
  /** serial: RTS/CTS hardware flow control. Default false. */
  readonly rtscts?: boolean;
  /** hciN: loads `@abandonware/bluetooth-hci-socket` (for tests). */
  readonly loadHciSocket?: ModuleLoader;
  /** serial: loads `serialport` (for tests). */
  readonly loadSerialPort?: ModuleLoader;
  /** hciN: the OS, default `process.platform` (for tests). */
  readonly platform?: HciSocketOptions['platform'];
}

/** Copies the options that are set, so none is passed as an explicit `undefined`. */
function defined<T extends object>(options: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/**
 * Opens the transport a transport string (or its parsed descriptor) names:
 * `hciN`, `tcp:HOST:PORT`, `unix:PATH` or `serial:PATH[@BAUD]`. Rejects with a
 * {@link TransportError} whose message says what to do: `bad-address` for a
 * malformed string, `unsupported` for `virtual` (the virtual controller is
 * not available yet), and the codes of each transport's opener.
 * @example
 * ```ts
 * const transport = await openTransport(process.env.BLE_TRANSPORT ?? 'hci0');
 * transport.onClose((error) => error && console.error(error.message));
 * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
 * ```
 */
export async function openTransport(
  spec: string | TransportDescriptor,
  options: OpenTransportOptions = {},
): Promise<Transport> {
  const descriptor = typeof spec === 'string' ? parseTransport(spec) : spec;
  switch (descriptor.type) {
    case 'hci-socket':
      return openHciSocketTransport(
        descriptor,
        defined({ load: options.loadHciSocket, platform: options.platform }),
      );
    case 'tcp':
    case 'unix':
      return openSocketTransport(
        descriptor,
        defined({ connectTimeoutMs: options.connectTimeoutMs, flushTimeoutMs: options.flushTimeoutMs }),
      );
    case 'serial':
      return openSerialTransport(
        descriptor,
        defined({
          load: options.loadSerialPort,
          rtscts: options.rtscts,
          flushTimeoutMs: options.flushTimeoutMs,
        }),
      );
    case 'virtual':
      throw new TransportError(
        'unsupported',
        'virtual: the virtual controller is not available yet; use hciN, tcp:HOST:PORT, unix:PATH or serial:PATH',
      );
  }
}
