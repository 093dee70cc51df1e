/**
 * The HCI command channel (Core Vol 4 Part E 4.4): commands go to the
 * controller one at a time, only while it grants a credit
 * (Num_HCI_Command_Packets), and each is answered by the Command Complete or
 * Command Status event that carries its opcode. A command the controller never
 * answers fails after a timeout instead of hanging the host.
 * @module
 */
import {
  COMMAND_OPCODE,
  COMMANDS_ANSWERED_BY_STATUS,
  encodeCommand,
  type HciCommand,
} from '../hci/commands.js';
import { describeHciError, HciOpcode } from '../hci/constants.js';
import { decodeEvent, type HciEvent, type ReturnParameters } from '../hci/events.js';
import type { Transport } from '../transport/transport.js';

/** A clock the host can be given, so tests run without waiting. Defaults to the global timers. */
export interface Timers {
  /**
   * Calls `callback` once after `ms` milliseconds; returns a handle for {@link Timers.clearTimeout}.
   * @example
   * ```ts
   * const handle = timers.setTimeout(() => session.handle({ type: 'timeout' }), SMP_TIMEOUT_MS);
   * ```
   */
  setTimeout(callback: () => void, ms: number): unknown;
  /**
   * Cancels a timeout that has not fired yet; must ignore the handle of one that fired, and `undefined`.
   * @example
   * ```ts
   * timers.clearTimeout(handle);
   * ```
   */
  clearTimeout(handle: unknown): void;
}

/**
 * The global `setTimeout`/`clearTimeout`, as a {@link Timers}. A pending timeout keeps Node alive: it is
 * what a caller awaiting a command, a connection or a pairing is waiting for.
 * @example
 * ```ts
 * const handle = systemTimers.setTimeout(() => console.log('late'), 100);
 * systemTimers.clearTimeout(handle);
 * ```
 */
export const systemTimers: Timers = Object.freeze({
  setTimeout(callback: () => void, ms: number): unknown {
    return setTimeout(callback, ms);
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
});

/** The spec's name of each command this library sends (Vol 4 Part E 7.x), for messages. */
const SPEC_NAME: Readonly<Record<number, string>> = {
  [HciOpcode.Disconnect]: 'HCI_Disconnect',
  [HciOpcode.SetEventMask]: 'HCI_Set_Event_Mask',
  [HciOpcode.Reset]: 'HCI_Reset',
  [HciOpcode.ReadLocalVersionInformation]: 'HCI_Read_Local_Version_Information',
  [HciOpcode.ReadLocalSupportedCommands]: 'HCI_Read_Local_Supported_Commands',
  [HciOpcode.ReadBufferSize]: 'HCI_Read_Buffer_Size',
  [HciOpcode.ReadBdAddr]: 'HCI_Read_BD_ADDR',
  [HciOpcode.LeSetEventMask]: 'HCI_LE_Set_Event_Mask',
  [HciOpcode.LeReadBufferSize]: 'HCI_LE_Read_Buffer_Size',
  [HciOpcode.LeReadLocalSupportedFeatures]: 'HCI_LE_Read_Local_Supported_Features',
  [HciOpcode.LeReadFilterAcceptListSize]: 'HCI_LE_Read_Filter_Accept_List_Size',
  [HciOpcode.LeReadResolvingListSize]: 'HCI_LE_Read_Resolving_List_Size',
  [HciOpcode.LeReadMaximumDataLength]: 'HCI_LE_Read_Maximum_Data_Length',
  [HciOpcode.LeSetRandomAddress]: 'HCI_LE_Set_Random_Address',
  [HciOpcode.LeSetAdvertisingParameters]: 'HCI_LE_Set_Advertising_Parameters',
  [HciOpcode.LeSetAdvertisingData]: 'HCI_LE_Set_Advertising_Data',
  [HciOpcode.LeSetScanResponseData]: 'HCI_LE_Set_Scan_Response_Data',
  [HciOpcode.LeSetAdvertisingEnable]: 'HCI_LE_Set_Advertising_Enable',
  [HciOpcode.LeSetScanParameters]: 'HCI_LE_Set_Scan_Parameters',
  [HciOpcode.LeSetScanEnable]: 'HCI_LE_Set_Scan_Enable',
  [HciOpcode.LeCreateConnection]: 'HCI_LE_Create_Connection',
  [HciOpcode.LeCreateConnectionCancel]: 'HCI_LE_Create_Connection_Cancel',
  [HciOpcode.LeReadRemoteFeatures]: 'HCI_LE_Read_Remote_Features',
  [HciOpcode.LeRand]: 'HCI_LE_Rand',
  [HciOpcode.LeStartEncryption]: 'HCI_LE_Enable_Encryption',
  [HciOpcode.LeLongTermKeyRequestReply]: 'HCI_LE_Long_Term_Key_Request_Reply',
  [HciOpcode.LeLongTermKeyRequestNegativeReply]: 'HCI_LE_Long_Term_Key_Request_Negative_Reply',
};

/**
 * The spec's name of a command opcode (`HCI_Reset`), or its hex value when unknown.
 * @example
 * ```ts
 * commandSpecName(0x0c03); // 'HCI_Reset'
 * commandSpecName(0xfc01); // 'opcode 0xfc01'
 * ```
 */
export function commandSpecName(opcode: number): string {
  return SPEC_NAME[opcode] ?? `opcode 0x${opcode.toString(16).padStart(4, '0')}`;
}

/**
 * The controller answered a command with a non-zero status (Command Complete or Command Status).
 * @example
 * ```ts
 * try { await channel.send({ name: 'le-set-advertising-enable', enable: true }); }
 * catch (err) { if (err instanceof HciCommandError) console.error(err.statusName); } // 'Command Disallowed'
 * ```
 */
export class HciCommandError extends Error {
  override readonly name: string = 'HciCommandError';
  /** The opcode of the command that failed. */
  readonly opcode: number;
  /** The spec's name of the command, such as `HCI_LE_Set_Advertising_Enable`. */
  readonly command: string;
  /** The HCI status code (Core Vol 1 Part F). */
  readonly status: number;
  /** The spec's name of the status, such as `Command Disallowed`. */
  readonly statusName: string;
  constructor(opcode: number, status: number) {
    const described = describeHciError(status);
    super(`${commandSpecName(opcode)} failed: ${described}`);
    this.opcode = opcode;
    this.command = commandSpecName(opcode);
    this.status = status;
    this.statusName = described.slice(5);
  }
}

/**
 * A command was not sent because the controller does not list it in Read
 * Local Supported Commands (Core Vol 4 Part E 7.4.2): the controller lacks
 * what the request needs.
 * @example
 * ```ts
 * catch (err) { if (err instanceof UnsupportedCommandError) console.error(err.message); }
 * // 'the controller does not support HCI_LE_Read_Remote_Features (not in its Read Local Supported Commands); ...'
 * ```
 */
export class UnsupportedCommandError extends Error {
  override readonly name: string = 'UnsupportedCommandError';
  /** The opcode of the command not sent. */
  readonly opcode: number;
  /** The spec's name of the command, such as `HCI_LE_Read_Remote_Features`. */
  readonly command: string;
  constructor(opcode: number, needs?: string) {
    super(
      `the controller does not support ${commandSpecName(opcode)} (not in its Read Local Supported Commands)` +
        (needs ? `; ${needs}` : ''),
    );
    this.opcode = opcode;
    this.command = commandSpecName(opcode);
  }
}

/**
 * The controller did not answer a command in time, or the transport closed first.
 * @example
 * ```ts
 * catch (err) { if (err instanceof HciTimeoutError) console.error(err.message); }
 * // 'the controller did not answer HCI_Reset within 2000 ms'
 * ```
 */
export class HciTimeoutError extends Error {
  override readonly name: string = 'HciTimeoutError';
  readonly opcode: number;
  readonly timeoutMs: number;
  constructor(opcode: number, timeoutMs: number, statusOnly = false) {
    super(
      statusOnly
        ? `the controller answered ${commandSpecName(opcode)} with Command Status (Success) but sent no Command Complete with its return parameters within ${timeoutMs} ms`
        : `the controller did not answer ${commandSpecName(opcode)} within ${timeoutMs} ms`,
    );
    this.opcode = opcode;
    this.timeoutMs = timeoutMs;
  }
}

/** Options of {@link CommandChannel}. */
export interface CommandChannelOptions {
  /** How long to wait for each command's answer, in milliseconds (default 2000). */
  readonly timeoutMs?: number;
  /** The clock (default {@link systemTimers}). */
  readonly timers?: Timers;
}

interface Pending {
  readonly command: HciCommand;
  readonly opcode: number;
  readonly timeoutMs: number;
  readonly resolve: (value: ReturnParameters) => void;
  readonly reject: (error: Error) => void;
  timer?: unknown;
  /** A Command Status (Success) came for a command the spec answers with Command Complete. */
  statusOnly?: boolean;
}

/**
 * Sends HCI commands over a transport one at a time, respecting the
 * controller's Num_HCI_Command_Packets, and matches each Command Complete or
 * Command Status to its command by opcode. It listens to the transport itself;
 * other events are left to other listeners.
 * @example
 * ```ts
 * const channel = new CommandChannel(transport, { timeoutMs: 1000 });
 * const rp = await channel.send({ name: 'read-bd-addr' });
 * if (rp.kind === 'read-bd-addr') console.log(rp.address);
 * ```
 */
export class CommandChannel {
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  readonly #timers: Timers;
  readonly #queue: Pending[] = [];
  #inFlight: Pending | undefined;
  /** Commands the controller accepts now (Num_HCI_Command_Packets); 1 at start (Vol 4 Part E 4.4). */
  #credits = 1;
  #closed: Error | undefined;

  constructor(transport: Transport, options: CommandChannelOptions = {}) {
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#timers = options.timers ?? systemTimers;
    transport.onPacket((packet) => {
      if (packet.type !== 'event') return;
      const decoded = decodeEvent(packet.data);
      if (decoded.ok) this.handleEvent(decoded.event);
    });
    transport.onClose((error) => this.close(error ?? new Error('the transport closed')));
  }

  /** Commands waiting to be sent, not counting the one in flight. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Sends a command; resolves with its return parameters (`{ kind: 'status', status: 0 }` for a
   * command answered by Command Status), rejects with {@link HciCommandError} on a non-zero
   * status or {@link HciTimeoutError} when no answer comes within `timeoutMs` (default: the channel's).
   * @example
   * ```ts
   * await channel.send({ name: 'reset' }, { timeoutMs: 10_000 }); // some controllers take seconds to reset
   * ```
   */
  send(command: HciCommand, options: { readonly timeoutMs?: number } = {}): Promise<ReturnParameters> {
    return new Promise<ReturnParameters>((resolve, reject) => {
      if (this.#closed) {
        reject(this.#closed);
        return;
      }
      this.#queue.push({
        command,
        opcode: COMMAND_OPCODE[command.name],
        timeoutMs: options.timeoutMs ?? this.#timeoutMs,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /**
   * Applies an event: Command Complete and Command Status answer the command in
   * flight and update the credits; returns whether the event was one of them.
   * The channel calls this itself for events from its transport.
   * @example
   * ```ts
   * channel.handleEvent({ name: 'command-status', status: 0, numHciCommandPackets: 1, opcode: 0x200d });
   * ```
   */
  handleEvent(event: HciEvent): boolean {
    if (event.name !== 'command-complete' && event.name !== 'command-status') return false;
    this.#credits = event.numHciCommandPackets;
    const pending = this.#inFlight;
    if (
      pending &&
      event.opcode === pending.opcode &&
      event.name === 'command-status' &&
      event.status === 0 &&
      !COMMANDS_ANSWERED_BY_STATUS.has(pending.command.name)
    ) {
      // Some controllers send a Command Status (Success) where the spec has Command Complete: the return
      // parameters are still to come, so keep waiting for them (an error status ends the command below).
      pending.statusOnly = true;
    } else if (pending && event.opcode === pending.opcode) {
      this.#inFlight = undefined;
      this.#timers.clearTimeout(pending.timer);
      const status =
        event.name === 'command-status'
          ? event.status
          : event.returnParameters.kind === 'raw'
            ? 0
            : event.returnParameters.status;
      if (status !== 0) pending.reject(new HciCommandError(pending.opcode, status));
      else
        pending.resolve(
          event.name === 'command-complete' ? event.returnParameters : { kind: 'status', status: 0 },
        );
    }
    this.#pump();
    return true;
  }

  /**
   * Fails every command waiting or in flight with `error`, and every later one.
   * @example
   * ```ts
   * channel.close(new Error('host closed'));
   * ```
   */
  close(error: Error = new Error('the command channel is closed')): void {
    if (this.#closed) return;
    this.#closed = error;
    const pending = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#queue.splice(0)];
    this.#inFlight = undefined;
    for (const p of pending) {
      this.#timers.clearTimeout(p.timer);
      p.reject(error);
    }
  }

  #pump(): void {
    if (this.#closed || this.#inFlight || this.#credits < 1) return;
    const next = this.#queue.shift();
    if (!next) return;
    let packet: Uint8Array;
    try {
      packet = encodeCommand(next.command);
    } catch (error) {
      next.reject(error as Error);
      this.#pump();
      return;
    }
    this.#inFlight = next;
    this.#credits--;
    next.timer = this.#timers.setTimeout(() => {
      if (this.#inFlight !== next) return;
      this.#inFlight = undefined;
      // As Linux does after a command timeout: assume the controller can take a command again.
      this.#credits = 1;
      next.reject(new HciTimeoutError(next.opcode, next.timeoutMs, next.statusOnly));
      this.#pump();
    }, next.timeoutMs);
    try {
      this.#transport.send({ type: 'command', data: packet });
    } catch (error) {
      this.#timers.clearTimeout(next.timer);
      this.#inFlight = undefined;
      this.#credits = 1;
      next.reject(error as Error);
      this.#pump();
    }
  }
}
