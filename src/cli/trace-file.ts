/**
 * The --trace file of `ble-smp pair` and `ble-smp serve`: a btsnoop capture
 * that holds keys (LE Start Encryption and the LTK Request Reply carry the
 * STK or LTK; key distribution the IRK and CSRK), so it is written as the
 * bond store is: mode 0600.
 * @module
 */
import { closeSync, fchmodSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { BtsnoopWriter } from '../trace/btsnoop-writer.js';

/**
 * Creates (or truncates) `path` with mode 0600, whatever the umask or the mode
 * of a file already there, and returns a btsnoop writer on it; closing the
 * writer flushes the file to disk and closes it. Throws when the file cannot be opened.
 * @example
 * ```ts
 * const writer = privateTrace('pairing.btsnoop');
 * writer.record('tx', { type: 'command', data: Uint8Array.of(0x03, 0x0c, 0x00) });
 * await writer.close(); // -rw------- pairing.btsnoop
 * ```
 */
export function privateTrace(path: string): BtsnoopWriter {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return new BtsnoopWriter({
    write: (chunk) => {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done);
    },
    close: () => {
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  });
}
