/**
 * Phase 1 of pairing, the feature exchange (Core Vol 3 Part H 2.3.1-2.3.5.1,
 * 3.5.1-3.5.2; smp-rules.md 2, 5, 8): what we offer, and what both sides'
 * Pairing Request and Response agree. Pure functions: no I/O, no state.
 * @module
 */

import { type Association, resolveAssociation } from './association.js';
import { AuthReq, IoCapability, KeyDist, Reason } from './constants.js';
import { type KeyMasks, masksOf } from './key-distribution.js';
import type { PairingFeatures } from './pdu.js';
import type { PairingPolicy } from './policy.js';
import { weakens } from './security-level.js';
import type { Role, SessionOptions } from './session-types.js';

/** What both sides agreed in the feature exchange (2.3.1-2.3.5.1). */
export interface Negotiated {
  /** The Pairing Request and Response PDUs as sent (c1's preq/pres; f6's IOcap). */
  readonly preq: Uint8Array;
  readonly pres: Uint8Array;
  readonly request: PairingFeatures;
  readonly response: PairingFeatures;
  readonly association: Association;
  /** The encryption key size in octets: the smaller of the two maxima. */
  readonly keySize: number;
  /** The keys each side distributes: the response's masks. */
  readonly masks: KeyMasks;
  /** Keypress notifications: both asked for them, and the model is passkey entry. */
  readonly keypress: boolean;
}

/** Why the negotiation refused the pairing: the reason code to send and one line to report. */
export interface NegotiationRefusal {
  readonly reason: number;
  readonly message: string;
}

/** The parts of a session's set-up that decide what we offer. */
type Offer = Pick<SessionOptions, 'oob' | 'identity'>;

/**
 * Our AuthReq (3.5.1): bonding, MITM, SC, keypress. MITM is asked for only when
 * we can take part in an authenticated model (an IO capability other than
 * NoInputNoOutput, or OOB data), as BlueZ does: otherwise a bonded peer would
 * pair again for nothing.
 * @example
 * ```ts
 * const authReq = localAuthReq(resolvePolicy({}), {}); // Bonding | SC
 * ```
 */
export function localAuthReq(policy: PairingPolicy, offer: Offer): number {
  const canAuthenticate =
    policy.ioCapability !== IoCapability.NoInputNoOutput || offer.oob?.peer !== undefined;
  return (
    (policy.bonding ? AuthReq.Bonding : 0) |
    ((policy.requestMitm && canAuthenticate) || policy.requireMitm ? AuthReq.Mitm : 0) |
    (policy.secureConnections ? AuthReq.SecureConnections : 0) |
    (policy.keypress ? AuthReq.Keypress : 0)
  );
}

/**
 * The keys we offer or ask for (3.6.1): nothing without bonding; no IdKey from
 * us without an identity address to send.
 * @example
 * ```ts
 * const masks = localKeyMasks('initiator', resolvePolicy({}), { identity: { address } });
 * ```
 */
export function localKeyMasks(role: Role, policy: PairingPolicy, offer: Offer): KeyMasks {
  if (!policy.bonding) return { initiatorKeys: 0, responderKeys: 0 };
  const masks = { initiatorKeys: policy.initiatorKeys, responderKeys: policy.responderKeys };
  if (offer.identity?.address === undefined) {
    const ours = role === 'initiator' ? 'initiatorKeys' : 'responderKeys';
    masks[ours] &= ~KeyDist.IdKey;
  }
  return masks;
}

/**
 * The features of our Pairing Request or Response (3.5.1, 3.5.2).
 * @example
 * ```ts
 * const request = localFeatures(policy, options, localKeyMasks('initiator', policy, options));
 * ```
 */
export function localFeatures(policy: PairingPolicy, offer: Offer, masks: KeyMasks): PairingFeatures {
  return {
    ioCapability: policy.ioCapability,
    oobDataPresent: offer.oob?.peer !== undefined,
    authReq: localAuthReq(policy, offer),
    maxKeySize: policy.maxKeySize,
    ...masks,
  };
}

/**
 * The checks both roles apply to the exchanged features (2.3.4, 2.3.5.1;
 * smp-rules.md 2, 5, 8): SC or an allowed legacy pairing, MITM when required,
 * the minimum key size, and no weakening of a kept bond.
 * @returns the negotiated values, or the refusal with its reason code.
 * @example
 * ```ts
 * const outcome = negotiate(policy, undefined, preq, pres, request, response);
 * if ('reason' in outcome) fail(outcome.reason, outcome.message);
 * ```
 */
export function negotiate(
  policy: PairingPolicy,
  keptBond: SessionOptions['keptBond'],
  preq: Uint8Array,
  pres: Uint8Array,
  request: PairingFeatures,
  response: PairingFeatures,
): Negotiated | NegotiationRefusal {
  const sc = (request.authReq & response.authReq & AuthReq.SecureConnections) !== 0;
  if (!sc && !policy.allowLegacy) {
    return {
      reason: Reason.AuthenticationRequirements,
      message: 'the peer does not support LE Secure Connections and the policy refuses legacy pairing',
    };
  }
  const association = resolveAssociation(request, response);
  if (policy.requireMitm && !association.authenticated) {
    return {
      reason: Reason.AuthenticationRequirements,
      message: `the policy requires MITM protection but the IO capabilities give ${association.model}`,
    };
  }
  const keySize = Math.min(request.maxKeySize, response.maxKeySize);
  if (keySize < policy.minKeySize) {
    return {
      reason: Reason.EncryptionKeySize,
      message: `key size ${keySize} is below the minimum ${policy.minKeySize}`,
    };
  }
  const weaker =
    keptBond && !policy.allowWeakerBond
      ? weakens(keptBond, { secureConnections: sc, authenticated: association.authenticated, keySize })
      : undefined;
  if (weaker) {
    return {
      reason: Reason.AuthenticationRequirements,
      message: `the pairing would replace ${weaker} in the kept bond`,
    };
  }
  const keypress =
    association.model === 'passkey' && (request.authReq & response.authReq & AuthReq.Keypress) !== 0;
  return { preq, pres, request, response, association, keySize, masks: masksOf(response), keypress };
}
