/**
 * The Security Manager's contracts: what it needs of its host, what it reports,
 * and the options of the host, a pairing and a securing.
 * @module
 */
import type { RandomSource } from '../crypto/random.js';
import type { Toolbox } from '../crypto/toolbox.js';
import type { HciCommand } from '../hci/commands.js';
import type { ReturnParameters } from '../hci/events.js';
import type { acceptAll, DeviceAddress, OobData, PairingDelegate } from '../smp/delegate.js';
import type { PairingPolicy } from '../smp/policy.js';
import type { RepeatedAttempts } from '../smp/repeated-attempts.js';
import type { SessionPhase } from '../smp/session.js';
import type { PairingResult } from '../smp/session-types.js';
import type { Bond, BondStore, MemoryBondStore } from './bond-store.js';
import type { Timers } from './command-channel.js';
import type { EncryptionError, PairingError } from './security-errors.js';
import type { SecurityManager } from './security-manager.js';

/** One link as the Security Manager sees it. */
export interface SecurityLink {
  readonly handle: number;
  /** Our role: a central is the SMP initiator, a peripheral the responder. */
  readonly role: 'central' | 'peripheral';
  readonly local: DeviceAddress;
  readonly peer: DeviceAddress;
}

/** What the Security Manager reports about a link. */
export type SecurityEvent =
  | { readonly type: 'pairing'; readonly phase: SessionPhase }
  /** The link is encrypted: `bonded` when with a kept key (then `bond` is it), else by the pairing just made. */
  | { readonly type: 'encrypted'; readonly bonded: boolean; readonly bond?: Bond }
  | { readonly type: 'security-request'; readonly authReq: number }
  | { readonly type: 'bonded'; readonly bond: Bond }
  /** A pairing is complete: both sides' keys distributed, and kept (`bond`) when both bond. */
  | { readonly type: 'paired'; readonly result: PairingResult; readonly bond?: Bond }
  /** A pairing failed (either side's Pairing Failed, the SMP timer, or the link going away). */
  | { readonly type: 'pairing-failed'; readonly error: PairingError }
  /** Encryption with a kept bond that no caller waits for (a Security Request answered from the bond) failed. */
  | { readonly type: 'encryption-failed'; readonly error: EncryptionError };

/** What the Security Manager needs of its host. */
export interface SecurityHost {
  /**
   * Sends an SMP PDU on the link's CID 0x0006; the host calls {@link SecurityManager.acknowledged} once the controller completed it.
   * @example
   * ```ts
   * const sm = new SecurityManager({ sendSmp: (handle, data) => l2cap.send(handle, 0x0006, data), command, emit });
   * ```
   */
  sendSmp(handle: number, data: Uint8Array): void;
  /**
   * Sends an HCI command; resolves with its return parameters, rejects when the controller refuses it.
   * @example
   * ```ts
   * const sm = new SecurityManager({ sendSmp, command: (command) => channel.send(command), emit });
   * ```
   */
  command(command: HciCommand): Promise<ReturnParameters>;
  /**
   * Reports an event of a link.
   * @example
   * ```ts
   * const sm = new SecurityManager({ sendSmp, command, emit: (handle, event) => console.log(handle, event.type) });
   * ```
   */
  emit(handle: number, event: SecurityEvent): void;
}

/** Options of {@link SecurityManager}, shared by every link of a host. */
export interface SecurityOptions {
  /** The default policy; `pair()` may override fields. */
  readonly policy?: Partial<PairingPolicy>;
  /** The default delegate (default {@link acceptAll}). */
  readonly delegate?: PairingDelegate;
  /** Where bonds are kept (default a new {@link MemoryBondStore}). */
  readonly bondStore?: BondStore;
  /** Repeated-attempts memory shared by the host's sessions (default a new one). */
  readonly attempts?: RepeatedAttempts;
  /** The clock for the SMP timer (default the global timers). */
  readonly timers?: Timers;
  /** The SMP timeout in milliseconds (default 30,000, Vol 3 Part H 3.4). */
  readonly smpTimeoutMs?: number;
  /** Our identity, distributed when IdKey is negotiated. */
  readonly identity?: { readonly address?: DeviceAddress; readonly irk?: Uint8Array };
  /** Crypto and randomness, for tests. */
  readonly crypto?: Toolbox;
  readonly random?: RandomSource;
  /**
   * What a central does on a Security Request: `auto` re-encrypts when a bond
   * meets the requested AuthReq, else pairs (smp-rules.md 9); `ignore` only
   * reports it. Default `auto`.
   */
  readonly onSecurityRequest?: 'auto' | 'ignore';
  /** The passkey to display instead of a random one, for scripts and tests (see the session's `fixedPasskey`). */
  readonly fixedPasskey?: number;
  /**
   * OOB data received out of band from peers (see {@link SecurityManager.addPeerOobData}):
   * a session with a peer at that address sets its OOB flag and uses the data.
   */
  readonly peerOob?: readonly PeerOobData[];
}

/**
 * LE Secure Connections OOB data to hand to the peer out of band (Core Vol 3
 * Part H 2.3.5.6.4): our address, our 16-octet random r and the confirm
 * C = f4(PKx, PKx, r, 0) of our public key X (all wire order).
 */
export interface ScOobData {
  readonly address: Uint8Array;
  /** 0 public, 1 random. */
  readonly type: 0 | 1;
  readonly random: Uint8Array;
  readonly confirm: Uint8Array;
}

/** OOB data received from a peer, keyed by its address: SC `{ random, confirm }` or legacy `{ tk }`. */
export type PeerOobData = { readonly address: Uint8Array; readonly type: 0 | 1 } & OobData;

/** Options of one pairing. */
export interface PairOptions {
  readonly policy?: Partial<PairingPolicy>;
  readonly delegate?: PairingDelegate;
  /**
   * OOB data: `peer` is what we received from the peer out of band (sets our
   * OOB flag for this pairing, over any data added with {@link SecurityManager.addPeerOobData}).
   */
  readonly oob?: { readonly peer?: OobData };
}

/** Options of {@link SecurityManager.secure}. */
export interface SecureOptions extends PairOptions {
  /** Central: pair even when a kept bond meets the policy. */
  readonly forcePair?: boolean;
}

/** How {@link SecurityManager.secure} secured the link. */
export type SecurityOutcome =
  | { readonly kind: 'paired'; readonly result: PairingResult }
  | { readonly kind: 'encrypted'; readonly bond: Bond };
