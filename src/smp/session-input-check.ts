/**
 * The host's side of a `PairingSession`'s contract: inputs a role does
 * not take, or malformed ones, are programming errors, refused at once with a
 * TypeError before anything reaches the air.
 * @module
 */

import type { Role, SessionInput } from './session-types.js';

/**
 * Refuses a host programming error: they never reach the air as a failed pairing.
 * @throws TypeError naming the problem.
 * @example
 * ```ts
 * checkHostInput('responder', { type: 'start' }); // throws: only the initiator takes 'start'
 * ```
 */
export function checkHostInput(role: Role, input: SessionInput): void {
  const refuse = (message: string) => {
    throw new TypeError(`PairingSession.handle: ${message}`);
  };
  switch (input?.type) {
    case 'start':
      if (role !== 'initiator') refuse("only the initiator takes 'start'");
      return;
    case 'request-security':
      if (role !== 'responder') refuse("only the responder takes 'request-security'");
      return;
    case 'pdu':
      if (!(input.data instanceof Uint8Array)) refuse('pdu data must be a Uint8Array');
      return;
    case 'keypress':
      if (!Number.isInteger(input.notification) || input.notification < 0 || input.notification > 4) {
        refuse(`keypress notification must be 0..4, got ${String(input.notification)}`);
      }
      return;
    case 'cancel':
      if (typeof input.message !== 'string') refuse('cancel message must be a string');
      return;
    case 'answer':
      if (input.message !== undefined && typeof input.message !== 'string') {
        refuse('answer message must be a string');
      }
      return;
    case 'encryption-failed':
      if (input.cause !== undefined && typeof input.cause !== 'string')
        refuse('encryption-failed cause must be a string');
      return;
    case 'encrypted': // the controller's key size is checked against the negotiation, not refused here
    case 'timeout':
    case 'acknowledged':
      return;
    default:
      refuse(`unknown input ${JSON.stringify((input as { type?: unknown })?.type)}`);
  }
}
