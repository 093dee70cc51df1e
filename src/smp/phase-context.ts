/**
 * What a pairing phase (LE legacy, LE Secure Connections, key distribution)
 * needs from the `PairingSession` that runs it: who we are, the crypto,
 * and the session's outputs. The phases never touch I/O either.
 * @module
 */

import type { RandomSource } from '../crypto/random.js';
import type { Toolbox } from '../crypto/toolbox.js';
import type { DeviceAddress, Prompt } from './delegate.js';
import type { Negotiated } from './negotiation.js';
import type { SmpPdu } from './pdu.js';
import type { PairingPolicy } from './policy.js';
import type { Role, SessionOptions } from './session-types.js';

/** The session as its phases see it. */
export interface PhaseContext {
  readonly role: Role;
  readonly local: DeviceAddress;
  readonly peer: DeviceAddress;
  readonly policy: PairingPolicy;
  readonly options: SessionOptions;
  readonly tb: Toolbox;
  readonly random: RandomSource;
  /** Send a PDU (and restart the SMP timer). */
  send(pdu: SmpPdu): void;
  /** Ask or tell the user; the answer comes back through the session. */
  prompt(prompt: Prompt): void;
  /** End the pairing: send Pairing Failed with this reason. */
  fail(reason: number, message: string): void;
  /** A PDU that does not fit this point of the exchange: fail with Unspecified Reason. */
  unexpected(type: string): void;
  /** Phase 2 is over: encrypt the link with this key (the STK, or the SC LTK). */
  startEncryption(negotiated: Negotiated, key: Uint8Array, debugKey: boolean): void;
}

/** Phase 2 (2.3.5), either method: how the session hands it PDUs and the user's part. */
export interface KeyGenerationPhase {
  /** A phase 2 PDU arrived. */
  onPdu(pdu: SmpPdu): void;
  /** The passkey was shown or typed (passkey entry). */
  passkeyKnown(passkey: number): void;
  /** The user agreed (Just Works or Numeric Comparison). */
  userAgreed(): void;
}

/**
 * The initiator's and the responder's addresses, in that order.
 * @example
 * ```ts
 * const [initiator, responder] = initiatorFirst(ctx);
 * ```
 */
export function initiatorFirst(ctx: PhaseContext): [DeviceAddress, DeviceAddress] {
  return ctx.role === 'initiator' ? [ctx.local, ctx.peer] : [ctx.peer, ctx.local];
}
