/**
 * The "key file" (ini) format BlueZ stores its settings in, as GLib's
 * GKeyFile reads and writes it: `[Group]` headers, `Key=Value` lines, `#`
 * comments. Values are kept as written, so that groups ble-smp does not
 * know (a device's name, services, connection parameters) pass through an
 * export unchanged.
 * @module
 */
import { BondStoreError } from '../bond-store-error.js';

/** A `Key=Value` line, or a comment line kept in its place. */
export type KeyFileLine =
  | { readonly key: string; readonly value: string; readonly line: number }
  | { readonly comment: string };

/** A `[Group]` and its lines. */
export interface KeyFileGroup {
  readonly name: string;
  /** The line of the header, 0 for a group made in memory. */
  readonly line: number;
  readonly lines: KeyFileLine[];
}

/** Parses a key file; `file` names it in errors, which give the line. */
export function parseKeyFile(text: string, file: string): KeyFileGroup[] {
  const groups: KeyFileGroup[] = [];
  let comments: KeyFileLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    if (trimmed.startsWith('#')) {
      comments.push({ comment: raw });
      return;
    }
    const header = /^\[([^\][]+)\]$/.exec(trimmed);
    if (header) {
      const name = header[1]!;
      const existing = groups.find((g) => g.name === name);
      // GKeyFile merges a group named twice into the first.
      if (existing) existing.lines.push(...comments);
      else groups.push({ name, line, lines: comments });
      comments = [];
      return;
    }
    const equals = trimmed.indexOf('=');
    if (equals <= 0) {
      throw new BondStoreError('parse', file, 'expected [Group], Key=Value or a # comment', { line });
    }
    const group = groups.at(-1);
    if (!group) throw new BondStoreError('parse', file, 'a key before the first [Group]', { line });
    group.lines.push(...comments, {
      key: trimmed.slice(0, equals).trimEnd(),
      value: raw.slice(raw.indexOf('=') + 1).trimStart(),
      line,
    });
    comments = [];
  });
  return groups;
}

/** Writes groups as GKeyFile does: a blank line between groups. */
export function formatKeyFile(groups: readonly KeyFileGroup[]): string {
  return groups
    .map((group) => {
      const lines = group.lines.map((l) => ('comment' in l ? l.comment : `${l.key}=${l.value}`));
      return [`[${group.name}]`, ...lines].join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

/** The entry `key` of a group (the last, as GKeyFile keeps the last of a key set twice). */
export function entryOf(group: KeyFileGroup, key: string): { value: string; line: number } | undefined {
  return group.lines.findLast(
    (l): l is { key: string; value: string; line: number } => 'key' in l && l.key === key,
  );
}

/** A group made in memory from key/value pairs, in order. */
export function makeGroup(name: string, entries: [string, string][]): KeyFileGroup {
  return { name, line: 0, lines: entries.map(([key, value]) => ({ key, value, line: 0 })) };
}
