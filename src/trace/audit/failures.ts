/**
 * How the pairing ended (Core Vol 3 Part H 3.4, 3.5.5; smp-rules.md 7):
 * every Pairing Failed with its reason and sender, stalls past the 30 s SMP
 * timer, and the outcome.
 * @module
 */
import { REASON_TEXT, SMP_TIMEOUT_MS } from '../../smp/constants.js';
import type { PairingContext } from './context.js';
import { addressText } from './names.js';

/** Audits failures and timeouts. */
export function checkFailures(ctx: PairingContext): void {
  for (const failed of ctx.all('pairing-failed')) {
    const side = failed.sender;
    const address =
      side === 'initiator' ? ctx.initiatorAddress : side === 'responder' ? ctx.responderAddress : undefined;
    const who = side
      ? `the ${side}${address ? ` (${addressText(address)})` : ''}`
      : 'one side (the capture does not say which)';
    const reason = failed.pdu.reason;
    const text = REASON_TEXT[reason] ?? 'a reserved reason code';
    const before = ctx.findings.filter((f) => f.severity === 'error' && f.where < failed.at);
    const cause = before.length
      ? `; it follows ${before.length === 1 ? 'the error' : 'the errors'} at ${[...new Set(before.map((f) => ctx.place(f.where)))].join(', ')} (${[...new Set(before.map((f) => f.rule))].join(', ')})`
      : '';
    ctx.add(
      'pairing-failed',
      failed.at,
      `${who} failed the pairing with reason 0x${reason.toString(16).padStart(2, '0')}, ${text}${cause}`,
    );
  }
  const timed = ctx.messages.filter((m) => m.time !== undefined && !m.decrypted);
  if (timed.some((m, i) => i > 0 && m.time! < timed[i - 1]!.time!)) {
    ctx.notVerifiable.push(
      "the SMP timer: the capture's timestamps go backwards, so gaps between PDUs mean nothing",
    );
    return;
  }
  for (let i = 1; i < timed.length; i++) {
    const gap = (timed[i]!.time! - timed[i - 1]!.time!) * 1000;
    if (gap > SMP_TIMEOUT_MS) {
      ctx.add(
        'timeout',
        timed[i]!.at,
        `${(gap / 1000).toFixed(1)} s passed since the previous SMP PDU (${ctx.place(timed[i - 1]!.at)}): the SMP timer had expired, so this PDU should not have been sent`,
        [timed[i - 1]!.at],
      );
    }
  }
  const last = timed[timed.length - 1];
  if (last && outcome(ctx) === 'incomplete') {
    const after = [...ctx.pairing.events, ...(ctx.pairing.next ? [ctx.pairing.next] : [])].filter(
      (e) => e.at > last.at && e.time !== undefined,
    );
    const end = after[after.length - 1];
    if (end && (end.time! - last.time!) * 1000 > SMP_TIMEOUT_MS) {
      ctx.add(
        'timeout',
        last.at,
        `the pairing stopped after ${ctx.place(last.at)}: nothing completed it in the next ${(end.time! - last.time!).toFixed(1)} s (the SMP timer is 30 s)`,
      );
    }
  }
}

/** Completed (encrypted, every negotiated key seen or not visible), failed, or incomplete. */
export function outcome(ctx: PairingContext): 'completed' | 'failed' | 'incomplete' {
  if (ctx.all('pairing-failed').length > 0) return 'failed';
  const encrypted = ctx.events('encryption-change').some((e) => e.enabled);
  if (!encrypted || !ctx.response) return 'incomplete';
  const keyPdus = ctx.messages.filter((m) => m.at > 0 && /information|identification/.test(m.pdu.type));
  const { initiatorKeys, responderKeys } = ctx.response.pdu;
  const expected =
    countKeys(initiatorKeys, ctx.secureConnections) + countKeys(responderKeys, ctx.secureConnections);
  const encryptedOverAir = ctx.events('encrypted-pdu').length > 0;
  if (keyPdus.length >= expected || (encryptedOverAir && keyPdus.length === 0)) return 'completed';
  return 'incomplete';
}

/** Key PDUs a mask asks for on LE (EncKey: 2, none under SC; IdKey: 2; SignKey: 1). */
function countKeys(mask: number, sc: boolean): number {
  return (mask & 1 && !sc ? 2 : 0) + (mask & 2 ? 2 : 0) + (mask & 4 ? 1 : 0);
}
