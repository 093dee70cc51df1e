/**
 * Choosing the association model (Core Vol 3 Part H 2.3.5.1, Tables 2.6-2.8).
 * @module
 */
import { AuthReq } from './constants.js';
import type { PairingFeatures } from './pdu.js';

/** The four association models. */
export type AssociationModel = 'just-works' | 'passkey' | 'numeric-comparison' | 'oob';

/** Who does what in the chosen model. */
export interface Association {
  readonly model: AssociationModel;
  /** LE Secure Connections (both sides set the SC bit) or LE legacy pairing. */
  readonly secureConnections: boolean;
  /** Passkey entry: who displays the passkey (`none` when both type it in). */
  readonly passkeyDisplay: 'initiator' | 'responder' | 'none' | null;
  /** Passkey entry: who types the passkey in. */
  readonly passkeyInput: 'initiator' | 'responder' | 'both' | null;
  /** Whether the keys protect against a man in the middle (every model but Just Works). */
  readonly authenticated: boolean;
  /** The IO table cell that chose the model, e.g. `KeyboardDisplay x DisplayYesNo: PK-i / NC` (null when OOB or MITM decided). */
  readonly tableCell: string | null;
}

type Cell = 'JW' | 'NC' | 'PK-r' | 'PK-i' | 'PK-b';
/**
 * IO capability names by value (Core Vol 3 Part H 3.5.1, Table 3.4).
 * @example
 * ```ts
 * IO_NAMES[0x03]; // 'NoInputNoOutput'
 * ```
 */
export const IO_NAMES = [
  'DisplayOnly',
  'DisplayYesNo',
  'KeyboardOnly',
  'NoInputNoOutput',
  'KeyboardDisplay',
] as const;

/**
 * The IO capability table, Core Vol 3 Part H Table 2.8 (smp-rules.md section 2):
 * rows are the responder's IO capability, columns the initiator's, and each
 * cell is `[legacy, secure connections]`. PK-r: responder displays, initiator
 * inputs; PK-i: initiator displays, responder inputs; PK-b: both input.
 */
const IO_TABLE: ReadonlyArray<ReadonlyArray<readonly [Cell, Cell]>> = [
  // initiator: DisplayOnly     DisplayYesNo    KeyboardOnly     NoInputNoOutput  KeyboardDisplay
  /* DisplayOnly     */ [
    ['JW', 'JW'],
    ['JW', 'JW'],
    ['PK-r', 'PK-r'],
    ['JW', 'JW'],
    ['PK-r', 'PK-r'],
  ],
  /* DisplayYesNo    */ [
    ['JW', 'JW'],
    ['JW', 'NC'],
    ['PK-r', 'PK-r'],
    ['JW', 'JW'],
    ['PK-r', 'NC'],
  ],
  /* KeyboardOnly    */ [
    ['PK-i', 'PK-i'],
    ['PK-i', 'PK-i'],
    ['PK-b', 'PK-b'],
    ['JW', 'JW'],
    ['PK-i', 'PK-i'],
  ],
  /* NoInputNoOutput */ [
    ['JW', 'JW'],
    ['JW', 'JW'],
    ['JW', 'JW'],
    ['JW', 'JW'],
    ['JW', 'JW'],
  ],
  /* KeyboardDisplay */ [
    ['PK-i', 'PK-i'],
    ['PK-i', 'NC'],
    ['PK-r', 'PK-r'],
    ['JW', 'JW'],
    ['PK-i', 'NC'],
  ],
];

const CELLS: Readonly<Record<Cell, Pick<Association, 'model' | 'passkeyDisplay' | 'passkeyInput'>>> = {
  JW: { model: 'just-works', passkeyDisplay: null, passkeyInput: null },
  NC: { model: 'numeric-comparison', passkeyDisplay: null, passkeyInput: null },
  'PK-r': { model: 'passkey', passkeyDisplay: 'responder', passkeyInput: 'initiator' },
  'PK-i': { model: 'passkey', passkeyDisplay: 'initiator', passkeyInput: 'responder' },
  'PK-b': { model: 'passkey', passkeyDisplay: 'none', passkeyInput: 'both' },
};

/**
 * The association model for a Pairing Request and Response (Core Vol 3 Part H
 * 2.3.5.1). LE legacy: OOB when both sides have OOB data, else Just Works when
 * neither asks for MITM, else the IO table. Secure Connections: OOB when either
 * side has OOB data, then the same.
 * @example
 * ```ts
 * resolveAssociation(request, response).model; // e.g. 'numeric-comparison'
 * ```
 */
export function resolveAssociation(
  request: Pick<PairingFeatures, 'ioCapability' | 'oobDataPresent' | 'authReq'>,
  response: Pick<PairingFeatures, 'ioCapability' | 'oobDataPresent' | 'authReq'>,
): Association {
  const sc = (request.authReq & response.authReq & AuthReq.SecureConnections) !== 0;
  const oob = sc
    ? request.oobDataPresent || response.oobDataPresent
    : request.oobDataPresent && response.oobDataPresent;
  if (oob) return FIXED[sc ? 1 : 0]!.oob;
  if (((request.authReq | response.authReq) & AuthReq.Mitm) === 0) return FIXED[sc ? 1 : 0]!['just-works'];
  const row = IO_TABLE[response.ioCapability]?.[request.ioCapability];
  if (!row)
    throw new RangeError(
      `resolveAssociation: IO capabilities ${request.ioCapability}/${response.ioCapability} are not 0..4`,
    );
  // The answers are few (5 x 5 x 2): each is made once, frozen, and shared.
  const index = (response.ioCapability * 5 + request.ioCapability) * 2 + (sc ? 1 : 0);
  const known = FROM_TABLE[index];
  if (known) return known;
  const made = tableAssociation(request.ioCapability, response.ioCapability, row, sc);
  FROM_TABLE[index] = made;
  return made;
}

const FROM_TABLE: (Association | undefined)[] = [];

function tableAssociation(
  initiatorIo: number,
  responderIo: number,
  [legacy, secure]: readonly [Cell, Cell],
  sc: boolean,
): Association {
  const cell = sc ? secure : legacy;
  const tableCell = `${IO_NAMES[responderIo]} x ${IO_NAMES[initiatorIo]}: ${legacy === secure ? legacy : `${legacy} / ${secure}`}`;
  return Object.freeze({ ...CELLS[cell], secureConnections: sc, authenticated: cell !== 'JW', tableCell });
}

function fixed(model: 'oob' | 'just-works', sc: boolean): Association {
  return Object.freeze({
    model,
    secureConnections: sc,
    passkeyDisplay: null,
    passkeyInput: null,
    authenticated: model === 'oob',
    tableCell: null,
  });
}

/** OOB and Just Works without the table, for legacy [0] and Secure Connections [1]. */
const FIXED = [false, true].map((sc) => ({ oob: fixed('oob', sc), 'just-works': fixed('just-works', sc) }));
