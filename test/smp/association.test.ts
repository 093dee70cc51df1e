import { describe, expect, it } from 'vitest';
import { resolveAssociation } from '../../src/smp/association.js';
import { AuthReq } from '../../src/smp/constants.js';
import { ASSOCIATION_ROWS, type AssociationRow } from './association-table.js';

describe('resolveAssociation against the independent table of every case', () => {
  it('has all 800 rows: 5 x 5 IO x legacy/SC x MITM x MITM x OOB x OOB', () => {
    expect(ASSOCIATION_ROWS).toHaveLength(800);
  });
  it.each(ASSOCIATION_ROWS.map((row) => [describeRow(row), row] as const))('%s', (_name, row) => {
    const features = (io: number, mitm: boolean, oob: boolean) => ({
      ioCapability: io,
      oobDataPresent: oob,
      authReq: AuthReq.Bonding | (mitm ? AuthReq.Mitm : 0) | (row.sc ? AuthReq.SecureConnections : 0),
    });
    const got = resolveAssociation(
      features(row.initiatorIo, row.initiatorMitm, row.initiatorOob),
      features(row.responderIo, row.responderMitm, row.responderOob),
    );
    expect({
      model: got.model,
      passkeyDisplay: got.passkeyDisplay,
      passkeyInput: got.passkeyInput,
      authenticated: got.authenticated,
      sc: got.secureConnections,
    }).toEqual({
      model: row.model,
      passkeyDisplay: row.passkeyDisplay,
      passkeyInput: row.passkeyInput,
      authenticated: row.authenticated,
      sc: row.sc,
    });
  });

  it('is legacy when only one side sets the SC bit', () => {
    const sc = { ioCapability: 1, oobDataPresent: false, authReq: AuthReq.Mitm | AuthReq.SecureConnections };
    const legacy = { ioCapability: 1, oobDataPresent: false, authReq: AuthReq.Mitm };
    expect(resolveAssociation(sc, legacy)).toMatchObject({ secureConnections: false, model: 'just-works' });
    expect(resolveAssociation(sc, sc)).toMatchObject({
      secureConnections: true,
      model: 'numeric-comparison',
      tableCell: 'DisplayYesNo x DisplayYesNo: JW / NC',
    });
  });
});

function describeRow(r: AssociationRow): string {
  const io = ['DO', 'DYN', 'KO', 'NINO', 'KD'];
  return `${io[r.initiatorIo]}->${io[r.responderIo]} ${r.sc ? 'SC' : 'legacy'} mitm ${+r.initiatorMitm}${+r.responderMitm} oob ${+r.initiatorOob}${+r.responderOob}`;
}
