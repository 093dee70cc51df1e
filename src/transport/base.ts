/**
 * The part every H4 transport shares: listeners, the H4 parser on the way in,
 * the indicator on the way out, and a close that happens exactly once.
 * @module
 */
import { encodeH4, H4Parser, type HciPacket } from '../hci/h4.js';
import { NO_LISTENERS, withListener } from './listener-list.js';
import { type CloseListener, type PacketListener, type Transport, TransportError } from './transport.js';

/**
 * A transport over anything that carries H4 octets. A subclass writes octets
 * out, hands what it reads to `receive`, reports a dead medium to `fail`, and
 * frees the medium in `release`; the rest is done here.
 * @example
 * ```ts
 * class Loop extends H4Transport {
 *   constructor() { super('loop'); }
 *   protected write(octets: Uint8Array) { this.receive(octets); }
 *   protected async release() {}
 * }
 * const loop = new Loop();
 * loop.onPacket((packet) => console.log(packet.type));
 * loop.send({ type: 'event', data: Uint8Array.of(0x0e, 0x00) }); // logs 'event'
 * ```
 */
export abstract class H4Transport implements Transport {
  /** The transport string this came from, e.g. `tcp:127.0.0.1:9000`, for messages. */
  readonly name: string;
  readonly #parser = new H4Parser();
  #packetListeners: readonly PacketListener[] = NO_LISTENERS;
  #closeListeners: readonly CloseListener[] = NO_LISTENERS;
  #open = true;
  #closed = false;
  #closeError: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /**
   * Writes one H4 packet (indicator included) to the medium.
   * @example
   * ```ts
   * protected write(octets: Uint8Array) { this.#socket.write(Buffer.from(octets)); }
   * ```
   */
  protected abstract write(octets: Uint8Array): void;
  /**
   * Frees the medium; `error` is set when it failed, so there is nothing to flush. Should not reject.
   * @example
   * ```ts
   * protected async release() { this.#socket.stop(); }
   * ```
   */
  protected abstract release(error?: Error): Promise<void>;

  /** False once closing started, whether by {@link close} or by a failure. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Sends one packet, with its H4 indicator. Throws a {@link TransportError}
   * with code `closed` once closing started.
   * @example
   * ```ts
   * transport.send({ type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) }); // HCI_Reset
   * ```
   */
  send(packet: HciPacket): void {
    if (!this.#open) {
      const why = this.#closeError ? ` (${this.#closeError.message})` : '';
      throw new TransportError('closed', `${this.name}: the transport is closed${why}; open a new one`);
    }
    this.write(encodeH4(packet));
  }

  /**
   * Adds a listener for each packet the controller sends, whole and without its indicator.
   * @example
   * ```ts
   * transport.onPacket((packet) => console.log(packet.type, packet.data.length));
   * ```
   */
  onPacket(listener: PacketListener): void {
    this.#packetListeners = withListener(this.#packetListeners, listener);
  }

  /**
   * Adds a listener for the close: no error after {@link H4Transport.close},
   * the failure otherwise; added after the close, it hears it at once (asynchronously).
   * @example
   * ```ts
   * transport.onClose((error) => console.log(error ? `lost: ${error.message}` : 'closed'));
   * ```
   */
  onClose(listener: CloseListener): void {
    if (this.#closed) queueMicrotask(() => listener(this.#closeError));
    else this.#closeListeners = withListener(this.#closeListeners, listener);
  }

  /**
   * Closes the transport: stops sending and delivering, frees the medium, then
   * tells the close listeners. Safe to call more than once (the same promise).
   * @example
   * ```ts
   * await transport.close();
   * ```
   */
  close(): Promise<void> {
    return this.#shutdown(undefined);
  }

  /**
   * Feeds octets read from the medium: delivers the packets they complete, and fails on broken framing.
   * @example
   * ```ts
   * socket.on('data', (chunk: Uint8Array) => this.receive(chunk));
   * ```
   */
  protected receive(chunk: Uint8Array): void {
    if (!this.#open) return;
    const { packets, error } = this.#parser.push(chunk);
    for (const packet of packets) {
      for (const listener of this.#packetListeners) listener(packet);
      if (!this.#open) return;
    }
    if (error !== undefined) {
      this.fail(
        new TransportError(
          'framing',
          `${this.name}: ${error}, so the stream is out of step and was closed. Check that the other end ` +
            'speaks H4 (one indicator octet before each HCI packet) and, on a UART, the baud rate and flow control',
        ),
      );
    }
  }

  /**
   * Closes the transport because the medium failed; listeners hear `error`. Later failures are ignored.
   * @example
   * ```ts
   * socket.on('error', (error: Error) => this.fail(new TransportError('io', `${this.name}: ${error.message}`)));
   * ```
   */
  protected fail(error: Error): void {
    void this.#shutdown(error);
  }

  #shutdown(error: Error | undefined): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#open = false;
    this.#closeError = error;
    let released: Promise<void>;
    try {
      released = this.release(error);
    } catch {
      released = Promise.resolve();
    }
    this.#closing = released
      .catch(() => undefined)
      .then(() => {
        this.#closed = true;
        const listeners = this.#closeListeners;
        this.#closeListeners = NO_LISTENERS;
        this.#packetListeners = NO_LISTENERS;
        for (const listener of listeners) listener(error);
      });
    return this.#closing;
  }
}
