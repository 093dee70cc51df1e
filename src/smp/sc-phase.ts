/**
 * LE Secure Connections pairing phase 2 (Core Vol 3 Part H 2.3.5.6): public
 * keys and the DHKey, then the model's authentication stage (Just Works and
 * Numeric Comparison, 20 passkey rounds, or OOB) with f4 and g2, then f5 and
 * the DHKey checks with f6. Sans-I/O, driven by its {@link PhaseContext}.
 * @module
 */

import type { P256KeyPair } from '../crypto/backend.js';
import { concat, equalBytes } from '../crypto/bytes.js';
import { InvalidPublicKeyError } from '../crypto/errors.js';
import { maskKey } from '../crypto/key-size.js';
import { isDebugPublicKey } from '../crypto/p256.js';
import type { DhKeyChecks } from '../crypto/secure-connections.js';
import { Reason } from './constants.js';
import type { Negotiated } from './negotiation.js';
import { askPasskey, passkeyTk } from './passkey.js';
import type { SmpPdu } from './pdu.js';
import { initiatorFirst, type KeyGenerationPhase, type PhaseContext } from './phase-context.js';

const ZERO_16: Uint8Array = new Uint8Array(16);

/** Where in the exchange we are. */
type Step = 'public-key' | 'confirm' | 'random' | 'user' | 'check';

/**
 * One LE Secure Connections key generation.
 * @example
 * ```ts
 * const phase = new ScPhase(ctx, negotiated, keyPair);
 * phase.start(); // the initiator sends its public key
 * phase.onPdu({ type: 'pairing-public-key', publicKey });
 * ```
 */
export class ScPhase implements KeyGenerationPhase {
  readonly #ctx: PhaseContext;
  readonly #negotiated: Negotiated;
  readonly #keyPair: P256KeyPair;
  #step: Step = 'public-key';
  #peerPublicKey: Uint8Array | null = null;
  #dhKey: Uint8Array | null = null;
  #debugKey = false;
  /** Passkey entry: the passkey, once shown or typed, and the round, 0..19. */
  #passkey: number | null = null;
  #round = 0;
  #ownNonce: Uint8Array;
  /** This round's (or the only) confirm value has been sent by us. */
  #sentConfirm = false;
  #peerConfirm: Uint8Array | null = null;
  #peerNonce: Uint8Array | null = null;
  /** The final Na and Nb. */
  #na: Uint8Array | null = null;
  #nb: Uint8Array | null = null;
  /** ra and rb of the DHKey checks: 0, the passkey, or the OOB randoms. */
  #ra: Uint8Array = ZERO_16;
  #rb: Uint8Array = ZERO_16;
  /** Numeric comparison or Just Works: the user has agreed. */
  #userAgreed = false;
  /** The LTK from f5 and both DHKey check values under its MacKey, once the nonces are known. */
  #keys: ({ readonly ltk: Uint8Array } & DhKeyChecks) | null = null;
  /** Initiator: Ea has been sent. */
  #sentCheck = false;
  /** Responder: the initiator's DHKey check, held until the user agrees. */
  #heldCheck: Uint8Array | null = null;

  constructor(ctx: PhaseContext, negotiated: Negotiated, keyPair: P256KeyPair) {
    this.#ctx = ctx;
    this.#negotiated = negotiated;
    this.#keyPair = keyPair;
    this.#ownNonce = ctx.random(16);
  }

  /** The initiator opens the exchange with its public key (2.3.5.6.1). */
  start(): void {
    if (this.#ctx.role === 'initiator') {
      this.#ctx.send({ type: 'pairing-public-key', publicKey: this.#keyPair.publicKey });
    }
  }

  passkeyKnown(passkey: number): void {
    this.#passkey = passkey;
    this.#ra = passkeyTk(passkey);
    this.#rb = this.#ra;
    this.#passkeyRoundReady();
  }

  userAgreed(): void {
    this.#userAgreed = true;
    this.#afterUser();
  }

  onPdu(pdu: SmpPdu): void {
    const ctx = this.#ctx;
    const initiator = ctx.role === 'initiator';
    const model = this.#negotiated.association.model;
    if (pdu.type === 'pairing-public-key' && this.#step === 'public-key') {
      return this.#onPublicKey(pdu.publicKey);
    }
    if (pdu.type === 'pairing-confirm' && this.#step === 'confirm' && !this.#peerConfirm) {
      // Passkey entry: the initiator commits first in every round (2.3.5.6.3).
      if (initiator && model === 'passkey' && !this.#sentConfirm) return ctx.unexpected(pdu.type);
      this.#peerConfirm = pdu.value;
      if (!initiator) return this.#passkeyRoundReady();
      this.#step = 'random';
      return ctx.send({ type: 'pairing-random', value: this.#ownNonce });
    }
    if (pdu.type === 'pairing-random' && this.#step === 'random' && !this.#peerNonce) {
      if (initiator && !this.#peerConfirm && model !== 'oob') return ctx.unexpected(pdu.type);
      return this.#onRandom(pdu.value);
    }
    if (pdu.type === 'pairing-dhkey-check' && initiator && this.#step === 'check' && this.#sentCheck) {
      return this.#onPeerCheck(pdu.value);
    }
    if (
      pdu.type === 'pairing-dhkey-check' &&
      !initiator &&
      (this.#step === 'check' || this.#step === 'user') &&
      !this.#heldCheck
    ) {
      this.#heldCheck = pdu.value;
      return this.#afterUser();
    }
    ctx.unexpected(pdu.type);
  }

  /** PKa and PKb, once the peer's key is known. */
  #publicKeys(): { pka: Uint8Array; pkb: Uint8Array } {
    const own = this.#keyPair.publicKey;
    const peer = this.#peerPublicKey!;
    return this.#ctx.role === 'initiator' ? { pka: own, pkb: peer } : { pka: peer, pkb: own };
  }

  /** The initiator's and the responder's address with its type, as f5 and f6 take them. */
  #addresses(): { a: Uint8Array; b: Uint8Array } {
    const [initiator, responder] = initiatorFirst(this.#ctx);
    return {
      a: concat(initiator.address, Uint8Array.of(initiator.type)),
      b: concat(responder.address, Uint8Array.of(responder.type)),
    };
  }

  #onPublicKey(publicKey: Uint8Array): void {
    const ctx = this.#ctx;
    if (equalBytes(publicKey, this.#keyPair.publicKey)) {
      return ctx.fail(Reason.DhKeyCheckFailed, 'the peer sent our own public key back (CVE-2020-26558)');
    }
    // Either side's debug key makes the LTK known to anyone who records the pairing (smp-rules.md 9):
    // such a pairing is reported as debugKey and never kept. Only the peer's is refused by the policy.
    const peerDebugKey = isDebugPublicKey(publicKey);
    this.#debugKey = peerDebugKey || isDebugPublicKey(this.#keyPair.publicKey);
    if (peerDebugKey && !ctx.policy.allowDebugKeys) {
      return ctx.fail(
        Reason.AuthenticationRequirements,
        'the peer uses the debug key pair and the policy refuses debug keys',
      );
    }
    try {
      // dhKey checks the point first: on the curve, coordinates below p, not infinity.
      this.#dhKey = ctx.tb.dhKey(this.#keyPair.privateKey, publicKey);
    } catch (error) {
      if (!(error instanceof InvalidPublicKeyError)) throw error;
      return ctx.fail(
        Reason.DhKeyCheckFailed,
        `the peer's public key is not a valid P-256 point (CVE-2018-5383): ${error.reason}`,
      );
    }
    this.#peerPublicKey = publicKey;
    if (ctx.role === 'responder')
      ctx.send({ type: 'pairing-public-key', publicKey: this.#keyPair.publicKey });
    const association = this.#negotiated.association;
    if (association.model === 'oob') return this.#oobStart();
    this.#step = 'confirm';
    if (association.model === 'passkey') {
      return askPasskey(ctx, association, (passkey) => this.passkeyKnown(passkey));
    }
    if (ctx.role === 'responder') {
      // Just Works and Numeric Comparison: Cb = f4(PKbx, PKax, Nb, 0) (2.3.5.6.2).
      const { pka, pkb } = this.#publicKeys();
      this.#step = 'random';
      ctx.send({
        type: 'pairing-confirm',
        value: ctx.tb.f4(pkb.subarray(0, 32), pka.subarray(0, 32), this.#ownNonce, 0),
      });
    }
  }

  /** OOB (2.3.5.6.4): check the peer's commitment when we hold its data; set ra and rb. */
  #oobStart(): void {
    const ctx = this.#ctx;
    const initiator = ctx.role === 'initiator';
    const { request, response } = this.#negotiated;
    const peerOob = ctx.options.oob?.peer;
    const localRandom: Uint8Array = ctx.options.oob?.localRandom ?? ZERO_16;
    const weHavePeerData = initiator ? request.oobDataPresent : response.oobDataPresent;
    const peerHasOurData = initiator ? response.oobDataPresent : request.oobDataPresent;
    let peerRandom: Uint8Array = ZERO_16;
    if (weHavePeerData) {
      if (!peerOob || !('random' in peerOob)) {
        return ctx.fail(
          Reason.OobNotAvailable,
          "LE Secure Connections OOB needs the peer's random and confirm values",
        );
      }
      const peerKey = this.#peerPublicKey!.subarray(0, 32);
      if (!equalBytes(ctx.tb.f4(peerKey, peerKey, peerOob.random, 0), peerOob.confirm)) {
        return ctx.fail(
          Reason.ConfirmValueFailed,
          "the peer's OOB confirm value does not match its public key",
        );
      }
      peerRandom = peerOob.random;
    }
    const ownRandom = peerHasOurData ? localRandom : ZERO_16;
    // ra is the initiator's OOB random as the responder knows it; rb the responder's as the initiator knows it.
    this.#ra = initiator ? ownRandom : peerRandom;
    this.#rb = initiator ? peerRandom : ownRandom;
    this.#step = 'random';
    if (initiator) ctx.send({ type: 'pairing-random', value: this.#ownNonce });
  }

  /** Passkey entry round i (2.3.5.6.3): commit once the passkey is known and it is our turn. */
  #passkeyRoundReady(): void {
    const ctx = this.#ctx;
    if (
      this.#negotiated.association.model !== 'passkey' ||
      this.#passkey === null ||
      this.#step !== 'confirm' ||
      this.#sentConfirm
    ) {
      return;
    }
    if (ctx.role === 'responder' && !this.#peerConfirm) return; // the responder answers the initiator's Cai
    const z = 0x80 | ((this.#passkey >> this.#round) & 1);
    const own = this.#keyPair.publicKey.subarray(0, 32);
    const peer = this.#peerPublicKey!.subarray(0, 32);
    this.#sentConfirm = true;
    if (ctx.role === 'responder') this.#step = 'random';
    ctx.send({ type: 'pairing-confirm', value: ctx.tb.f4(own, peer, this.#ownNonce, z) });
  }

  #onRandom(peerNonce: Uint8Array): void {
    const ctx = this.#ctx;
    const model = this.#negotiated.association.model;
    const initiator = ctx.role === 'initiator';
    const { pka, pkb } = this.#publicKeys();
    const [pkax, pkbx] = [pka.subarray(0, 32), pkb.subarray(0, 32)];
    if (model === 'passkey') {
      const z = 0x80 | ((this.#passkey! >> this.#round) & 1);
      // Check the peer's commitment of this round: Cai = f4(PKax, PKbx, Nai, z), Cbi = f4(PKbx, PKax, Nbi, z).
      const expected = initiator ? ctx.tb.f4(pkbx, pkax, peerNonce, z) : ctx.tb.f4(pkax, pkbx, peerNonce, z);
      if (!equalBytes(expected, this.#peerConfirm!)) {
        return ctx.fail(
          Reason.ConfirmValueFailed,
          `passkey round ${this.#round + 1}: the peer's confirm value does not match`,
        );
      }
      if (!initiator) ctx.send({ type: 'pairing-random', value: this.#ownNonce });
      if (this.#round === 19) {
        this.#setNonces(peerNonce);
        this.#userAgreed = true; // the passkey was the user's part
        this.#step = 'check';
        return this.#afterUser();
      }
      this.#round += 1;
      this.#ownNonce = ctx.random(16);
      this.#sentConfirm = false;
      this.#peerConfirm = null;
      this.#step = 'confirm';
      return this.#passkeyRoundReady();
    }
    this.#setNonces(peerNonce);
    if (model === 'oob') {
      if (!initiator) ctx.send({ type: 'pairing-random', value: this.#ownNonce });
      this.#userAgreed = true;
      this.#step = 'check';
      return this.#afterUser();
    }
    // Just Works and Numeric Comparison (2.3.5.6.2).
    if (initiator && !equalBytes(ctx.tb.f4(pkbx, pkax, peerNonce, 0), this.#peerConfirm!)) {
      return ctx.fail(Reason.ConfirmValueFailed, "the responder's confirm value does not match its nonce");
    }
    if (!initiator) ctx.send({ type: 'pairing-random', value: this.#ownNonce });
    this.#step = 'user';
    if (model === 'numeric-comparison') {
      ctx.prompt({
        kind: 'confirm-number',
        peer: ctx.peer,
        value: ctx.tb.g2Display(pkax, pkbx, this.#na!, this.#nb!),
      });
    } else {
      ctx.prompt({ kind: 'just-works', peer: ctx.peer });
    }
  }

  /** The peer's last nonce: Na and Nb are final. */
  #setNonces(peerNonce: Uint8Array): void {
    const initiator = this.#ctx.role === 'initiator';
    this.#peerNonce = peerNonce;
    this.#na = initiator ? this.#ownNonce : peerNonce;
    this.#nb = initiator ? peerNonce : this.#ownNonce;
  }

  /** After the user's part: the initiator sends Ea; the responder checks a held Ea and answers Eb. */
  #afterUser(): void {
    const ctx = this.#ctx;
    const na = this.#na;
    const nb = this.#nb;
    if (!this.#userAgreed || !na || !nb) return;
    if (this.#step === 'user') this.#step = 'check';
    if (!this.#keys) {
      // f5, then both check values at once (2.3.5.6.5): each side sends one and checks the other.
      const { a, b } = this.#addresses();
      const { preq, pres } = this.#negotiated;
      const { macKey, ltk } = ctx.tb.f5(this.#dhKey!, na, nb, a, b);
      const checks = ctx.tb.dhKeyChecks(
        macKey,
        na,
        nb,
        this.#ra,
        this.#rb,
        preq.subarray(1, 4),
        pres.subarray(1, 4),
        a,
        b,
      );
      macKey.fill(0); // needed for nothing else
      this.#keys = { ltk, ...checks };
    }
    const { ltk, ea, eb } = this.#keys;
    if (ctx.role === 'initiator') {
      if (this.#sentCheck) return;
      this.#sentCheck = true;
      return ctx.send({ type: 'pairing-dhkey-check', value: ea });
    }
    if (!this.#heldCheck) return;
    if (!equalBytes(ea, this.#heldCheck)) {
      return ctx.fail(Reason.DhKeyCheckFailed, "the initiator's DHKey check value does not match");
    }
    ctx.send({ type: 'pairing-dhkey-check', value: eb });
    ctx.startEncryption(this.#negotiated, maskKey(ltk, this.#negotiated.keySize), this.#debugKey);
  }

  /** The initiator checks Eb (2.3.5.6.5). */
  #onPeerCheck(eb: Uint8Array): void {
    const ctx = this.#ctx;
    const keys = this.#keys!;
    if (!equalBytes(keys.eb, eb)) {
      return ctx.fail(Reason.DhKeyCheckFailed, "the responder's DHKey check value does not match");
    }
    ctx.startEncryption(this.#negotiated, maskKey(keys.ltk, this.#negotiated.keySize), this.#debugKey);
  }
}
