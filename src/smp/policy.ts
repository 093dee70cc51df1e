/**
 * Pairing policy: what this device asks for and accepts. The defaults are
 * smp-rules.md section 8: Secure Connections only, a 16-octet key, bonding,
 * no debug keys, no keypress notifications. Every relaxation is an option
 * whose name says what it costs.
 * @module
 */
import { IoCapability, KeyDist, MAX_KEY_SIZE } from './constants.js';

/** The policy of one side. */
export interface PairingPolicy {
  /** What the device can show and enter (Core Vol 3 Part H 2.3.2). Default NoInputNoOutput. */
  readonly ioCapability: IoCapability;
  /** Distribute keys and keep them (AuthReq bonding flags). Default true. */
  readonly bonding: boolean;
  /** Ask for MITM protection (AuthReq MITM bit) when our IO capability or OOB data can provide it. Default true. */
  readonly requestMitm: boolean;
  /** Refuse pairings that end unauthenticated (Just Works) with Authentication Requirements (0x03). Default false. */
  readonly requireMitm: boolean;
  /** Accept LE legacy pairing, whose keys a passive listener can often recover. Default false (SC only). */
  readonly allowLegacy: boolean;
  /** Offer LE Secure Connections (the SC bit). Default true; false makes this side legacy-only (needs allowLegacy). */
  readonly secureConnections: boolean;
  /** Accept a peer using the spec's debug key pair, whose traffic anyone can decrypt. Default false. */
  readonly allowDebugKeys: boolean;
  /** The smallest encryption key size accepted (7..16). Default 16. */
  readonly minKeySize: number;
  /** The largest key size offered (7..16). Default 16. */
  readonly maxKeySize: number;
  /** Ask for Keypress Notifications during passkey entry. Default false. */
  readonly keypress: boolean;
  /** Keys we ask the initiator to distribute (as initiator) or accept from it (as responder). Default EncKey | IdKey. */
  readonly initiatorKeys: number;
  /** Keys we ask the responder to distribute, or are willing to distribute as responder. Default EncKey | IdKey. */
  readonly responderKeys: number;
  /**
   * Let a pairing replace a kept bond with a weaker key (an authenticated bond by
   * an unauthenticated one, SC by legacy, a longer key by a shorter). Default false:
   * such a pairing fails with Authentication Requirements (0x03).
   */
  readonly allowWeakerBond: boolean;
}

/**
 * The secure defaults (smp-rules.md section 8).
 * @example
 * ```ts
 * const policy = { ...DEFAULT_POLICY, ioCapability: IoCapability.DisplayYesNo };
 * ```
 */
export const DEFAULT_POLICY: PairingPolicy = Object.freeze({
  ioCapability: IoCapability.NoInputNoOutput,
  bonding: true,
  requestMitm: true,
  requireMitm: false,
  allowLegacy: false,
  secureConnections: true,
  allowDebugKeys: false,
  minKeySize: MAX_KEY_SIZE,
  maxKeySize: MAX_KEY_SIZE,
  keypress: false,
  initiatorKeys: KeyDist.EncKey | KeyDist.IdKey,
  responderKeys: KeyDist.EncKey | KeyDist.IdKey,
  allowWeakerBond: false,
});

/**
 * A complete policy from the defaults and the given changes; refuses
 * inconsistent values with a TypeError.
 * @example
 * ```ts
 * resolvePolicy({ allowLegacy: true, minKeySize: 7 });
 * ```
 */
export function resolvePolicy(changes: Partial<PairingPolicy> = {}): PairingPolicy {
  const policy = { ...DEFAULT_POLICY, ...changes };
  const size = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 7 || value > 16) {
      throw new TypeError(`policy: ${name} must be an integer from 7 to 16, got ${value}`);
    }
  };
  size('minKeySize', policy.minKeySize);
  size('maxKeySize', policy.maxKeySize);
  if (policy.minKeySize > policy.maxKeySize) {
    throw new TypeError(`policy: minKeySize ${policy.minKeySize} is above maxKeySize ${policy.maxKeySize}`);
  }
  if (!Number.isInteger(policy.ioCapability) || policy.ioCapability < 0 || policy.ioCapability > 4) {
    throw new TypeError(`policy: ioCapability must be 0..4, got ${policy.ioCapability}`);
  }
  if (!policy.secureConnections && !policy.allowLegacy) {
    throw new TypeError('policy: secureConnections: false needs allowLegacy: true');
  }
  for (const name of ['initiatorKeys', 'responderKeys'] as const) {
    if (!Number.isInteger(policy[name]) || policy[name] < 0 || policy[name] > 0x0f) {
      throw new TypeError(`policy: ${name} must be a key distribution mask 0..15, got ${policy[name]}`);
    }
  }
  return Object.freeze(policy);
}
