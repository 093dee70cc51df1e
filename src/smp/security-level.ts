/**
 * The security level of a key: what a bond gives and what a pairing would
 * give, compared one way for re-encryption and for bond replacement
 * (smp-rules.md 9; as Zephyr's `update_keys_check` and BlueZ's security levels).
 * @module
 */
import type { PairingPolicy } from './policy.js';

/** What a key is worth: made by SC or legacy, with MITM protection or not, and its size. */
export interface SecurityLevel {
  readonly secureConnections: boolean;
  readonly authenticated: boolean;
  /** Encryption key size in octets, 7 to 16. */
  readonly keySize: number;
}

/**
 * Whether a key of level `next` would weaken one of level `kept`: an
 * authenticated key replaced by an unauthenticated one, an SC key by a legacy
 * one, or a key by a shorter one. Such a pairing is refused with
 * Authentication Requirements (0x03) unless the policy allows weakening.
 * @example
 * ```ts
 * weakens({ secureConnections: true, authenticated: true, keySize: 16 },
 *         { secureConnections: true, authenticated: false, keySize: 16 }); // 'an authenticated key by an unauthenticated one'
 * ```
 */
export function weakens(kept: SecurityLevel, next: SecurityLevel): string | undefined {
  if (kept.authenticated && !next.authenticated) return 'an authenticated key by an unauthenticated one';
  if (kept.secureConnections && !next.secureConnections)
    return 'an LE Secure Connections key by a legacy one';
  if (next.keySize < kept.keySize) return `a ${kept.keySize}-octet key by a ${next.keySize}-octet one`;
  return undefined;
}

/**
 * Whether a kept key meets a pairing policy, so that re-encrypting with it
 * gives what pairing again would: MITM protection when the policy requires
 * it, SC when legacy is not allowed, and at least the minimum key size.
 * @example
 * ```ts
 * const policy = resolvePolicy({ requireMitm: true });
 * meetsPolicy({ secureConnections: true, authenticated: false, keySize: 16 }, policy); // false
 * ```
 */
export function meetsPolicy(
  level: SecurityLevel,
  policy: Pick<PairingPolicy, 'requireMitm' | 'allowLegacy' | 'minKeySize'>,
): boolean {
  if (policy.requireMitm && !level.authenticated) return false;
  if (!policy.allowLegacy && !level.secureConnections) return false;
  return level.keySize >= policy.minKeySize;
}
