/**
 * Repeated attempts (Core Vol 3 Part H 2.3.6): after a failed pairing, a new
 * attempt from the same peer within a waiting interval that doubles with each
 * failure is answered with Repeated Attempts (0x09). The clock is injected.
 * @module
 */

/** How the waiting interval grows. */
export interface RepeatedAttemptsOptions {
  /** The wait after the first failure, in milliseconds (default 2,000). */
  readonly baseMs?: number;
  /** The longest wait, in milliseconds (default 120,000). */
  readonly maxMs?: number;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Failure memory per peer, shared by every session of a host.
 * @example
 * ```ts
 * const attempts = new RepeatedAttempts({ now: () => fakeTime });
 * attempts.recordFailure(peer);
 * attempts.waitMs(peer); // 2000: a Pairing Request now gets Repeated Attempts
 * ```
 */
export class RepeatedAttempts {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #now: () => number;
  readonly #peers = new Map<string, { failures: number; until: number }>();

  constructor(options: RepeatedAttemptsOptions = {}) {
    this.#baseMs = options.baseMs ?? 2_000;
    this.#maxMs = options.maxMs ?? 120_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Milliseconds the peer must still wait before it may try again (0: it may).
   * @example
   * ```ts
   * host.security.attempts.waitMs('b8:27:eb:15:50:70/0'); // the peer as a session names it: address/type
   * ```
   */
  waitMs(peer: string): number {
    const entry = this.#peers.get(peer);
    return entry ? Math.max(0, entry.until - this.#now()) : 0;
  }

  /**
   * A pairing with the peer failed: the next wait doubles.
   * @example
   * ```ts
   * attempts.recordFailure('b8:27:eb:15:50:70/0'); // waits 2 s
   * attempts.recordFailure('b8:27:eb:15:50:70/0'); // then 4 s, up to maxMs
   * ```
   */
  recordFailure(peer: string): void {
    const failures = (this.#peers.get(peer)?.failures ?? 0) + 1;
    const wait = Math.min(this.#maxMs, this.#baseMs * 2 ** (failures - 1));
    this.#peers.set(peer, { failures, until: this.#now() + wait });
  }

  /**
   * A pairing with the peer succeeded: its record is cleared.
   * @example
   * ```ts
   * host.security.attempts.recordSuccess('b8:27:eb:15:50:70/0'); // let a peer that failed pair again at once
   * ```
   */
  recordSuccess(peer: string): void {
    this.#peers.delete(peer);
  }
}
