/**
 * The oracle for association models: vectors/association-models.json, generated
 * from the spec's tables by vectors/association-models.gen.mjs, independently
 * of src/. Shared by the tests that need the expected model of a case.
 */
import { readFileSync } from 'node:fs';

/** One case of the table and its expected outcome. */
export interface AssociationRow {
  initiatorIo: number;
  responderIo: number;
  sc: boolean;
  initiatorMitm: boolean;
  responderMitm: boolean;
  initiatorOob: boolean;
  responderOob: boolean;
  model: string;
  passkeyDisplay: 'initiator' | 'responder' | 'none' | null;
  passkeyInput: 'initiator' | 'responder' | 'both' | null;
  authenticated: boolean;
}

/** What selects a row. */
export type AssociationCase = Omit<
  AssociationRow,
  'model' | 'passkeyDisplay' | 'passkeyInput' | 'authenticated'
>;

/** All 800 rows, in the generator's order. */
export const ASSOCIATION_ROWS: readonly AssociationRow[] = (
  JSON.parse(readFileSync(new URL('../../vectors/association-models.json', import.meta.url), 'utf8')) as {
    rows: AssociationRow[];
  }
).rows;

const key = (c: AssociationCase) =>
  [
    c.initiatorIo,
    c.responderIo,
    c.sc,
    c.initiatorMitm,
    c.responderMitm,
    c.initiatorOob,
    c.responderOob,
  ].join();
const byCase = new Map(ASSOCIATION_ROWS.map((row) => [key(row), row]));

/** The row of a case; throws when the table has none (it has every case). */
export function associationRow(c: AssociationCase): AssociationRow {
  const row = byCase.get(key(c));
  if (!row) throw new Error(`no row in vectors/association-models.json for ${key(c)}`);
  return row;
}
