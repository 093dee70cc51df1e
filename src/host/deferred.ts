/**
 * A promise with its resolve and reject in hand, for requests answered by a later event.
 * @module
 */

/** A promise and the functions that settle it. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A promise and the functions that settle it; its rejection is handled, so a
 * caller that never awaits it sees no unhandled rejection.
 * @example
 * ```ts
 * const done = deferred<number>();
 * setTimeout(() => done.resolve(1));
 * await done.promise;
 * ```
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that never awaits must not see an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
