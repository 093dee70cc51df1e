/**
 * H4 over a UART, through the optional package `serialport`, loaded only when
 * this transport is opened. The port is a `Duplex`, so the rest is
 * {@link StreamTransport}.
 * @module
 */
import type { Duplex } from 'node:stream';
import { constructorOf, importModule, loadOptional, type ModuleLoader } from './optional.js';
import { formatTransport, type SerialDescriptor } from './parse.js';
import { StreamTransport, type StreamTransportOptions } from './stream.js';
import { TransportError, type TransportErrorCode } from './transport.js';

/** The npm package that provides serial ports. */
const PACKAGE = 'serialport';

/** The options this transport gives the package's `SerialPort` constructor. */
export interface SerialPortOpenOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly rtscts: boolean;
  readonly autoOpen: false;
}

/** The part of the package's `SerialPort` this transport uses: a `Duplex` opened with `open(callback)`. */
export interface SerialPortLike extends Duplex {
  open(callback: (error: Error | null) => void): void;
}

/** Options of {@link openSerialTransport}. */
export interface SerialOptions extends StreamTransportOptions {
  /** Loads the package; default `import('serialport')`. */
  readonly load?: ModuleLoader;
  /** RTS/CTS hardware flow control; default false. Turn it on if the controller's UART uses it (most H4 UARTs can). */
  readonly rtscts?: boolean;
}

/** A code and a message saying what to do, for each way opening a port commonly fails. */
function openError(name: string, path: string, error: Error): TransportError {
  const code = (error as { code?: unknown }).code;
  const text = `${typeof code === 'string' ? code : ''} ${error.message}`;
  const known: [TransportErrorCode, string] | undefined = /EACCES|EPERM|permission denied/i.test(text)
    ? [
        'permission',
        `${name}: no permission to open ${path}: add yourself to the group that owns it ` +
          '(`sudo usermod -aG dialout $USER` on most Linux systems, then log in again)',
      ]
    : /EBUSY|cannot lock|resource busy/i.test(text)
      ? [
          'busy',
          `${name}: ${path} is in use by another program (a terminal, ModemManager, another host): close it, then try again`,
        ]
      : /ENOENT|ENODEV|no such file|file not found/i.test(text)
        ? [
            'no-device',
            `${name}: there is no serial port ${path}: check the path and that the board is plugged in`,
          ]
        : undefined;
  const [errorCode, message] = known ?? ['connect-failed', `${name}: cannot open ${path} (${error.message})`];
  return new TransportError(errorCode, message, { cause: error });
}

/**
 * Opens a serial port and speaks H4 over it. Rejects with a
 * {@link TransportError} with code `missing-module` (with the npm command)
 * when `serialport` is not installed, and `permission`, `busy`, `no-device`
 * or `connect-failed` when the port does not open.
 * @example
 * ```ts
 * const transport = await openSerialTransport({ type: 'serial', path: '/dev/ttyACM0', baudRate: 1_000_000 });
 * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
 * ```
 */
export async function openSerialTransport(
  descriptor: SerialDescriptor,
  options: SerialOptions = {},
): Promise<StreamTransport> {
  const name = formatTransport(descriptor);
  const mod = await loadOptional(PACKAGE, options.load ?? importModule(PACKAGE), name);
  const SerialPort = constructorOf(mod, 'SerialPort') as
    | (new (
        options: SerialPortOpenOptions,
      ) => SerialPortLike)
    | undefined;
  if (!SerialPort) {
    throw new TransportError(
      'missing-module',
      `${name}: the package ${PACKAGE} does not export the SerialPort class (version 10 or later has it): ` +
        `install it: npm install ${PACKAGE}`,
    );
  }
  const { path, baudRate } = descriptor;
  let port: SerialPortLike;
  try {
    port = new SerialPort({ path, baudRate, rtscts: options.rtscts ?? false, autoOpen: false });
  } catch (error) {
    throw openError(name, path, error instanceof Error ? error : new Error(String(error)));
  }
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(openError(name, path, error)) : resolve()));
  });
  return new StreamTransport(port, name, options);
}
