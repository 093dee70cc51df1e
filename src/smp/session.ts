/**
 * One pairing on one link in one role, as a sans-I/O state machine (Core Vol 3
 * Part H 2.3-2.4, 3; smp-rules.md). It takes inputs (a received PDU, a user's
 * answer, "encrypted", "timer expired", "acknowledged") and returns outputs
 * (PDUs to send, "start encryption with K", prompts, completed or failed). It
 * never touches a socket, a timer or a clock: the host does.
 *
 * The session owns the phases and the transitions between them; each phase's
 * exchange lives in its own module: the feature exchange in negotiation.ts,
 * key generation in legacy-phase.ts and sc-phase.ts, key distribution in
 * key-exchange-phase.ts.
 * @module
 */

import { defaultBackend } from '../crypto/default-backend.js';
import { type RandomSource, randomBytes } from '../crypto/random.js';
import { type Toolbox, toolbox } from '../crypto/toolbox.js';
import type { Association } from './association.js';
import { AuthReq, REASON_TEXT, Reason } from './constants.js';
import { type DeviceAddress, formatAddress, type Prompt } from './delegate.js';
import {
  checkResponseMasks,
  isKeyPdu,
  type KeyPduType,
  masksOf,
  negotiateKeyMasks,
} from './key-distribution.js';
import { KeyExchangePhase } from './key-exchange-phase.js';
import { LegacyPhase } from './legacy-phase.js';
import { localAuthReq, localFeatures, localKeyMasks, type Negotiated, negotiate } from './negotiation.js';
import { passkeyPart } from './passkey.js';
import { decodePdu, encodePdu, type PairingFeatures, type SmpPdu } from './pdu.js';
import type { PhaseContext } from './phase-context.js';
import { type PairingPolicy, resolvePolicy } from './policy.js';
import { ScPhase } from './sc-phase.js';
import { checkHostInput } from './session-input-check.js';
import type {
  PairingFailure,
  PairingResult,
  Role,
  SessionInput,
  SessionOptions,
  SessionOutput,
} from './session-types.js';

/** The session's state: one type per phase, so an impossible transition does not type-check. */
type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'awaiting-response'; readonly preq: Uint8Array; readonly request: PairingFeatures }
  | { readonly phase: 'awaiting-accept'; readonly negotiated: Negotiated }
  | { readonly phase: 'legacy'; readonly negotiated: Negotiated; readonly keys: LegacyPhase }
  | { readonly phase: 'secure-connections'; readonly negotiated: Negotiated; readonly keys: ScPhase }
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
      readonly exchange: KeyExchangePhase;
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

const ZERO_8: Uint8Array = new Uint8Array(8);

/** A cancel while a prompt waits fails as its refusal would (3.5.5). */
const CANCEL_REASON: Readonly<Partial<Record<Prompt['kind'], number>>> = {
  accept: Reason.PairingNotSupported,
  'confirm-number': Reason.NumericComparisonFailed,
  'enter-passkey': Reason.PasskeyEntryFailed,
};

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
  readonly #peer: DeviceAddress;
  readonly #tb: Toolbox;
  readonly #options: SessionOptions;
  /** What the phases see of this session. */
  readonly #ctx: PhaseContext;
  #state: State = { phase: 'idle' };
  #out: SessionOutput[] = [];
  #nextPromptId = 1;
  #pendingPrompt: { id: number; kind: Prompt['kind'] } | null = null;
  #unacknowledged = false;
  /** Responder: our Security Request is out and no Pairing Request has answered it yet. */
  #securityRequested = false;
  /** {@link peerId}, made on first use (the repeated-attempts memory asks for it up to three times). */
  #peerId: string | undefined;

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
    this.#peer = options.peer;
    this.#tb = options.crypto ?? toolbox(defaultBackend());
    this.#options = options;
    const random: RandomSource = options.random ?? randomBytes;
    this.#ctx = {
      role: this.role,
      local: options.local,
      peer: options.peer,
      policy: this.policy,
      options,
      tb: this.#tb,
      random,
      send: (pdu) => this.#send(pdu),
      prompt: (prompt) => this.#prompt(prompt),
      fail: (reason, message) => this.#fail(reason, message),
      unexpected: (type) => this.#unexpected(type),
      startEncryption: (negotiated, key, debugKey) => this.#startEncryption(negotiated, key, debugKey),
    };
  }

  /** The current phase. */
  get phase(): SessionPhase {
    return this.#state.phase;
  }

  /**
   * The association once the features are exchanged: LE Secure Connections or
   * legacy, and the model; undefined before, and once the pairing ended.
   */
  get association(): Association | undefined {
    const state = this.#state;
    return 'negotiated' in state ? state.negotiated.association : undefined;
  }

  /** The peer's key in the repeated-attempts memory: its address and type. */
  get peerId(): string {
    this.#peerId ??= `${formatAddress(this.#peer.address)}/${this.#peer.type}`;
    return this.#peerId;
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
        return this.#answer(input.id, input.value, input.message);
      case 'encrypted':
        return this.#encrypted(input.keySize);
      case 'encryption-failed':
        if (this.#state.phase === 'encrypting')
          this.#fail(
            Reason.UnspecifiedReason,
            `encryption with the new key failed${input.cause ? `: ${input.cause}` : ''}`,
          );
        return;
      case 'timeout':
        return this.#timeout();
      case 'acknowledged':
        this.#unacknowledged = false;
        return this.#maybeComplete();
      case 'keypress':
        return this.#sendKeypress(input.notification);
      case 'cancel':
        return this.#cancel(input.message);
    }
  }

  /** The reason a cancelled pairing fails with: the waiting prompt's refusal, else Unspecified Reason. */
  #cancel(message: string): void {
    if (this.#state.phase === 'idle') return;
    const reason = CANCEL_REASON[this.#pendingPrompt?.kind ?? 'display-passkey'] ?? Reason.UnspecifiedReason;
    this.#fail(reason, message);
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

  #start(): void {
    if (this.#state.phase !== 'idle') return;
    const request = localFeatures(
      this.policy,
      this.#options,
      localKeyMasks(this.role, this.policy, this.#options),
    );
    const pdu: SmpPdu = { type: 'pairing-request', ...request };
    this.#send(pdu);
    this.#state = { phase: 'awaiting-response', preq: encodePdu(pdu), request };
  }

  #requestSecurity(): void {
    if (this.#state.phase !== 'idle') return;
    const pdu: SmpPdu = { type: 'security-request', authReq: localAuthReq(this.policy, this.#options) };
    this.#securityRequested = true;
    this.#out.push({ type: 'send', pdu, data: encodePdu(pdu) });
  }

  /** Both roles' checks of the exchanged features (negotiation.ts): the negotiated values, or a failure. */
  #negotiate(
    preq: Uint8Array,
    pres: Uint8Array,
    request: PairingFeatures,
    response: PairingFeatures,
  ): Negotiated | null {
    const outcome = negotiate(this.policy, this.#options.keptBond, preq, pres, request, response);
    if ('reason' in outcome) {
      this.#fail(outcome.reason, outcome.message);
      return null;
    }
    return outcome;
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
      ? negotiateKeyMasks(masksOf(request), localKeyMasks(this.role, this.policy, this.#options))
      : { initiatorKeys: 0, responderKeys: 0 };
    const response = localFeatures(this.policy, this.#options, masks);
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
      const keyPair = this.#options.keyPair ?? this.#tb.generateKeyPair();
      const keys = new ScPhase(this.#ctx, negotiated, keyPair);
      this.#state = { phase: 'secure-connections', negotiated, keys };
      return keys.start();
    }
    const keys = new LegacyPhase(this.#ctx, negotiated);
    this.#state = { phase: 'legacy', negotiated, keys };
    keys.start();
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
      // Outside pairing it is ignored, except as the central's answer to our Security Request (as Zephyr does):
      // the central refuses to pair (Repeated Attempts, Pairing Not Supported...), which ends our request.
      if (!pairing && !(this.#securityRequested && this.#state.phase === 'idle')) return;
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
      this.#securityRequested = false;
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
    if (state.phase === 'legacy' || state.phase === 'secure-connections') return state.keys.onPdu(pdu);
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

  /** The key generation under way, if any. */
  #keyGeneration(): LegacyPhase | ScPhase | null {
    const state = this.#state;
    return state.phase === 'legacy' || state.phase === 'secure-connections' ? state.keys : null;
  }

  /** The negotiation, while key generation is under way. */
  #generating(): Negotiated | null {
    const state = this.#state;
    return state.phase === 'legacy' || state.phase === 'secure-connections' ? state.negotiated : null;
  }

  #answer(id: number, value: unknown, message?: string): void {
    const pending = this.#pendingPrompt;
    if (!pending || pending.id !== id) return; // a stale or unknown answer
    this.#pendingPrompt = null;
    const state = this.#state;
    switch (pending.kind) {
      case 'accept': {
        if (state.phase !== 'awaiting-accept') return;
        if (value !== true)
          return this.#fail(Reason.PairingNotSupported, message ?? 'the pairing attempt was refused');
        this.#send({ type: 'pairing-response', ...state.negotiated.response });
        return this.#begin(state.negotiated);
      }
      case 'enter-passkey': {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 999_999) {
          return this.#fail(Reason.PasskeyEntryFailed, message ?? 'passkey entry was cancelled');
        }
        return this.#keyGeneration()?.passkeyKnown(value);
      }
      case 'just-works':
        if (value !== true)
          return this.#fail(
            Reason.UnspecifiedReason,
            message ?? 'the user did not consent to Just Works pairing',
          );
        return this.#keyGeneration()?.userAgreed();
      case 'confirm-number':
        if (value !== true)
          return this.#fail(
            Reason.NumericComparisonFailed,
            message ?? 'the user said the numbers do not match',
          );
        return this.#keyGeneration()?.userAgreed();
      case 'display-passkey':
        return;
    }
  }

  #onKeypress(notification: number): void {
    if (!this.#generating()?.keypress) return this.#unexpected('keypress-notification');
    this.#out.push({ type: 'keypress', notification });
  }

  #sendKeypress(notification: number): void {
    const negotiated = this.#generating();
    if (!negotiated?.keypress || passkeyPart(negotiated.association, this.role) !== 'input') return;
    this.#send({ type: 'keypress-notification', notification });
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
    const { negotiated, key, debugKey } = state;
    if (keySize !== undefined && keySize !== negotiated.keySize) {
      return this.#fail(
        Reason.EncryptionKeySize,
        `the controller reports a ${keySize}-octet key; ${negotiated.keySize} octets were negotiated`,
      );
    }
    const exchange = new KeyExchangePhase(this.#ctx, negotiated);
    this.#state = { phase: 'distributing', negotiated, key, debugKey, exchange };
    exchange.start();
    this.#maybeComplete();
  }

  #onKeyPdu(pdu: Extract<SmpPdu, { type: KeyPduType }>): void {
    const state = this.#state;
    if (state.phase !== 'distributing') {
      return this.#fail(
        Reason.UnspecifiedReason,
        `${pdu.type} received before the link was encrypted with the new key`,
      );
    }
    state.exchange.onKeyPdu(pdu);
    this.#maybeComplete();
  }

  /** Complete only when both sides have distributed and the controller acknowledged our last PDU. */
  #maybeComplete(): void {
    const state = this.#state;
    if (state.phase !== 'distributing' || !state.exchange.done || this.#unacknowledged) return;
    const { negotiated, exchange } = state;
    const result: PairingResult = {
      secureConnections: negotiated.association.secureConnections,
      method: negotiated.association.secureConnections ? 'sc' : 'legacy',
      model: negotiated.association.model,
      keySize: negotiated.keySize,
      authenticated: negotiated.association.authenticated,
      bonded: (negotiated.request.authReq & negotiated.response.authReq & AuthReq.Bonding) !== 0,
      debugKey: state.debugKey,
      encryptionKey: state.key,
      localKeys: exchange.localKeys!,
      peerKeys: exchange.peerKeys,
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
