/**
 * Connection handles of one virtual controller (Core Vol 4 Part E 5.4.2:
 * 0x0000 to 0x0EFF, each controller its own), allocated in O(1): a counter
 * that moves on past handles in use, so that a freed handle is not handed out
 * again at once (a host that keeps using a stale handle is caught).
 * @module
 */

/** The largest Connection_Handle (Vol 4 Part E 5.4.2). */
export const LAST_HANDLE = 0x0eff;

/**
 * The handles one controller has in use.
 * @example
 * ```ts
 * const pool = new HandlePool(0x0040);
 * const handle = pool.allocate(); // 0x0040
 * pool.free(handle);
 * ```
 */
export class HandlePool {
  readonly #inUse = new Set<number>();
  #next: number;

  /** `first` is where the counter starts (0x0040 for the first controller on an air, as many controllers do). */
  constructor(first: number) {
    this.#next = first % (LAST_HANDLE + 1);
  }

  /**
   * A free handle other than `avoid` (the other end's handle of the same
   * link, so that a host confusing the two fails), or undefined when every
   * handle is in use: amortised O(1) while the pool is not nearly full.
   * @example
   * ```ts
   * pool.allocate(centralHandle); // never centralHandle
   * ```
   */
  allocate(avoid?: number): number | undefined {
    if (this.#inUse.size >= LAST_HANDLE) return undefined; // keep one spare for `avoid`
    for (;;) {
      const handle = this.#next;
      this.#next = handle >= LAST_HANDLE ? 0 : handle + 1;
      if (handle !== avoid && !this.#inUse.has(handle)) {
        this.#inUse.add(handle);
        return handle;
      }
    }
  }

  /**
   * Returns `handle` to the pool.
   * @example
   * ```ts
   * pool.free(0x0040);
   * ```
   */
  free(handle: number): void {
    this.#inUse.delete(handle);
  }

  /** Handles in use. */
  get size(): number {
    return this.#inUse.size;
  }
}
