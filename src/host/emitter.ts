/**
 * A small typed event emitter: listeners run synchronously in the order they
 * were added; a listener that throws does not stop the others.
 * @module
 */
import { NO_LISTENERS, withListener, withoutListener } from '../transport/listener-list.js';

/**
 * Event names mapped to their listener's argument list. `EventMap<E>` checks a
 * closed map `E` (an interface with no index signature): only its names are
 * events, so a misspelt name does not compile.
 */
export type EventMap<E = Record<string, unknown[]>> = { readonly [K in keyof E]: unknown[] };

/**
 * A typed event emitter over a closed event map: `on`, `once`, `off` and
 * `emit` take only the map's names, and each listener gets its event's
 * arguments.
 * @example
 * ```ts
 * const events = new Emitter<{ tick: [n: number] }>();
 * events.on('tick', (n) => console.log(n));
 * events.emit('tick', 1);
 * ```
 */
export class Emitter<E extends EventMap<E>> {
  /** Made on the first listener: most connections and hosts never have one for most events. */
  #listeners: Map<keyof E, readonly unknown[]> | undefined;

  /**
   * Adds a listener; returns a function that removes it.
   * @example
   * ```ts
   * const stop = host.on('connection', (connection) => console.log(connection.handle));
   * stop(); // no more connection events for this listener
   * ```
   */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    this.#listeners ??= new Map();
    this.#listeners.set(event, withListener(this.#listeners.get(event) ?? NO_LISTENERS, listener));
    return () => this.off(event, listener);
  }

  /**
   * Adds a listener that runs once; the function it returns removes it before then.
   * @example
   * ```ts
   * connection.once('encrypted', (bonded) => console.log(bonded ? 'from the bond' : 'paired'));
   * ```
   */
  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /**
   * Removes a listener added with {@link Emitter.on} (for one added with {@link Emitter.once}, call the function `once` returned).
   * @example
   * ```ts
   * host.on('disconnect', onDisconnect);
   * host.off('disconnect', onDisconnect);
   * ```
   */
  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): void {
    const list = this.#listeners?.get(event);
    if (list) this.#listeners!.set(event, withoutListener(list, listener));
  }

  /**
   * Calls every listener of `event` with `args`, in the order they were added;
   * a listener that throws is reported on a microtask and the rest still run.
   * @example
   * ```ts
   * class Ticker extends Emitter<{ tick: [n: number] }> {}
   * new Ticker().emit('tick', 1); // every 'tick' listener gets 1
   * ```
   */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    // Lists are replaced, never changed in place: this loop sees the listeners as they were when it began.
    for (const listener of this.#listeners?.get(event) ?? NO_LISTENERS) {
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
