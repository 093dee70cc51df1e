/**
 * One LE connection as the application holds it: its role, its peer, its
 * security (pair, encrypt, secure) and its events.
 * @module
 */
import type { HciCommand } from '../hci/commands.js';
import { describeHciError, HciErrorCode, HciOpcode } from '../hci/constants.js';
import type { ReturnParameters } from '../hci/events.js';
import type { DeviceAddress } from '../smp/delegate.js';
import type { SessionPhase } from '../smp/session.js';
import type { PairingResult } from '../smp/session-types.js';
import type { Bond } from './bond-store.js';
import { HciCommandError } from './command-channel.js';
import { Emitter } from './emitter.js';
import type { EncryptionError, PairingError } from './security-errors.js';
import type { SecurityManager } from './security-manager.js';
import type { PairOptions, SecureOptions, SecurityOutcome } from './security-types.js';

/** What a connection needs from the host that made it. */
interface ConnectionOwner {
  readonly security: SecurityManager;
  command(command: HciCommand): Promise<ReturnParameters>;
}

/**
 * Establishing a connection failed: the controller refused, the attempt timed
 * out (`timeout`), or the host closed.
 * @example
 * ```ts
 * try { await host.connect('c0:ff:ee:00:00:01', 1, { timeoutMs: 5000 }); }
 * catch (err) { if (err instanceof ConnectionError && err.timeout) console.error('not in range'); }
 * ```
 */
export class ConnectionError extends Error {
  override readonly name: string = 'ConnectionError';
  /** The HCI status, when the controller gave one. */
  readonly status: number | undefined;
  readonly timeout: boolean;
  constructor(message: string, status?: number, timeout = false) {
    super(message);
    this.status = status;
    this.timeout = timeout;
  }
}

/**
 * Events of a {@link Connection}: a closed map, so a misspelt name in
 * `connection.on(...)` does not compile.
 */
export interface ConnectionEvents {
  /** The link went away, with the HCI reason. */
  disconnect: [reason: number];
  /**
   * The connection parameters changed (LE Connection Update Complete): interval in
   * units of 1.25 ms, peripheral latency in events, supervision timeout in units of 10 ms.
   */
  parameters: [interval: number, latency: number, supervisionTimeout: number];
  /** The pairing session changed phase. */
  pairing: [phase: SessionPhase];
  /** The link is now encrypted; `bonded`: with a stored key (then `bond` is it) rather than a fresh pairing. */
  encrypted: [bonded: boolean, bond: Bond | undefined];
  /** The peer (a peripheral) sent a Security Request with this AuthReq. */
  'security-request': [authReq: number];
  /** A bond was stored after pairing. */
  bonded: [bond: Bond];
  /**
   * A pairing is complete, whichever side started it: the keys of both sides
   * are distributed and, when both bond, kept (`bond`). `encrypted` comes
   * earlier, before key distribution: disconnecting there loses the bond.
   * This is how a peripheral gets the {@link PairingResult} of a pairing the
   * central started (the central also gets it from {@link Connection.pair}).
   * @example
   * ```ts
   * host.on('connection', (connection) => {
   *   connection.on('paired', (result, bond) => {
   *     console.log(result.model, result.authenticated ? 'authenticated' : 'unauthenticated', bond ? 'bonded' : 'not kept');
   *   });
   * });
   * ```
   */
  paired: [result: PairingResult, bond: Bond | undefined];
  /** A pairing failed, whichever side started it. */
  'pairing-failed': [error: PairingError];
  /** Encrypting with the bond, in answer to the peer's Security Request, failed (e.g. the peer lost the bond). */
  'encryption-failed': [error: EncryptionError];
}

/** A caller of {@link Connection.readRemoteFeatures} waiting for the Complete event. */
interface FeatureWaiter {
  readonly resolve: (features: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One LE connection.
 * @example
 * ```ts
 * const connection = await host.connect('c0:ff:ee:00:00:01', 1);
 * const result = await connection.pair({ delegate: acceptAll });
 * await connection.disconnect();
 * ```
 */
export class Connection extends Emitter<ConnectionEvents> {
  readonly handle: number;
  readonly role: 'central' | 'peripheral';
  /** The peer's address on this link (6 octets, wire order) and its type. */
  readonly peer: DeviceAddress;
  readonly #host: ConnectionOwner;
  #disconnected: number | undefined;
  readonly #waiters: ((reason: number) => void)[] = [];
  /** Callers of readRemoteFeatures, in the order their commands went out. */
  readonly #featureWaiters: FeatureWaiter[] = [];

  /** @internal made by the host. */
  constructor(host: ConnectionOwner, handle: number, role: 'central' | 'peripheral', peer: DeviceAddress) {
    super();
    this.#host = host;
    this.handle = handle;
    this.role = role;
    this.peer = peer;
  }

  /** Whether the link is up. */
  get connected(): boolean {
    return this.#disconnected === undefined;
  }

  /** Whether the link is encrypted. */
  get encrypted(): boolean {
    return this.#host.security.isEncrypted(this.handle);
  }

  /**
   * The peer's identity: the identity address of the bond whose IRK resolves
   * its resolvable private address, or the identity it distributed when
   * pairing, else its address on the link.
   */
  get identity(): DeviceAddress {
    return this.#host.security.identityOf(this.handle) ?? this.peer;
  }

  /**
   * Secures the link: a central re-encrypts with a kept bond that meets the
   * policy, else pairs (`forcePair` pairs in any case); a peripheral sends a
   * Security Request and the central pairs or encrypts with its bond.
   * @example
   * ```ts
   * const outcome = await connection.secure({ delegate });
   * if (outcome.kind === 'encrypted') console.log('re-encrypted from the bond made', new Date(outcome.bond.createdAt));
   * ```
   */
  secure(options: SecureOptions = {}): Promise<SecurityOutcome> {
    return this.#host.security.secure(this.handle, options);
  }

  /**
   * Pairs: as the initiator on a central; on a peripheral, sends a Security
   * Request and waits for the central's pairing. Rejects with a PairingError.
   * @example
   * ```ts
   * const result = await connection.pair({ policy: { ioCapability: IoCapability.DisplayYesNo }, delegate });
   * ```
   */
  pair(options: PairOptions = {}): Promise<PairingResult> {
    return this.#host.security.pair(this.handle, options);
  }

  /**
   * Central: re-encrypts with the bond's key; rejects with an EncryptionError.
   * @example
   * ```ts
   * await connection.encrypt().catch(() => connection.pair());
   * ```
   */
  encrypt(): Promise<void> {
    return this.#host.security.encrypt(this.handle);
  }

  /**
   * Disconnects; resolves with the reason once the controller reports Disconnection Complete.
   * @example
   * ```ts
   * await connection.disconnect(); // 0x16 on our side
   * ```
   */
  disconnect(reason: number = HciErrorCode.RemoteUserTerminatedConnection): Promise<number> {
    if (this.#disconnected !== undefined) return Promise.resolve(this.#disconnected);
    const done = new Promise<number>((resolve) => this.#waiters.push(resolve));
    return this.#host.command({ name: 'disconnect', handle: this.handle, reason }).then(() => done);
  }

  /**
   * The peer's LE features (HCI_LE_Read_Remote_Features, Core Vol 4 Part E
   * 7.8.21): 8 octets, bit n of the feature set in bit n % 8 of octet n / 8
   * (Vol 6 Part B 4.6), as the peer's link layer gave them. Rejects with
   * {@link UnsupportedCommandError} when the controller lacks the command,
   * HciCommandError when it fails, ConnectionError when the link goes first.
   * @example
   * ```ts
   * const features = await connection.readRemoteFeatures();
   * hasLeFeature(features, 'LE 2M PHY'); // whether the peer supports the 2M PHY
   * ```
   */
  async readRemoteFeatures(): Promise<Uint8Array> {
    if (this.#disconnected !== undefined) {
      throw new ConnectionError('the link is down', this.#disconnected);
    }
    let waiter!: FeatureWaiter;
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      waiter = { resolve, reject };
      this.#featureWaiters.push(waiter);
    });
    try {
      await this.#host.command({ name: 'le-read-remote-features', handle: this.handle });
    } catch (error) {
      // Refused, or never sent: no Complete event will come for this one.
      const at = this.#featureWaiters.indexOf(waiter);
      if (at >= 0) this.#featureWaiters.splice(at, 1);
      throw error;
    }
    return answer;
  }

  /** @internal the host reports LE Read Remote Features Complete. */
  remoteFeatures(status: number, features: Uint8Array): void {
    const waiter = this.#featureWaiters.shift();
    if (!waiter) return;
    if (status === 0) waiter.resolve(Uint8Array.from(features));
    else waiter.reject(new HciCommandError(HciOpcode.LeReadRemoteFeatures, status));
  }

  /** @internal the host reports the Disconnection Complete. */
  closed(reason: number): void {
    if (this.#disconnected !== undefined) return;
    this.#disconnected = reason;
    for (const resolve of this.#waiters.splice(0)) resolve(reason);
    for (const waiter of this.#featureWaiters.splice(0)) {
      waiter.reject(new ConnectionError(`the link went down: ${describeHciError(reason)}`, reason));
    }
    this.emit('disconnect', reason);
  }
}
