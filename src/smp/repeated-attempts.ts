/**
 * Repeated attempts (Core Vol 3 Part H 2.3.6): after a failed pairing, a new
 * attempt from the same peer within a waiting interval that doubles with each
 * failure is answered with Repeated Attempts (0x09). The clock is injected.
 * @module
 */

/** How the waiting interval grows, how much is remembered, and an optional budget across peers. */
export interface RepeatedAttemptsOptions {
  /** The wait after the first failure, in milliseconds (default 2,000). */
  readonly baseMs?: number;
  /** The longest wait, in milliseconds (default 120,000). */
  readonly maxMs?: number;
  /** The clock, in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Peers remembered at most (default 1,024): past it the one least recently
   * failed is forgotten, so a peer on a fresh address per attempt cannot
   * grow the memory.
   */
  readonly maxPeers?: number;
  /**
   * A budget of failed pairings across every peer (off by default): once
   * `failures` failed within `windowMs`, every new attempt, from any
   * address, waits until enough of them leave the window. Against a peer
   * that rotates its random address to escape the per-peer wait.
   */
  readonly budget?: { readonly failures: number; readonly windowMs: number };
}

/**
 * Failure memory per peer, shared by every session of a host. A peer's
 * entry is forgotten once its wait has passed and as long again has gone by
 * without a failure (a retry soon after the wait still doubles it), or when
 * `maxPeers` newer entries push it out.
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
  readonly #maxPeers: number;
  readonly #budget: { readonly failures: number; readonly windowMs: number } | undefined;
  /** In order of last failure, oldest first (a Map keeps insertion order: LRU by re-insertion). */
  /** Made on the first failure: most hosts never see one. */
  #peers: Map<string, { failures: number; until: number; forgetAt: number }> | undefined;
  /** Times of the failures inside the budget's window, oldest first; made with the first failure. */
  #recent: number[] | undefined;

  constructor(options: RepeatedAttemptsOptions = {}) {
    this.#baseMs = options.baseMs ?? 2_000;
    this.#maxMs = options.maxMs ?? 120_000;
    this.#now = options.now ?? Date.now;
    this.#maxPeers = Math.max(1, options.maxPeers ?? 1_024);
    if (options.budget && !(options.budget.failures >= 1 && options.budget.windowMs > 0)) {
      throw new RangeError('RepeatedAttempts: budget needs failures >= 1 and windowMs > 0');
    }
    this.#budget = options.budget;
  }

  /**
   * Peers remembered now (bounded by `maxPeers`).
   * @example
   * ```ts
   * attempts.size; // 0 once every wait has passed and been forgotten
   * ```
   */
  get size(): number {
    this.#forget(this.#now());
    return this.#peers?.size ?? 0;
  }

  /**
   * Milliseconds the peer must still wait before it may try again (0: it may).
   * @example
   * ```ts
   * host.security.attempts.waitMs('b8:27:eb:15:50:70/0'); // the peer as a session names it: address/type
   * ```
   */
  waitMs(peer: string): number {
    const now = this.#now();
    this.#forget(now);
    const entry = this.#peers?.get(peer);
    const own = entry ? Math.max(0, entry.until - now) : 0;
    return Math.max(own, this.#budgetWait(now));
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
    const now = this.#now();
    this.#forget(now);
    this.#peers ??= new Map();
    const peers = this.#peers;
    const failures = (peers.get(peer)?.failures ?? 0) + 1;
    const wait = Math.min(this.#maxMs, this.#baseMs * 2 ** (failures - 1));
    peers.delete(peer);
    peers.set(peer, { failures, until: now + wait, forgetAt: now + 2 * wait });
    while (peers.size > this.#maxPeers) peers.delete(peers.keys().next().value!);
    if (this.#budget) {
      this.#recent ??= [];
      this.#recent.push(now);
    }
  }

  /** Drops peers whose wait, and as long again, has passed; and failures older than the budget's window. */
  #forget(now: number): void {
    const peers = this.#peers;
    if (peers) for (const [peer, entry] of peers) if (entry.forgetAt <= now) peers.delete(peer);
    const recent = this.#recent;
    if (this.#budget && recent) {
      const from = now - this.#budget.windowMs;
      while (recent.length && recent[0]! <= from) recent.shift();
    }
  }

  /** With the budget spent: how long until the oldest failure in the window leaves it. */
  #budgetWait(now: number): number {
    const budget = this.#budget;
    const recent = this.#recent;
    if (!budget || !recent || recent.length < budget.failures) return 0;
    return Math.max(0, recent[recent.length - budget.failures]! + budget.windowMs - now);
  }

  /**
   * A pairing with the peer succeeded: its record is cleared.
   * @example
   * ```ts
   * host.security.attempts.recordSuccess('b8:27:eb:15:50:70/0'); // let a peer that failed pair again at once
   * ```
   */
  recordSuccess(peer: string): void {
    this.#peers?.delete(peer);
  }
}
