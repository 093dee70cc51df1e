/**
 * How securing a link fails, as typed errors: a pairing that failed (with its
 * SMP reason code), and an encryption that failed or could not start.
 * @module
 */
import { REASON_TEXT } from '../smp/constants.js';

/**
 * A pairing that failed: the SMP reason code (Core Vol 3 Part H 3.5.5), who
 * failed it, and one line saying what happened.
 * @example
 * ```ts
 * try { await connection.pair(); }
 * catch (err) { if (err instanceof PairingError) console.error(err.reason, err.by, err.message); }
 * ```
 */
export class PairingError extends Error {
  override readonly name: string = 'PairingError';
  /** The SMP reason code. */
  readonly reason: number;
  /** `local`: we failed it (or the link went away); `peer`: the peer sent Pairing Failed. */
  readonly by: 'local' | 'peer';
  /** The SMP timer expired. */
  readonly timeout: boolean;
  constructor(reason: number, by: 'local' | 'peer', message: string, timeout = false) {
    super(message);
    this.reason = reason;
    this.by = by;
    this.timeout = timeout;
  }
}

/**
 * Encryption of a link failed or could not start:
 * - `no-bond`: a central has no key for this peer;
 * - `key-missing`: the peer had no key (0x06 PIN or Key Missing);
 * - `mic-failure`: the keys differed and the link dropped (0x3D);
 * - `disconnected`: the link went away for another reason;
 * - `controller`: the controller refused (the HCI status says why);
 * - `not-supported`: this role cannot start encryption;
 * - `encrypted-with-bond`: a peripheral's `pair()` asked the central to pair, and
 *   it encrypted the link with its bond instead (`secure()` accepts either).
 * @example
 * ```ts
 * try { await connection.encrypt(); }
 * catch (err) { if (err instanceof EncryptionError && err.code === 'no-bond') await connection.pair(); }
 * ```
 */
export class EncryptionError extends Error {
  override readonly name: string = 'EncryptionError';
  readonly code:
    | 'no-bond'
    | 'key-missing'
    | 'mic-failure'
    | 'disconnected'
    | 'controller'
    | 'not-supported'
    | 'encrypted-with-bond';
  /** The HCI status or disconnection reason, when there is one. */
  readonly status: number | undefined;
  constructor(code: EncryptionError['code'], message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * The one-line text of an SMP reason code.
 * @example
 * ```ts
 * describeSmpReason(0x05); // '0x05 Pairing Not Supported: pairing is not supported or was refused'
 * ```
 */
export function describeSmpReason(reason: number): string {
  return `0x${reason.toString(16).padStart(2, '0')} ${REASON_TEXT[reason] ?? '(reserved)'}`;
}
