/**
 * Whole-file writes that a crash cannot tear: the new content goes to a
 * temporary file in the same directory (created exclusively, mode 0600),
 * is flushed to disk, then renamed over the old file, and the directory is
 * flushed so that the rename itself lasts. A reader sees the old file or the
 * new one, never a mix.
 * @module
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toHex } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import { processIsAlive } from './file-lock.js';

/** Creates `dir` (and its parents) with mode 0700 where missing. */
export function ensurePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Replaces `path` with `data` (text as UTF-8, or octets) atomically; the file has mode 0600. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.${toHex(randomBytes(6))}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or never written: nothing to clean.
    }
    throw err;
  }
  syncDirectory(dirname(path));
}

/**
 * Deletes the temporary files that processes killed while writing `path` (or
 * its lock) left behind: those named after `path` whose process is gone.
 */
export function removeLeftoverTemporaries(path: string): void {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    const pid = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1];
    if (name.startsWith(prefix) && pid !== undefined && !processIsAlive(Number(pid))) {
      try {
        unlinkSync(join(dirname(path), name));
      } catch {
        // Gone already.
      }
    }
  }
}

/** Flushes a directory's entries (where the platform can open a directory). */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // Windows cannot open a directory; its renames are durable without it.
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened either way.
  } finally {
    closeSync(fd);
  }
}
