/**
 * Test stand-ins for the optional packages: a BluetoothHciSocket and a
 * SerialPort that echo what is written, or fail the way the real ones do.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import type { SerialPortOpenOptions } from '../../src/transport/serial.js';

/** An errno error as Node and Nan make them: `code` is the errno name. */
export function errnoError(code: string, message: string, syscall = 'bind'): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall, errno: -1 });
}

/** How a fake BluetoothHciSocket behaves. */
export interface FakeHciSocketOptions {
  readonly bindError?: Error;
  readonly startError?: Error;
  /** Emit each write back as a `data` event; default true. */
  readonly echo?: boolean;
}

/** A BluetoothHciSocket that binds, echoes writes as reads, and records what happened. */
export class FakeHciSocket extends EventEmitter {
  readonly #options: FakeHciSocketOptions;
  boundTo: number | undefined;
  started = false;
  stopped = false;
  readonly written: Buffer[] = [];
  constructor(options: FakeHciSocketOptions) {
    super();
    this.#options = options;
  }
  bindUser(devId?: number): number {
    if (this.#options.bindError) throw this.#options.bindError;
    this.boundTo = devId;
    return devId ?? 0;
  }
  start(): void {
    if (this.#options.startError) throw this.#options.startError;
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  write(data: Buffer): void {
    if (!Buffer.isBuffer(data)) throw new TypeError('write takes a Buffer');
    this.written.push(Buffer.from(data));
    if (this.#options.echo ?? true) setImmediate(() => this.emit('data', Buffer.from(data)));
  }
}

/** A module namespace as import() presents the package (CommonJS `module.exports = BluetoothHciSocket`), and the sockets it made. */
export function fakeHciSocketModule(options: FakeHciSocketOptions = {}): {
  module: { default: new () => FakeHciSocket };
  sockets: FakeHciSocket[];
} {
  const sockets: FakeHciSocket[] = [];
  class BluetoothHciSocket extends FakeHciSocket {
    constructor() {
      super(options);
      sockets.push(this);
    }
  }
  return { module: { default: BluetoothHciSocket }, sockets };
}

/** How a fake SerialPort behaves. */
export interface FakeSerialPortOptions {
  readonly openError?: Error;
  readonly constructError?: Error;
}

/** A SerialPort that opens (or fails to), echoes writes as reads, and records what happened. */
export class FakeSerialPort extends Duplex {
  readonly #fake: FakeSerialPortOptions;
  readonly options: SerialPortOpenOptions;
  opened = false;
  readonly written: Buffer[] = [];
  constructor(portOptions: SerialPortOpenOptions, fake: FakeSerialPortOptions) {
    super();
    if (fake.constructError) throw fake.constructError;
    this.#fake = fake;
    this.options = portOptions;
  }
  open(callback: (error: Error | null) => void): void {
    setImmediate(() => {
      this.opened = !this.#fake.openError;
      callback(this.#fake.openError ?? null);
    });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written.push(chunk);
    setImmediate(() => this.push(chunk));
    callback();
  }
}

/** A module namespace like `serialport`'s (a named SerialPort export), and the ports it made. */
export function fakeSerialPortModule(options: FakeSerialPortOptions = {}): {
  module: { SerialPort: new (portOptions: SerialPortOpenOptions) => FakeSerialPort };
  ports: FakeSerialPort[];
} {
  const ports: FakeSerialPort[] = [];
  class SerialPort extends FakeSerialPort {
    constructor(portOptions: SerialPortOpenOptions) {
      super(portOptions, options);
      ports.push(this);
    }
  }
  return { module: { SerialPort }, ports };
}

/** Whether a package can be resolved from here (so a test of its absence would be wrong). */
export function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}
