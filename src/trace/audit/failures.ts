/**
 * How the pairing ended (Core Vol 3 Part H 3.4, 3.5.5; smp-rules.md 7):
 * every Pairing Failed with its reason and sender, stalls past the 30 s SMP
 * timer, and the outcome.
 * @module
 */
import { REASON_TEXT, SMP_TIMEOUT_MS } from '../../smp/constants.js';
import type { EncryptionStartEvent } from '../events.js';
import type { PairingContext } from './context.js';
import { addressText, PDU_NAMES, senderText } from './names.js';
import { hex } from './values.js';

/** Audits failures and timeouts. */
export function checkFailures(ctx: PairingContext): void {
  for (const failed of ctx.all('pairing-failed')) {
    const side = failed.sender;
    const address =
      side === 'initiator' ? ctx.initiatorAddress : side === 'responder' ? ctx.responderAddress : undefined;
    const about = [failed.device, address && addressText(address)].filter(Boolean).join(', ');
    const who = side
      ? `the ${side}${about ? ` (${about})` : ''}`
      : (senderText(failed) ?? 'one side (the capture does not say which)');
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

const START_NAMES = {
  'le-enable-encryption': 'LE Enable Encryption',
  'ltk-reply': 'LE Long Term Key Request Reply',
  'll-enc-req': 'LL_ENC_REQ',
} as const;

/**
 * Encryption against the pairing (Core Vol 3 Part H 2.3.5.5, 2.3.5.6.5,
 * 2.4.4): started before phase 2 ended, so with a key this pairing cannot
 * have produced (unless the key is shown to be the STK, which needs the
 * later PDU: then the capture misorders them); and, where the key itself
 * was not compared (Secure Connections, over the air without a MIC match, a
 * legacy TK not found), what the first start after phase 2 shows anyway: an
 * all-zero key, or EDIV and Rand that ask for a bonded key.
 */
export function checkEncryption(ctx: PairingContext): void {
  const early = ctx.earlyEncryption;
  if (early) {
    const seen = ctx.messages
      .filter((m) => m.at < early.at && !m.decrypted)
      .map((m) => PDU_NAMES[m.pdu.type]);
    const missing =
      ctx.method === 'unknown'
        ? ctx.pairing.partial
          ? "the responder's Pairing Random, the earliest end of phase 2 whatever the method (2.3.5.5, 2.3.5.6)"
          : `${ctx.response ? 'a readable Pairing Request' : 'a Pairing Response'}, so no association model and no key`
        : ctx.secureConnections
          ? "the responder's DHKey Check (Eb), which the initiator checks before it encrypts with the LTK (2.3.5.6.5)"
          : "the responder's Pairing Random (Srand), without which the initiator can neither check Sconfirm nor compute STK = s1(TK, Srand, Mrand) (2.3.5.5)";
    const end = ctx.phaseTwoEnd;
    if (end && ctx.findings.some((f) => f.rule === 'stk-verified' && f.where === early.at)) {
      // The key needs the PDU the capture shows later: the capture, not the devices, has them out of order.
      ctx.notVerifiable.push(
        `the order of the capture: ${START_NAMES[early.source]} at ${ctx.place(early.at)} comes before ${PDU_NAMES[end.pdu.type]} at ${ctx.place(end.at)}, yet it started encryption with the STK, which needs that PDU: the capture has them out of order`,
      );
    } else {
      const key = early.ltk
        ? early.ltk.every((b) => b === 0)
          ? ' with an all-zero key'
          : ` with the key ${hex(early.ltk)}`
        : '';
      ctx.add(
        'early-encryption',
        early.at,
        `${START_NAMES[early.source]} started encryption${key} before the pairing finished: the capture shows ${seen.length ? seen.join(', ') : 'no SMP PDU'} before it, but not ${missing}${early.source === 'll-enc-req' ? ' (over the air: unless the sniffer missed it)' : ''}; the key is not one this pairing produced, and the pairing did not complete`,
      );
    }
  }
  const end = ctx.phaseTwoEnd;
  const failed = ctx.all('pairing-failed').find((m) => !m.decrypted);
  const start =
    end && ctx.events('encryption-start').find((e) => e.at > end.at && !(failed && failed.at < e.at));
  if (!start) return;
  // The legacy check compared the key itself, or the MIC did: nothing left to judge.
  const judged = ['stk-verified', 'stk-mismatch', 'zero-ltk'];
  if (ctx.findings.some((f) => f.where === start.at && judged.includes(f.rule))) return;
  if (start.ltk?.every((b) => b === 0)) {
    ctx.add(
      'zero-ltk',
      start.at,
      `encryption started with an all-zero key after the pairing: its ${ctx.secureConnections ? 'LTK = f5(DHKey, Na, Nb, A, B)' : 'STK = s1(TK, Srand, Mrand)'} is never a constant`,
    );
    return;
  }
  checkStartParameters(ctx, start);
}

/**
 * The first encryption start once phase 2 ended must use the key the
 * pairing produced, which goes with EDIV = 0 and Rand = 0 (2.4.4; smp-rules
 * 3, 4): nonzero values ask the peripheral for a bonded LTK instead. A
 * capture shows this even when the key itself is hidden (over the air) or
 * not derivable. LTK Request Reply carries neither, so only LE Enable
 * Encryption and LL_ENC_REQ are judged.
 */
function checkStartParameters(ctx: PairingContext, start: EncryptionStartEvent): void {
  if (start.source === 'ltk-reply') return;
  if (start.ediv === 0 && start.rand.every((b) => b === 0)) return;
  ctx.add(
    'stk-mismatch',
    start.at,
    `the first encryption after the pairing carries EDIV 0x${start.ediv.toString(16).padStart(4, '0')} and Rand ${hex(start.rand)}: it asks for a bonded LTK, not the ${ctx.secureConnections ? 'LTK' : 'STK'} this pairing produced, which is used with EDIV 0 and Rand 0`,
  );
}

/**
 * Completed (encrypted after phase 2, every negotiated key seen or not
 * visible), failed, or incomplete. Encryption started before phase 2 ended
 * leaves the pairing incomplete, whatever follows.
 */
export function outcome(ctx: PairingContext): 'completed' | 'failed' | 'incomplete' {
  if (ctx.all('pairing-failed').length > 0) return 'failed';
  if (ctx.findings.some((f) => f.rule === 'early-encryption')) return 'incomplete';
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
