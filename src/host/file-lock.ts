/**
 * A lock between processes for a read-modify-write of one file, with only
 * synchronous calls: `<file>.lock` exists while a process holds it and names
 * that process. The lock file appears with its content in one step (written
 * to a temporary file, then hard-linked into place, which fails if the lock
 * exists). A lock whose process has died is stale and is broken, under a
 * second short-lived lock (`<file>.lock.break`) so that two waiters cannot
 * both break it and then remove each other's fresh lock.
 * @module
 */
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { toHex } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';

/** Who holds a lock, as read from its file. */
export interface LockHolder {
  /** The holder's process id, when the file names one. */
  readonly pid: number | undefined;
  /** The file's whole content (the pid and a random token). */
  readonly content: string;
  /** The lock file's inode: a lock made again has another. */
  readonly ino: number;
}

/** Thrown when the lock is still held by a live process when the wait ends. */
export class LockTimeoutError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    readonly waitedMs: number,
  ) {
    super(`waited ${waitedMs} ms for ${lockPath}, held by process ${holder?.pid ?? '(unknown)'}`);
  }
}

/** How often a waiter looks at the lock again, in milliseconds (with jitter). */
const POLL_MS = 4;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds without spinning. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs `action` while holding the lock `lockPath`, waiting at most `timeoutMs` for it. */
export function withFileLock<T>(lockPath: string, timeoutMs: number, action: () => T): T {
  const token = acquire(lockPath, timeoutMs);
  try {
    return action();
  } finally {
    release(lockPath, token);
  }
}

function acquire(lockPath: string, timeoutMs: number): string {
  const token = `${process.pid} ${toHex(randomBytes(8))}\n`;
  const started = Date.now();
  for (;;) {
    if (createExclusive(lockPath, token)) {
      removeIfStale(`${lockPath}.break`);
      return token;
    }
    const holder = readHolder(lockPath);
    if (holder && isStale(holder)) {
      breakStale(lockPath, holder);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(lockPath, holder, waited);
    sleepSync(POLL_MS + Math.random() * POLL_MS);
  }
}

function release(lockPath: string, token: string): void {
  // Only our own lock is removed: had it been broken and taken by another process, that one is theirs.
  if (readHolder(lockPath)?.content === token) unlinkSync(lockPath);
}

/** Creates `path` holding `content` if it does not exist; returns whether it did. */
function createExclusive(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${toHex(randomBytes(6))}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (err) {
    // ENOENT: a cleaner took our temporary file for a dead writer's (see removeLeftoverTemporaries); try again.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw err;
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Removed already.
    }
  }
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const ino = statSync(lockPath).ino;
    const content = readFileSync(lockPath, 'utf8');
    const pid = Number.parseInt(content, 10);
    return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : undefined, content, ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** A lock is stale when the process it names is gone (or it names none). */
function isStale(holder: LockHolder): boolean {
  return holder.pid === undefined || !processIsAlive(holder.pid);
}

/** Whether a process with this id exists (this process counts: another of its threads may hold a lock). */
export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function breakStale(lockPath: string, stale: LockHolder): void {
  const breaker = `${lockPath}.break`;
  const token = `${process.pid} ${toHex(randomBytes(8))}\n`;
  if (!createExclusive(breaker, token)) {
    // Another waiter is breaking it; if that waiter died doing so, its breaker is stale too.
    removeIfStale(breaker);
    sleepSync(POLL_MS);
    return;
  }
  try {
    const now = readHolder(lockPath);
    if (now && now.ino === stale.ino && now.content === stale.content) unlinkSync(lockPath);
  } finally {
    release(breaker, token);
  }
}

/** Removes a lock file whose process has died (a breaker left by a writer killed while breaking a lock). */
function removeIfStale(path: string): void {
  const holder = readHolder(path);
  if (!holder || !isStale(holder)) return;
  try {
    unlinkSync(path);
  } catch {
    // Removed already.
  }
}
