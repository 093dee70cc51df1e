/**
 * LE Secure Connections from a capture (Core Vol 3 Part H 2.3.5.6): what an
 * eavesdropper can check (public keys valid, not reflected, not the debug
 * key; the Just Works / Numeric Comparison commitment Cb; the 20 passkey
 * commitments, which also give the passkey away after the fact) and what it
 * cannot (anything behind the ECDH secret). A value the capture hides
 * (redacted) counts as missing.
 * @module
 */
import { isDebugPublicKey, isValidPublicKey } from '../../crypto/p256.js';
import type { PairingContext } from './context.js';
import type { PairingMessage } from './types.js';
import { valueShown } from './unknown.js';
import { sameBytes } from './values.js';

/** Audits the SC maths of one pairing. */
export function checkSecureConnections(ctx: PairingContext): void {
  const { association } = ctx;
  if (!association?.secureConnections) return;
  // A value the capture hides (redacted) counts as missing: nothing is judged on the zeros read for it.
  const shown = <T extends PairingMessage>(message: T | undefined) =>
    message && valueShown(ctx, message) ? message : undefined;
  const pka = shown(ctx.all('pairing-public-key', 'initiator')[0]);
  const pkb = shown(ctx.all('pairing-public-key', 'responder')[0]);
  for (const key of [pka, pkb]) {
    if (!key) continue;
    const who = key.sender === 'initiator' ? 'initiator' : 'responder';
    if (!isValidPublicKey(key.pdu.publicKey)) {
      ctx.add(
        'public-key-invalid',
        key.at,
        `the ${who}'s public key is not a point on P-256: the DHKey would leak the peer's private key (CVE-2018-5383)`,
      );
    } else if (isDebugPublicKey(key.pdu.publicKey)) {
      ctx.add(
        'debug-key',
        key.at,
        `the ${who} used the debug public key: its private key is published in the spec, so the LTK of this pairing is known to anyone`,
      );
    }
  }
  if (pka && pkb && sameBytes(pka.pdu.publicKey, pkb.pdu.publicKey)) {
    ctx.add(
      'public-key-invalid',
      pkb.at,
      "the responder's public key equals the initiator's (reflected key, CVE-2020-26558)",
      [pka.at],
    );
  }
  ctx.notVerifiable.push(
    'the DHKey: it is the ECDH secret of two private keys the capture does not hold, so the DHKey checks Ea/Eb, MacKey and LTK = f5(DHKey, Na, Nb, A, B) cannot be recomputed, the key that started encryption cannot be checked, and keys sent on the encrypted link cannot be read over the air',
  );
  if (!pka || !pkb) {
    ctx.notVerifiable.push('the commitments: the capture lacks a public key');
    return;
  }
  const pkax = pka.pdu.publicKey.subarray(0, 32);
  const pkbx = pkb.pdu.publicKey.subarray(0, 32);
  const confirmsA = ctx.all('pairing-confirm', 'initiator').map(shown);
  const confirmsB = ctx.all('pairing-confirm', 'responder').map(shown);
  const randomsA = ctx.all('pairing-random', 'initiator').map(shown);
  const randomsB = ctx.all('pairing-random', 'responder').map(shown);
  switch (association.model) {
    case 'just-works':
    case 'numeric-comparison': {
      const cb = confirmsB[0];
      const na = randomsA[0];
      const nb = randomsB[0];
      if (!cb || !nb) {
        ctx.notVerifiable.push('the commitment Cb: the capture lacks the confirm or Nb');
        return;
      }
      const ok = sameBytes(ctx.crypto.f4(pkbx, pkax, nb.pdu.value, 0), cb.pdu.value);
      ctx.add(
        ok ? 'confirm-verified' : 'confirm-mismatch',
        cb.at,
        `Cb (responder) ${ok ? '=' : '!='} f4(PKbx, PKax, Nb at ${ctx.place(nb.at)}, 0)`,
        [nb.at],
      );
      if (ok) ctx.verified.push('the commitment Cb = f4(PKbx, PKax, Nb, 0)');
      if (na && association.model === 'numeric-comparison') {
        const shown = ctx.crypto.g2(pkax, pkbx, na.pdu.value, nb.pdu.value) % 1_000_000;
        ctx.verified.push(
          `the number both users were shown: ${String(shown).padStart(6, '0')} = g2(PKax, PKbx, Na, Nb) mod 10^6`,
        );
      }
      ctx.notVerifiable.push(
        'that the users compared the number (Numeric Comparison) or that nobody did (Just Works): nothing on the air says',
      );
      return;
    }
    case 'passkey': {
      let passkey = 0;
      let rounds = 0;
      for (let i = 0; i < 20; i++) {
        const [ca, cb, na, nb] = [confirmsA[i], confirmsB[i], randomsA[i], randomsB[i]];
        if (!ca || !cb || !na || !nb) break;
        const bit = [0, 1].find((r) =>
          sameBytes(ctx.crypto.f4(pkax, pkbx, na.pdu.value, 0x80 | r), ca.pdu.value),
        );
        if (
          bit === undefined ||
          !sameBytes(ctx.crypto.f4(pkbx, pkax, nb.pdu.value, 0x80 | bit), cb.pdu.value)
        ) {
          ctx.add(
            'confirm-mismatch',
            bit === undefined ? ca.at : cb.at,
            `passkey round ${i + 1}: the ${bit === undefined ? 'initiator' : 'responder'}'s commitment does not follow from its nonce for either passkey bit`,
          );
          return;
        }
        passkey |= bit << i;
        rounds += 1;
      }
      if (rounds === 20) {
        ctx.add(
          'confirm-verified',
          confirmsA[0]!.at,
          'all 20 passkey rounds: Cai = f4(PKax, PKbx, Nai, 0x80|ri) and Cbi = f4(PKbx, PKax, Nbi, 0x80|ri)',
        );
        ctx.verified.push(
          `the 20 passkey rounds; they reveal the passkey ${String(passkey).padStart(6, '0')} after the fact (harmless now, fatal if the passkey is ever reused)`,
        );
      } else {
        ctx.notVerifiable.push(`the passkey rounds: only ${rounds} of 20 complete in the capture`);
      }
      return;
    }
    case 'oob':
      ctx.notVerifiable.push('the OOB commitments C = f4(PKx, PKx, r, 0): r was exchanged out of band');
      return;
  }
}
