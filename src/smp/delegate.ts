/**
 * The user's side of pairing. A session asks through prompts; a delegate
 * answers them (asynchronously: a person may take a while). Ready-made
 * delegates cover servers, headless devices, scripts and tests.
 * @module
 */
import { toHex } from '../crypto/bytes.js';
import type { PairingFeatures } from './pdu.js';

/** A device address as on the connection: 6 octets in wire order and its type (0 public, 1 random). */
export interface DeviceAddress {
  readonly address: Uint8Array;
  readonly type: 0 | 1;
}

/** What a session asks of the user. */
export type Prompt =
  | { readonly kind: 'accept'; readonly peer: DeviceAddress; readonly request: PairingFeatures }
  | { readonly kind: 'just-works'; readonly peer: DeviceAddress }
  | { readonly kind: 'confirm-number'; readonly peer: DeviceAddress; readonly value: number }
  | { readonly kind: 'display-passkey'; readonly peer: DeviceAddress; readonly passkey: number }
  | { readonly kind: 'enter-passkey'; readonly peer: DeviceAddress };

/** OOB data received from the peer: LE legacy's shared TK, or the peer's SC random and confirm. */
export type OobData =
  | { readonly tk: Uint8Array }
  | { readonly random: Uint8Array; readonly confirm: Uint8Array };

/** The answer each prompt takes (`display-passkey` needs none). */
export type PromptAnswer<P extends Prompt> = P extends { kind: 'accept' | 'just-works' | 'confirm-number' }
  ? boolean
  : P extends { kind: 'enter-passkey' }
    ? number | null
    : undefined;

/** Answers prompts. Every method may return a promise. */
export interface PairingDelegate {
  /**
   * Accept a pairing attempt from this peer with this request (responder).
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   acceptPairing: (_peer, request) => (request.authReq & AuthReq.Bonding) !== 0, // only peers that bond
   * };
   * ```
   */
  acceptPairing(peer: DeviceAddress, request: PairingFeatures): boolean | Promise<boolean>;
  /**
   * Consent to an unauthenticated (Just Works) pairing.
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   confirmJustWorks: (peer) => ask(`Pair with ${formatAddress(peer.address)} without a code?`),
   * };
   * ```
   */
  confirmJustWorks(peer: DeviceAddress): boolean | Promise<boolean>;
  /**
   * Do both screens show this six-digit value?
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   confirmNumber: (_peer, value) => ask(`Does the other device show ${String(value).padStart(6, '0')}?`),
   * };
   * ```
   */
  confirmNumber(peer: DeviceAddress, value: number): boolean | Promise<boolean>;
  /**
   * Show this passkey; the peer's user types it.
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   displayPasskey: (_peer, passkey) => console.log(`Type ${String(passkey).padStart(6, '0')} on the other device`),
   * };
   * ```
   */
  displayPasskey(peer: DeviceAddress, passkey: number): void | Promise<void>;
  /**
   * The passkey the peer shows (0..999999), or null to cancel.
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   enterPasskey: () => askNumber('The code the other device shows:'), // null when the user cancels
   * };
   * ```
   */
  enterPasskey(peer: DeviceAddress): number | null | Promise<number | null>;
  /**
   * OOB data received from the peer, or null when there is none. Asked before
   * a session starts: whether we hold the peer's OOB data is part of our
   * Pairing Request or Response.
   * @example
   * ```ts
   * const delegate: PairingDelegate = {
   *   ...acceptAll,
   *   oobData: (peer) => oobByAddress.get(formatAddress(peer.address)) ?? null, // { random, confirm } read over NFC
   * };
   * ```
   */
  oobData(peer: DeviceAddress, secureConnections: boolean): OobData | null | Promise<OobData | null>;
}

/**
 * Routes a prompt to the delegate method that answers it; returns the answer
 * as the delegate gives it (a value, or a promise of one).
 * @example
 * ```ts
 * const value = await answerPrompt(delegate, output.prompt);
 * session.handle({ type: 'answer', id: output.id, value });
 * ```
 */
export function answerPrompt(delegate: PairingDelegate, prompt: Prompt): unknown {
  switch (prompt.kind) {
    case 'accept':
      return delegate.acceptPairing(prompt.peer, prompt.request);
    case 'just-works':
      return delegate.confirmJustWorks(prompt.peer);
    case 'confirm-number':
      return delegate.confirmNumber(prompt.peer, prompt.value);
    case 'display-passkey':
      return delegate.displayPasskey(prompt.peer, prompt.passkey);
    case 'enter-passkey':
      return delegate.enterPasskey(prompt.peer);
  }
}

/**
 * Accepts every attempt, consents to Just Works and confirms every number; it
 * cannot type a passkey (cancels) and has no OOB data. For devices with no
 * user where the policy, not a person, decides.
 * @example
 * ```ts
 * new PairingSession({ ..., delegate: acceptAll });
 * ```
 */
export const acceptAll: PairingDelegate = Object.freeze({
  acceptPairing: () => true,
  confirmJustWorks: () => true,
  confirmNumber: () => true,
  displayPasskey: () => undefined,
  enterPasskey: () => null,
  oobData: () => null,
});

/**
 * Refuses every attempt and every confirmation.
 * @example
 * ```ts
 * const delegate = pairingWindowOpen ? acceptAll : refuseAll;
 * ```
 */
export const refuseAll: PairingDelegate = Object.freeze({
  acceptPairing: () => false,
  confirmJustWorks: () => false,
  confirmNumber: () => false,
  displayPasskey: () => undefined,
  enterPasskey: () => null,
  oobData: () => null,
});

/**
 * Lets only the listed peers pair (by address, `aa:bb:cc:dd:ee:ff` as printed,
 * most significant octet first), and hands every other question to `inner`.
 * @example
 * ```ts
 * const delegate = allowlist(['d2:a7:4c:76:f3:e0'], acceptAll);
 * ```
 */
export function allowlist(addresses: readonly string[], inner: PairingDelegate = acceptAll): PairingDelegate {
  const allowed = new Set(addresses.map((a) => a.toLowerCase()));
  // Forward each method: a class instance's methods live on its prototype, which a spread would drop.
  return Object.freeze({
    acceptPairing: (peer: DeviceAddress, request: PairingFeatures) =>
      allowed.has(formatAddress(peer.address)) ? inner.acceptPairing(peer, request) : false,
    confirmJustWorks: (peer: DeviceAddress) => inner.confirmJustWorks(peer),
    confirmNumber: (peer: DeviceAddress, value: number) => inner.confirmNumber(peer, value),
    displayPasskey: (peer: DeviceAddress, passkey: number) => inner.displayPasskey(peer, passkey),
    enterPasskey: (peer: DeviceAddress) => inner.enterPasskey(peer),
    oobData: (peer: DeviceAddress, secureConnections: boolean) => inner.oobData(peer, secureConnections),
  });
}

/** The answers a {@link fixedAnswers} delegate gives. */
export interface FixedAnswers {
  readonly accept?: boolean;
  readonly justWorks?: boolean;
  readonly confirmNumber?: boolean;
  /** The passkey to type, or null to cancel. */
  readonly passkey?: number | null;
  readonly oob?: OobData | null;
  /** Called with every passkey this side displays and every number it confirms (for scripts and tests). */
  readonly onShown?: (kind: 'passkey' | 'number', value: number) => void;
}

/**
 * A delegate with fixed answers, for scripts and tests.
 * @example
 * ```ts
 * const delegate = fixedAnswers({ passkey: 123456, confirmNumber: true });
 * ```
 */
export function fixedAnswers(answers: FixedAnswers): PairingDelegate {
  return Object.freeze({
    acceptPairing: () => answers.accept ?? true,
    confirmJustWorks: () => answers.justWorks ?? true,
    confirmNumber: (_peer: DeviceAddress, value: number) => {
      answers.onShown?.('number', value);
      return answers.confirmNumber ?? true;
    },
    displayPasskey: (_peer: DeviceAddress, passkey: number) => {
      answers.onShown?.('passkey', passkey);
    },
    enterPasskey: () => answers.passkey ?? null,
    oobData: () => answers.oob ?? null,
  });
}

/**
 * An address in wire order as people write it: `aa:bb:cc:dd:ee:ff`, most
 * significant octet first.
 * @example
 * ```ts
 * formatAddress(Uint8Array.of(0xe0, 0xf3, 0x76, 0x4c, 0xa7, 0xd2)); // 'd2:a7:4c:76:f3:e0'
 * ```
 */
export function formatAddress(address: Uint8Array): string {
  return (toHex(Uint8Array.from(address).reverse()).match(/../g) ?? []).join(':');
}
