/**
 * The one error the trace readers throw: bad, truncated or unknown input is
 * reported as a {@link TraceReadError} with a code and the place, never as a
 * crash.
 * @module
 */

/** Why a capture could not be read. */
export type TraceReadErrorCode =
  /** The first octets match no format the readers know. */
  | 'unknown-format'
  /** A file header is malformed (wrong version, impossible length). */
  | 'bad-header'
  /** A record or block is malformed (impossible length, wrong trailer). */
  | 'bad-record'
  /** The input ended in the middle of a header, record or block. */
  | 'truncated'
  /** A link type the decoder cannot read. */
  | 'unsupported-link-type';

/**
 * A capture that cannot be read, with what was wrong and where (octet offset
 * for binary captures, line number for text).
 * @example
 * ```ts
 * try {
 *   readTrace(bytes);
 * } catch (error) {
 *   if (error instanceof TraceReadError) console.error(`${error.code} at ${error.offset}: ${error.message}`);
 * }
 * ```
 */
export class TraceReadError extends Error {
  override readonly name = 'TraceReadError';
  /** What went wrong. */
  readonly code: TraceReadErrorCode;
  /** Octet offset (binary) or line number (text) where it went wrong. */
  readonly offset: number;

  constructor(code: TraceReadErrorCode, message: string, offset: number) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}
