/**
 * LE legacy pairing from a capture (Core Vol 3 Part H 2.3.5.2-2.3.5.5):
 * every legacy pairing is named with what its model gives away; both
 * confirms are checked with c1 for the TK of the model (0 for Just Works;
 * the passkey, searched over all 10^6 values, for Passkey Entry), the STK
 * derived with s1 and checked against the key that started encryption.
 * @module
 */
import type { AssociationModel } from '../../smp/association.js';
import { AuthReq } from '../../smp/constants.js';
import type { PairingContext } from './context.js';
import { recoverAddresses } from './legacy-addresses.js';
import { searchPasskeyByMic } from './mic-passkey-search.js';
import { addressText, keyBitsText } from './names.js';
import { passkeyTk, searchPasskey, searchPasskeyByStk } from './passkey-search.js';
import type { PairingMessage } from './types.js';
import { valueShown } from './unknown.js';
import { hex, sameBytes } from './values.js';

/** What the confirms showed the TK to be. */
type TkFound =
  | { readonly kind: 'zero' }
  | { readonly kind: 'passkey'; readonly passkey: number }
  | { readonly kind: 'unknown' };

/**
 * A key shortened to `size` octets (2.3.4: the most significant octets
 * zeroed). A size outside 7..16 comes from a malformed PDU: the key is cut
 * as the size says, so that a key a careless stack used is still recognised.
 */
function masked(key: Uint8Array, size: number): Uint8Array {
  const out = key.slice();
  out.fill(0, Math.max(1, Math.min(16, size)));
  return out;
}

/** Audits the legacy maths of one pairing; sets `ctx.passkey` and `ctx.stk` when the TK is found. */
export function checkLegacy(ctx: PairingContext): void {
  const { request, response } = ctx;
  if (!request || !response || ctx.method !== 'legacy') return;
  const found = legacyMaths(ctx);
  // Raised for every legacy pairing once Request and Response are seen, whatever else the capture shows.
  const withoutSc = [
    ...(request.pdu.authReq & AuthReq.SecureConnections ? [] : ['initiator']),
    ...(response.pdu.authReq & AuthReq.SecureConnections ? [] : ['responder']),
  ];
  const failed = ctx.all('pairing-failed').find((m) => !m.decrypted);
  const random = ctx.all('pairing-random')[0];
  const ended =
    failed && (!random || failed.at < random.at)
      ? `; this attempt failed at ${ctx.place(failed.at)}, before the randoms, so it exposed no key`
      : '';
  ctx.add(
    'legacy-pairing',
    response.at,
    `${legacyMessage(ctx, found, `the ${withoutSc.join(' and ')} did not set the SC bit`)}${ended}`,
  );
}

/**
 * The `legacy-pairing` message for the model the pairing used: the IO table's,
 * or Just Works when the confirms show TK = 0 where the table chose Passkey
 * Entry.
 */
function legacyMessage(ctx: PairingContext, found: TkFound, why: string): string {
  const { response, association } = ctx;
  const keys = response
    ? ` (negotiated: initiator ${keyBitsText(response.pdu.initiatorKeys)}, responder ${keyBitsText(response.pdu.responderKeys)})`
    : '';
  const model: AssociationModel | undefined = found.kind === 'zero' ? 'just-works' : association?.model;
  switch (model) {
    case 'just-works': {
      const chosen =
        association?.model === 'passkey'
          ? `; the IO table row ${association.tableCell} chose Passkey Entry, yet the TK is 0`
          : '';
      return `LE legacy Just Works (${why})${chosen}: TK = 0, so STK = s1(0, Srand, Mrand) follows from the two Pairing Random values in the capture, and every key distributed under it${keys} is readable by anyone who captured the pairing; Just Works gives no protection against an eavesdropper (Core Vol 3 Part H 2.3.5.2)`;
    }
    case 'passkey':
      return `LE legacy Passkey Entry (${association?.tableCell ?? 'passkey'}; ${why}): the TK is a passkey of at most 999999, recoverable by searching all 10^6 values against a confirm and its random; then the STK and every key distributed under it${keys} follow. The passkey protects against a man in the middle only, never against an eavesdropper (2.3.5.3)`;
    case 'oob':
      return `LE legacy pairing with OOB data (${why}): the TK came out of band and is not in the capture; the STK and every key distributed under it${keys} are as secret as that channel (2.3.5.4)`;
    default:
      return `LE legacy pairing (${why}), model not settled (a reserved field in the Pairing Request or Response): the TK is 0 (Just Works), a passkey of at most 999999, or OOB data; the first two are recovered from a capture, and with them the STK and every key distributed under it${keys}`;
  }
}

/** The confirms, the TK and the STK; what the TK turned out to be. */
function legacyMaths(ctx: PairingContext): TkFound {
  const request = ctx.request!;
  const response = ctx.response!;
  const models = new Set(ctx.candidates.map((a) => a.model));
  const model = ctx.association?.model;
  // A confirm or nonce the capture hides (redacted btmon text) counts as missing; reportHidden says so.
  const shown = <T extends Parameters<typeof valueShown>[1]>(m: T | undefined) =>
    m && valueShown(ctx, m) ? m : undefined;
  const mconfirm = shown(ctx.all('pairing-confirm', 'initiator')[0]);
  const sconfirm = shown(ctx.all('pairing-confirm', 'responder')[0]);
  const mrand = shown(ctx.all('pairing-random', 'initiator')[0]);
  const srand = shown(ctx.all('pairing-random', 'responder')[0]);
  if (model === 'oob') {
    ctx.notVerifiable.push(
      'the confirms and the STK: the TK is the OOB value, which the capture does not hold',
    );
    return { kind: 'unknown' };
  }
  // c1 takes the 7 octets of each PDU as sent (2.2.3), reserved values and all.
  const preq = request.bytes.subarray(0, 7);
  const pres = response.bytes.subarray(0, 7);
  const pairs = [
    { name: 'Mconfirm', side: 'initiator', confirm: mconfirm, random: mrand, randomName: 'Mrand' },
    { name: 'Sconfirm', side: 'responder', confirm: sconfirm, random: srand, randomName: 'Srand' },
  ] as const;
  const checkable = pairs.filter((p) => p.confirm && p.random);
  const haveAddresses = ctx.initiatorAddress !== undefined && ctx.responderAddress !== undefined;
  let tk: Uint8Array | undefined;
  let tkText = 'TK = 0';
  let found: TkFound = { kind: 'unknown' };
  if (haveAddresses && checkable.length) {
    const ia = ctx.initiatorAddress!;
    const ra = ctx.responderAddress!;
    const c1Gives = (key: Uint8Array, confirm: Uint8Array, random: Uint8Array) =>
      sameBytes(ctx.crypto.c1(key, random, preq, pres, ia.type, ia.address, ra.type, ra.address), confirm);
    const inputs = (confirm: Uint8Array, random: Uint8Array) => ({
      confirm,
      random,
      preq,
      pres,
      iat: ia.type,
      ia: ia.address,
      rat: ra.type,
      ra: ra.address,
    });
    const zero = new Uint8Array(16);
    const first = checkable[0]!;
    const zeroFits = checkable.every((p) => c1Gives(zero, p.confirm!.pdu.value, p.random!.pdu.value));
    if (model === 'just-works' || (model === undefined && models.has('just-works') && zeroFits)) {
      tk = zero;
      found = { kind: 'zero' };
      if (model === undefined) ctx.settle('just-works', 'the confirms follow from TK = 0: Just Works');
    } else if (zeroFits) {
      // The table chose Passkey Entry (or the fields leave it open), yet TK = 0: Just Works in
      // effect, or the passkey 000000, which is the same TK and as well known (2.3.5.1, 2.3.5.3).
      tk = zero;
      found = { kind: 'zero' };
      if (model === 'passkey') {
        ctx.add(
          'just-works-mitm-requested',
          first.confirm!.at,
          `the IO table row ${ctx.association!.tableCell} chose Passkey Entry, yet the confirms follow from TK = 0 (Just Works, or the passkey 000000, the same TK): the keys are unauthenticated`,
        );
      } else ctx.settle('passkey', 'the confirms follow from TK = 0 (passkey 000000)');
    } else if (model === 'passkey' || (model === undefined && models.has('passkey'))) {
      // The STK on HCI, when shown, gives the passkey with s1 at half c1's cost; the confirm then checks it.
      const viaStk = passkeyFromStk(ctx, mrand, srand, (p) =>
        c1Gives(passkeyTk(p), first.confirm!.pdu.value, first.random!.pdu.value),
      );
      const search =
        viaStk ?? searchPasskey(inputs(first.confirm!.pdu.value, first.random!.pdu.value), 'tables', 1);
      if (search.passkey !== undefined) {
        tk = passkeyTk(search.passkey);
        tkText = `TK = passkey ${String(search.passkey).padStart(6, '0')}`;
        found = { kind: 'passkey', passkey: search.passkey };
        ctx.passkey = search.passkey;
        if (model === undefined)
          ctx.settle(
            'passkey',
            `the confirms follow from the passkey ${String(search.passkey).padStart(6, '0')}`,
          );
        ctx.add(
          'passkey-recovered',
          first.confirm!.at,
          viaStk
            ? `passkey ${String(search.passkey).padStart(6, '0')} recovered from the STK that started encryption at ${ctx.place(viaStk.stk)} with s1 (${search.evaluations.toLocaleString('en-US')} evaluations, one AES each where c1 takes two), and ${first.name} at ${ctx.place(first.confirm!.at)} follows from it with c1`
            : `passkey ${String(search.passkey).padStart(6, '0')} recovered from ${first.name} at ${ctx.place(first.confirm!.at)} and ${first.randomName} at ${ctx.place(first.random!.at)} (${(search.evaluations + 1).toLocaleString('en-US')} c1 evaluations)`,
          viaStk ? [first.random!.at, viaStk.stk] : [first.random!.at],
        );
      }
    }
    if (!tk) {
      if (model === undefined && models.has('oob')) {
        ctx.settle('oob', 'the confirms follow from no TK a capture can find: OOB');
        ctx.notVerifiable.push(
          'the confirms and the STK: the TK is neither 0 nor a passkey, so it is the OOB value (or the addresses in the capture are not the ones used)',
        );
        return { kind: 'unknown' };
      }
      ctx.add(
        'confirm-mismatch',
        first.confirm!.at,
        `${first.name} matches no passkey 000000..999999 (nor TK = 0): the sides did not use one passkey, or the capture's addresses are not the ones used`,
        [first.random!.at],
      );
      return { kind: 'unknown' };
    }
  } else {
    // Without both addresses (or without a confirm), c1 cannot find the TK: the STK can (s1 needs
    // only the randoms), and then a confirm gives the addresses back.
    const tkFound = tkWithoutConfirms(ctx, model, models, mrand, srand, haveAddresses);
    if (!tkFound) return { kind: 'unknown' };
    ({ tk, tkText, found } = tkFound);
    if (!haveAddresses) recoverFromConfirm(ctx, tk, tkText, checkable, preq, pres);
    if (!checkable.length) ctx.notVerifiable.push('the confirms: no confirm with its random in the capture');
  }
  const ia = ctx.initiatorAddress;
  const ra = ctx.responderAddress;
  const c1Gives = (key: Uint8Array, confirm: Uint8Array, random: Uint8Array) =>
    ia && ra
      ? sameBytes(ctx.crypto.c1(key, random, preq, pres, ia.type, ia.address, ra.type, ra.address), confirm)
      : false;
  for (const pair of ia && ra ? checkable : []) {
    const ok = c1Gives(tk, pair.confirm!.pdu.value, pair.random!.pdu.value);
    const what = `${pair.name} (${pair.side}) ${hex(pair.confirm!.pdu.value)} ${ok ? '=' : '!='} c1(${tkText}, ${pair.randomName} at ${ctx.place(pair.random!.at)}, preq, pres, ${ia!.type ? 'random' : 'public'} ia, ${ra!.type ? 'random' : 'public'} ra${ctx.recovered ? ' as recovered' : ''})`;
    ctx.add(ok ? 'confirm-verified' : 'confirm-mismatch', pair.confirm!.at, what, [pair.random!.at]);
    if (ok) ctx.verified.push(`${pair.name} with ${tkText}`);
  }
  ctx.passkey = ctx.passkey ?? 0;
  if (!mrand || !srand) {
    ctx.notVerifiable.push('the STK: the capture lacks a Pairing Random');
    return found;
  }
  const size = ctx.keySize ?? 16;
  const stk = masked(ctx.crypto.s1(tk, srand.pdu.value, mrand.pdu.value), size);
  ctx.stk = stk;
  const failed = ctx.all('pairing-failed').find((m) => !m.decrypted);
  // The first start after Srand; else one before it (the encryption check judges that one).
  const start =
    ctx.events('encryption-start').find((e) => e.at > srand.at && !(failed && failed.at < e.at)) ??
    ctx.earlyEncryption;
  if (!start) {
    ctx.notVerifiable.push('the STK: encryption was not started in the capture');
    return found;
  }
  // Over the air the key is not shown: the link-layer check decides by the MIC (ll-decrypt).
  if (!start.ltk) return found;
  if (start.at < srand.at && !sameBytes(start.ltk, stk)) {
    ctx.notVerifiable.push(
      'the STK: encryption started before the pairing produced it, with another key, and not again after',
    );
    return found;
  }
  if (sameBytes(start.ltk, stk)) {
    ctx.add(
      'stk-verified',
      start.at,
      `the key that started encryption, ${hex(start.ltk)}, is STK = s1(${tkText}, Srand, Mrand) masked to ${size} octets`,
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
  return found;
}

type Random = PairingMessage & {
  readonly pdu: { readonly type: 'pairing-random'; readonly value: Uint8Array };
};
type Confirm = PairingMessage & {
  readonly pdu: { readonly type: 'pairing-confirm'; readonly value: Uint8Array };
};
interface ConfirmPair {
  readonly name: string;
  readonly confirm?: Confirm | undefined;
  readonly random?: Random | undefined;
  readonly randomName: string;
}

/**
 * The TK when c1 cannot find it (the capture lacks an address, or a confirm
 * with its random): 0 for Just Works; for Passkey Entry, searched with s1
 * (2.2.4) against the STK that started encryption (HCI LE Enable Encryption
 * and LTK Request Reply carry it), which needs only the two randoms.
 */
function tkWithoutConfirms(
  ctx: PairingContext,
  model: AssociationModel | undefined,
  models: ReadonlySet<AssociationModel>,
  mrand: Random | undefined,
  srand: Random | undefined,
  haveAddresses: boolean,
): { tk: Uint8Array; tkText: string; found: TkFound } | undefined {
  const why = haveAddresses
    ? 'no confirm with its random in the capture'
    : 'the capture does not show both device addresses (c1 needs them)';
  const zero = { tk: new Uint8Array(16), tkText: 'TK = 0', found: { kind: 'zero' } as TkFound };
  if (model === 'just-works' || (model === undefined && models.size === 1 && models.has('just-works')))
    return zero;
  if (!models.has('passkey') && !models.has('just-works')) {
    ctx.notVerifiable.push(`the confirms and the STK: ${why}`);
    return undefined;
  }
  if (!mrand || !srand) {
    ctx.notVerifiable.push(
      `the confirms and the STK: ${why}, and without both Pairing Random values the passkey cannot be searched with s1 either`,
    );
    return undefined;
  }
  const failed = ctx.all('pairing-failed').find((m) => !m.decrypted);
  const start = ctx
    .events('encryption-start')
    .find((e) => e.at > srand.at && e.ltk && !(failed && failed.at < e.at));
  if (!start?.ltk) {
    const overAir = micSearch(ctx, srand, mrand);
    if (overAir) return overAir === 'none' ? undefined : settleFound(ctx, model, models, overAir, why);
    ctx.notVerifiable.push(
      `the confirms and the STK: ${why}; the passkey could be searched with s1 against the STK, but no encryption start in the capture shows the key, and no LL_ENC_REQ, LL_ENC_RSP and encrypted PDU after the randoms let the MIC tell it`,
    );
    return undefined;
  }
  const search = searchPasskeyByStk({
    stk: start.ltk,
    srand: srand.pdu.value,
    mrand: mrand.pdu.value,
    keySize: ctx.keySize ?? 16,
  });
  if (search.passkey === undefined) {
    if (model === undefined && models.has('oob')) {
      ctx.settle('oob', 'the STK follows from no TK a capture can find: OOB');
      ctx.notVerifiable.push(`the confirms and the STK: ${why}, and the STK is s1 of no passkey: OOB`);
      return undefined;
    }
    ctx.add(
      'stk-mismatch',
      start.at,
      `encryption started with ${hex(start.ltk)}, which is s1(TK, Srand, Mrand) for no TK = 0 or passkey 000001..999999 (${search.evaluations.toLocaleString('en-US')} s1 evaluations; c1 could not be used: ${why}): not an STK of this pairing`,
    );
    return undefined;
  }
  return settleFound(
    ctx,
    model,
    models,
    {
      passkey: search.passkey,
      at: start.at,
      how: `from the STK that started encryption at ${ctx.place(start.at)} and the two Pairing Random values (${ctx.place(mrand.at)}, ${ctx.place(srand.at)}), with s1 (${search.evaluations.toLocaleString('en-US')} evaluations)`,
      related: [mrand.at, srand.at],
    },
    why,
  );
}

/** A passkey found without c1: where, how, and what it makes of the model. */
interface FoundWithoutC1 {
  readonly passkey: number;
  readonly at: number;
  readonly how: string;
  readonly related: readonly number[];
}

function settleFound(
  ctx: PairingContext,
  model: AssociationModel | undefined,
  models: ReadonlySet<AssociationModel>,
  found: FoundWithoutC1,
  why: string,
): { tk: Uint8Array; tkText: string; found: TkFound } {
  const { passkey, at: start } = found;
  const zero = { tk: new Uint8Array(16), tkText: 'TK = 0', found: { kind: 'zero' } as TkFound };
  if (passkey === 0) {
    if (model === 'passkey')
      ctx.add(
        'just-works-mitm-requested',
        start,
        `the IO table row ${ctx.association!.tableCell} chose Passkey Entry, yet the STK that started encryption is s1(TK = 0, Srand, Mrand) (Just Works, or the passkey 000000, the same TK): the keys are unauthenticated`,
      );
    else if (model === undefined)
      ctx.settle(models.has('just-works') ? 'just-works' : 'passkey', 'the STK follows from TK = 0');
    return zero;
  }
  const text = String(passkey).padStart(6, '0');
  ctx.passkey = passkey;
  if (model === undefined) ctx.settle('passkey', `the STK follows from the passkey ${text}`);
  ctx.add(
    'passkey-recovered',
    start,
    `passkey ${text} recovered ${found.how}: c1 could not be used, ${why}`,
    [...found.related],
  );
  return { tk: passkeyTk(passkey), tkText: `TK = passkey ${text}`, found: { kind: 'passkey', passkey } };
}

/**
 * The passkey from the STK an HCI capture shows (LE Enable Encryption or LTK
 * Request Reply after Srand), searched with s1 (one AES per candidate where
 * c1 takes two), when `confirms` holds for it; undefined otherwise (no key
 * shown, a key of no passkey, or one the confirms do not follow from), and
 * the c1 search decides.
 */
function passkeyFromStk(
  ctx: PairingContext,
  mrand: Random | undefined,
  srand: Random | undefined,
  confirms: (passkey: number) => boolean,
): { passkey: number; evaluations: number; stk: number } | undefined {
  if (!mrand || !srand) return undefined;
  const failed = ctx.all('pairing-failed').find((m) => !m.decrypted);
  const start = ctx
    .events('encryption-start')
    .find((e) => e.at > srand.at && e.ltk && !(failed && failed.at < e.at));
  if (!start?.ltk || start.ltk.every((b) => b === 0)) return undefined;
  const search = searchPasskeyByStk(
    { stk: start.ltk, srand: srand.pdu.value, mrand: mrand.pdu.value, keySize: ctx.keySize ?? 16 },
    1,
  );
  if (search.passkey === undefined || !confirms(search.passkey)) return undefined;
  return { passkey: search.passkey, evaluations: search.evaluations, stk: start.at };
}

/**
 * Over the air, where no key is shown: the passkey whose session key
 * authenticates the first encrypted PDU after LL_ENC_REQ and LL_ENC_RSP
 * (searchPasskeyByMic). Undefined when the capture lacks what it needs;
 * `none` when no passkey fits (said as a finding).
 */
function micSearch(ctx: PairingContext, srand: Random, mrand: Random): FoundWithoutC1 | 'none' | undefined {
  const request = ctx.events('encryption-start').find((e) => e.source === 'll-enc-req' && e.at > srand.at);
  const response = request && ctx.events('encryption-response').find((e) => e.at > request.at);
  const first = response && ctx.events('encrypted-pdu').find((e) => e.at > response.at);
  if (!request?.skdm || !request.ivm || !response || !first) return undefined;
  const search = searchPasskeyByMic({
    srand: srand.pdu.value,
    mrand: mrand.pdu.value,
    keySize: ctx.keySize ?? 16,
    skdm: request.skdm,
    skds: response.skds,
    ivm: request.ivm,
    ivs: response.ivs,
    header: first.header,
    payload: first.payload,
  });
  if (search.passkey === undefined) {
    ctx.notVerifiable.push(
      `the TK: no passkey 000000..999999 gives a session key that authenticates the first encrypted PDU (${ctx.place(first.at)}; ${search.evaluations.toLocaleString('en-US')} tried): the sniffer may have missed PDUs, or the TK came out of band`,
    );
    return 'none';
  }
  return {
    passkey: search.passkey,
    at: first.at,
    how: `over the air: its STK = s1(TK, Srand, Mrand) gives the session key e(STK, SKDm || SKDs) under which the first encrypted PDU (${ctx.place(first.at)}) authenticates (${search.evaluations.toLocaleString('en-US')} candidates)`,
    related: [mrand.at, srand.at, request.at],
  };
}

/**
 * With the TK known and an address missing: both addresses from the first
 * confirm with its random (p2 = e(TK, r XOR p1) XOR d(TK, confirm), 2.2.3),
 * the one the capture shows held fixed; the c1 checks that follow then
 * check the other confirm against them.
 */
function recoverFromConfirm(
  ctx: PairingContext,
  tk: Uint8Array,
  tkText: string,
  checkable: readonly ConfirmPair[],
  preq: Uint8Array,
  pres: Uint8Array,
): void {
  const first = checkable[0];
  if (!first) {
    ctx.notVerifiable.push(
      'the confirms and the addresses: the capture shows neither both device addresses nor a confirm with its random to recover them from',
    );
    return;
  }
  const known = {
    ...(ctx.pairing.central ? { initiator: ctx.pairing.central } : {}),
    ...(ctx.pairing.peripheral ? { responder: ctx.pairing.peripheral } : {}),
  };
  const got = recoverAddresses(
    ctx.crypto,
    { tk, confirm: first.confirm!.pdu.value, random: first.random!.pdu.value, preq, pres },
    known,
  );
  const shownText = known.initiator
    ? `the initiator's address ${addressText(known.initiator)} the capture shows`
    : known.responder
      ? `the responder's address ${addressText(known.responder)} the capture shows`
      : undefined;
  if (!got) {
    ctx.add(
      'confirm-mismatch',
      first.confirm!.at,
      `${first.name} is c1 with ${tkText} for no pair of device addresses${shownText ? ` that includes ${shownText}` : ''}: p2 = e(TK, ${first.randomName} XOR p1) XOR d(TK, ${first.name}) lacks its 32 zero bits for every pair of address types`,
      [first.random!.at],
    );
    return;
  }
  ctx.recovered = got;
  const missing = shownText
    ? `the ${known.initiator ? 'responder' : 'initiator'}'s address`
    : 'both device addresses';
  ctx.add(
    'address-recovered',
    first.confirm!.at,
    `the capture lacks ${missing}: ${first.name} with ${tkText} gives p2 = e(TK, ${first.randomName} XOR p1) XOR d(TK, ${first.name}), so the initiator used ${addressText(got.initiator)} and the responder ${addressText(got.responder)}${checkable.length > 1 ? '; the other confirm checks them' : " (checked by p2's 32 zero bits only: the capture has no second confirm with its random)"}`,
    [first.random!.at],
  );
}
