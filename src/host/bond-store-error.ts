/**
 * The one error type of the durable bond stores and the BlueZ import/export.
 * @module
 */

/**
 * Why a bond file could not be used:
 * - `parse`: the file is not valid JSON (or not a BlueZ key file);
 * - `schema`: its `schemaVersion` is missing or not one this version reads;
 * - `invalid`: a field is missing or wrong (a key of the wrong length, an unknown address type...);
 * - `identity`: the file belongs to another local identity address;
 * - `lock-timeout`: another process held the store's lock for longer than the wait allowed;
 * - `io`: the file system refused a read or a write.
 */
export type BondStoreErrorCode = 'parse' | 'schema' | 'invalid' | 'identity' | 'lock-timeout' | 'io';

/**
 * A bond file that cannot be read or written. The message names the file and
 * what is wrong with it (with the line, where there is one); it never holds key
 * material. A file that gives this error is left as it was.
 * @example
 * ```ts
 * try {
 *   FileBondStore.open({ local });
 * } catch (err) {
 *   if (err instanceof BondStoreError && err.code === 'parse') console.error(err.message);
 * }
 * ```
 */
export class BondStoreError extends Error {
  override readonly name = 'BondStoreError';
  /** What kind of failure this is. */
  readonly code: BondStoreErrorCode;
  /** The file concerned. */
  readonly path: string;
  /** The line of the file at fault (1-based), when known. */
  readonly line: number | undefined;

  constructor(
    code: BondStoreErrorCode,
    path: string,
    detail: string,
    options?: { line?: number; cause?: unknown },
  ) {
    const where = options?.line !== undefined ? `${path}:${options.line}` : path;
    super(`${where}: ${detail}`, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.path = path;
    this.line = options?.line;
  }
}
