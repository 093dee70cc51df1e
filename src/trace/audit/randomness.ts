/**
 * Values that must be random (Core Vol 3 Part H 2.3.5, 3.6.1): nonces, keys,
 * Rand. Flags all-zero and patterned values, a value equal to another in the
 * pairing, and a value reused from an earlier pairing of the capture. A
 * value the capture hides (redacted) is not judged.
 * @module
 */
import type { SmpPdu } from '../../smp/pdu.js';
import type { PairingContext } from './context.js';
import { PDU_NAMES, senderText } from './names.js';
import { valueShown } from './unknown.js';
import { hex, patternOf } from './values.js';

/** A random value seen earlier in the capture: where, and in which pairing. */
export interface SeenValue {
  readonly at: number;
  readonly pairing: number;
  readonly what: string;
}

/** The random values of a PDU, with their names. */
function randomValues(pdu: SmpPdu): Array<[string, Uint8Array]> {
  switch (pdu.type) {
    case 'pairing-random':
      return [['nonce', pdu.value]];
    case 'encryption-information':
      return [['LTK', pdu.ltk]];
    case 'central-identification':
      return [['Rand', pdu.rand]];
    case 'identity-information':
      return [['IRK', pdu.irk]];
    case 'signing-information':
      return [['CSRK', pdu.csrk]];
    case 'pairing-public-key':
      return [['public key', pdu.publicKey]];
    default:
      return [];
  }
}

/** Audits every random value of the pairing; `seen` holds values of earlier pairings and gains this one's. */
export function checkRandomness(ctx: PairingContext, seen: Map<string, SeenValue>): void {
  const here = new Map<string, { at: number; what: string }>();
  for (const message of ctx.messages) {
    // A redacted value is unknown, not the zeros the text was read as (reported by reportHidden).
    if (!valueShown(ctx, message)) continue;
    for (const [kind, value] of randomValues(message.pdu)) {
      const what = `${senderText(message) ?? 'the sender'}'s ${kind === 'nonce' ? `${PDU_NAMES[message.pdu.type]} value` : kind}`;
      const reasons: string[] = [];
      const related: number[] = [];
      const pattern = kind === 'public key' ? undefined : patternOf(value);
      if (pattern) reasons.push(pattern);
      const key = hex(value);
      const twin = here.get(key);
      if (twin && twin.at !== message.at) {
        reasons.push(`equal to ${twin.what} (${ctx.place(twin.at)})`);
        related.push(twin.at);
      }
      const earlier = seen.get(key);
      if (earlier && earlier.pairing !== ctx.pairing.index) {
        reasons.push(
          `reused: ${earlier.what} of pairing ${earlier.pairing} (${ctx.place(earlier.at)}) had it`,
        );
        related.push(earlier.at);
      }
      if (kind === 'public key') {
        // Public keys: only reuse across pairings matters here (reflection is checked with SC).
        if (reasons.length && !twin)
          ctx.add(
            'non-random',
            message.at,
            `${what} is ${reasons.join('; ')}: a fresh key pair is expected per pairing`,
            related,
          );
      } else if (reasons.length) {
        ctx.add('non-random', message.at, `${what} ${key} is not random: ${reasons.join('; ')}`, related);
      }
      if (!here.has(key)) here.set(key, { at: message.at, what });
    }
  }
  for (const [key, value] of here)
    if (!seen.has(key)) seen.set(key, { ...value, pairing: ctx.pairing.index });
}
