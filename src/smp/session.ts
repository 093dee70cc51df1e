/**
 * One pairing on one link in one role, as a sans-I/O state machine (Core Vol 3
 * Part H 2.3-2.4, 3; smp-rules.md). It takes inputs (a received PDU, a user's
 * answer, "encrypted", "timer expired", "acknowledged") and returns outputs
 * (PDUs to send, "start encryption with K", prompts, completed or failed). It
 * never touches a socket, a timer or a clock: the host does.
 * @module
 */

import type { P256KeyPair } from '../crypto/backend.js';
import { concat, equalBytes } from '../crypto/bytes.js';
import { defaultBackend } from '../crypto/default-backend.js';
import { InvalidPublicKeyError } from '../crypto/errors.js';
import { maskKey } from '../crypto/key-size.js';
import { isDebugPublicKey } from '../crypto/p256.js';
import { type RandomSource, randomBytes } from '../crypto/random.js';
import type { F5Keys } from '../crypto/secure-connections.js';
import { type Toolbox, toolbox } from '../crypto/toolbox.js';
import { type Association, resolveAssociation } from './association.js';
import { AuthReq, IoCapability, KeyDist, REASON_TEXT, Reason } from './constants.js';
import { type DeviceAddress, formatAddress, type Prompt } from './delegate.js';
import {
  checkKeyPdu,
  checkResponseMasks,
  isKeyPdu,
  type KeyMasks,
  type KeyPduType,
  keyPdusFor,
  masksOf,
  negotiateKeyMasks,
} from './key-distribution.js';
import { decodePdu, encodePdu, type PairingFeatures, type SmpPdu } from './pdu.js';
import { type PairingPolicy, resolvePolicy } from './policy.js';
import { weakens } from './security-level.js';
import type {
  DistributedKeys,
  PairingFailure,
  PairingResult,
  Role,
  SessionInput,
  SessionOptions,
  SessionOutput,
} from './session-types.js';

/** What both sides agreed in the feature exchange (2.3.1-2.3.5.1). */
interface Negotiated {
  readonly preq: Uint8Array;
  readonly pres: Uint8Array;
  readonly request: PairingFeatures;
  readonly response: PairingFeatures;
  readonly association: Association;
  readonly keySize: number;
  readonly masks: KeyMasks;
  readonly keypress: boolean;
}

/** LE legacy phase 2 (2.3.5.2-2.3.5.5). */
interface LegacyContext {
  tk: Uint8Array | null;
  readonly ownRandom: Uint8Array;
  peerConfirm: Uint8Array | null;
  sentConfirm: boolean;
  sentRandom: boolean;
}

/** LE Secure Connections phase 2 (2.3.5.6). */
interface ScContext {
  readonly keyPair: P256KeyPair;
  peerPublicKey: Uint8Array | null;
  dhKey: Uint8Array | null;
  debugKey: boolean;
  /** Passkey entry: the passkey, once shown or typed. */
  passkey: number | null;
  /** Passkey entry: the round, 0..19. */
  round: number;
  ownNonce: Uint8Array;
  /** This round's (or the only) confirm value has been sent by us. */
  sentConfirm: boolean;
  peerConfirm: Uint8Array | null;
  peerNonce: Uint8Array | null;
  /** The final Na and Nb. */
  na: Uint8Array | null;
  nb: Uint8Array | null;
  /** ra and rb of the DHKey checks: 0, the passkey, or the OOB randoms. */
  ra: Uint8Array;
  rb: Uint8Array;
  /** Numeric comparison or Just Works: the user has agreed. */
  userAgreed: boolean;
  /** MacKey and LTK from f5, once the nonces are known. */
  keys: F5Keys | null;
  /** Initiator: Ea has been sent. */
  sentCheck: boolean;
  /** Responder: the initiator's DHKey check, held until the user agrees. */
  heldCheck: Uint8Array | null;
  /** Where in the exchange we are. */
  step: 'public-key' | 'confirm' | 'random' | 'user' | 'check';
}

/** The session's state: one type per phase, so an impossible transition does not type-check. */
type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'awaiting-response'; readonly preq: Uint8Array; readonly request: PairingFeatures }
  | { readonly phase: 'awaiting-accept'; readonly negotiated: Negotiated }
  | { readonly phase: 'legacy'; readonly negotiated: Negotiated; readonly legacy: LegacyContext }
  | { readonly phase: 'secure-connections'; readonly negotiated: Negotiated; readonly sc: ScContext }
  | {
      readonly phase: 'encrypting';
      readonly negotiated: Negotiated;
      readonly key: Uint8Array;
      readonly debugKey: boolean;
    }
  | {
      readonly phase: 'distributing';
      readonly negotiated: Negotiated;
      readonly key: Uint8Array;
      readonly debugKey: boolean;
      /** The peer's key PDUs still to come, in order. */
      readonly expected: KeyPduType[];
      readonly peerKeys: Record<string, unknown>;
      localKeys: DistributedKeys | null;
    }
  | { readonly phase: 'completed'; readonly result: PairingResult }
  | { readonly phase: 'failed'; readonly failure: PairingFailure };

/** The name of each phase, for callers that watch progress. */
export type SessionPhase =
  | 'idle'
  | 'awaiting-response'
  | 'awaiting-accept'
  | 'legacy'
  | 'secure-connections'
  | 'encrypting'
  | 'distributing'
  | 'completed'
  | 'failed';

/** Every state's phase is a SessionPhase, and every SessionPhase a state's. */
type SamePhases = [State['phase']] extends [SessionPhase]
  ? [SessionPhase] extends [State['phase']]
    ? true
    : never
  : never;
const _phasesMatch: SamePhases = true;
void _phasesMatch;

const ZERO_16: Uint8Array = new Uint8Array(16);
const ZERO_8: Uint8Array = new Uint8Array(8);

/**
 * A pairing session: one per link and role. Feed it inputs with {@link handle};
 * act on the outputs it returns.
 * @example
 * ```ts
 * const session = new PairingSession({ role: 'initiator', local, peer, policy: { ioCapability: IoCapability.DisplayYesNo } });
 * for (const out of session.handle({ type: 'start' })) if (out.type === 'send') l2cap.send(0x0006, out.data);
 * // later: session.handle({ type: 'pdu', data }), session.handle({ type: 'answer', id, value: true }), ...
 * ```
 */
export class PairingSession {
  readonly role: Role;
  readonly policy: PairingPolicy;
  readonly #local: DeviceAddress;
  readonly #peer: DeviceAddress;
  readonly #tb: Toolbox;
  readonly #random: RandomSource;
  readonly #options: SessionOptions;
  #state: State = { phase: 'idle' };
  #out: SessionOutput[] = [];
  #nextPromptId = 1;
  #pendingPrompt: { id: number; kind: Prompt['kind'] } | null = null;
  #unacknowledged = false;

  constructor(options: SessionOptions) {
    if (options.role !== 'initiator' && options.role !== 'responder') {
      throw new TypeError(
        `PairingSession: role must be 'initiator' or 'responder', got ${String(options.role)}`,
      );
    }
    for (const [name, address] of [
      ['local', options.local],
      ['peer', options.peer],
    ] as const) {
      if (
        !(address?.address instanceof Uint8Array) ||
        address.address.length !== 6 ||
        (address.type !== 0 && address.type !== 1)
      ) {
        throw new TypeError(`PairingSession: ${name} must be { address: 6 octets, type: 0 | 1 }`);
      }
    }
    const fixed = options.fixedPasskey;
    if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 0 && fixed <= 999_999)) {
      throw new TypeError(`PairingSession: fixedPasskey must be an integer from 0 to 999999, got ${fixed}`);
    }
    this.role = options.role;
    this.policy = resolvePolicy(options.policy);
    this.#local = options.local;
    this.#peer = options.peer;
    this.#tb = options.crypto ?? toolbox(defaultBackend());
    this.#random = options.random ?? randomBytes;
    this.#options = options;
  }

  /** The current phase. */
  get phase(): SessionPhase {
    return this.#state.phase;
  }

  /** The peer's key in the repeated-attempts memory: its address and type. */
  get peerId(): string {
    return `${formatAddress(this.#peer.address)}/${this.#peer.type}`;
  }

  /**
   * Feeds one input; returns what to do. Never throws on input from the air:
   * bad PDUs end in a failure with the right reason code.
   * @throws TypeError on a host programming error (an input the role does not
   * take, or a malformed input), before anything is sent.
   * @example
   * ```ts
   * const outputs = session.handle({ type: 'pdu', data });
   * ```
   */
  handle(input: SessionInput): SessionOutput[] {
    this.#out = [];
    checkHostInput(this.role, input);
    const phase = this.#state.phase;
    if (phase === 'failed' || phase === 'completed') return [];
    try {
      this.#dispatch(input);
    } catch (error) {
      // A bug must not leave the link half-paired: fail closed, and say so.
      this.#fail(Reason.UnspecifiedReason, `internal error: ${(error as Error).message}`);
    }
    return this.#out;
  }

  #dispatch(input: SessionInput): void {
    switch (input.type) {
      case 'start':
        return this.#start();
      case 'request-security':
        return this.#requestSecurity();
      case 'pdu':
        return this.#receive(input.data);
      case 'answer':
        return this.#answer(input.id, input.value);
      case 'encrypted':
        return this.#encrypted(input.keySize);
      case 'encryption-failed':
        if (this.#state.phase === 'encrypting')
          this.#fail(Reason.UnspecifiedReason, 'encryption with the new key failed');
        return;
      case 'timeout':
        return this.#timeout();
      case 'acknowledged':
        this.#unacknowledged = false;
        return this.#maybeComplete();
      case 'keypress':
        return this.#sendKeypress(input.notification);
    }
  }

  // ---------------------------------------------------------------- outputs

  #send(pdu: SmpPdu): void {
    this.#out.push({ type: 'send', pdu, data: encodePdu(pdu) });
    this.#out.push({ type: 'timer', action: 'start' });
    this.#unacknowledged = true;
  }

  #prompt(prompt: Prompt): void {
    const id = this.#nextPromptId++;
    if (prompt.kind !== 'display-passkey') this.#pendingPrompt = { id, kind: prompt.kind };
    this.#out.push({ type: 'prompt', id, prompt });
  }

  #fail(reason: number, message: string, by: 'local' | 'peer' = 'local', timeout = false): void {
    if (by === 'local' && !timeout) {
      this.#out.push({
        type: 'send',
        pdu: { type: 'pairing-failed', reason },
        data: encodePdu({ type: 'pairing-failed', reason }),
      });
    }
    this.#out.push({ type: 'timer', action: 'stop' });
    const failure: PairingFailure = { reason, by, message, timeout };
    this.#out.push({ type: 'failed', failure });
    this.#state = { phase: 'failed', failure };
    this.#pendingPrompt = null;
    if (reason !== Reason.RepeatedAttempts) this.#options.attempts?.recordFailure(this.peerId);
  }

  // ---------------------------------------------------------- feature exchange

  /** Our AuthReq (3.5.1): bonding, MITM, SC, keypress. */
  #authReq(): number {
    const p = this.policy;
    return (
      (p.bonding ? AuthReq.Bonding : 0) |
      // MITM is asked for only when we can take part in an authenticated model (an IO capability other than
      // NoInputNoOutput, or OOB data), as BlueZ does: otherwise a bonded peer would pair again for nothing.
      ((p.requestMitm &&
        (p.ioCapability !== IoCapability.NoInputNoOutput || this.#options.oob?.peer !== undefined)) ||
      p.requireMitm
        ? AuthReq.Mitm
        : 0) |
      (p.secureConnections ? AuthReq.SecureConnections : 0) |
      (p.keypress ? AuthReq.Keypress : 0)
    );
  }

  /** The keys we offer or ask for: nothing without bonding; no IdKey from us without an identity address. */
  #localMasks(): KeyMasks {
    if (!this.policy.bonding) return { initiatorKeys: 0, responderKeys: 0 };
    const canSendIdentity = this.#options.identity?.address !== undefined;
    const ours = this.role === 'initiator' ? 'initiatorKeys' : 'responderKeys';
    const masks = { initiatorKeys: this.policy.initiatorKeys, responderKeys: this.policy.responderKeys };
    if (!canSendIdentity) masks[ours] &= ~KeyDist.IdKey;
    return masks;
  }

  #localFeatures(masks: KeyMasks): PairingFeatures {
    return {
      ioCapability: this.policy.ioCapability,
      oobDataPresent: this.#options.oob?.peer !== undefined,
      authReq: this.#authReq(),
      maxKeySize: this.policy.maxKeySize,
      ...masks,
    };
  }

  #start(): void {
    if (this.#state.phase !== 'idle') return;
    const request = this.#localFeatures(this.#localMasks());
    const pdu: SmpPdu = { type: 'pairing-request', ...request };
    this.#send(pdu);
    this.#state = { phase: 'awaiting-response', preq: encodePdu(pdu), request };
  }

  #requestSecurity(): void {
    if (this.#state.phase !== 'idle') return;
    const pdu: SmpPdu = { type: 'security-request', authReq: this.#authReq() };
    this.#out.push({ type: 'send', pdu, data: encodePdu(pdu) });
  }

  /**
   * The checks both roles apply to the exchanged features (2.3.4, 2.3.5.1;
   * smp-rules.md 2, 5, 8): returns the negotiated values or fails.
   */
  #negotiate(
    preq: Uint8Array,
    pres: Uint8Array,
    request: PairingFeatures,
    response: PairingFeatures,
  ): Negotiated | null {
    const sc = (request.authReq & response.authReq & AuthReq.SecureConnections) !== 0;
    if (!sc && !this.policy.allowLegacy) {
      this.#fail(
        Reason.AuthenticationRequirements,
        'the peer does not support LE Secure Connections and the policy refuses legacy pairing',
      );
      return null;
    }
    const association = resolveAssociation(request, response);
    if (this.policy.requireMitm && !association.authenticated) {
      this.#fail(
        Reason.AuthenticationRequirements,
        `the policy requires MITM protection but the IO capabilities give ${association.model}`,
      );
      return null;
    }
    const keySize = Math.min(request.maxKeySize, response.maxKeySize);
    if (keySize < this.policy.minKeySize) {
      this.#fail(
        Reason.EncryptionKeySize,
        `key size ${keySize} is below the minimum ${this.policy.minKeySize}`,
      );
      return null;
    }
    const kept = this.#options.keptBond;
    const weaker =
      kept && !this.policy.allowWeakerBond
        ? weakens(kept, { secureConnections: sc, authenticated: association.authenticated, keySize })
        : undefined;
    if (weaker) {
      this.#fail(Reason.AuthenticationRequirements, `the pairing would replace ${weaker} in the kept bond`);
      return null;
    }
    const keypress =
      association.model === 'passkey' && (request.authReq & response.authReq & AuthReq.Keypress) !== 0;
    return { preq, pres, request, response, association, keySize, masks: masksOf(response), keypress };
  }

  #onPairingRequest(data: Uint8Array, request: PairingFeatures): void {
    if (this.role !== 'responder') {
      this.#fail(Reason.CommandNotSupported, 'a Pairing Request was sent to the initiator');
      return;
    }
    const wait = this.#options.attempts?.waitMs(this.peerId) ?? 0;
    if (wait > 0) {
      this.#fail(
        Reason.RepeatedAttempts,
        `a pairing with this peer failed recently; it may try again in ${Math.ceil(wait / 1000)} s`,
      );
      return;
    }
    const bonding = (request.authReq & AuthReq.Bonding) !== 0;
    const masks = bonding
      ? negotiateKeyMasks(masksOf(request), this.#localMasks())
      : { initiatorKeys: 0, responderKeys: 0 };
    const response = this.#localFeatures(masks);
    const pres = encodePdu({ type: 'pairing-response', ...response });
    const negotiated = this.#negotiate(Uint8Array.from(data), pres, request, response);
    if (!negotiated) return;
    this.#state = { phase: 'awaiting-accept', negotiated };
    this.#prompt({ kind: 'accept', peer: this.#peer, request });
  }

  #onPairingResponse(data: Uint8Array, response: PairingFeatures): void {
    const state = this.#state;
    if (state.phase !== 'awaiting-response') return this.#unexpected('pairing-response');
    const problem = checkResponseMasks(masksOf(state.request), masksOf(response));
    if (problem) return this.#fail(Reason.InvalidParameters, problem);
    const negotiated = this.#negotiate(state.preq, Uint8Array.from(data), state.request, response);
    if (negotiated) this.#begin(negotiated);
  }

  /** Phase 2 begins: for the responder, once its Pairing Response is sent. */
  #begin(negotiated: Negotiated): void {
    if (negotiated.association.secureConnections) {
      const sc: ScContext = {
        keyPair: this.#options.keyPair ?? this.#tb.generateKeyPair(),
        peerPublicKey: null,
        dhKey: null,
        debugKey: false,
        passkey: null,
        round: 0,
        ownNonce: this.#random(16),
        sentConfirm: false,
        peerConfirm: null,
        peerNonce: null,
        na: null,
        nb: null,
        ra: ZERO_16,
        rb: ZERO_16,
        userAgreed: false,
        keys: null,
        sentCheck: false,
        heldCheck: null,
        step: 'public-key',
      };
      this.#state = { phase: 'secure-connections', negotiated, sc };
      if (this.role === 'initiator')
        this.#send({ type: 'pairing-public-key', publicKey: sc.keyPair.publicKey });
      return;
    }
    const legacy: LegacyContext = {
      tk: null,
      ownRandom: this.#random(16),
      peerConfirm: null,
      sentConfirm: false,
      sentRandom: false,
    };
    this.#state = { phase: 'legacy', negotiated, legacy };
    this.#acquireLegacyTk(negotiated, legacy);
  }

  // --------------------------------------------------------------- receiving

  #receive(data: Uint8Array): void {
    const decoded = decodePdu(data);
    const pairing = this.#pairing();
    if (!decoded.ok) {
      if (decoded.action === 'ignore') return;
      // Outside pairing, only a malformed request starts (and ends) an attempt.
      const starts = data[0] === (this.role === 'responder' ? 0x01 : 0x0b);
      if (pairing || starts) this.#fail(decoded.reason, decoded.message);
      return;
    }
    const pdu = decoded.pdu;
    if (pdu.type === 'pairing-failed') {
      if (!pairing) return;
      // A reserved reason still ends the pairing; it is reported as Unspecified Reason, the raw value kept in the message.
      const known = REASON_TEXT[pdu.reason] !== undefined;
      const text = known
        ? REASON_TEXT[pdu.reason]
        : `reserved reason 0x${pdu.reason.toString(16).padStart(2, '0')}`;
      this.#fail(
        known ? pdu.reason : Reason.UnspecifiedReason,
        `the peer failed the pairing: ${text}`,
        'peer',
      );
      return;
    }
    if (pdu.type === 'pairing-request') {
      if (this.#state.phase === 'idle') return this.#onPairingRequest(data, pdu);
      return this.#unexpected(pdu.type);
    }
    if (pdu.type === 'security-request') {
      if (this.role !== 'initiator')
        return this.#fail(Reason.CommandNotSupported, 'a Security Request was sent to the responder');
      if (this.#state.phase !== 'idle') return; // pairing is already under way (3.6.7)
      if ((this.#options.attempts?.waitMs(this.peerId) ?? 0) > 0) {
        return this.#fail(Reason.RepeatedAttempts, 'a pairing with this peer failed recently');
      }
      this.#out.push({ type: 'security-request', authReq: pdu.authReq });
      return;
    }
    if (!pairing) return; // a known PDU outside pairing is ignored (smp-rules.md 7)
    if (pdu.type === 'pairing-response') return this.#onPairingResponse(data, pdu);
    if (pdu.type === 'keypress-notification') return this.#onKeypress(pdu.notification);
    if (isKeyPdu(pdu)) return this.#onKeyPdu(pdu);
    const state = this.#state;
    if (state.phase === 'legacy') return this.#onLegacyPdu(state.negotiated, state.legacy, pdu);
    if (state.phase === 'secure-connections') return this.#onScPdu(state.negotiated, state.sc, pdu);
    this.#unexpected(pdu.type);
  }

  /** Whether a pairing is under way (a PDU that does not fit it fails it). */
  #pairing(): boolean {
    const phase = this.#state.phase;
    return phase !== 'idle' && phase !== 'completed' && phase !== 'failed';
  }

  #unexpected(type: string): void {
    this.#fail(Reason.UnspecifiedReason, `${type} was not expected in phase ${this.#state.phase}`);
  }

  #answer(id: number, value: unknown): void {
    const pending = this.#pendingPrompt;
    if (!pending || pending.id !== id) return; // a stale or unknown answer
    this.#pendingPrompt = null;
    const state = this.#state;
    switch (pending.kind) {
      case 'accept': {
        if (state.phase !== 'awaiting-accept') return;
        if (value !== true) return this.#fail(Reason.PairingNotSupported, 'the pairing attempt was refused');
        this.#send({ type: 'pairing-response', ...state.negotiated.response });
        return this.#begin(state.negotiated);
      }
      case 'enter-passkey': {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 999_999) {
          return this.#fail(Reason.PasskeyEntryFailed, 'passkey entry was cancelled');
        }
        return this.#passkeyKnown(value);
      }
      case 'just-works':
        if (value !== true)
          return this.#fail(Reason.UnspecifiedReason, 'the user did not consent to Just Works pairing');
        return this.#userAgreed();
      case 'confirm-number':
        if (value !== true)
          return this.#fail(Reason.NumericComparisonFailed, 'the user said the numbers do not match');
        return this.#userAgreed();
      case 'display-passkey':
        return;
    }
  }

  #passkeyKnown(passkey: number): void {
    const state = this.#state;
    if (state.phase === 'legacy') {
      state.legacy.tk = passkeyTk(passkey);
      return this.#legacyTkReady(state.negotiated, state.legacy);
    }
    if (state.phase === 'secure-connections') {
      state.sc.passkey = passkey;
      state.sc.ra = passkeyTk(passkey);
      state.sc.rb = state.sc.ra;
      return this.#scPasskeyRoundReady(state.negotiated, state.sc);
    }
  }

  #userAgreed(): void {
    const state = this.#state;
    if (state.phase === 'legacy') {
      state.legacy.tk = new Uint8Array(16);
      return this.#legacyTkReady(state.negotiated, state.legacy);
    }
    if (state.phase === 'secure-connections') {
      state.sc.userAgreed = true;
      return this.#scAfterUser(state.negotiated, state.sc);
    }
  }

  /** Passkey entry: who shows, who types (2.3.5.3; Table 2.8). */
  #passkeyPart(association: Association): 'display' | 'input' {
    const display = association.passkeyDisplay;
    return display === this.role ? 'display' : 'input';
  }

  #askPasskey(association: Association): void {
    if (this.#passkeyPart(association) === 'display') {
      const passkey = this.#options.fixedPasskey ?? randomPasskey(this.#random);
      this.#prompt({ kind: 'display-passkey', peer: this.#peer, passkey });
      this.#passkeyKnown(passkey);
    } else {
      this.#prompt({ kind: 'enter-passkey', peer: this.#peer });
    }
  }

  #onKeypress(notification: number): void {
    const state = this.#state;
    const negotiated =
      state.phase === 'legacy' || state.phase === 'secure-connections' ? state.negotiated : null;
    if (!negotiated?.keypress) return this.#unexpected('keypress-notification');
    this.#out.push({ type: 'keypress', notification });
  }

  #sendKeypress(notification: number): void {
    const state = this.#state;
    const negotiated =
      state.phase === 'legacy' || state.phase === 'secure-connections' ? state.negotiated : null;
    if (!negotiated?.keypress || this.#passkeyPart(negotiated.association) !== 'input') return;
    this.#send({ type: 'keypress-notification', notification });
  }

  // ----------------------------------------------------------- LE legacy

  #acquireLegacyTk(negotiated: Negotiated, legacy: LegacyContext): void {
    switch (negotiated.association.model) {
      case 'just-works':
        return this.#prompt({ kind: 'just-works', peer: this.#peer });
      case 'passkey':
        return this.#askPasskey(negotiated.association);
      case 'oob': {
        const oob = this.#options.oob?.peer;
        if (!oob || !('tk' in oob) || oob.tk.length !== 16) {
          return this.#fail(
            Reason.OobNotAvailable,
            'LE legacy OOB pairing needs the 16-octet TK shared out of band',
          );
        }
        legacy.tk = oob.tk;
        return this.#legacyTkReady(negotiated, legacy);
      }
      case 'numeric-comparison':
        return this.#fail(Reason.UnspecifiedReason, 'numeric comparison does not exist in LE legacy pairing');
    }
  }

  #confirmValue(negotiated: Negotiated, tk: Uint8Array, random: Uint8Array): Uint8Array {
    const [initiator, responder] =
      this.role === 'initiator' ? [this.#local, this.#peer] : [this.#peer, this.#local];
    return this.#tb.c1(
      tk,
      random,
      negotiated.preq,
      negotiated.pres,
      initiator.type,
      initiator.address,
      responder.type,
      responder.address,
    );
  }

  /** Send our confirm once the TK is known: the initiator at once, the responder in answer to Mconfirm. */
  #legacyTkReady(negotiated: Negotiated, legacy: LegacyContext): void {
    if (!legacy.tk || legacy.sentConfirm) return;
    if (this.role === 'responder' && !legacy.peerConfirm) return;
    legacy.sentConfirm = true;
    this.#send({
      type: 'pairing-confirm',
      value: this.#confirmValue(negotiated, legacy.tk, legacy.ownRandom),
    });
  }

  #onLegacyPdu(negotiated: Negotiated, legacy: LegacyContext, pdu: SmpPdu): void {
    if (pdu.type === 'pairing-confirm' && !legacy.peerConfirm) {
      // The initiator's Mconfirm may arrive while the responder's user still types the passkey.
      if (this.role === 'initiator' && !legacy.sentConfirm) return this.#unexpected(pdu.type);
      legacy.peerConfirm = pdu.value;
      if (this.role === 'initiator') {
        legacy.sentRandom = true;
        return this.#send({ type: 'pairing-random', value: legacy.ownRandom });
      }
      return this.#legacyTkReady(negotiated, legacy);
    }
    if (pdu.type === 'pairing-random' && legacy.sentConfirm && legacy.peerConfirm) {
      if (this.role === 'responder' && legacy.sentRandom) return this.#unexpected(pdu.type);
      if (this.role === 'initiator' && !legacy.sentRandom) return this.#unexpected(pdu.type);
      if (!equalBytes(this.#confirmValue(negotiated, legacy.tk!, pdu.value), legacy.peerConfirm)) {
        return this.#fail(
          Reason.ConfirmValueFailed,
          "the peer's confirm value does not match its random value",
        );
      }
      const [srand, mrand] =
        this.role === 'initiator' ? [pdu.value, legacy.ownRandom] : [legacy.ownRandom, pdu.value];
      const stk = maskKey(this.#tb.s1(legacy.tk!, srand, mrand), negotiated.keySize);
      if (this.role === 'responder') {
        legacy.sentRandom = true;
        this.#send({ type: 'pairing-random', value: legacy.ownRandom });
      }
      return this.#startEncryption(negotiated, stk, false);
    }
    this.#unexpected(pdu.type);
  }

  // ------------------------------------------------ LE Secure Connections

  #addresses(): { a: Uint8Array; b: Uint8Array } {
    const [initiator, responder] =
      this.role === 'initiator' ? [this.#local, this.#peer] : [this.#peer, this.#local];
    return {
      a: concat(initiator.address, Uint8Array.of(initiator.type)),
      b: concat(responder.address, Uint8Array.of(responder.type)),
    };
  }

  #onScPdu(negotiated: Negotiated, sc: ScContext, pdu: SmpPdu): void {
    const initiator = this.role === 'initiator';
    if (pdu.type === 'pairing-public-key' && sc.step === 'public-key') {
      return this.#onPublicKey(negotiated, sc, pdu.publicKey);
    }
    if (pdu.type === 'pairing-confirm' && sc.step === 'confirm' && !sc.peerConfirm) {
      // Passkey entry: the initiator commits first in every round (2.3.5.6.3).
      if (initiator && negotiated.association.model === 'passkey' && !sc.sentConfirm)
        return this.#unexpected(pdu.type);
      sc.peerConfirm = pdu.value;
      if (!initiator) return this.#scPasskeyRoundReady(negotiated, sc);
      sc.step = 'random';
      return this.#send({ type: 'pairing-random', value: sc.ownNonce });
    }
    if (pdu.type === 'pairing-random' && sc.step === 'random' && !sc.peerNonce) {
      if (initiator && !sc.peerConfirm && negotiated.association.model !== 'oob')
        return this.#unexpected(pdu.type);
      return this.#onScRandom(negotiated, sc, pdu.value);
    }
    if (pdu.type === 'pairing-dhkey-check' && initiator && sc.step === 'check' && sc.sentCheck) {
      return this.#onPeerCheck(negotiated, sc, pdu.value);
    }
    if (
      pdu.type === 'pairing-dhkey-check' &&
      !initiator &&
      (sc.step === 'check' || sc.step === 'user') &&
      !sc.heldCheck
    ) {
      sc.heldCheck = pdu.value;
      return this.#scAfterUser(negotiated, sc);
    }
    this.#unexpected(pdu.type);
  }

  #onPublicKey(negotiated: Negotiated, sc: ScContext, publicKey: Uint8Array): void {
    if (equalBytes(publicKey, sc.keyPair.publicKey)) {
      return this.#fail(Reason.DhKeyCheckFailed, 'the peer sent our own public key back (CVE-2020-26558)');
    }
    // Either side's debug key makes the LTK known to anyone who records the pairing (smp-rules.md 9):
    // such a pairing is reported as debugKey and never kept. Only the peer's is refused by the policy.
    const peerDebugKey = isDebugPublicKey(publicKey);
    sc.debugKey = peerDebugKey || isDebugPublicKey(sc.keyPair.publicKey);
    if (peerDebugKey && !this.policy.allowDebugKeys) {
      return this.#fail(
        Reason.AuthenticationRequirements,
        'the peer uses the debug key pair and the policy refuses debug keys',
      );
    }
    try {
      // dhKey checks the point first: on the curve, coordinates below p, not infinity.
      sc.dhKey = this.#tb.dhKey(sc.keyPair.privateKey, publicKey);
    } catch (error) {
      if (!(error instanceof InvalidPublicKeyError)) throw error;
      return this.#fail(
        Reason.DhKeyCheckFailed,
        `the peer's public key is not a valid P-256 point (CVE-2018-5383): ${error.reason}`,
      );
    }
    sc.peerPublicKey = publicKey;
    if (this.role === 'responder')
      this.#send({ type: 'pairing-public-key', publicKey: sc.keyPair.publicKey });
    const model = negotiated.association.model;
    const pka = this.role === 'initiator' ? sc.keyPair.publicKey : publicKey;
    const pkb = this.role === 'initiator' ? publicKey : sc.keyPair.publicKey;
    if (model === 'oob') return this.#scOobStart(negotiated, sc, pka, pkb);
    sc.step = 'confirm';
    if (model === 'passkey') return this.#askPasskey(negotiated.association);
    if (this.role === 'responder') {
      // Just Works and Numeric Comparison: Cb = f4(PKbx, PKax, Nb, 0) (2.3.5.6.2).
      sc.step = 'random';
      this.#send({
        type: 'pairing-confirm',
        value: this.#tb.f4(pkb.subarray(0, 32), pka.subarray(0, 32), sc.ownNonce, 0),
      });
    }
  }

  /** OOB (2.3.5.6.4): check the peer's commitment when we hold its data; set ra and rb. */
  #scOobStart(negotiated: Negotiated, sc: ScContext, pka: Uint8Array, pkb: Uint8Array): void {
    const peerOob = this.#options.oob?.peer;
    const localRandom: Uint8Array = this.#options.oob?.localRandom ?? ZERO_16;
    const weHavePeerData =
      this.role === 'initiator' ? negotiated.request.oobDataPresent : negotiated.response.oobDataPresent;
    const peerHasOurData =
      this.role === 'initiator' ? negotiated.response.oobDataPresent : negotiated.request.oobDataPresent;
    let peerRandom: Uint8Array = ZERO_16;
    if (weHavePeerData) {
      if (!peerOob || !('random' in peerOob)) {
        return this.#fail(
          Reason.OobNotAvailable,
          "LE Secure Connections OOB needs the peer's random and confirm values",
        );
      }
      const peerKey = this.role === 'initiator' ? pkb : pka;
      const expected = this.#tb.f4(peerKey.subarray(0, 32), peerKey.subarray(0, 32), peerOob.random, 0);
      if (!equalBytes(expected, peerOob.confirm)) {
        return this.#fail(
          Reason.ConfirmValueFailed,
          "the peer's OOB confirm value does not match its public key",
        );
      }
      peerRandom = peerOob.random;
    }
    const ownRandom = peerHasOurData ? localRandom : ZERO_16;
    // ra is the initiator's OOB random as the responder knows it; rb the responder's as the initiator knows it.
    sc.ra = this.role === 'initiator' ? ownRandom : peerRandom;
    sc.rb = this.role === 'initiator' ? peerRandom : ownRandom;
    sc.step = 'random';
    if (this.role === 'initiator') this.#send({ type: 'pairing-random', value: sc.ownNonce });
  }

  /** Passkey entry round i (2.3.5.6.3): commit once the passkey is known and it is our turn. */
  #scPasskeyRoundReady(negotiated: Negotiated, sc: ScContext): void {
    if (
      negotiated.association.model !== 'passkey' ||
      sc.passkey === null ||
      sc.step !== 'confirm' ||
      sc.sentConfirm
    ) {
      return;
    }
    if (this.role === 'responder' && !sc.peerConfirm) return; // the responder answers the initiator's Cai
    const z = 0x80 | ((sc.passkey >> sc.round) & 1);
    const own = sc.keyPair.publicKey.subarray(0, 32);
    const peer = sc.peerPublicKey!.subarray(0, 32);
    sc.sentConfirm = true;
    if (this.role === 'responder') sc.step = 'random';
    this.#send({ type: 'pairing-confirm', value: this.#tb.f4(own, peer, sc.ownNonce, z) });
  }

  #onScRandom(negotiated: Negotiated, sc: ScContext, peerNonce: Uint8Array): void {
    const model = negotiated.association.model;
    const initiator = this.role === 'initiator';
    const pka = initiator ? sc.keyPair.publicKey : sc.peerPublicKey!;
    const pkb = initiator ? sc.peerPublicKey! : sc.keyPair.publicKey;
    const [pkax, pkbx] = [pka.subarray(0, 32), pkb.subarray(0, 32)];
    if (model === 'passkey') {
      const z = 0x80 | ((sc.passkey! >> sc.round) & 1);
      // Check the peer's commitment of this round: Cai = f4(PKax, PKbx, Nai, z), Cbi = f4(PKbx, PKax, Nbi, z).
      const expected = initiator
        ? this.#tb.f4(pkbx, pkax, peerNonce, z)
        : this.#tb.f4(pkax, pkbx, peerNonce, z);
      if (!equalBytes(expected, sc.peerConfirm!)) {
        return this.#fail(
          Reason.ConfirmValueFailed,
          `passkey round ${sc.round + 1}: the peer's confirm value does not match`,
        );
      }
      if (!initiator) this.#send({ type: 'pairing-random', value: sc.ownNonce });
      const [na, nb] = initiator ? [sc.ownNonce, peerNonce] : [peerNonce, sc.ownNonce];
      if (sc.round === 19) {
        sc.na = na;
        sc.nb = nb;
        sc.peerNonce = peerNonce;
        sc.userAgreed = true; // the passkey was the user's part
        sc.step = 'check';
        return this.#scAfterUser(negotiated, sc);
      }
      sc.round += 1;
      sc.ownNonce = this.#random(16);
      sc.sentConfirm = false;
      sc.peerConfirm = null;
      sc.step = 'confirm';
      return this.#scPasskeyRoundReady(negotiated, sc);
    }
    sc.peerNonce = peerNonce;
    sc.na = initiator ? sc.ownNonce : peerNonce;
    sc.nb = initiator ? peerNonce : sc.ownNonce;
    if (model === 'oob') {
      if (!initiator) this.#send({ type: 'pairing-random', value: sc.ownNonce });
      sc.userAgreed = true;
      sc.step = 'check';
      return this.#scAfterUser(negotiated, sc);
    }
    // Just Works and Numeric Comparison (2.3.5.6.2).
    if (initiator && !equalBytes(this.#tb.f4(pkbx, pkax, peerNonce, 0), sc.peerConfirm!)) {
      return this.#fail(Reason.ConfirmValueFailed, "the responder's confirm value does not match its nonce");
    }
    if (!initiator) this.#send({ type: 'pairing-random', value: sc.ownNonce });
    sc.step = 'user';
    if (model === 'numeric-comparison') {
      this.#prompt({
        kind: 'confirm-number',
        peer: this.#peer,
        value: this.#tb.g2Display(pkax, pkbx, sc.na, sc.nb),
      });
    } else {
      this.#prompt({ kind: 'just-works', peer: this.#peer });
    }
  }

  /** After the user's part: the initiator sends Ea; the responder checks a held Ea and answers Eb. */
  #scAfterUser(negotiated: Negotiated, sc: ScContext): void {
    if (!sc.userAgreed || !sc.na || !sc.nb) return;
    if (sc.step === 'user') sc.step = 'check';
    const { a, b } = this.#addresses();
    sc.keys ??= this.#tb.f5(sc.dhKey!, sc.na, sc.nb, a, b);
    const { macKey, ltk } = sc.keys;
    const ioCapA = negotiated.preq.subarray(1, 4);
    const ioCapB = negotiated.pres.subarray(1, 4);
    if (this.role === 'initiator') {
      if (sc.sentCheck) return;
      sc.sentCheck = true;
      return this.#send({
        type: 'pairing-dhkey-check',
        value: this.#tb.f6(macKey, sc.na, sc.nb, sc.rb, ioCapA, a, b),
      });
    }
    if (!sc.heldCheck) return;
    const ea = this.#tb.f6(macKey, sc.na, sc.nb, sc.rb, ioCapA, a, b);
    if (!equalBytes(ea, sc.heldCheck)) {
      return this.#fail(Reason.DhKeyCheckFailed, "the initiator's DHKey check value does not match");
    }
    this.#send({
      type: 'pairing-dhkey-check',
      value: this.#tb.f6(macKey, sc.nb, sc.na, sc.ra, ioCapB, b, a),
    });
    this.#startEncryption(negotiated, maskKey(ltk, negotiated.keySize), sc.debugKey);
  }

  #onPeerCheck(negotiated: Negotiated, sc: ScContext, eb: Uint8Array): void {
    const { a, b } = this.#addresses();
    const { macKey, ltk } = sc.keys!;
    const expected = this.#tb.f6(macKey, sc.nb!, sc.na!, sc.ra, negotiated.pres.subarray(1, 4), b, a);
    if (!equalBytes(expected, eb))
      return this.#fail(Reason.DhKeyCheckFailed, "the responder's DHKey check value does not match");
    this.#startEncryption(negotiated, maskKey(ltk, negotiated.keySize), sc.debugKey);
  }

  // ------------------------------------------------- encryption, distribution

  #startEncryption(negotiated: Negotiated, key: Uint8Array, debugKey: boolean): void {
    this.#state = { phase: 'encrypting', negotiated, key, debugKey };
    const request = { key, ediv: 0, rand: ZERO_8 };
    this.#out.push(
      this.role === 'initiator'
        ? { type: 'start-encryption', ...request }
        : { type: 'provide-key', ...request },
    );
  }

  #encrypted(keySize?: number): void {
    const state = this.#state;
    if (state.phase !== 'encrypting') return;
    const { negotiated } = state;
    if (keySize !== undefined && keySize !== negotiated.keySize) {
      return this.#fail(
        Reason.EncryptionKeySize,
        `the controller reports a ${keySize}-octet key; ${negotiated.keySize} octets were negotiated`,
      );
    }
    const sc = negotiated.association.secureConnections;
    const peerMask =
      this.role === 'initiator' ? negotiated.masks.responderKeys : negotiated.masks.initiatorKeys;
    this.#state = {
      phase: 'distributing',
      negotiated,
      key: state.key,
      debugKey: state.debugKey,
      expected: keyPdusFor(peerMask, sc),
      peerKeys: {},
      localKeys: null,
    };
    // The responder distributes first, then the initiator (3.6.1).
    if (this.role === 'responder') this.#distributeOurKeys();
    else if (this.#state.expected.length === 0) this.#distributeOurKeys();
    this.#maybeComplete();
  }

  #distributeOurKeys(): void {
    const state = this.#state;
    if (state.phase !== 'distributing' || state.localKeys) return;
    const { negotiated } = state;
    const mask = this.role === 'initiator' ? negotiated.masks.initiatorKeys : negotiated.masks.responderKeys;
    const keys: { -readonly [K in keyof DistributedKeys]: DistributedKeys[K] } = {};
    const identity = this.#options.identity;
    for (const type of keyPdusFor(mask, negotiated.association.secureConnections)) {
      switch (type) {
        case 'encryption-information':
          keys.ltk = maskKey(this.#random(16), negotiated.keySize);
          this.#send({ type, ltk: keys.ltk });
          break;
        case 'central-identification': {
          const ediv = this.#random(2);
          keys.ediv = ediv[0]! | (ediv[1]! << 8);
          keys.rand = this.#random(8);
          this.#send({ type, ediv: keys.ediv, rand: keys.rand });
          break;
        }
        case 'identity-information':
          keys.irk = identity?.irk ?? this.#random(16);
          this.#send({ type, irk: keys.irk });
          break;
        case 'identity-address-information': {
          const address = identity!.address!;
          keys.identityAddress = address;
          this.#send({ type, addressType: address.type, address: address.address });
          break;
        }
        case 'signing-information':
          keys.csrk = identity?.csrk ?? this.#random(16);
          this.#send({ type, csrk: keys.csrk });
          break;
      }
    }
    state.localKeys = keys;
  }

  #onKeyPdu(pdu: Extract<SmpPdu, { type: KeyPduType }>): void {
    const state = this.#state;
    if (state.phase !== 'distributing') {
      return this.#fail(
        Reason.UnspecifiedReason,
        `${pdu.type} received before the link was encrypted with the new key`,
      );
    }
    const verdict = checkKeyPdu(pdu, state.expected[0], true);
    if (!verdict.ok) return this.#fail(verdict.reason, verdict.message);
    state.expected.shift();
    const keys = state.peerKeys;
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
    if (state.expected.length === 0 && this.role === 'initiator') this.#distributeOurKeys();
    this.#maybeComplete();
  }

  /** Complete only when both sides have distributed and the controller acknowledged our last PDU. */
  #maybeComplete(): void {
    const state = this.#state;
    if (
      state.phase !== 'distributing' ||
      state.expected.length > 0 ||
      !state.localKeys ||
      this.#unacknowledged
    )
      return;
    const { negotiated } = state;
    const result: PairingResult = {
      secureConnections: negotiated.association.secureConnections,
      model: negotiated.association.model,
      keySize: negotiated.keySize,
      authenticated: negotiated.association.authenticated,
      bonded: (negotiated.request.authReq & negotiated.response.authReq & AuthReq.Bonding) !== 0,
      debugKey: state.debugKey,
      encryptionKey: state.key,
      localKeys: state.localKeys,
      peerKeys: state.peerKeys as DistributedKeys,
    };
    this.#state = { phase: 'completed', result };
    this.#options.attempts?.recordSuccess(this.peerId);
    this.#out.push({ type: 'timer', action: 'stop' });
    this.#out.push({ type: 'completed', result });
  }

  #timeout(): void {
    if (!this.#pairing()) return;
    this.#fail(Reason.UnspecifiedReason, 'the SMP timer expired (30 s without progress)', 'local', true);
  }
}

/** Host programming errors are refused at once: they never reach the air as a failed pairing. */
function checkHostInput(role: Role, input: SessionInput): void {
  const refuse = (message: string) => {
    throw new TypeError(`PairingSession.handle: ${message}`);
  };
  switch (input?.type) {
    case 'start':
      if (role !== 'initiator') refuse("only the initiator takes 'start'");
      return;
    case 'request-security':
      if (role !== 'responder') refuse("only the responder takes 'request-security'");
      return;
    case 'pdu':
      if (!(input.data instanceof Uint8Array)) refuse('pdu data must be a Uint8Array');
      return;
    case 'keypress':
      if (!Number.isInteger(input.notification) || input.notification < 0 || input.notification > 4) {
        refuse(`keypress notification must be 0..4, got ${String(input.notification)}`);
      }
      return;
    case 'encrypted': // the controller's key size is checked against the negotiation, not refused here
    case 'answer':
    case 'encryption-failed':
    case 'timeout':
    case 'acknowledged':
      return;
    default:
      refuse(`unknown input ${JSON.stringify((input as { type?: unknown })?.type)}`);
  }
}

/** A passkey as LE legacy's TK, and as SC's ra/rb: a 128-bit little-endian integer. */
function passkeyTk(passkey: number): Uint8Array {
  const tk = new Uint8Array(16);
  new DataView(tk.buffer).setUint32(0, passkey, true);
  return tk;
}

/** A uniformly random passkey 0..999999 (rejection sampling over 20 bits). */
function randomPasskey(random: RandomSource): number {
  for (;;) {
    const bytes = random(3);
    const value = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)) & 0xfffff;
    if (value < 1_000_000) return value;
  }
}
