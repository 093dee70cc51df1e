/**
 * A pairing agent for a device with no display and no keyboard (a speaker, a
 * gateway): who may pair is decided by an allowlist of identity addresses and
 * an approval window that the application opens from whatever signal it has
 * (a button, an HTTP call, a file). Free of I/O: the clock is injected.
 * See docs/headless-pairing.md.
 * @module
 */
import { IoCapability } from './constants.js';
import { type DeviceAddress, formatAddress, type OobData, type PairingDelegate } from './delegate.js';
import type { PairingFeatures } from './pdu.js';
import type { PairingPolicy } from './policy.js';

/** Options of {@link HeadlessAgent}. */
export interface HeadlessAgentOptions {
  /**
   * Identity addresses (`aa:bb:cc:dd:ee:ff`, or an address with its type) that
   * may pair at any time. An address can be claimed by anyone in radio range:
   * see docs/headless-pairing.md for what an allowlist does and does not stop.
   */
  readonly allowlist?: readonly (string | DeviceAddress)[];
  /** How long a window stays open after {@link HeadlessAgent.approve} (default 60,000 ms). */
  readonly windowMs?: number;
  /**
   * Shows a passkey for the peer's user to type (a web page, a log line, an
   * LED pattern). With it the agent advertises DisplayOnly, so a peer with a
   * keyboard pairs by Passkey Entry (authenticated); without it, NoInputNoOutput.
   */
  readonly displayPasskey?: (peer: DeviceAddress, passkey: number) => void;
  /** Told of every decision (for a log line or an audit trail). */
  readonly onDecision?: (decision: AgentDecision) => void;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** One decision of the agent. */
export interface AgentDecision {
  readonly peer: DeviceAddress;
  /** What was asked: a pairing attempt, Just Works consent, a numeric comparison, passkey entry. */
  readonly kind: 'accept' | 'just-works' | 'confirm-number' | 'enter-passkey';
  readonly allowed: boolean;
  /** `allowlist`, `window`, `closed` (neither), or `no-keyboard` (passkey entry is impossible here). */
  readonly why: 'allowlist' | 'window' | 'closed' | 'no-keyboard';
}

/**
 * The headless agent: a {@link PairingDelegate} and the policy to pair with.
 * Pairing attempts, Just Works and Numeric Comparison are approved for an
 * allowlisted peer at any time and for any peer while the window is open;
 * otherwise a responder refuses the attempt with Pairing Not Supported (0x05),
 * a comparison fails with Numeric Comparison Failed (0x0C) and Just Works
 * with Unspecified Reason (0x08). Passkey entry, which needs a keyboard, is
 * cancelled (Passkey Entry Failed, 0x01). The peer named in each question is
 * its identity when the host resolved it (a bonded peer on a new RPA).
 * @example
 * ```ts
 * const agent = new HeadlessAgent({
 *   allowlist: ['b8:27:eb:15:50:70'],
 *   displayPasskey: (peer, passkey) => console.log(`type ${passkey} on ${formatAddress(peer.address)}`),
 * });
 * const host = await Host.open(transport, { delegate: agent, policy: agent.policy });
 * button.on('press', () => agent.approve()); // pairing is open for 60 s
 * ```
 */
export class HeadlessAgent implements PairingDelegate {
  readonly #allowed: ReadonlySet<string>;
  readonly #windowMs: number;
  readonly #display: HeadlessAgentOptions['displayPasskey'];
  readonly #onDecision: HeadlessAgentOptions['onDecision'];
  readonly #now: () => number;
  #openUntil = Number.NEGATIVE_INFINITY;
  /** The policy for this agent: the IO capability it can honour, everything else the secure defaults. */
  readonly policy: Partial<PairingPolicy>;

  constructor(options: HeadlessAgentOptions = {}) {
    this.#allowed = new Set((options.allowlist ?? []).map(allowlistKey));
    this.#windowMs = options.windowMs ?? 60_000;
    if (!(this.#windowMs > 0)) throw new TypeError(`windowMs must be positive, got ${options.windowMs}`);
    this.#display = options.displayPasskey;
    this.#onDecision = options.onDecision;
    this.#now = options.now ?? Date.now;
    this.policy = Object.freeze({
      ioCapability: this.#display ? IoCapability.DisplayOnly : IoCapability.NoInputNoOutput,
    });
  }

  /**
   * Opens the approval window for `durationMs` (default the agent's `windowMs`) from now.
   * @example
   * ```ts
   * button.on('long-press', () => agent.approve(5 * 60_000)); // five minutes instead of the default
   * ```
   */
  approve(durationMs: number = this.#windowMs): void {
    if (!(durationMs > 0)) throw new TypeError(`durationMs must be positive, got ${durationMs}`);
    this.#openUntil = Math.max(this.#openUntil, this.#now() + durationMs);
  }

  /**
   * Closes the window now.
   * @example
   * ```ts
   * host.on('encrypted', () => agent.close()); // one pairing per press of the button
   * ```
   */
  close(): void {
    this.#openUntil = Number.NEGATIVE_INFINITY;
  }

  /** Milliseconds the window stays open (0 when closed). */
  get windowRemainingMs(): number {
    return Math.max(0, this.#openUntil - this.#now());
  }

  /**
   * Whether this peer may pair now, and why.
   * @example
   * ```ts
   * agent.allows({ address: parseAddress('b8:27:eb:15:50:70'), type: 0 }); // 'allowlist', 'window' or 'closed'
   * ```
   */
  allows(peer: DeviceAddress): AgentDecision['why'] {
    if (this.#allowed.has(allowlistKey(peer)) || this.#allowed.has(formatAddress(peer.address))) {
      return 'allowlist';
    }
    return this.#now() < this.#openUntil ? 'window' : 'closed';
  }

  /**
   * Responder: accepts a pairing attempt from an allowlisted peer at any time
   * and from any peer while the window is open (else the attempt is refused
   * with Pairing Not Supported); `onDecision` hears the decision.
   * @example
   * ```ts
   * agent.acceptPairing(peer, request); // false while the window is closed and the peer is not allowlisted
   * ```
   */
  acceptPairing(peer: DeviceAddress, _request: PairingFeatures): boolean {
    return this.#decide(peer, 'accept');
  }

  /**
   * Consents to Just Works for the peers {@link HeadlessAgent.allows} lets pair; `onDecision` hears the decision.
   * @example
   * ```ts
   * agent.confirmJustWorks(peer); // true for an allowlisted peer, whether or not the window is open
   * ```
   */
  confirmJustWorks(peer: DeviceAddress): boolean {
    return this.#decide(peer, 'just-works');
  }

  /**
   * Confirms a Numeric Comparison for the peers {@link HeadlessAgent.allows}
   * lets pair (with no screen, the value itself cannot be checked); `onDecision` hears the decision.
   * @example
   * ```ts
   * agent.confirmNumber(peer, 938554); // true while the window is open
   * ```
   */
  confirmNumber(peer: DeviceAddress, _value: number): boolean {
    return this.#decide(peer, 'confirm-number');
  }

  /**
   * Hands the passkey to the `displayPasskey` option (nothing happens without one).
   * @example
   * ```ts
   * agent.displayPasskey(peer, 123456); // the option shows it: a web page, a log line, an LED pattern
   * ```
   */
  displayPasskey(peer: DeviceAddress, passkey: number): void {
    this.#display?.(peer, passkey);
  }

  /**
   * Cancels Passkey Entry (Passkey Entry Failed): there is no keyboard; `onDecision` hears `no-keyboard`.
   * @example
   * ```ts
   * agent.enterPasskey(peer); // null
   * ```
   */
  enterPasskey(peer: DeviceAddress): null {
    this.#onDecision?.({ peer, kind: 'enter-passkey', allowed: false, why: 'no-keyboard' });
    return null;
  }

  /**
   * No OOB data: the agent has none to give.
   * @example
   * ```ts
   * agent.oobData(peer, true); // null
   * ```
   */
  oobData(_peer: DeviceAddress, _secureConnections: boolean): OobData | null {
    return null;
  }

  #decide(peer: DeviceAddress, kind: AgentDecision['kind']): boolean {
    const why = this.allows(peer);
    const allowed = why !== 'closed';
    this.#onDecision?.({ peer, kind, allowed, why });
    return allowed;
  }
}

/** An allowlist entry as a key: the address as printed, with `/type` when the type is given. */
function allowlistKey(entry: string | DeviceAddress): string {
  if (typeof entry !== 'string') return `${formatAddress(entry.address)}/${entry.type}`;
  const text = entry.trim().toLowerCase();
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text)) {
    throw new TypeError(`allowlist: ${JSON.stringify(entry)} is not an address like aa:bb:cc:dd:ee:ff`);
  }
  return text;
}
