/**
 * Link encryption between virtual controllers (Core Vol 4 Part E 7.8.24 to
 * 7.8.26, Vol 6 Part B 5.1.3): the Central's host starts it with a key, the
 * Peripheral's host answers the LE Long Term Key Request; equal keys encrypt
 * (or refresh) the link on both sides, different keys end it with a MIC
 * failure, a negative reply tells the Central's host 0x06 PIN or Key Missing.
 * @module
 */
import { equalBytes } from '../../crypto/bytes.js';
import type { HciCommand } from '../../hci/commands.js';
import { HciErrorCode } from '../../hci/constants.js';
import { terminate } from './links.js';
import type { ControllerState } from './state.js';

/**
 * HCI_LE_Enable_Encryption from `state`'s host.
 * @example
 * ```ts
 * startEncryption(state, command, opcode);
 * ```
 */
export function startEncryption(
  state: ControllerState,
  command: Extract<HciCommand, { name: 'le-start-encryption' }>,
  opcode: number,
): void {
  const link = state.links.get(command.handle);
  if (!link) state.commandStatus(opcode, HciErrorCode.UnknownConnectionIdentifier);
  else if (link.central.state !== state || link.pending !== undefined) {
    // Only the Central starts encryption (7.8.24), one procedure at a time.
    state.commandStatus(opcode, HciErrorCode.CommandDisallowed);
  } else {
    state.commandStatus(opcode, HciErrorCode.Success);
    link.pending = { ltk: new Uint8Array(command.ltk) };
    link.peripheral.state.event({
      name: 'le-long-term-key-request',
      handle: link.peripheral.handle,
      rand: new Uint8Array(command.rand),
      ediv: command.ediv,
    });
  }
}

/**
 * HCI_LE_Long_Term_Key_Request_Reply or Negative_Reply from `state`'s host.
 * @example
 * ```ts
 * answerKeyRequest(state, command, opcode);
 * ```
 */
export function answerKeyRequest(
  state: ControllerState,
  command: Extract<
    HciCommand,
    { name: 'le-long-term-key-request-reply' | 'le-long-term-key-request-negative-reply' }
  >,
  opcode: number,
): void {
  const ok = HciErrorCode.Success;
  const link = state.links.get(command.handle);
  if (!link) {
    state.completeHandle(opcode, HciErrorCode.UnknownConnectionIdentifier, command.handle);
    return;
  }
  const pending = link.pending;
  if (link.peripheral.state !== state || pending === undefined) {
    // No LE Long Term Key Request is waiting for an answer on this link.
    state.completeHandle(opcode, HciErrorCode.CommandDisallowed, command.handle);
    return;
  }
  link.pending = undefined;
  state.completeHandle(opcode, ok, command.handle);
  if (command.name === 'le-long-term-key-request-negative-reply') {
    // Vol 6 Part B 5.1.3.1: the Peripheral rejects with 0x06; the Central's host hears it.
    link.central.state.event({
      name: 'encryption-change',
      status: HciErrorCode.PinOrKeyMissing,
      handle: link.central.handle,
      enabled: link.encrypted ? 0x01 : 0x00,
    });
  } else if (equalBytes(pending.ltk, command.ltk)) {
    const refresh = link.encrypted;
    link.encrypted = true;
    link.key = new Uint8Array(command.ltk);
    for (const end of [link.central, link.peripheral]) {
      end.state.event(
        refresh
          ? { name: 'encryption-key-refresh-complete', status: ok, handle: end.handle }
          : { name: 'encryption-change', status: ok, handle: end.handle, enabled: 0x01 },
      );
    }
  } else {
    // Different keys: the first encrypted packet fails its MIC on both sides (Vol 6 Part B 5.1.3.1).
    terminate(link, () => HciErrorCode.ConnectionTerminatedMicFailure);
  }
}
