/**
 * Over-the-air legacy pairings: once the STK is derived, the session key
 * follows (SK = e(STK, SKDm || SKDs), Core Vol 6 Part E 1), and the first
 * encrypted PDUs that authenticate under it prove the STK started
 * encryption; their plaintext holds the distributed keys. Without an STK
 * (Secure Connections, or a legacy pairing not cracked) an LTK given to the
 * auditor does the same when the MIC says it started the encryption.
 * @module
 */
import { LinkLayerDecoder } from '../ll-decoder.js';
import { ccmDecrypt, linkNonce } from './ccm.js';
import type { PairingContext } from './context.js';
import { findGivenKey } from './given-keys.js';
import type { PairingMessage } from './types.js';
import { hex } from './values.js';

/** Encrypted PDUs tried after encryption starts: the key distribution comes first. */
const MAX_PDUS = 200;
/** Packet counters tried ahead of the expected one (PDUs the sniffer missed). */
const COUNTER_WINDOW = 4;

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * Checks the STK against the encrypted link-layer PDUs (or, with no STK,
 * finds which of `ltks`, wire order, started encryption); returns the SMP
 * PDUs decrypted from them.
 */
export function decryptLinkLayer(ctx: PairingContext, ltks: readonly Uint8Array[] = []): PairingMessage[] {
  const start = ctx.events('encryption-start').find((e) => e.source === 'll-enc-req');
  if (!start) return [];
  const response = ctx.events('encryption-response').find((e) => e.at > start.at);
  const encrypted = ctx
    .events('encrypted-pdu')
    .filter((e) => e.at > start.at)
    .slice(0, MAX_PDUS);
  const given = ctx.stk ? undefined : findGivenKey(ctx.crypto, ltks, start, response, encrypted);
  const key = ctx.stk ?? given?.ltk;
  if (!key) return [];
  if (!response || !start.skdm || !start.ivm || encrypted.length === 0) {
    ctx.notVerifiable.push('the STK over the air: the capture lacks LL_ENC_RSP or the encrypted PDUs');
    return [];
  }
  const sk = ctx.crypto.e(key, concat(start.skdm, response.skds));
  const skSpec = Uint8Array.from(sk).reverse();
  const iv = concat(start.ivm, response.ivs);
  const counters = { central: 0, peripheral: 0 };
  const out: PairingMessage[] = [];
  let first: number | undefined;
  for (const pdu of encrypted) {
    let plain: Uint8Array | undefined;
    let sender: 'central' | 'peripheral' = 'central';
    for (const direction of ['central', 'peripheral'] as const) {
      for (let c = counters[direction]; c < counters[direction] + COUNTER_WINDOW && !plain; c++) {
        plain = ccmDecrypt(skSpec, linkNonce(c, direction === 'central', iv), pdu.header, pdu.payload);
        if (plain) {
          counters[direction] = c + 1;
          sender = direction;
        }
      }
      if (plain) break;
    }
    if (!plain) continue;
    first ??= pdu.at;
    for (const event of LinkLayerDecoder.plaintext(pdu.link, pdu.header, plain, pdu.at)) {
      if (event.type !== 'smp' || !event.decoded.ok) continue;
      out.push({
        at: event.at,
        ...(pdu.time === undefined ? {} : { time: pdu.time }),
        sender: sender === 'central' ? 'initiator' : 'responder',
        inferred: false,
        pdu: event.decoded.pdu,
        bytes: event.bytes,
        decrypted: true,
      });
    }
  }
  if (given && first !== undefined) {
    ctx.verified.push(
      `the LTK given #${given.index + 1} started encryption (the encrypted PDU at ${ctx.place(first)} authenticates under SK = e(LTK, SKDm || SKDs))${out.length ? `: ${out.length} SMP PDUs were decrypted` : ''}`,
    );
    return out;
  }
  if (first === undefined || !ctx.stk) {
    ctx.notVerifiable.push(
      `the STK over the air: no encrypted PDU authenticated under SK = e(STK, SKD) (the sniffer may have missed the first ones)`,
    );
    return [];
  }
  ctx.add(
    'stk-verified',
    start.at,
    `the STK ${hex(ctx.stk)} started encryption: the encrypted PDU at ${ctx.place(first)} authenticates under SK = e(STK, SKDm || SKDs) = ${hex(sk)}${out.length ? `, and ${out.length} SMP PDUs were decrypted` : ''}`,
    [first],
  );
  ctx.verified.push('the STK that started encryption (by the MIC of the encrypted PDUs)');
  return out;
}
