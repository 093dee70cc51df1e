/**
 * LE legacy pairing from a capture (Core Vol 3 Part H 2.3.5.2-2.3.5.5):
 * check both confirms with c1 for the TK of the model (0 for Just Works; the
 * passkey, searched over all 10^6 values, for Passkey Entry), derive the STK
 * with s1 and check it against the key that started encryption.
 * @module
 */
import { maskKey } from '../../crypto/key-size.js';
import type { PairingContext } from './context.js';
import { passkeyTk, searchPasskey } from './passkey-search.js';
import { valueShown } from './unknown.js';
import { hex, sameBytes } from './values.js';

/** Audits the legacy maths of one pairing; sets `ctx.passkey` and `ctx.stk` when the TK is found. */
export function checkLegacy(ctx: PairingContext): void {
  const { request, response, association } = ctx;
  if (!request || !response || !association || association.secureConnections) return;
  // A confirm or nonce the capture hides (redacted btmon text) counts as missing; reportHidden says so.
  const shown = <T extends Parameters<typeof valueShown>[1]>(m: T | undefined) =>
    m && valueShown(ctx, m) ? m : undefined;
  const mconfirm = shown(ctx.all('pairing-confirm', 'initiator')[0]);
  const sconfirm = shown(ctx.all('pairing-confirm', 'responder')[0]);
  const mrand = shown(ctx.all('pairing-random', 'initiator')[0]);
  const srand = shown(ctx.all('pairing-random', 'responder')[0]);
  if (association.model === 'oob') {
    ctx.add(
      'legacy-pairing',
      response.at,
      'LE legacy pairing with OOB data: the TK came out of band and is not in the capture; the STK is as secret as that channel',
    );
    ctx.notVerifiable.push(
      'the confirms and the STK: the TK is the OOB value, which the capture does not hold',
    );
    return;
  }
  const ia = ctx.initiatorAddress;
  const ra = ctx.responderAddress;
  if (!ia || !ra) {
    ctx.notVerifiable.push(
      'the confirms and the STK: the capture does not show both device addresses (c1 needs them)',
    );
    return;
  }
  const inputs = (confirm: Uint8Array, random: Uint8Array) => ({
    confirm,
    random,
    preq: request.bytes,
    pres: response.bytes,
    iat: ia.type,
    ia: ia.address,
    rat: ra.type,
    ra: ra.address,
  });
  const c1Gives = (tk: Uint8Array, confirm: Uint8Array, random: Uint8Array) =>
    sameBytes(
      ctx.crypto.c1(tk, random, request.bytes, response.bytes, ia.type, ia.address, ra.type, ra.address),
      confirm,
    );
  const pairs = [
    { name: 'Mconfirm', side: 'initiator', confirm: mconfirm, random: mrand, randomName: 'Mrand' },
    { name: 'Sconfirm', side: 'responder', confirm: sconfirm, random: srand, randomName: 'Srand' },
  ] as const;
  const checkable = pairs.filter((p) => p.confirm && p.random);
  if (checkable.length === 0) {
    ctx.notVerifiable.push('the confirms: no confirm with its random in the capture');
    return;
  }

  let tk: Uint8Array | undefined;
  let tkText = 'TK = 0';
  if (association.model === 'just-works') {
    tk = new Uint8Array(16);
  } else {
    ctx.add(
      'legacy-pairing',
      response.at,
      `LE legacy Passkey Entry (${association.tableCell ?? 'passkey'}): the passkey protects against a man in the middle only; anyone who captured the pairing recovers it, then the STK and every key distributed under it`,
    );
    const first = checkable[0]!;
    const search = searchPasskey(inputs(first.confirm!.pdu.value, first.random!.pdu.value));
    if (search.passkey !== undefined) {
      tk = passkeyTk(search.passkey);
      tkText = `TK = passkey ${String(search.passkey).padStart(6, '0')}`;
      ctx.passkey = search.passkey;
      ctx.add(
        'passkey-recovered',
        first.confirm!.at,
        `passkey ${String(search.passkey).padStart(6, '0')} recovered from ${first.name} at ${ctx.place(first.confirm!.at)} and ${first.randomName} at ${ctx.place(first.random!.at)} (${search.evaluations.toLocaleString('en-US')} c1 evaluations)`,
        [first.random!.at],
      );
    } else if (
      checkable.every((p) => c1Gives(new Uint8Array(16), p.confirm!.pdu.value, p.random!.pdu.value))
    ) {
      tk = new Uint8Array(16);
      ctx.add(
        'just-works-mitm-requested',
        first.confirm!.at,
        `the IO table row ${association.tableCell} chose Passkey Entry, yet the confirms follow from TK = 0: Just Works was used and the keys are unauthenticated`,
      );
    } else {
      ctx.add(
        'confirm-mismatch',
        first.confirm!.at,
        `${first.name} matches no passkey 000000..999999 (nor TK = 0): the sides did not use one passkey, or the capture's addresses are not the ones used`,
        [first.random!.at],
      );
      return;
    }
  }
  for (const pair of checkable) {
    const ok = c1Gives(tk, pair.confirm!.pdu.value, pair.random!.pdu.value);
    const what = `${pair.name} (${pair.side}) ${hex(pair.confirm!.pdu.value)} ${ok ? '=' : '!='} c1(${tkText}, ${pair.randomName} at ${ctx.place(pair.random!.at)}, preq, pres, ${ia.type ? 'random' : 'public'} ia, ${ra.type ? 'random' : 'public'} ra)`;
    ctx.add(ok ? 'confirm-verified' : 'confirm-mismatch', pair.confirm!.at, what, [pair.random!.at]);
    if (ok) ctx.verified.push(`${pair.name} with ${tkText}`);
  }
  ctx.passkey = ctx.passkey ?? 0;
  if (!mrand || !srand) {
    ctx.notVerifiable.push('the STK: the capture lacks a Pairing Random');
    return;
  }
  const stk = maskKey(ctx.crypto.s1(tk, srand.pdu.value, mrand.pdu.value), ctx.keySize ?? 16);
  ctx.stk = stk;
  const start = ctx.events('encryption-start').find((e) => e.at > srand.at);
  if (!start) {
    ctx.notVerifiable.push('the STK: encryption was not started in the capture');
    return;
  }
  if (!start.ltk) return; // over the air: the link-layer check decides (ll-decrypt)
  if (sameBytes(start.ltk, stk)) {
    ctx.add(
      'stk-verified',
      start.at,
      `the key that started encryption, ${hex(start.ltk)}, is STK = s1(${tkText}, Srand, Mrand) masked to ${ctx.keySize ?? 16} octets`,
    );
    ctx.verified.push('the STK that started encryption');
  } else if (!start.ltk.some((b) => b !== 0)) {
    ctx.add('zero-ltk', start.at, `encryption started with an all-zero key; the STK is ${hex(stk)}`);
  } else {
    ctx.add(
      'stk-mismatch',
      start.at,
      `encryption started with ${hex(start.ltk)}, but STK = s1(${tkText}, Srand, Mrand) is ${hex(stk)}`,
    );
  }
}
