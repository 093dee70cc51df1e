/**
 * The part every H4 transport shares: listeners, the H4 parser on the way in,
 * the indicator on the way out, and a close that happens exactly once.
 * @module
 */
import { encodeH4, H4Parser, type HciPacket } from '../hci/h4.js';
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
  readonly #packetListeners = new Set<PacketListener>();
  readonly #closeListeners = new Set<CloseListener>();
  #open = true;
  #closed = false;
  #closeError: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Writes one H4 packet (indicator included) to the medium. */
  protected abstract write(octets: Uint8Array): void;
  /** Frees the medium; `error` is set when it failed, so there is nothing to flush. Should not reject. */
  protected abstract release(error?: Error): Promise<void>;

  /** False once closing started, whether by {@link close} or by a failure. */
  get isOpen(): boolean {
    return this.#open;
  }

  send(packet: HciPacket): void {
    if (!this.#open) {
      const why = this.#closeError ? ` (${this.#closeError.message})` : '';
      throw new TransportError('closed', `${this.name}: the transport is closed${why}; open a new one`);
    }
    this.write(encodeH4(packet));
  }

  onPacket(listener: PacketListener): void {
    this.#packetListeners.add(listener);
  }

  onClose(listener: CloseListener): void {
    if (this.#closed) queueMicrotask(() => listener(this.#closeError));
    else this.#closeListeners.add(listener);
  }

  close(): Promise<void> {
    return this.#shutdown(undefined);
  }

  /** Feeds octets read from the medium: delivers the packets they complete, and fails on broken framing. */
  protected receive(chunk: Uint8Array): void {
    if (!this.#open) return;
    const { packets, error } = this.#parser.push(chunk);
    for (const packet of packets) {
      for (const listener of [...this.#packetListeners]) listener(packet);
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

  /** Closes the transport because the medium failed; listeners hear `error`. Later failures are ignored. */
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
        const listeners = [...this.#closeListeners];
        this.#closeListeners.clear();
        this.#packetListeners.clear();
        for (const listener of listeners) listener(error);
      });
    return this.#closing;
  }
}
