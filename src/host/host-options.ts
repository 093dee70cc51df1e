/**
 * What a {@link Host} is opened with, and what it takes to advertise, scan and
 * connect; the events it emits.
 * @module
 */
import type { ConnectionParameters } from '../hci/le-signalling.js';
import type { DeviceAddress } from '../smp/delegate.js';
import type { SessionPhase } from '../smp/session.js';
import type { PairingResult } from '../smp/session-types.js';
import type { Advertisement } from './advertisement.js';
import type { Bond, BondStore } from './bond-store.js';
import type { Timers } from './command-channel.js';
import type { Connection } from './connection.js';
import type { Host } from './host.js';
import type { PairingError } from './security-errors.js';
import type { SecurityOptions } from './security-types.js';

/**
 * The address we use on the air (Core Vol 6 Part B 1.3): the controller's
 * public address; a static random address of ours (our identity then); or a
 * resolvable private address made from our IRK and renewed every `rotateMs`
 * (default 15 minutes), with the public address as our identity.
 */
export type OwnAddress =
  | { readonly kind: 'public' }
  | { readonly kind: 'static'; readonly address: Uint8Array | string }
  | { readonly kind: 'resolvable'; readonly rotateMs?: number };

/** Options of {@link Host.open}. */
export interface HostOptions extends Omit<SecurityOptions, 'bondStore'> {
  /** The address we use on the air (default the controller's public address). */
  readonly ownAddress?: OwnAddress;
  /**
   * Where bonds are kept: a store, or a function that opens the store of our
   * identity address once the host knows it (as `FileBondStore.open`, one file
   * per local identity). Default a new {@link MemoryBondStore}.
   */
  readonly bondStore?: BondStore | ((identity: DeviceAddress) => BondStore);
  /**
   * Central: whether to accept the connection parameters a peripheral asks for
   * (L2CAP Connection Parameter Update Request); accepted ones are applied with
   * LE Connection Update. Invalid ones are always rejected. Default true.
   */
  readonly acceptConnectionParameters?: boolean | ((parameters: ConnectionParameters) => boolean);
  /** How long to wait for each HCI command's answer (default 2000 ms; also HCI Reset's when given). */
  readonly commandTimeoutMs?: number;
  /** How long HCI Reset at start-up may take (default `commandTimeoutMs` when given, else 10,000 ms: some controllers take seconds). */
  readonly resetTimeoutMs?: number;
  /**
   * Answers an ATT PDU (Core Vol 3 Part F) on a connection: return the
   * response to send; null when the handler answers later itself (with
   * `host.sendL2cap(handle, 0x0004, response)`) or sends nothing; undefined to
   * fall back to the default, which answers every request with Request Not
   * Supported.
   */
  readonly att?: (connection: Connection, pdu: Uint8Array) => Uint8Array | null | undefined;
  /** The clock for command, connection and SMP timeouts (default the global timers). */
  readonly timers?: Timers;
}

/** Options of {@link Host.startAdvertising}. */
export interface AdvertisingOptions {
  /** Advertising data, 0 to 31 octets (default: Flags, LE General Discoverable, BR/EDR not supported). */
  readonly data?: Uint8Array;
  /** Scan response data, 0 to 31 octets. */
  readonly scanResponse?: Uint8Array;
  /** Advertising interval in milliseconds (default 100). */
  readonly intervalMs?: number;
}

/** Options of {@link Host.connect}. */
export interface ConnectOptions {
  /** Give up (LE Create Connection Cancel) after this many milliseconds (default 10,000). */
  readonly timeoutMs?: number;
}

/**
 * Events of a {@link Host}: a closed map, so a misspelt name in `host.on(...)`
 * does not compile.
 */
export interface HostEvents {
  /** A central connected to us (we are the peripheral). */
  connection: [connection: Connection];
  disconnect: [connection: Connection, reason: number];
  pairing: [connection: Connection, phase: SessionPhase];
  encrypted: [connection: Connection, bonded: boolean, bond: Bond | undefined];
  'security-request': [connection: Connection, authReq: number];
  /**
   * A pairing is complete (keys distributed, and kept when both bond), whichever
   * side started it: a peripheral hears here of the pairings its centrals start.
   * @example
   * ```ts
   * host.on('paired', (connection, result) => console.log(connection.handle, result.model, result.bonded));
   * ```
   */
  paired: [connection: Connection, result: PairingResult, bond: Bond | undefined];
  /** A pairing failed, whichever side started it. */
  'pairing-failed': [connection: Connection, error: PairingError];
  /** An advertising or scan response report, while scanning. */
  advertisement: [advertisement: Advertisement];
}

/** Options of {@link Host.startScanning}. */
export interface ScanOptions {
  /**
   * Active scanning asks for scan responses (default false: passive). On a
   * controller known to report nothing while scanning passively
   * (`host.controller.problems`), scanning is active whatever this says.
   */
  readonly active?: boolean;
  /** Let the controller drop duplicate reports (default true). */
  readonly filterDuplicates?: boolean;
  /** Scan interval and window in milliseconds (default 60 and 30). */
  readonly intervalMs?: number;
  readonly windowMs?: number;
}
