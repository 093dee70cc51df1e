/**
 * HCI command flow control for raw command bytes (Core Vol 4 Part E 4.4):
 * one command in flight, the next sent when Command Complete or Command
 * Status gives a credit back. Linux does this for raw HCI sockets; noble and
 * bleno send their start-up commands back to back and rely on it.
 * @module
 */
import { COMMAND_NAME, COMMANDS_ANSWERED_BY_STATUS } from '../../hci/commands.js';
import { decodeEvent, type HciEvent } from '../../hci/events.js';

/** Whether the spec answers `opcode` with Command Complete (a known command not answered by Command Status). */
function answeredByComplete(opcode: number): boolean {
  const name = COMMAND_NAME[opcode];
  return name !== undefined && !COMMANDS_ANSWERED_BY_STATUS.has(name);
}

/** Command Complete or Command Status. */
export type CommandAnswer = Extract<HciEvent, { name: 'command-complete' | 'command-status' }>;

interface Queued {
  readonly data: Uint8Array;
  readonly opcode: number;
  readonly answer: ((event: CommandAnswer) => void) | undefined;
}

/** How long a command may go unanswered before the gate sends the next one (as Linux does). */
const STALL_MS = 2000;

/**
 * Sends raw HCI commands (without their H4 indicator) one at a time. A
 * command submitted with an `answer` callback is ours: its Command Complete or
 * Status goes to the callback and {@link CommandGate.onEvent} reports it as
 * consumed, so the application never sees it.
 * @example
 * ```ts
 * const gate = new CommandGate((data) => transport.send({ type: 'command', data }));
 * gate.submit(Uint8Array.of(0x03, 0x0c, 0x00));
 * transport.onPacket((p) => { if (p.type === 'event') gate.onEvent(p.data); });
 * ```
 */
export class CommandGate {
  readonly #send: (data: Uint8Array) => void;
  readonly #queue: Queued[] = [];
  #inFlight: Queued | undefined;
  #credits = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(send: (data: Uint8Array) => void) {
    this.#send = send;
  }

  /** Queues a command; `answer` makes it ours (its answer is consumed). */
  submit(data: Uint8Array, answer?: (event: CommandAnswer) => void): void {
    const opcode = (data[0] ?? 0) | ((data[1] ?? 0) << 8);
    this.#queue.push({ data, opcode, answer });
    this.#pump();
  }

  /**
   * Applies an event (without its H4 indicator); returns true when it answers
   * a command of ours, which the caller should then not pass on.
   */
  onEvent(data: Uint8Array): boolean {
    const code = data[0];
    if (code !== 0x0e && code !== 0x0f) return false;
    const decoded = decodeEvent(data);
    if (!decoded.ok) return false;
    const event = decoded.event;
    if (event.name !== 'command-complete' && event.name !== 'command-status') return false;
    this.#credits = event.numHciCommandPackets;
    const pending = this.#inFlight;
    let consumed = false;
    if (
      pending &&
      pending.opcode === event.opcode &&
      event.name === 'command-status' &&
      event.status === 0 &&
      answeredByComplete(pending.opcode)
    ) {
      // Some controllers send a Command Status (Success) where the spec has Command Complete: the command
      // stays in flight until its Command Complete; ours is not answered by the status.
      return pending.answer !== undefined;
    }
    if (pending && pending.opcode === event.opcode) {
      this.#release();
      if (pending.answer) {
        pending.answer(event);
        consumed = true;
      }
    }
    this.#pump();
    return consumed;
  }

  /** Drops every queued command (the device went away). */
  close(): void {
    this.#queue.splice(0);
    this.#release();
  }

  #release(): void {
    this.#inFlight = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    if (this.#inFlight || this.#credits < 1) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#inFlight = next;
    this.#credits--;
    this.#timer = setTimeout(() => {
      if (this.#inFlight !== next) return;
      this.#release();
      this.#credits = 1;
      this.#pump();
    }, STALL_MS);
    this.#timer.unref?.();
    this.#send(next.data);
  }
}
