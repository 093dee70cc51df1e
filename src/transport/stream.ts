/**
 * H4 over a byte stream: any Node `Duplex` (a TCP or Unix socket from
 * `node:net`, a serial port). Packets go out with their indicator octet;
 * reads of any size are framed by the `H4Parser` of `hci/h4`.
 * @module
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { H4Transport } from './base.js';
import { formatTransport, type TcpDescriptor, type UnixDescriptor } from './parse.js';
import { TransportError } from './transport.js';

/** Options of {@link StreamTransport}. */
export interface StreamTransportOptions {
  /** How long {@link StreamTransport.close} waits for written octets to drain before it cuts the stream. Default 1000 ms. */
  readonly flushTimeoutMs?: number;
}

/** Options of {@link openSocketTransport}. */
export interface SocketTransportOptions extends StreamTransportOptions {
  /** How long to wait for the connection before giving up. Default 10000 ms. */
  readonly connectTimeoutMs?: number;
}

const errnoOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/**
 * An H4 transport over an open `Duplex`. It owns the stream from then on:
 * a read error closes it with code `io`, the other end hanging up with
 * `disconnected`, octets that break H4 framing with `framing`; `close()`
 * ends the stream (flushing what was written) and resolves once it closed.
 * @example
 * ```ts
 * const transport = new StreamTransport(socket, 'tcp:127.0.0.1:9000');
 * transport.onPacket((packet) => console.log(packet.type, packet.data));
 * transport.onClose((error) => error && console.error(error.message));
 * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
 * ```
 */
export class StreamTransport extends H4Transport {
  readonly #stream: Duplex;
  readonly #flushTimeoutMs: number;

  constructor(stream: Duplex, name = 'stream', options: StreamTransportOptions = {}) {
    super(name);
    this.#stream = stream;
    this.#flushTimeoutMs = options.flushTimeoutMs ?? 1000;
    const hungUp = () =>
      this.fail(new TransportError('disconnected', `${name}: the other end closed the connection`));
    stream.on('data', (chunk: unknown) => {
      if (chunk instanceof Uint8Array) this.receive(chunk);
      else
        this.fail(
          new TransportError('framing', `${name}: the stream yields text; do not set an encoding on it`),
        );
    });
    stream.on('error', (error: Error) =>
      this.fail(new TransportError('io', `${name}: ${error.message}`, { cause: error })),
    );
    stream.on('end', hungUp);
    stream.on('close', hungUp);
  }

  /**
   * Writes one H4 packet to the stream; {@link H4Transport.send} calls it.
   * @example
   * ```ts
   * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // writes 01 03 0c 00
   * ```
   */
  protected write(octets: Uint8Array): void {
    this.#stream.write(octets);
  }

  /**
   * Ends the stream, letting what was written drain for up to `flushTimeoutMs`,
   * or destroys it at once after a failure; resolves once it closed.
   * {@link H4Transport.close} calls it.
   * @example
   * ```ts
   * await transport.close(); // the stream is closed when this resolves
   * ```
   */
  protected release(error?: Error): Promise<void> {
    const stream = this.#stream;
    return new Promise<void>((resolve) => {
      if (stream.closed) {
        resolve();
        return;
      }
      stream.once('close', () => resolve());
      if (error || stream.destroyed || !stream.writable) {
        stream.destroy();
        return;
      }
      const timer = setTimeout(() => stream.destroy(), this.#flushTimeoutMs);
      timer.unref();
      stream.end(() => {
        clearTimeout(timer);
        stream.destroy();
      });
    });
  }
}

/** What to tell a person about a failed connect, by OS error code. */
const CONNECT_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens there; start the controller or its bridge first',
  ENOENT: 'there is no socket at that path; start the controller or its bridge first',
  EACCES: 'no permission to use that socket; check its owner and mode',
  EPERM: 'no permission to use that socket; check its owner and mode',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (yet); check DNS',
  ETIMEDOUT: 'no answer; check the host, the port and any firewall',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/**
 * Connects to an H4 controller over TCP or a Unix socket and resolves to its
 * transport. Rejects with a {@link TransportError} with code `connect-failed`
 * that names the address, the OS error and what to check.
 * @example
 * ```ts
 * const transport = await openSocketTransport({ type: 'tcp', host: '127.0.0.1', port: 9000 });
 * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
 * ```
 */
export function openSocketTransport(
  descriptor: TcpDescriptor | UnixDescriptor,
  options: SocketTransportOptions = {},
): Promise<StreamTransport> {
  const name = formatTransport(descriptor);
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket =
      descriptor.type === 'tcp'
        ? connect({ host: descriptor.host, port: descriptor.port })
        : connect({ path: descriptor.path });
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no connection after ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
      socket.destroy(error);
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      const code = errnoOf(error);
      const hint =
        (code === undefined ? undefined : CONNECT_HINTS[code]) ??
        'check that the controller or its bridge listens there';
      reject(
        new TransportError('connect-failed', `cannot connect to ${name} (${error.message}): ${hint}`, {
          cause: error,
        }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      if (descriptor.type === 'tcp') socket.setNoDelay(true);
      resolve(new StreamTransport(socket, name, options));
    });
  });
}
