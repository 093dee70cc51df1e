/**
 * Passkey entry's common parts (Core Vol 3 Part H 2.3.5.3, 2.3.5.6.3): who
 * shows and who types, a random passkey, and the passkey as a 128-bit value.
 * @module
 */

import type { RandomSource } from '../crypto/random.js';
import type { Association } from './association.js';
import type { PhaseContext } from './phase-context.js';
import type { Role } from './session-types.js';

/**
 * Passkey entry: whether this side shows the passkey or types it (2.3.5.3; Table 2.8).
 * @example
 * ```ts
 * passkeyPart(association, 'responder'); // 'display' when the responder displays
 * ```
 */
export function passkeyPart(association: Association, role: Role): 'display' | 'input' {
  return association.passkeyDisplay === role ? 'display' : 'input';
}

/**
 * A passkey as LE legacy's TK, and as SC's ra/rb: a 128-bit little-endian integer.
 * @example
 * ```ts
 * passkeyTk(123456); // 40 e2 01 00 00 ... 00
 * ```
 */
export function passkeyTk(passkey: number): Uint8Array {
  const tk = new Uint8Array(16);
  new DataView(tk.buffer).setUint32(0, passkey, true);
  return tk;
}

/**
 * A uniformly random passkey 0..999999 (rejection sampling over 20 bits).
 * @example
 * ```ts
 * const passkey = randomPasskey(randomBytes);
 * ```
 */
export function randomPasskey(random: RandomSource): number {
  for (;;) {
    const bytes = random(3);
    const value = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)) & 0xfffff;
    if (value < 1_000_000) return value;
  }
}

/**
 * Starts this side's part of passkey entry: the displaying side makes the
 * passkey (random, or the fixed one for scripts), shows it and goes on at once;
 * the typing side asks its user, and goes on when the answer comes.
 * @example
 * ```ts
 * askPasskey(ctx, negotiated.association, (passkey) => this.passkeyKnown(passkey));
 * ```
 */
export function askPasskey(
  ctx: PhaseContext,
  association: Association,
  known: (passkey: number) => void,
): void {
  if (passkeyPart(association, ctx.role) === 'display') {
    const passkey = ctx.options.fixedPasskey ?? randomPasskey(ctx.random);
    ctx.prompt({ kind: 'display-passkey', peer: ctx.peer, passkey });
    known(passkey);
  } else {
    ctx.prompt({ kind: 'enter-passkey', peer: ctx.peer });
  }
}
