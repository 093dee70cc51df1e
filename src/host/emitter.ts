/**
 * A small typed event emitter: listeners run synchronously in the order they
 * were added; a listener that throws does not stop the others.
 * @module
 */

/** Event names mapped to their listener's argument list. */
export type EventMap = Record<string, unknown[]>;

/**
 * A typed event emitter.
 * @example
 * ```ts
 * const events = new Emitter<{ tick: [n: number] }>();
 * events.on('tick', (n) => console.log(n));
 * events.emit('tick', 1);
 * ```
 */
export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<unknown>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event` with `args`. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: E[K]) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
