/**
 * LE legacy pairing phase 2 (Core Vol 3 Part H 2.3.5.2-2.3.5.5): the TK from
 * Just Works, Passkey Entry or OOB; Mconfirm/Sconfirm with c1, Mrand/Srand,
 * and the STK with s1. Sans-I/O, driven by its {@link PhaseContext}.
 * @module
 */

import { equalBytes } from '../crypto/bytes.js';
import { maskKey } from '../crypto/key-size.js';
import { Reason } from './constants.js';
import type { Negotiated } from './negotiation.js';
import { askPasskey, passkeyTk } from './passkey.js';
import type { SmpPdu } from './pdu.js';
import { initiatorFirst, type KeyGenerationPhase, type PhaseContext } from './phase-context.js';

/**
 * One LE legacy key generation.
 * @example
 * ```ts
 * const phase = new LegacyPhase(ctx, negotiated);
 * phase.start(); // prompts for Just Works or the passkey, or takes the OOB TK
 * phase.onPdu({ type: 'pairing-confirm', value });
 * ```
 */
export class LegacyPhase implements KeyGenerationPhase {
  readonly #ctx: PhaseContext;
  readonly #negotiated: Negotiated;
  #tk: Uint8Array | null = null;
  readonly #ownRandom: Uint8Array;
  #peerConfirm: Uint8Array | null = null;
  #ownConfirm: Uint8Array | null = null;
  #sentConfirm = false;
  #sentRandom = false;

  constructor(ctx: PhaseContext, negotiated: Negotiated) {
    this.#ctx = ctx;
    this.#negotiated = negotiated;
    this.#ownRandom = ctx.random(16);
  }

  /** Acquire the TK for the negotiated model (2.3.5.2-2.3.5.4). */
  start(): void {
    const ctx = this.#ctx;
    const association = this.#negotiated.association;
    switch (association.model) {
      case 'just-works':
        return ctx.prompt({ kind: 'just-works', peer: ctx.peer });
      case 'passkey':
        return askPasskey(ctx, association, (passkey) => this.passkeyKnown(passkey));
      case 'oob': {
        const oob = ctx.options.oob?.peer;
        if (!oob || !('tk' in oob) || oob.tk.length !== 16) {
          return ctx.fail(
            Reason.OobNotAvailable,
            'LE legacy OOB pairing needs the 16-octet TK shared out of band',
          );
        }
        this.#tk = oob.tk;
        return this.#tkReady();
      }
      case 'numeric-comparison':
        return ctx.fail(Reason.UnspecifiedReason, 'numeric comparison does not exist in LE legacy pairing');
    }
  }

  passkeyKnown(passkey: number): void {
    this.#tk = passkeyTk(passkey);
    this.#tkReady();
  }

  userAgreed(): void {
    this.#tk = new Uint8Array(16);
    this.#tkReady();
  }

  onPdu(pdu: SmpPdu): void {
    const ctx = this.#ctx;
    const initiator = ctx.role === 'initiator';
    if (pdu.type === 'pairing-confirm' && !this.#peerConfirm) {
      // The initiator's Mconfirm may arrive while the responder's user still types the passkey.
      if (initiator && !this.#sentConfirm) return ctx.unexpected(pdu.type);
      // Our own confirm sent back: a peer that reflects it learns our random and, offline, the
      // passkey (10^6 c1), then answers with our random. Refused before our random goes out.
      if (this.#ownConfirm && equalBytes(pdu.value, this.#ownConfirm)) return this.#reflected('confirm');
      this.#peerConfirm = pdu.value;
      if (initiator) {
        this.#sentRandom = true;
        return ctx.send({ type: 'pairing-random', value: this.#ownRandom });
      }
      return this.#tkReady();
    }
    if (pdu.type === 'pairing-random' && this.#sentConfirm && this.#peerConfirm) {
      if (!initiator && this.#sentRandom) return ctx.unexpected(pdu.type);
      if (initiator && !this.#sentRandom) return ctx.unexpected(pdu.type);
      if (equalBytes(pdu.value, this.#ownRandom)) return this.#reflected('random');
      const tk = this.#tk!;
      if (!equalBytes(this.#confirmValue(tk, pdu.value), this.#peerConfirm)) {
        return ctx.fail(
          Reason.ConfirmValueFailed,
          "the peer's confirm value does not match its random value",
        );
      }
      const [srand, mrand] = initiator ? [pdu.value, this.#ownRandom] : [this.#ownRandom, pdu.value];
      const stk = maskKey(ctx.tb.s1(tk, srand, mrand), this.#negotiated.keySize);
      if (!initiator) {
        this.#sentRandom = true;
        ctx.send({ type: 'pairing-random', value: this.#ownRandom });
      }
      return ctx.startEncryption(this.#negotiated, stk, false);
    }
    ctx.unexpected(pdu.type);
  }

  /** c1 over this pairing's features and addresses (2.2.3). */
  #confirmValue(tk: Uint8Array, random: Uint8Array): Uint8Array {
    const [initiator, responder] = initiatorFirst(this.#ctx);
    const { preq, pres } = this.#negotiated;
    return this.#ctx.tb.c1(
      tk,
      random,
      preq,
      pres,
      initiator.type,
      initiator.address,
      responder.type,
      responder.address,
    );
  }

  /** Send our confirm once the TK is known: the initiator at once, the responder in answer to Mconfirm. */
  #tkReady(): void {
    if (!this.#tk || this.#sentConfirm) return;
    if (this.#ctx.role === 'responder' && !this.#peerConfirm) return;
    const confirm = this.#confirmValue(this.#tk, this.#ownRandom);
    // The responder computes Sconfirm after Mconfirm came: equal to it, the peer is reflecting.
    if (this.#peerConfirm && equalBytes(confirm, this.#peerConfirm)) return this.#reflected('confirm');
    this.#ownConfirm = confirm;
    this.#sentConfirm = true;
    this.#ctx.send({ type: 'pairing-confirm', value: confirm });
  }

  /**
   * A confirm or random equal to our own: the peer reflects our values to
   * complete the pairing without knowing the TK, so it fails with Confirm
   * Value Failed (0x04), as the mismatch it stands for.
   */
  #reflected(what: 'confirm' | 'random'): void {
    this.#ctx.fail(
      Reason.ConfirmValueFailed,
      `the peer's ${what} value equals ours: a reflected ${what} (the peer would learn the passkey from our random)`,
    );
  }
}
