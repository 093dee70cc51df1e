/**
 * What goes into and comes out of a {@link PairingSession}.
 * @module
 */
import type { P256KeyPair } from '../crypto/backend.js';
import type { RandomSource } from '../crypto/random.js';
import type { Toolbox } from '../crypto/toolbox.js';
import type { AssociationModel } from './association.js';
import type { Keypress } from './constants.js';
import type { DeviceAddress, OobData, Prompt } from './delegate.js';
import type { SmpPdu } from './pdu.js';
import type { PairingPolicy } from './policy.js';
import type { RepeatedAttempts } from './repeated-attempts.js';
import type { SecurityLevel } from './security-level.js';

/** The initiator sends the Pairing Request (the central on LE); the responder answers it. */
export type Role = 'initiator' | 'responder';

/** Everything that can happen to a session. */
export type SessionInput =
  /** Initiator: begin pairing (send the Pairing Request). */
  | { readonly type: 'start' }
  /** Responder: ask the initiator to secure the link (send a Security Request). */
  | { readonly type: 'request-security' }
  /** An SMP PDU arrived (the L2CAP payload on CID 0x0006). */
  | { readonly type: 'pdu'; readonly data: Uint8Array }
  /**
   * The user answered prompt `id`; `message`, when the answer refuses, is the
   * failure's message (say, why no one could be asked) instead of the model's own.
   */
  | { readonly type: 'answer'; readonly id: number; readonly value: unknown; readonly message?: string }
  /** The link is now encrypted with the key the session gave (the controller's key size, when it reports one). */
  | { readonly type: 'encrypted'; readonly keySize?: number }
  /** Encryption failed (a key mismatch, or the peer had no key); `cause` says what the controller reported, for the failure's message. */
  | { readonly type: 'encryption-failed'; readonly cause?: string }
  /** The SMP timer (30 s) expired. */
  | { readonly type: 'timeout' }
  /** The controller acknowledged every SMP PDU queued so far (Number of Completed Packets). */
  | { readonly type: 'acknowledged' }
  /** Our user pressed a key during passkey entry: send a Keypress Notification when negotiated. */
  | { readonly type: 'keypress'; readonly notification: Keypress }
  /**
   * Give up the pairing under way (the user pressed Ctrl-C, the application is
   * stopping): Pairing Failed with the reason of the prompt waiting for an
   * answer (0x0C Numeric Comparison Failed, 0x01 Passkey Entry Failed, 0x05
   * Pairing Not Supported for an attempt not yet accepted), else 0x08
   * Unspecified Reason; `message` is the failure's. Nothing happens before the
   * pairing starts or after it ends.
   */
  | { readonly type: 'cancel'; readonly message: string };

/** Keys one side distributed during pairing. */
export interface DistributedKeys {
  /** LE legacy: the Long Term Key, EDIV and Rand (Encryption Information, Central Identification). */
  readonly ltk?: Uint8Array;
  readonly ediv?: number;
  readonly rand?: Uint8Array;
  /** The Identity Resolving Key and identity address. */
  readonly irk?: Uint8Array;
  readonly identityAddress?: DeviceAddress;
  /** The Connection Signature Resolving Key. */
  readonly csrk?: Uint8Array;
}

/** A completed pairing. */
export interface PairingResult {
  /** LE Secure Connections, or LE legacy pairing. */
  readonly secureConnections: boolean;
  /**
   * The pairing method, as the CLI's JSON events say it (`'sc'` or `'legacy'`).
   * `'legacy'` means a passive listener who saw the pairing can often recover the key, and even an authenticated
   * legacy Passkey Entry gives an active attacker a chance to learn the passkey
   * (docs/smp.md, "What legacy Passkey Entry protects"): a use that needs MITM
   * protection should refuse it (or set `allowLegacy: false`, the default).
   */
  readonly method: 'sc' | 'legacy';
  readonly model: AssociationModel;
  /** The negotiated encryption key size in octets. */
  readonly keySize: number;
  readonly authenticated: boolean;
  /** Both sides asked for bonding: the keys are meant to be kept. */
  readonly bonded: boolean;
  /** Either side used the spec's debug key pair: anyone with the capture has the LTK; such keys are never kept. */
  readonly debugKey: boolean;
  /** The key the link was encrypted with: the SC LTK, or the legacy STK; masked to the key size. */
  readonly encryptionKey: Uint8Array;
  /** The keys we distributed. */
  readonly localKeys: DistributedKeys;
  /** The keys the peer distributed. */
  readonly peerKeys: DistributedKeys;
}

/** A failed pairing. */
export interface PairingFailure {
  /** The SMP reason code (Core Vol 3 Part H 3.5.5). */
  readonly reason: number;
  /** Who failed it: we did (and sent Pairing Failed, unless a timeout), or the peer did. */
  readonly by: 'local' | 'peer';
  /** One line saying what happened. */
  readonly message: string;
  /** The SMP timer expired: no Pairing Failed was sent. */
  readonly timeout: boolean;
}

/** What a session asks its host to do. */
export type SessionOutput =
  /** Send this SMP PDU. */
  | { readonly type: 'send'; readonly pdu: SmpPdu; readonly data: Uint8Array }
  /** Initiator: start encryption with this key (HCI LE Start Encryption). */
  | {
      readonly type: 'start-encryption';
      readonly key: Uint8Array;
      readonly ediv: number;
      readonly rand: Uint8Array;
    }
  /** Responder: answer the coming LE Long Term Key Request with this key. */
  | {
      readonly type: 'provide-key';
      readonly key: Uint8Array;
      readonly ediv: number;
      readonly rand: Uint8Array;
    }
  /** Ask the user; answer with `{ type: 'answer', id, value }` (a display prompt needs no answer). */
  | { readonly type: 'prompt'; readonly id: number; readonly prompt: Prompt }
  /** Start (or restart) or stop the 30 s SMP timer. */
  | { readonly type: 'timer'; readonly action: 'start' | 'stop' }
  /** Initiator: the peer sent a Security Request with this AuthReq; re-encrypt or `start` pairing. */
  | { readonly type: 'security-request'; readonly authReq: number }
  /** The peer's user pressed a key during passkey entry. */
  | { readonly type: 'keypress'; readonly notification: number }
  | { readonly type: 'completed'; readonly result: PairingResult }
  | { readonly type: 'failed'; readonly failure: PairingFailure };

/** How a session is set up. */
export interface SessionOptions {
  readonly role: Role;
  /** Our address on this connection (6 octets, wire order) and its type. */
  readonly local: DeviceAddress;
  /** The peer's address on this connection. */
  readonly peer: DeviceAddress;
  /** The policy; missing fields take the secure defaults. */
  readonly policy?: Partial<PairingPolicy>;
  /** The crypto toolbox (default: bound to the default backend). */
  readonly crypto?: Toolbox;
  /** Randomness (default: `crypto.getRandomValues`). Tests inject their own. */
  readonly random?: RandomSource;
  /** Our identity, distributed when IdKey/SignKey are negotiated; without an address, IdKey is not offered. */
  readonly identity?: {
    readonly address?: DeviceAddress;
    readonly irk?: Uint8Array;
    readonly csrk?: Uint8Array;
  };
  /** Our P-256 key pair for Secure Connections (default: a fresh one per pairing). */
  readonly keyPair?: P256KeyPair;
  /** OOB data: what we received from the peer (sets our OOB flag), and our SC random that we gave it. */
  readonly oob?: { readonly peer?: OobData; readonly localRandom?: Uint8Array };
  /** Failure memory shared by the host's sessions (Repeated Attempts, 0x09). */
  readonly attempts?: RepeatedAttempts;
  /**
   * The level of the bond already kept with this peer: a pairing that would
   * replace it with a weaker key (see {@link weakens}) fails with
   * Authentication Requirements (0x03), unless `policy.allowWeakerBond`.
   */
  readonly keptBond?: SecurityLevel;
  /**
   * The passkey to display instead of a random one (0..999999), for scripts
   * and tests only, as Zephyr's fixed passkey: a passkey that does not change
   * protects nothing once it is known (Core Vol 3 Part H 2.3.5.3 asks for a random one).
   */
  readonly fixedPasskey?: number;
}
