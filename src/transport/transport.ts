/**
 * What every HCI transport offers the host: send a packet, hear packets and
 * the close, close it. And the one error type all transports throw, whose
 * message says what to do about it.
 * @module
 */
import type { HciPacket } from '../hci/h4.js';

/** Hears each HCI packet the controller sends, whole and without its H4 indicator. */
export type PacketListener = (packet: HciPacket) => void;

/** Hears the close of a transport once: no error for {@link Transport.close}, an error for anything else. */
export type CloseListener = (error?: Error) => void;

/** A link to one HCI controller. Packets in and out are whole; framing is the transport's business. */
export interface Transport {
  /**
   * Sends one packet. Throws a {@link TransportError} with code `closed` after the transport closed.
   * @example
   * ```ts
   * transport.send({ type: 'command', data: encodeCommand({ name: 'reset' }) });
   * ```
   */
  send(packet: HciPacket): void;
  /**
   * Adds a listener for packets from the controller.
   * @example
   * ```ts
   * transport.onPacket((packet) => packet.type === 'event' && console.log(decodeEvent(packet.data)));
   * ```
   */
  onPacket(listener: PacketListener): void;
  /**
   * Adds a listener for the close; a listener added after the close hears it at once (asynchronously).
   * @example
   * ```ts
   * transport.onClose((error) => error instanceof TransportError && console.error(error.code, error.message));
   * ```
   */
  onClose(listener: CloseListener): void;
  /**
   * Closes the link, after flushing what was sent where the medium allows; safe to call more than once.
   * @example
   * ```ts
   * process.once('SIGINT', () => void transport.close());
   * ```
   */
  close(): Promise<void>;
}

/**
 * Why a transport failed to open or stopped:
 * - `bad-address`: the transport string is malformed;
 * - `missing-module`: an optional package it needs is not installed, or failed to load;
 * - `not-linux`: the HCI user channel exists on Linux only;
 * - `unsupported`: this kind of transport is not available (yet, or on this kernel);
 * - `permission`: the OS refused access (capability, group, file mode);
 * - `busy`: something else holds the adapter or port;
 * - `blocked`: the adapter is soft- or hard-blocked by rfkill;
 * - `no-device`: no such adapter or port;
 * - `connect-failed`: opening failed for another reason (named in the message);
 * - `framing`: the byte stream broke H4 framing, so it is out of step for good;
 * - `io`: a read or write failed after opening;
 * - `disconnected`: the other end went away;
 * - `closed`: the transport is closed, so nothing can be sent on it.
 */
export type TransportErrorCode =
  | 'bad-address'
  | 'missing-module'
  | 'not-linux'
  | 'unsupported'
  | 'permission'
  | 'busy'
  | 'blocked'
  | 'no-device'
  | 'connect-failed'
  | 'framing'
  | 'io'
  | 'disconnected'
  | 'closed';

/**
 * A transport that could not open or that stopped. `code` tells the cases apart
 * for programs; the message tells a person what to do. The OS or module error,
 * if any, is the `cause`.
 * @example
 * ```ts
 * try { await openTransport('hci0'); }
 * catch (err) {
 *   if (err instanceof TransportError && err.code === 'busy') console.error(err.message);
 * }
 * ```
 */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
  /** What kind of failure this is. */
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
