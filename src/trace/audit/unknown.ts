/**
 * Values a capture hides: btmon text pasted with addresses or keys redacted
 * (`XX:XX:XX:XX:XX:XX`, `xx`). The packet stays in the audit (its type, its
 * sender, its place in the order all count), the hidden value is unknown:
 * every check that needs it is skipped, and the report says which, where
 * and why, as a `not-verifiable` finding. A redacted address in a connection
 * event is simply absent (the checks that need both addresses say so).
 * @module
 */
import type { EncryptionStartEvent } from '../events.js';
import type { UnknownValue } from '../model.js';
import type { PairingContext } from './context.js';
import { PDU_NAMES } from './names.js';
import type { PairingMessage } from './types.js';

/** Where each PDU's checked value sits in its octets (after the code octet), and what skipping it costs. */
const VALUES: Readonly<
  Partial<Record<PairingMessage['pdu']['type'], { at: number; size: number; skipped: string }>>
> = Object.freeze({
  'pairing-confirm': { at: 1, size: 16, skipped: 'the confirm check (c1 or f4) and what follows from it' },
  'pairing-random': {
    at: 1,
    size: 16,
    skipped: 'the confirm check, the TK search and the STK, and whether the nonce is random',
  },
  'encryption-information': { at: 1, size: 16, skipped: 'whether the LTK is random and not reused' },
  'central-identification': { at: 3, size: 8, skipped: 'whether Rand is random and not reused' },
  'identity-information': {
    at: 1,
    size: 16,
    skipped: 'whether the IRK is random and resolves the address its side connected from',
  },
  'identity-address-information': {
    at: 1,
    size: 7,
    skipped: 'whether it is an identity address and the address its side connected from',
  },
  'signing-information': { at: 1, size: 16, skipped: 'whether the CSRK is random and not reused' },
  'pairing-public-key': {
    at: 1,
    size: 64,
    skipped: 'the public key checks (on P-256, not the debug key, not reflected) and the commitments',
  },
});

/**
 * The values of a message's PDU that the capture hides, with their place in
 * the PDU's octets (the code octet at 0); empty for a capture that shows
 * everything.
 * @example
 * ```ts
 * for (const hidden of hiddenValues(ctx, message)) console.log(`${hidden.field} at line ${hidden.line}`);
 * ```
 */
export function hiddenValues(ctx: PairingContext, message: PairingMessage): readonly UnknownValue[] {
  if (message.decrypted) return [];
  for (const event of ctx.pairing.events) {
    if (event.type === 'smp' && event.at === message.at && event.bytes === message.bytes)
      return event.unknown ?? [];
  }
  return [];
}

/**
 * Whether the capture shows the value the audit checks in a message's PDU
 * (the nonce, the key, Rand, the identity address, the public key): false
 * when any of its octets were redacted.
 * @example
 * ```ts
 * const nonces = ctx.all('pairing-random').filter((m) => valueShown(ctx, m));
 * ```
 */
export function valueShown(ctx: PairingContext, message: PairingMessage): boolean {
  const place = VALUES[message.pdu.type];
  const hidden = hiddenValues(ctx, message);
  if (!place || hidden.length === 0) return true;
  return !hidden.some((u) => u.offset < place.at + place.size && u.offset + u.length > place.at);
}

/** What an encryption start's hidden fields keep from being checked. */
function startSkipped(start: EncryptionStartEvent, hidden: readonly UnknownValue[]): string {
  const key = start.ltk === undefined;
  const parameters = hidden.some((u) => !/key/i.test(u.field));
  return [
    ...(key ? ['whether the key that started encryption is the one the pairing produced (or all zero)'] : []),
    ...(parameters ? ["whether EDIV and Rand are 0, as encryption with the pairing's own key needs"] : []),
  ].join('; ');
}

/**
 * Adds one `not-verifiable` finding per value of the pairing the capture
 * hides, naming the field, the PDU and its sender, and the checks skipped
 * for want of it.
 * @example
 * ```ts
 * reportHidden(ctx); // info not-verifiable line 12: the responder's Encryption Information: Long term key is redacted ...
 * ```
 */
export function reportHidden(ctx: PairingContext): void {
  for (const message of ctx.messages) {
    const hidden = hiddenValues(ctx, message);
    if (hidden.length === 0) continue;
    const place = VALUES[message.pdu.type];
    const fields = [...new Set(hidden.map((u) => u.field))].join(', ');
    const who = message.sender ? `the ${message.sender}'s ` : '';
    const skipped =
      place && !valueShown(ctx, message) ? place.skipped : 'nothing the audit checks on this PDU';
    ctx.add(
      'not-verifiable',
      message.at,
      `${who}${PDU_NAMES[message.pdu.type]}: ${fields} is redacted in the capture, so the PDU counts but its value is unknown; skipped: ${skipped}`,
    );
  }
  for (const start of ctx.events('encryption-start')) {
    if (!start.unknown?.length) continue;
    const fields = [...new Set(start.unknown.map((u) => u.field))].join(', ');
    ctx.add(
      'not-verifiable',
      start.at,
      `the encryption start: ${fields} is redacted in the capture; skipped: ${startSkipped(start, start.unknown)}`,
    );
  }
}
