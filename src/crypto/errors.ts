/**
 * Typed errors of the crypto layer. Every one names the function and the
 * argument at fault, so a caller (or the SMP engine) can tell bad input from a
 * bug and map it to a reason code.
 * @module
 */

/**
 * An argument of the wrong type, length or range: `c1: k must be 16 octets, got 15`.
 * Nothing is ever truncated, padded or accepted silently.
 * @example
 * ```ts
 * try { c1(new Uint8Array(15), r, preq, pres, 0, ia, 0, ra); }
 * catch (err) { if (err instanceof CryptoInputError) console.log(err.fn, err.argument); }
 * ```
 */
export class CryptoInputError extends TypeError {
  override readonly name: string = 'CryptoInputError';
  /** The toolbox function that refused the input, e.g. `c1`. */
  readonly fn: string;
  /** The argument at fault, e.g. `k`. */
  readonly argument: string;
  constructor(fn: string, argument: string, problem: string) {
    super(`${fn}: ${argument} ${problem}`);
    this.fn = fn;
    this.argument = argument;
  }
}

/** Why a P-256 public key was refused (Core Vol 3 Part H 2.3.5.6.1; CVE-2018-5383). */
export type InvalidPublicKeyReason = 'infinity' | 'coordinate-out-of-range' | 'not-on-curve';

/**
 * A peer's P-256 public key that is not a valid curve point. The SMP engine
 * answers it with DHKey Check Failed (0x0B).
 * @example
 * ```ts
 * try { dhKey(keys.privateKey, peerKey); }
 * catch (err) { if (err instanceof InvalidPublicKeyError) console.log(err.reason); }
 * ```
 */
export class InvalidPublicKeyError extends CryptoInputError {
  override readonly name: string = 'InvalidPublicKeyError';
  /** What is wrong with the point. */
  readonly reason: InvalidPublicKeyReason;
  constructor(fn: string, argument: string, reason: InvalidPublicKeyReason) {
    const problem = {
      infinity: 'is the point at infinity (all zero)',
      'coordinate-out-of-range': 'has a coordinate not below the field prime p',
      'not-on-curve': 'is not a point on P-256',
    }[reason];
    super(fn, argument, problem);
    this.reason = reason;
  }
}
