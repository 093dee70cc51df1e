/**
 * Where a command writes: the process's streams, or a buffer in tests.
 * @module
 */

/** Output sinks of a command; each call is one line or block of text. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
