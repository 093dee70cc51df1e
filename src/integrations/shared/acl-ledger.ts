/**
 * ACL flow control shared by an application and the adapter on one
 * controller (Core Vol 4 Part E 4.1.1): both write ACL packets, the
 * controller's buffers are counted once, and Number of Completed Packets is
 * split so that each side hears of its own packets only.
 * @module
 */

interface Sent {
  readonly owner: 'app' | 'adapter';
  readonly done: (() => void) | undefined;
}
interface Waiting extends Sent {
  readonly handle: number;
  readonly packet: Uint8Array;
}

/**
 * Counts the controller's ACL buffers for two writers.
 * @example
 * ```ts
 * const ledger = new AclLedger((packet) => socket.write(packet));
 * ledger.setBuffers(8);
 * ledger.enqueue(0x40, 'adapter', [packet], () => console.log('completed'));
 * const forApp = ledger.completed(0x40, 1); // 0: it was ours
 * ```
 */
export class AclLedger {
  readonly #send: (packet: Uint8Array) => void;
  readonly #waiting: Waiting[] = [];
  readonly #sent = new Map<number, Sent[]>();
  #total = Number.POSITIVE_INFINITY;
  #inFlight = 0;

  constructor(send: (packet: Uint8Array) => void) {
    this.#send = send;
  }

  /** The controller's buffer count, once known (LE Read Buffer Size). */
  setBuffers(total: number): void {
    if (total > 0) this.#total = total;
    this.#pump();
  }

  /** Queues packets (ACL, without H4 indicator); `done` runs when the last is completed. */
  enqueue(handle: number, owner: Sent['owner'], packets: readonly Uint8Array[], done?: () => void): void {
    for (const [i, packet] of packets.entries()) {
      this.#waiting.push({ handle, owner, packet, done: i === packets.length - 1 ? done : undefined });
    }
    this.#pump();
  }

  /** Applies a completion count of a handle; returns how many of them were the application's. */
  completed(handle: number, count: number): number {
    const sent = this.#sent.get(handle) ?? [];
    let app = 0;
    for (const entry of sent.splice(0, count)) {
      this.#inFlight--;
      if (entry.owner === 'app') app++;
      entry.done?.();
    }
    this.#pump();
    return app;
  }

  /** The link went away: its buffers are free and its queued packets dropped. */
  disconnected(handle: number): void {
    this.#inFlight -= this.#sent.get(handle)?.length ?? 0;
    this.#sent.delete(handle);
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      if (this.#waiting[i]!.handle === handle) this.#waiting.splice(i, 1);
    }
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#total) {
      const next = this.#waiting.shift();
      if (!next) return;
      this.#inFlight++;
      const sent = this.#sent.get(next.handle) ?? [];
      sent.push({ owner: next.owner, done: next.done });
      this.#sent.set(next.handle, sent);
      this.#send(next.packet);
    }
  }
}
