/**
 * Reading the spec sample data shipped in `vectors/smp-spec-vectors.json`
 * (copied from the project's shared vectors; provenance in vectors/README.md).
 * @module
 */
import { readFileSync } from 'node:fs';

/** One vector as stored: spec-order `inputs`/`expected`, wire-order `*_le` twins. */
export interface StoredVector {
  readonly id: string;
  readonly spec_ref?: string;
  readonly inputs: Record<string, unknown>;
  readonly expected: Record<string, unknown>;
  readonly inputs_le?: Record<string, unknown>;
  readonly expected_le?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** The vector file: `meta` plus one array per group. */
export type VectorFile = { readonly meta: unknown } & Record<string, readonly StoredVector[]>;

/** Where the package keeps the vector file (the same relative path from `src/` and `dist/`). */
export const VECTOR_FILE_URL = new URL('../../../vectors/smp-spec-vectors.json', import.meta.url);

/**
 * Loads the shipped vector file, or another one at `path`.
 * @example
 * ```ts
 * const data = loadVectorFile();
 * data.f5[0].id; // 'f5-D.3'
 * ```
 */
export function loadVectorFile(path: string | URL = VECTOR_FILE_URL): VectorFile {
  return JSON.parse(readFileSync(path, 'utf8')) as VectorFile;
}
