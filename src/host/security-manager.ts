/**
 * The Security Manager of a host: one sans-I/O {@link PairingSession} per
 * connection, driven by the host's I/O. It sends the session's PDUs on the SMP
 * channel, runs its 30 s timer, asks the user through a {@link PairingDelegate},
 * starts encryption (central) or answers the LE Long Term Key Request
 * (peripheral), keeps bonds, and re-encrypts bonded links (Core Vol 3 Part H
 * 2.3-2.4; smp-rules.md 9).
 * @module
 */

import type { P256KeyPair } from '../crypto/backend.js';
import { equalBytes } from '../crypto/bytes.js';
import { defaultBackend } from '../crypto/default-backend.js';
import { randomBytes } from '../crypto/random.js';
import { type Toolbox, toolbox } from '../crypto/toolbox.js';
import type { HciCommand } from '../hci/commands.js';
import { describeHciError, HciErrorCode } from '../hci/constants.js';
import type { Association } from '../smp/association.js';
import { AuthReq, Reason, SMP_TIMEOUT_MS } from '../smp/constants.js';
import {
  acceptAll,
  answerPrompt,
  type DeviceAddress,
  type OobData,
  type PairingDelegate,
} from '../smp/delegate.js';
import { type PairingPolicy, resolvePolicy } from '../smp/policy.js';
import { RepeatedAttempts } from '../smp/repeated-attempts.js';
import { meetsPolicy } from '../smp/security-level.js';
import { PairingSession, type SessionPhase } from '../smp/session.js';
import type { PairingResult, SessionInput, SessionOutput } from '../smp/session-types.js';
import { bondOfPairing } from './bond-of-pairing.js';
import { type Bond, type BondStore, MemoryBondStore } from './bond-store.js';
import { systemTimers, type Timers } from './command-channel.js';
import { type Deferred, deferred } from './deferred.js';
import { isResolvablePrivateAddress, makeResolvablePrivateAddress, resolvesTo } from './privacy.js';
import { EncryptionError, PairingError } from './security-errors.js';
import type {
  PairOptions,
  PeerOobData,
  ScOobData,
  SecureOptions,
  SecurityHost,
  SecurityLink,
  SecurityOptions,
  SecurityOutcome,
} from './security-types.js';

interface KeyRequest {
  readonly key: Uint8Array;
  readonly ediv: number;
  readonly rand: Uint8Array;
}

interface LinkState {
  readonly link: SecurityLink;
  session: PairingSession | undefined;
  delegate: PairingDelegate;
  phase: SessionPhase | undefined;
  pairing: Deferred<PairingResult> | undefined;
  timer: unknown;
  /** Responder: the key the session gave for the coming LTK request. */
  pendingKey: KeyRequest | undefined;
  /** A re-encryption under way (central). */
  encrypting: Deferred<void> | undefined;
  encrypted: boolean;
  /** The peer's identity: its address, or the identity its RPA resolves to, or the identity it distributed. */
  identity: DeviceAddress;
  /** The bond whose key encrypted the link, when it was encrypted from a bond. */
  keyBond: Bond | undefined;
  /** A {@link SecurityManager.secure} under way. */
  securing: Deferred<SecurityOutcome> | undefined;
  /** Our OOB key pair and random, when the current session was given them. */
  localOob: LocalOob | undefined;
  /**
   * The SMP timer expired on this link: no SMP PDU is sent or taken on it
   * again, and it is being disconnected (Core Vol 3 Part H 3.4).
   */
  smpTimedOut?: boolean;
}

interface LocalOob {
  readonly keyPair: P256KeyPair;
  readonly random: Uint8Array;
}

const ZERO_8 = new Uint8Array(8);

/**
 * One Security Manager per host: one pairing session per connection.
 * @example
 * ```ts
 * const sm = new SecurityManager(host, { delegate: acceptAll });
 * sm.addLink({ handle: 0x40, role: 'central', local, peer });
 * const result = await sm.pair(0x40);
 * ```
 */
export class SecurityManager {
  readonly #host: SecurityHost;
  readonly #options: SecurityOptions;
  #identity: SecurityOptions['identity'];
  readonly #timers: Timers;
  readonly #links = new Map<number, LinkState>();
  /** The bond store. */
  get bonds(): BondStore {
    return this.#bonds;
  }
  #bonds: BondStore;
  /** The repeated-attempts memory shared by every session. */
  readonly attempts: RepeatedAttempts;
  /** Our SC OOB key pair and random, once {@link localOobData} made them. */
  #localOob: LocalOob | undefined;
  /** OOB data received from peers, by address; made on the first (few hosts ever receive any). */
  #peerOob: Map<string, OobData> | undefined;
  #tb: Toolbox | undefined;

  constructor(host: SecurityHost, options: SecurityOptions = {}) {
    this.#host = host;
    this.#options = options;
    this.#identity = options.identity;
    this.#timers = options.timers ?? systemTimers;
    this.#bonds = options.bondStore ?? new MemoryBondStore();
    this.attempts = options.attempts ?? new RepeatedAttempts();
    for (const data of options.peerOob ?? []) this.addPeerOobData(data);
  }

  /**
   * Our LE Secure Connections OOB data, to hand to the peer out of band. The
   * first call makes a P-256 key pair and a 16-octet random; later calls give
   * the same data until a pairing completes with that key pair (the sessions
   * meanwhile use it, and that random when the peer says it holds our data);
   * after that the next call makes new data, so OOB data serves one pairing.
   * `address` defaults to our identity address.
   * @example
   * ```ts
   * const ours = central.security.localOobData();
   * peripheral.security.addPeerOobData(ours); // carried by NFC, a QR code...
   * ```
   */
  localOobData(address?: DeviceAddress): ScOobData {
    const tb = this.#toolbox();
    if (!this.#localOob) {
      this.#localOob = { keyPair: tb.generateKeyPair(), random: (this.#options.random ?? randomBytes)(16) };
    }
    const { keyPair, random } = this.#localOob;
    const x = keyPair.publicKey.subarray(0, 32);
    const own = address ?? this.#identity?.address ?? { address: new Uint8Array(6), type: 0 };
    return {
      address: own.address.slice(),
      type: own.type,
      random: random.slice(),
      confirm: tb.f4(x, x, random, 0),
    };
  }

  /**
   * Keeps OOB data received from a peer: later sessions with that address use it and set our OOB flag.
   * @example
   * ```ts
   * host.security.addPeerOobData(peerOob); // the peer's localOobData(): { address, type, random, confirm }
   * host.security.addPeerOobData({ address: parseAddress('b8:27:eb:15:50:70'), type: 0, tk }); // LE legacy
   * ```
   */
  addPeerOobData(data: PeerOobData): void {
    const oob: OobData = 'tk' in data ? { tk: data.tk } : { random: data.random, confirm: data.confirm };
    this.#peerOob ??= new Map();
    this.#peerOob.set(addressKey({ address: data.address, type: data.type }), oob);
  }

  /**
   * Forgets the OOB data received from a peer.
   * @example
   * ```ts
   * host.security.removePeerOobData({ address: parseAddress('b8:27:eb:15:50:70'), type: 0 });
   * ```
   */
  removePeerOobData(peer: DeviceAddress): void {
    this.#peerOob?.delete(addressKey(peer));
  }

  #toolbox(): Toolbox {
    this.#tb ??= this.#options.crypto ?? toolbox(defaultBackend());
    return this.#tb;
  }

  /**
   * Starts tracking a new connection; a peer on a resolvable private address is resolved through the bonds' IRKs.
   * @example
   * ```ts
   * // on LE Connection Complete:
   * sm.addLink({ handle: event.handle, role: event.role === 0 ? 'central' : 'peripheral', local, peer });
   * ```
   */
  addLink(link: SecurityLink): void {
    this.#links.set(link.handle, {
      identity: this.resolveIdentity(link.peer),
      keyBond: undefined,
      securing: undefined,
      localOob: undefined,
      link,
      session: undefined,
      delegate: this.#options.delegate ?? acceptAll,
      phase: undefined,
      pairing: undefined,
      timer: undefined,
      pendingKey: undefined,
      encrypting: undefined,
      encrypted: false,
    });
  }

  /**
   * The identity of a peer seen at this address: the identity of the bond
   * whose IRK resolves it when it is a resolvable private address, else the address itself.
   * @example
   * ```ts
   * const identity = host.security.resolveIdentity(advertisement.peer); // a bonded peer behind a new RPA
   * ```
   */
  resolveIdentity(peer: DeviceAddress): DeviceAddress {
    if (!isResolvablePrivateAddress(peer)) return peer;
    const tb = this.#toolbox();
    for (const bond of this.bonds.list()) {
      if (bond.peerIrk && resolvesTo(tb, peer.address, bond.peerIrk)) return bond.peer;
    }
    return peer;
  }

  /**
   * The peer's identity on a link: see {@link resolveIdentity}; after a pairing, the identity it distributed.
   * @example
   * ```ts
   * const identity = host.security.identityOf(connection.handle); // undefined for an unknown handle
   * ```
   */
  identityOf(handle: number): DeviceAddress | undefined {
    return this.#links.get(handle)?.identity;
  }

  /**
   * A new resolvable private address made from our IRK (see {@link makeResolvablePrivateAddress}).
   * @example
   * ```ts
   * const rpa = host.security.makeResolvablePrivateAddress(); // { address, type: 1 }; throws with no identity IRK
   * await host.command({ name: 'le-set-random-address', randomAddress: rpa.address });
   * ```
   */
  makeResolvablePrivateAddress(): DeviceAddress {
    const irk = this.#identity?.irk;
    if (!irk) throw new Error('no IRK: a resolvable private address needs our identity IRK');
    return makeResolvablePrivateAddress(this.#toolbox(), irk, this.#options.random);
  }

  /**
   * Replaces the bond store (the host does, once it knows our identity address).
   * @example
   * ```ts
   * sm.setBondStore(FileBondStore.open({ local: host.address }));
   * ```
   */
  setBondStore(store: BondStore): void {
    this.#bonds = store;
  }

  /**
   * Sets our identity (address and IRK) distributed in later pairings.
   * @example
   * ```ts
   * sm.setIdentity({ address: host.address, irk: sm.bonds.localIrk() }); // as Host.open does by default
   * ```
   */
  setIdentity(identity: NonNullable<SecurityOptions['identity']>): void {
    this.#identity = identity;
  }

  /**
   * Whether the link is encrypted.
   * @example
   * ```ts
   * if (!sm.isEncrypted(0x0040)) await sm.secure(0x0040);
   * ```
   */
  isEncrypted(handle: number): boolean {
    return this.#links.get(handle)?.encrypted ?? false;
  }

  /**
   * The phase of the pairing under way on the link, if any.
   * @example
   * ```ts
   * sm.phase(0x0040); // e.g. 'secure-connections'; undefined once the pairing completed or failed
   * ```
   */
  phase(handle: number): SessionPhase | undefined {
    return this.#links.get(handle)?.session?.phase;
  }

  /**
   * The link went away: a pairing under way fails ("disconnected during
   * pairing (reason ...)"), a re-encryption under way fails, and the link is forgotten.
   * @example
   * ```ts
   * // on Disconnection Complete:
   * sm.removeLink(event.handle, event.reason);
   * ```
   */
  removeLink(handle: number, reason: number): void {
    const state = this.#links.get(handle);
    if (!state) return;
    this.#links.delete(handle);
    this.#timers.clearTimeout(state.timer);
    const pairing = state.session !== undefined && !['completed', 'failed'].includes(state.session.phase);
    if (pairing || state.pairing) {
      const error = new PairingError(
        Reason.UnspecifiedReason,
        'local',
        `disconnected during pairing (reason ${describeHciError(reason)})`,
      );
      state.session = undefined;
      this.#host.emit(handle, { type: 'pairing', phase: 'failed' });
      this.#host.emit(handle, { type: 'pairing-failed', error });
      state.pairing?.reject(error);
      state.pairing = undefined;
    }
    if (state.encrypting) {
      const code = reason === HciErrorCode.ConnectionTerminatedMicFailure ? 'mic-failure' : 'disconnected';
      state.encrypting.reject(
        new EncryptionError(
          code,
          code === 'mic-failure'
            ? `encryption failed: the peer has a different key; the link dropped (${describeHciError(reason)})`
            : `disconnected during encryption (reason ${describeHciError(reason)})`,
          reason,
        ),
      );
      state.encrypting = undefined;
    }
  }

  /**
   * Pairs on the link: as initiator on a central, or (on a peripheral) by
   * sending a Security Request and waiting for the central to pair.
   * Resolves with the result, or rejects with a {@link PairingError}.
   * @example
   * ```ts
   * const result = await sm.pair(0x0040, { delegate: fixedAnswers({ passkey: 123456 }) });
   * console.log(result.model, result.authenticated, result.keySize);
   * ```
   */
  pair(handle: number, options: PairOptions = {}): Promise<PairingResult> {
    const state = this.#links.get(handle);
    if (!state) return Promise.reject(new Error(`no connection with handle 0x${handle.toString(16)}`));
    if (state.smpTimedOut) {
      return Promise.reject(
        new PairingError(
          Reason.UnspecifiedReason,
          'local',
          'the SMP timer expired on this link: a new pairing needs a new connection (Core Vol 3 Part H 3.4)',
          true,
        ),
      );
    }
    if (state.pairing) return state.pairing.promise;
    const pairing = deferred<PairingResult>();
    state.pairing = pairing;
    if (options.delegate) state.delegate = options.delegate;
    if (state.link.role === 'central') {
      const session = this.#session(state, options.policy, options.oob?.peer);
      if (session.phase === 'idle') this.#feed(state, { type: 'start' });
    } else {
      const session = this.#session(state, options.policy, options.oob?.peer);
      if (session.phase === 'idle') this.#feed(state, { type: 'request-security' });
    }
    return pairing.promise;
  }

  /**
   * Central: re-encrypts the link with the bond's key (LE Start Encryption
   * with its EDIV and Rand); resolves when encrypted. Rejects with an
   * {@link EncryptionError}.
   * @example
   * ```ts
   * await sm.encrypt(0x0040).catch((err) => {
   *   if (err instanceof EncryptionError && err.code === 'no-bond') return sm.pair(0x0040);
   *   throw err;
   * });
   * ```
   */
  encrypt(handle: number): Promise<void> {
    const state = this.#links.get(handle);
    if (!state) return Promise.reject(new Error(`no connection with handle 0x${handle.toString(16)}`));
    if (state.link.role !== 'central') {
      return Promise.reject(
        new EncryptionError('not-supported', 'only the central starts encryption; a peripheral may pair()'),
      );
    }
    if (state.encrypting) return state.encrypting.promise;
    const bond = this.#findBond(state);
    const key = bond?.peerLtk;
    if (!key) {
      return Promise.reject(
        new EncryptionError('no-bond', `no bond with ${state.link.peer.type ? 'random' : 'public'} peer`),
      );
    }
    const encrypting = deferred<void>();
    state.encrypting = encrypting;
    state.keyBond = bond;
    this.#host
      .command({ name: 'le-start-encryption', handle, rand: key.rand, ediv: key.ediv, ltk: key.ltk })
      .catch((error: Error) => {
        if (state.encrypting !== encrypting) return;
        state.encrypting = undefined;
        encrypting.reject(
          new EncryptionError('controller', `could not start encryption: ${error.message}`, statusOf(error)),
        );
      });
    return encrypting.promise;
  }

  /**
   * Secures the link the way a demanding stack does. Central: re-encrypts with
   * the kept bond when it meets the policy (see {@link meetsPolicy}), else
   * pairs; `forcePair` pairs in any case. Peripheral: sends a Security Request;
   * the central pairs, or encrypts with its bond, which we answer from ours.
   * Resolves `{ kind: 'paired', result }` or `{ kind: 'encrypted', bond }`;
   * rejects with a {@link PairingError} or an {@link EncryptionError}.
   * @example
   * ```ts
   * const outcome = await sm.secure(0x0040, { policy: { requireMitm: true } });
   * console.log(outcome.kind); // 'encrypted' (from a bond that meets the policy) or 'paired'
   * ```
   */
  secure(handle: number, options: SecureOptions = {}): Promise<SecurityOutcome> {
    const state = this.#links.get(handle);
    if (!state) return Promise.reject(new Error(`no connection with handle 0x${handle.toString(16)}`));
    if (state.securing) return state.securing.promise;
    if (state.encrypted && state.keyBond && !options.forcePair) {
      return Promise.resolve({ kind: 'encrypted', bond: state.keyBond });
    }
    const securing = deferred<SecurityOutcome>();
    state.securing = securing;
    const settle = (outcome: Promise<SecurityOutcome>) =>
      outcome.then(
        (value) => {
          if (state.securing === securing) state.securing = undefined;
          securing.resolve(value);
        },
        (error: Error) => {
          if (state.securing === securing) state.securing = undefined;
          securing.reject(error);
        },
      );
    const pairing = () => this.pair(handle, options).then((result) => ({ kind: 'paired', result }) as const);
    if (state.link.role === 'central') {
      const bond = options.forcePair ? undefined : this.#findBond(state);
      const policy = resolvePolicy({ ...this.#options.policy, ...options.policy });
      if (bond?.peerLtk && meetsPolicy(bond, policy)) {
        settle(this.encrypt(handle).then(() => ({ kind: 'encrypted', bond }) as const));
      } else {
        settle(pairing());
      }
    } else {
      // An 'encrypted-with-bond' rejection of pair() comes after secure() resolved: it is ignored.
      settle(pairing());
    }
    return securing.promise;
  }

  /**
   * An SMP PDU arrived on CID 0x0006.
   * @example
   * ```ts
   * if (frame.cid === 0x0006) sm.onSmp(handle, frame.payload);
   * ```
   */
  onSmp(handle: number, data: Uint8Array): void {
    const state = this.#links.get(handle);
    // After an SMP timeout every later SMP PDU on the link is ignored (3.4).
    if (!state || state.smpTimedOut) return;
    const session = this.#session(state, undefined);
    this.#feed(state, { type: 'pdu', data });
    // The timer runs from the reception of a Pairing Request (3.4), also while our user is asked to accept it.
    if (
      data[0] === 0x01 &&
      state.session === session &&
      state.timer === undefined &&
      session.phase === 'awaiting-accept'
    )
      this.#startTimer(state, session);
  }

  /** Starts (or restarts) the link's SMP timer for `session`; on expiry the pairing fails and SMP ends on the link. */
  #startTimer(state: LinkState, session: PairingSession): void {
    this.#timers.clearTimeout(state.timer);
    state.timer = this.#timers.setTimeout(() => {
      state.timer = undefined;
      if (state.session !== session) return;
      this.#feed(state, { type: 'timeout' });
      this.#endSmp(state);
    }, this.#options.smpTimeoutMs ?? SMP_TIMEOUT_MS);
  }

  /**
   * The controller completed every SMP PDU sent so far on the link.
   * @example
   * ```ts
   * sm.acknowledged(handle); // Number Of Completed Packets covered the last SMP PDU sent
   * ```
   */
  acknowledged(handle: number): void {
    const state = this.#links.get(handle);
    if (state?.session) this.#feed(state, { type: 'acknowledged' });
  }

  /**
   * HCI Encryption Change (or Encryption Key Refresh Complete, with `enabled` 1).
   * @example
   * ```ts
   * sm.onEncryptionChange(event.handle, event.status, event.enabled);
   * ```
   */
  onEncryptionChange(handle: number, status: number, enabled: number): void {
    const state = this.#links.get(handle);
    if (!state) return;
    const ok = status === 0 && enabled !== 0;
    state.encrypted = ok;
    const pairing = state.session?.phase === 'encrypting';
    if (pairing)
      this.#feed(
        state,
        ok
          ? { type: 'encrypted' }
          : {
              type: 'encryption-failed',
              cause: status
                ? `Encryption Change ${describeHciError(status)}`
                : 'Encryption Change with encryption off',
            },
      );
    if (state.encrypting) {
      const encrypting = state.encrypting;
      state.encrypting = undefined;
      if (ok) encrypting.resolve();
      else
        encrypting.reject(
          new EncryptionError(
            status === HciErrorCode.PinOrKeyMissing ? 'key-missing' : 'controller',
            status === HciErrorCode.PinOrKeyMissing
              ? `encryption failed: the peer has no key for this bond (${describeHciError(status)})`
              : `encryption failed (${describeHciError(status)})`,
            status,
          ),
        );
    }
    if (!ok) return;
    const bond = pairing ? undefined : state.keyBond;
    this.#host.emit(handle, { type: 'encrypted', bonded: !pairing, ...(bond ? { bond } : {}) });
    if (!pairing && bond && state.link.role === 'peripheral') {
      // The central answered our Security Request (or came on its own) by encrypting with its bond.
      const securing = state.securing;
      state.securing = undefined;
      securing?.resolve({ kind: 'encrypted', bond });
      if (state.pairing && (state.session === undefined || state.session.phase === 'idle')) {
        const waiting = state.pairing;
        state.pairing = undefined;
        state.session = undefined;
        waiting.reject(
          new EncryptionError(
            'encrypted-with-bond',
            'the central encrypted the link with its bond instead of pairing; secure() accepts either',
          ),
        );
      }
    }
  }

  /**
   * Peripheral: HCI LE Long Term Key Request. Answers from the pairing under
   * way, else from the bond store (EDIV 0 and Rand 0: the SC bond of the
   * peer; else the legacy bond with that EDIV and Rand), else a Negative Reply.
   * @example
   * ```ts
   * sm.onLtkRequest(event.handle, event.ediv, event.rand); // on HCI LE Long Term Key Request
   * ```
   */
  onLtkRequest(handle: number, ediv: number, rand: Uint8Array): void {
    const state = this.#links.get(handle);
    if (!state) return;
    const pending = state.pendingKey;
    let key: Uint8Array | undefined;
    if (pending && pending.ediv === ediv && equalBytes(pending.rand, rand)) {
      key = pending.key;
      state.pendingKey = undefined;
    } else {
      const bond = this.#bondForRequest(state, ediv, rand);
      key = bond?.localLtk?.ltk;
      state.keyBond = bond;
    }
    const command: HciCommand = key
      ? { name: 'le-long-term-key-request-reply', handle, ltk: key }
      : { name: 'le-long-term-key-request-negative-reply', handle };
    this.#host.command(command).catch(() => undefined);
  }

  /**
   * Gives up the pairing under way on the link (the user pressed Ctrl-C, the
   * application is stopping): the peer gets Pairing Failed with the reason of
   * the prompt waiting for an answer (0x0C at numeric comparison, 0x01 at
   * passkey entry), else 0x08 Unspecified Reason; `pair()` and `secure()`
   * reject with a {@link PairingError} carrying `message`. A pairing awaited
   * but not yet started (a peripheral's Security Request unanswered) fails with
   * nothing sent. Returns whether there was a pairing to give up.
   * @example
   * ```ts
   * process.once('SIGINT', () => host.security.cancel(connection.handle, 'interrupted (SIGINT)'));
   * ```
   */
  cancel(handle: number, message: string): boolean {
    const state = this.#links.get(handle);
    if (!state) return false;
    const session = state.session;
    if (session && session.phase !== 'idle' && session.phase !== 'completed' && session.phase !== 'failed') {
      this.#feed(state, { type: 'cancel', message });
      return true;
    }
    const pairing = state.pairing;
    if (!pairing) return false;
    state.pairing = undefined;
    state.session = undefined;
    const error = new PairingError(Reason.UnspecifiedReason, 'local', message);
    this.#host.emit(handle, { type: 'pairing-failed', error });
    pairing.reject(error);
    return true;
  }

  /**
   * The association of the pairing under way on the link, once the features
   * are exchanged: LE Secure Connections or legacy, and the model.
   * @example
   * ```ts
   * connection.on('pairing', () => console.log(host.security.association(connection.handle)?.model));
   * ```
   */
  association(handle: number): Association | undefined {
    return this.#links.get(handle)?.session?.association;
  }

  /**
   * Fails every pairing and re-encryption under way: the host is closing.
   * @example
   * ```ts
   * sm.close(); // a pending pair() rejects: disconnected during pairing (reason 0x16 ...)
   * ```
   */
  close(): void {
    for (const handle of [...this.#links.keys()])
      this.removeLink(handle, HciErrorCode.ConnectionTerminatedByLocalHost);
  }

  // ------------------------------------------------------------------ internals

  #session(state: LinkState, policy: Partial<PairingPolicy> | undefined, peerOob?: OobData): PairingSession {
    const current = state.session;
    if (current && current.phase !== 'completed' && current.phase !== 'failed') return current;
    const o = this.#options;
    const peer = peerOob ?? this.#peerOob?.get(addressKey(state.link.peer));
    const local = this.#localOob;
    const kept = this.#findBond(state);
    const oob = {
      ...(peer ? { peer } : {}),
      ...(local ? { localRandom: local.random } : {}),
    };
    const session = new PairingSession({
      role: state.link.role === 'central' ? 'initiator' : 'responder',
      local: state.link.local,
      peer: state.link.peer,
      policy: { ...o.policy, ...policy },
      attempts: this.attempts,
      ...(o.crypto ? { crypto: o.crypto } : {}),
      ...(o.random ? { random: o.random } : {}),
      ...(this.#identity ? { identity: this.#identity } : {}),
      ...(local ? { keyPair: local.keyPair } : {}),
      ...(peer || local ? { oob } : {}),
      ...(kept ? { keptBond: kept } : {}),
      ...(o.fixedPasskey !== undefined ? { fixedPasskey: o.fixedPasskey } : {}),
    });
    state.session = session;
    state.phase = session.phase;
    state.localOob = local;
    return session;
  }

  #feed(state: LinkState, input: SessionInput): void {
    const session = state.session;
    if (!session) return;
    const outputs = session.handle(input);
    for (const output of outputs) this.#act(state, session, output);
    if (state.session === session && session.phase !== state.phase) {
      state.phase = session.phase;
      this.#host.emit(state.link.handle, { type: 'pairing', phase: session.phase });
    }
    if (state.session === session && (session.phase === 'completed' || session.phase === 'failed')) {
      state.session = undefined;
    }
  }

  #act(state: LinkState, session: PairingSession, output: SessionOutput): void {
    const handle = state.link.handle;
    switch (output.type) {
      case 'send':
        this.#host.sendSmp(handle, output.data);
        return;
      case 'timer':
        this.#timers.clearTimeout(state.timer);
        state.timer = undefined;
        if (output.action === 'start') this.#startTimer(state, session);
        return;
      case 'prompt': {
        const { id, prompt } = output;
        const refusal = prompt.kind === 'enter-passkey' ? null : false;
        const deliver = (value: unknown, message?: string) => {
          if (prompt.kind === 'display-passkey') return;
          if (state.session === session && this.#links.get(handle) === state) {
            this.#feed(state, { type: 'answer', id, value, ...(message !== undefined ? { message } : {}) });
          }
        };
        // A delegate that throws refuses, and its error's message says why.
        const refuse = (error: unknown) =>
          deliver(refusal, error instanceof Error && error.message !== '' ? error.message : undefined);
        let value: unknown;
        try {
          // The delegate is told who the peer is: its identity when known (an RPA resolved, an identity distributed).
          value = answerPrompt(state.delegate, { ...prompt, peer: state.identity });
        } catch (error) {
          queueMicrotask(() => refuse(error));
          return;
        }
        if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') {
          Promise.resolve(value).then((answer) => deliver(answer), refuse);
        } else {
          // Answer after this batch of outputs is acted on, as a person would.
          queueMicrotask(() => deliver(value));
        }
        return;
      }
      case 'start-encryption':
        this.#host
          .command({
            name: 'le-start-encryption',
            handle,
            rand: output.rand,
            ediv: output.ediv,
            ltk: output.key,
          })
          .catch((error: Error) => {
            if (state.session === session)
              this.#feed(state, { type: 'encryption-failed', cause: error.message });
          });
        return;
      case 'provide-key':
        state.pendingKey = { key: output.key, ediv: output.ediv, rand: output.rand };
        return;
      case 'security-request':
        this.#host.emit(handle, { type: 'security-request', authReq: output.authReq });
        this.#onSecurityRequest(state, output.authReq);
        return;
      case 'keypress':
        return;
      case 'completed': {
        // OOB data is for one pairing: once our key pair served one, the next localOobData() makes new.
        if (this.#localOob && state.localOob === this.#localOob) this.#localOob = undefined;
        const bond = bondOfPairing(output.result, state.link.role, state.identity);
        state.identity = output.result.peerKeys.identityAddress ?? state.identity;
        if (bond) {
          this.bonds.put(bond);
          this.#host.emit(handle, { type: 'bonded', bond });
        }
        state.pendingKey = undefined;
        this.#host.emit(handle, { type: 'paired', result: output.result, ...(bond ? { bond } : {}) });
        const pairing = state.pairing;
        state.pairing = undefined;
        pairing?.resolve(output.result);
        return;
      }
      case 'failed': {
        const f = output.failure;
        state.pendingKey = undefined;
        const error = new PairingError(f.reason, f.by, f.message, f.timeout);
        this.#host.emit(handle, { type: 'pairing-failed', error });
        const pairing = state.pairing;
        state.pairing = undefined;
        pairing?.reject(error);
        return;
      }
    }
  }

  /**
   * The SMP timer expired (Core Vol 3 Part H 3.4): no further SMP command on
   * the link, and a new pairing needs a new physical link, so the link is
   * disconnected, as Linux does; a peripheral then advertises again.
   */
  #endSmp(state: LinkState): void {
    state.smpTimedOut = true;
    state.session = undefined;
    this.#host
      .command({
        name: 'disconnect',
        handle: state.link.handle,
        reason: HciErrorCode.RemoteUserTerminatedConnection,
      })
      .catch(() => undefined);
  }

  #onSecurityRequest(state: LinkState, authReq: number): void {
    if ((this.#options.onSecurityRequest ?? 'auto') !== 'auto') return;
    const bond = this.#findBond(state);
    // The requested level (as Linux's authreq_to_seclevel): MITM asks for authentication, and MITM with SC
    // for an authenticated SC key; the SC bit alone asks for no more than encryption.
    // A central that does not do SC itself cannot reach the SC level: pairing again would only repeat legacy.
    const weDoSc = this.#options.policy?.secureConnections ?? true;
    const wantsMitm = (authReq & AuthReq.Mitm) !== 0;
    const wantsScLevel = wantsMitm && weDoSc && (authReq & AuthReq.SecureConnections) !== 0;
    if (bond?.peerLtk && (!wantsMitm || bond.authenticated) && (!wantsScLevel || bond.secureConnections)) {
      state.session = undefined;
      // Nobody awaits this encryption: its failure (the peer lost the bond: Key Missing) is reported, not dropped.
      this.encrypt(state.link.handle).catch((error: EncryptionError) =>
        this.#host.emit(state.link.handle, { type: 'encryption-failed', error }),
      );
      return;
    }
    if (!state.pairing) {
      state.pairing = deferred<PairingResult>();
    }
    queueMicrotask(() => {
      if (state.session?.phase === 'idle') this.#feed(state, { type: 'start' });
    });
  }

  /** The bond with the link's peer, by its identity. */
  #findBond(state: LinkState): Bond | undefined {
    return this.bonds.get(state.identity);
  }

  #bondForRequest(state: LinkState, ediv: number, rand: Uint8Array): Bond | undefined {
    if (ediv === 0 && equalBytes(rand, ZERO_8)) {
      const bond = this.#findBond(state);
      return bond?.secureConnections ? bond : undefined;
    }
    for (const bond of this.bonds.list()) {
      const key = bond.localLtk;
      if (!bond.secureConnections && key && key.ediv === ediv && equalBytes(key.rand, rand)) return bond;
    }
    return undefined;
  }
}

function addressKey(peer: DeviceAddress): string {
  return `${peer.type}:${Array.from(peer.address, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function statusOf(error: Error): number | undefined {
  return (error as { status?: unknown }).status !== undefined
    ? Number((error as { status?: unknown }).status)
    : undefined;
}
