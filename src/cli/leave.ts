/**
 * How `ble-smp pair` and `ble-smp serve` end: the pairings under way failed,
 * the links disconnected, the controller reset, the host closed.
 * @module
 */
import type { Host } from '../host/host.js';

/** How long each step of {@link leave} waits for the controller before going on. */
const STEP_MS = 1000;
/** How long a Pairing Failed just queued is given to reach the air before the link is dropped. */
const FAILED_PDU_MS = 150;

const within = (ms: number, work: Promise<unknown>) =>
  Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * Leaves cleanly, each step bounded so a controller that stopped answering
 * cannot hold the process: with `message`, every pairing under way fails (the
 * peer gets Pairing Failed with the prompt's reason, else 0x08, and the pairing
 * rejects with `message`); every link is disconnected (the peer hears it rather
 * than a vanished controller); the controller is reset, so it stops
 * advertising and connecting and is left usable; the host and its transport
 * (and the trace file observing it) are closed. Several calls share one leaving.
 * @example
 * ```ts
 * process.once('SIGINT', () => void leave(host, 'interrupted (SIGINT)'));
 * ```
 */
export function leave(host: Host, message?: string): Promise<void> {
  const known = leaving.get(host);
  if (known) return known;
  const done = (async () => {
    let cancelled = false;
    if (message !== undefined) {
      for (const connection of host.connections) {
        cancelled = host.security.cancel(connection.handle, message) || cancelled;
      }
    }
    if (cancelled) await within(FAILED_PDU_MS, new Promise(() => undefined));
    await within(STEP_MS, Promise.allSettled(host.connections.map((c) => c.disconnect())));
    await within(STEP_MS, host.command({ name: 'reset' }));
    await host.close().catch(() => undefined);
  })();
  leaving.set(host, done);
  return done;
}

const leaving = new WeakMap<Host, Promise<void>>();

/**
 * Whether {@link leave} was called for the host: its transport closing is then ours, not a failure.
 * @example
 * ```ts
 * transport.onClose(() => isLeaving(host) || console.error('the controller went away'));
 * ```
 */
export function isLeaving(host: Host): boolean {
  return leaving.has(host);
}
