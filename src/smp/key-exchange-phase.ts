/**
 * Pairing phase 3, transport specific key distribution (Core Vol 3 Part H
 * 3.6.1; smp-rules.md 3-4): over the newly encrypted link the responder sends
 * its keys, then the initiator; each side sends exactly the keys its mask
 * allows, fresh from the RNG, and takes the peer's only in order and within the
 * peer's mask. Sans-I/O, driven by its {@link PhaseContext}.
 * @module
 */

import { maskKey } from '../crypto/key-size.js';
import { checkKeyPdu, type KeyPduType, keyPdusFor } from './key-distribution.js';
import type { Negotiated } from './negotiation.js';
import type { SmpPdu } from './pdu.js';
import type { PhaseContext } from './phase-context.js';
import type { DistributedKeys } from './session-types.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One key distribution.
 * @example
 * ```ts
 * const exchange = new KeyExchangePhase(ctx, negotiated);
 * exchange.start(); // the responder sends its keys at once
 * exchange.onKeyPdu({ type: 'encryption-information', ltk });
 * if (exchange.done) complete(exchange.localKeys!, exchange.peerKeys);
 * ```
 */
export class KeyExchangePhase {
  readonly #ctx: PhaseContext;
  readonly #negotiated: Negotiated;
  /** The peer's key PDUs still to come, in order. */
  readonly #expected: KeyPduType[];
  readonly #peerKeys: Writable<DistributedKeys> = {};
  #localKeys: DistributedKeys | null = null;

  constructor(ctx: PhaseContext, negotiated: Negotiated) {
    this.#ctx = ctx;
    this.#negotiated = negotiated;
    const { masks, association } = negotiated;
    const peerMask = ctx.role === 'initiator' ? masks.responderKeys : masks.initiatorKeys;
    this.#expected = keyPdusFor(peerMask, association.secureConnections);
  }

  /** Both sides have distributed everything. */
  get done(): boolean {
    return this.#expected.length === 0 && this.#localKeys !== null;
  }

  /** The keys we sent, once sent. */
  get localKeys(): DistributedKeys | null {
    return this.#localKeys;
  }

  /** The keys the peer sent so far. */
  get peerKeys(): DistributedKeys {
    return this.#peerKeys;
  }

  /** The link is encrypted: the responder distributes first, then the initiator (3.6.1). */
  start(): void {
    if (this.#ctx.role === 'responder' || this.#expected.length === 0) this.#distribute();
  }

  /** A key PDU arrived: take it if it is the one expected next, else fail with the gate's reason. */
  onKeyPdu(pdu: Extract<SmpPdu, { type: KeyPduType }>): void {
    const verdict = checkKeyPdu(pdu, this.#expected[0], true);
    if (!verdict.ok) return this.#ctx.fail(verdict.reason, verdict.message);
    this.#expected.shift();
    const keys = this.#peerKeys;
    switch (pdu.type) {
      case 'encryption-information':
        keys.ltk = pdu.ltk;
        break;
      case 'central-identification':
        keys.ediv = pdu.ediv;
        keys.rand = pdu.rand;
        break;
      case 'identity-information':
        keys.irk = pdu.irk;
        break;
      case 'identity-address-information':
        keys.identityAddress = { address: pdu.address, type: pdu.addressType as 0 | 1 };
        break;
      case 'signing-information':
        keys.csrk = pdu.csrk;
        break;
    }
    if (this.#expected.length === 0 && this.#ctx.role === 'initiator') this.#distribute();
  }

  /** Send our keys: exactly our mask's, fresh from the RNG (the IRK and CSRK are our identity's when we have one). */
  #distribute(): void {
    if (this.#localKeys) return;
    const ctx = this.#ctx;
    const { masks, association, keySize } = this.#negotiated;
    const mask = ctx.role === 'initiator' ? masks.initiatorKeys : masks.responderKeys;
    const keys: Writable<DistributedKeys> = {};
    const identity = ctx.options.identity;
    for (const type of keyPdusFor(mask, association.secureConnections)) {
      switch (type) {
        case 'encryption-information':
          keys.ltk = maskKey(ctx.random(16), keySize);
          ctx.send({ type, ltk: keys.ltk });
          break;
        case 'central-identification': {
          const ediv = ctx.random(2);
          keys.ediv = ediv[0]! | (ediv[1]! << 8);
          keys.rand = ctx.random(8);
          ctx.send({ type, ediv: keys.ediv, rand: keys.rand });
          break;
        }
        case 'identity-information':
          keys.irk = identity?.irk ?? ctx.random(16);
          ctx.send({ type, irk: keys.irk });
          break;
        case 'identity-address-information': {
          const address = identity!.address!;
          keys.identityAddress = address;
          ctx.send({ type, addressType: address.type, address: address.address });
          break;
        }
        case 'signing-information':
          keys.csrk = identity?.csrk ?? ctx.random(16);
          ctx.send({ type, csrk: keys.csrk });
          break;
      }
    }
    this.#localKeys = keys;
  }
}
