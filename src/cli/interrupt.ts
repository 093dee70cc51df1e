/**
 * SIGINT and SIGTERM while `ble-smp pair` or `ble-smp serve` runs: the first
 * asks the command to stop cleanly (exit status 130 or 143), a second exits at once.
 * @module
 */

/** The signals a command stops on, and the exit status each gives (128 + the signal number). */
export const INTERRUPT_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;

/** A signal a command stops on. */
export type InterruptSignal = keyof typeof INTERRUPT_STATUS;

/** A command's watch on SIGINT and SIGTERM. */
export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM, or when the caller's signal aborts; its reason is an Error with `message`. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command (the caller's abort counts as SIGINT), once one did. */
  readonly by: InterruptSignal | undefined;
  /** The exit status to give: 130 after SIGINT, 143 after SIGTERM; undefined while not interrupted. */
  readonly status: number | undefined;
  /** One line saying what happened, as `interrupted (SIGINT)`, for failures and events. */
  readonly message: string;
  /** Stops watching the signals. */
  dispose(): void;
}

/**
 * Watches SIGINT and SIGTERM (and `outer`, a caller's AbortSignal) for a
 * command. The first signal aborts `signal`: the command fails the pairing
 * under way, leaves the link and the controller, and returns `status`. A
 * second signal, while it is doing so, exits the process at once with that status.
 * @example
 * ```ts
 * const interrupt = interruption(signal);
 * try {
 *   interrupt.signal.addEventListener('abort', () => void leave(host, interrupt.message));
 *   // ... the command's work
 *   return interrupt.status ?? 0;
 * } finally {
 *   interrupt.dispose();
 * }
 * ```
 */
export function interruption(outer?: AbortSignal): Interruption {
  const controller = new AbortController();
  let by: InterruptSignal | undefined;
  const stop = (signal: InterruptSignal) => {
    // The second ^C: the user does not want to wait for a clean exit.
    if (by !== undefined) process.exit(INTERRUPT_STATUS[by]);
    by = signal;
    controller.abort(new Error(`interrupted (${signal})`));
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const onOuter = () => {
    if (by === undefined) {
      by = 'SIGINT';
      controller.abort(new Error('interrupted (SIGINT)'));
    }
  };
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    get status() {
      return by === undefined ? undefined : INTERRUPT_STATUS[by];
    },
    get message() {
      return `interrupted (${by ?? 'SIGINT'})`;
    },
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
