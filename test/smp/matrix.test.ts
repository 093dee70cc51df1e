/**
 * The pairing matrix: two sessions back to back (pairInMemory, no controller)
 * over every IO capability pair x legacy/SC x MITM per side, OOB on one side
 * and on both, and every initiator x responder key distribution mask.
 *
 * The oracle for the association model is vectors/association-models.json,
 * written from the spec independently of src/; the key distribution oracle is
 * smp-rules.md section 6, restated below.
 */
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import {
  type DeviceAddress,
  IoCapability,
  KeyDist,
  type KeyPduType,
  keyPdusFor,
  type LoopbackRun,
  type LoopbackSide,
  type OobData,
  type PairingDelegate,
  type PairingResult,
  pairInMemory,
  type Role,
} from '../../src/smp/index.js';
import { ASSOCIATION_ROWS, associationRow } from './association-table.js';

const tb = toolbox(nodeBackend);

// ------------------------------------------------------------------ the oracle

/** The key PDUs one side sends for a mask, in order (smp-rules.md 6): no LTK/EDIV/Rand under SC, no PDU for LinkKey. */
function expectedKeyPdus(mask: number, sc: boolean): KeyPduType[] {
  return [
    ...(mask & KeyDist.EncKey && !sc ? (['encryption-information', 'central-identification'] as const) : []),
    ...(mask & KeyDist.IdKey ? (['identity-information', 'identity-address-information'] as const) : []),
    ...(mask & KeyDist.SignKey ? (['signing-information'] as const) : []),
  ];
}

/** The DistributedKeys fields those PDUs fill. */
const KEY_FIELDS: Record<KeyPduType, string[]> = {
  'encryption-information': ['ltk'],
  'central-identification': ['ediv', 'rand'],
  'identity-information': ['irk'],
  'identity-address-information': ['identityAddress'],
  'signing-information': ['csrk'],
};
const KEY_PDU_TYPES = new Set(Object.keys(KEY_FIELDS));

// ------------------------------------------------------------------- the cases

interface SideSetup {
  readonly io: IoCapability;
  readonly mitm: boolean;
  /** Sets the OOB flag: this side holds the peer's OOB data. */
  readonly oob: boolean;
  readonly maxKeySize: number;
  /** Policy masks: what the initiator asks for, or what the responder allows. */
  readonly initiatorKeys: number;
  readonly responderKeys: number;
}

interface Case {
  readonly sc: boolean;
  readonly initiator: SideSetup;
  readonly responder: SideSetup;
}

const IO_NAMES = ['DisplayOnly', 'DisplayYesNo', 'KeyboardOnly', 'NoInputNoOutput', 'KeyboardDisplay'];
const IOS = [0, 1, 2, 3, 4] as const satisfies readonly IoCapability[];
const ALL_KEYS = 0x0f;
const hex = (n: number) => `0x${n.toString(16)}`;

/** Deterministic key sizes per case: every size 7..16 on each side, and different on the two sides. */
const maxKeySizes = (index: number) => [7 + (index % 10), 7 + ((index * 3 + 4) % 10)] as const;

function side(
  io: IoCapability,
  mitm: boolean,
  oob: boolean,
  maxKeySize: number,
  keys: readonly [number, number],
): SideSetup {
  return { io, mitm, oob, maxKeySize, initiatorKeys: keys[0], responderKeys: keys[1] };
}

function describeCase(c: Case): string {
  const { initiator: i, responder: r } = c;
  return (
    `${c.sc ? 'SC' : 'legacy'} ${IO_NAMES[i.io]} -> ${IO_NAMES[r.io]}, ` +
    `MITM ${+i.mitm}/${+r.mitm}, OOB ${+i.oob}/${+r.oob}, ` +
    `keys ${hex(i.initiatorKeys)}/${hex(i.responderKeys)} & ${hex(r.initiatorKeys)}/${hex(r.responderKeys)}, ` +
    `max key size ${i.maxKeySize}/${r.maxKeySize}`
  );
}

/** 5 x 5 IO x legacy/SC x MITM per side: the initiator asks for every key, the responder allows a varying subset. */
const ioMatrix: Case[] = [];
for (const sc of [false, true])
  for (const iIo of IOS)
    for (const rIo of IOS)
      for (const iMitm of [false, true])
        for (const rMitm of [false, true]) {
          const n = ioMatrix.length;
          const [iMax, rMax] = maxKeySizes(n);
          ioMatrix.push({
            sc,
            initiator: side(iIo, iMitm, false, iMax, [ALL_KEYS, ALL_KEYS]),
            responder: side(rIo, rMitm, false, rMax, [n % 16, (n * 7 + 3) % 16]),
          });
        }

/** OOB on one side and on both, for SC and legacy (legacy with one flag falls back to the IO table). */
const oobFlags = [
  { sc: true, i: true, r: false },
  { sc: true, i: false, r: true },
  { sc: true, i: true, r: true },
  { sc: false, i: true, r: true },
  { sc: false, i: true, r: false },
  { sc: false, i: false, r: true },
];
const oobIoPairs: [IoCapability, IoCapability][] = [
  [IoCapability.DisplayYesNo, IoCapability.DisplayYesNo],
  [IoCapability.KeyboardOnly, IoCapability.DisplayOnly],
  [IoCapability.NoInputNoOutput, IoCapability.KeyboardDisplay],
  [IoCapability.KeyboardOnly, IoCapability.KeyboardOnly],
];
const oobCases: Case[] = [];
for (const { sc, i, r } of oobFlags)
  for (const [iIo, rIo] of oobIoPairs)
    for (const mitm of [false, true]) {
      const [iMax, rMax] = maxKeySizes(oobCases.length);
      oobCases.push({
        sc,
        initiator: side(iIo, mitm, i, iMax, [ALL_KEYS, ALL_KEYS]),
        responder: side(rIo, mitm, r, rMax, [ALL_KEYS, ALL_KEYS]),
      });
    }

/** Every initiator x responder mask the initiator can ask for, the responder allowing all (0x0f). */
function maskCases(sc: boolean, iIo: IoCapability, rIo: IoCapability): Case[] {
  const cases: Case[] = [];
  for (let initiatorKeys = 0; initiatorKeys < 16; initiatorKeys++)
    for (let responderKeys = 0; responderKeys < 16; responderKeys++) {
      const [iMax, rMax] = maxKeySizes(cases.length);
      cases.push({
        sc,
        initiator: side(iIo, true, false, iMax, [initiatorKeys, responderKeys]),
        responder: side(rIo, true, false, rMax, [ALL_KEYS, ALL_KEYS]),
      });
    }
  return cases;
}

// --------------------------------------------------------------- the devices

const INITIATOR_ADDRESS: DeviceAddress = {
  type: 0,
  address: Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66),
};
/** The responder connects with a resolvable private address (top bits 01)... */
const RESPONDER_ADDRESS: DeviceAddress = {
  type: 1,
  address: Uint8Array.of(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x46),
};
/** ...and distributes its static random identity (top bits 11). */
const RESPONDER_IDENTITY: DeviceAddress = {
  type: 1,
  address: Uint8Array.of(0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xd6),
};

/** The passkey the user makes up when neither device has a display (both type it). */
const MADE_UP_PASSKEY = 314_159;

/**
 * What the displaying device shows, for the user to type on the other one.
 * Typing waits for the display; with no display anywhere, the user types a
 * made-up passkey; with nothing shown after a while, the user cancels.
 */
function screen(neitherDisplays: boolean) {
  let show: (passkey: number) => void = () => {};
  const shown = new Promise<number>((resolve) => {
    show = resolve;
  });
  return {
    show,
    read: (): Promise<number | null> =>
      neitherDisplays
        ? Promise.resolve(MADE_UP_PASSKEY)
        : Promise.race([shown, new Promise<null>((resolve) => setTimeout(() => resolve(null), 500).unref())]),
  };
}

/** What one side's user saw and did. */
interface UserLog {
  readonly numbers: number[];
  readonly displayed: number[];
  readonly typed: (number | null)[];
}

function user(display: ReturnType<typeof screen>, log: UserLog): PairingDelegate {
  return {
    acceptPairing: () => true,
    confirmJustWorks: () => true,
    confirmNumber: (_peer, value) => {
      log.numbers.push(value);
      return true;
    },
    displayPasskey: (_peer, passkey) => {
      log.displayed.push(passkey);
      display.show(passkey);
    },
    enterPasskey: async () => {
      const passkey = await display.read();
      log.typed.push(passkey);
      return passkey;
    },
    oobData: () => null,
  };
}

const canDisplay = (io: IoCapability) =>
  io !== IoCapability.KeyboardOnly && io !== IoCapability.NoInputNoOutput;

interface Pairing {
  readonly run: LoopbackRun;
  readonly logs: Record<Role, UserLog>;
}

async function pair(c: Case): Promise<Pairing> {
  const setups: Record<Role, SideSetup> = { initiator: c.initiator, responder: c.responder };
  // SC OOB: a side that set its flag holds the peer's random r and confirm C = f4(PKx, PKx, r, 0).
  const scOob = c.sc && (c.initiator.oob || c.responder.oob);
  const keyPairs = scOob ? { initiator: tb.generateKeyPair(), responder: tb.generateKeyPair() } : null;
  const oobRandoms = {
    initiator: crypto.getRandomValues(new Uint8Array(16)),
    responder: crypto.getRandomValues(new Uint8Array(16)),
  };
  const legacyTk = crypto.getRandomValues(new Uint8Array(16));
  const other = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator');
  const oobFor = (role: Role): { peer?: OobData; localRandom?: Uint8Array } => {
    const peerRole = other(role);
    const holdsPeerData = setups[role].oob;
    const peerHoldsOurs = setups[peerRole].oob;
    if (!c.sc) return holdsPeerData ? { peer: { tk: legacyTk } } : {};
    if (!keyPairs) return {};
    const peerX = keyPairs[peerRole].publicKey.subarray(0, 32);
    const peerRandom = oobRandoms[peerRole];
    return {
      ...(holdsPeerData ? { peer: { random: peerRandom, confirm: tb.f4(peerX, peerX, peerRandom, 0) } } : {}),
      ...(peerHoldsOurs ? { localRandom: oobRandoms[role] } : {}),
    };
  };

  const display = screen(!canDisplay(c.initiator.io) && !canDisplay(c.responder.io));
  const logs: Record<Role, UserLog> = {
    initiator: { numbers: [], displayed: [], typed: [] },
    responder: { numbers: [], displayed: [], typed: [] },
  };
  const loopbackSide = (role: Role): LoopbackSide => {
    const s = setups[role];
    const [local, peer, identity] =
      role === 'initiator'
        ? [INITIATOR_ADDRESS, RESPONDER_ADDRESS, INITIATOR_ADDRESS]
        : [RESPONDER_ADDRESS, INITIATOR_ADDRESS, RESPONDER_IDENTITY];
    return {
      options: {
        local,
        peer,
        crypto: tb,
        identity: { address: identity },
        oob: oobFor(role),
        ...(keyPairs ? { keyPair: keyPairs[role] } : {}),
        policy: {
          ioCapability: s.io,
          requestMitm: s.mitm,
          allowLegacy: true,
          secureConnections: c.sc,
          minKeySize: 7,
          maxKeySize: s.maxKeySize,
          initiatorKeys: s.initiatorKeys,
          responderKeys: s.responderKeys,
        },
      },
      delegate: user(display, logs[role]),
    };
  };
  const run = await pairInMemory(loopbackSide('initiator'), loopbackSide('responder'));
  return { run, logs };
}

// ---------------------------------------------------------------- the checks

async function pairsAsTheSpecSays(c: Case): Promise<void> {
  const row = associationRow({
    initiatorIo: c.initiator.io,
    responderIo: c.responder.io,
    sc: c.sc,
    initiatorMitm: c.initiator.mitm,
    responderMitm: c.responder.mitm,
    initiatorOob: c.initiator.oob,
    responderOob: c.responder.oob,
  });
  const { run, logs } = await pair(c);

  // Both sides complete, with the table's model and authentication.
  expect(run.initiator, 'initiator outcome').toMatchObject({ status: 'completed' });
  expect(run.responder, 'responder outcome').toMatchObject({ status: 'completed' });
  const result: Record<Role, PairingResult> = {
    initiator: (run.initiator as { result: PairingResult }).result,
    responder: (run.responder as { result: PairingResult }).result,
  };
  for (const role of ['initiator', 'responder'] as const) {
    expect(
      {
        model: result[role].model,
        authenticated: result[role].authenticated,
        sc: result[role].secureConnections,
        method: result[role].method,
      },
      `${role} association`,
    ).toEqual({
      model: row.model,
      authenticated: row.authenticated,
      sc: row.sc,
      method: row.sc ? 'sc' : 'legacy',
    });
  }

  // One key, of min(max, max) octets: the octets above the key size are zero.
  const keySize = Math.min(c.initiator.maxKeySize, c.responder.maxKeySize);
  expect(result.initiator.keySize).toBe(keySize);
  expect(result.responder.keySize).toBe(keySize);
  expect(result.initiator.encryptionKey).toHaveLength(16);
  expect(result.responder.encryptionKey).toEqual(result.initiator.encryptionKey);
  expect([...result.initiator.encryptionKey.subarray(keySize)], 'octets from the key size on').toEqual(
    new Array(16 - keySize).fill(0),
  );
  expect(result.initiator.encryptionKey.some((octet) => octet !== 0)).toBe(true);

  // Keys: masks are request AND responder policy; each side sends exactly its mask's PDUs, responder first.
  const masks = {
    initiator: c.initiator.initiatorKeys & c.responder.initiatorKeys,
    responder: c.initiator.responderKeys & c.responder.responderKeys,
  };
  const response = run.transcript.find(({ pdu }) => pdu.type === 'pairing-response')?.pdu;
  expect(response, 'Pairing Response masks').toMatchObject({
    initiatorKeys: masks.initiator,
    responderKeys: masks.responder,
  });
  const keyPdus = run.transcript.filter(({ pdu }) => KEY_PDU_TYPES.has(pdu.type));
  const expected = {
    initiator: expectedKeyPdus(masks.initiator, c.sc),
    responder: expectedKeyPdus(masks.responder, c.sc),
  };
  expect(
    keyPdus.map(({ from, pdu }) => `${from} ${pdu.type}`),
    'key PDUs, in order',
  ).toEqual([
    ...expected.responder.map((type) => `responder ${type}`),
    ...expected.initiator.map((type) => `initiator ${type}`),
  ]);
  expect(run.transcript.some(({ pdu }) => pdu.type === 'pairing-failed')).toBe(false);
  for (const role of ['initiator', 'responder'] as const) {
    expect(keyPdusFor(masks[role], c.sc), `keyPdusFor(${hex(masks[role])}, ${c.sc})`).toEqual(expected[role]);
    const local = result[role].localKeys;
    expect(Object.keys(local).sort(), `${role} local keys`).toEqual(
      expected[role].flatMap((type) => KEY_FIELDS[type]).sort(),
    );
    expect(
      result[role === 'initiator' ? 'responder' : 'initiator'].peerKeys,
      `keys the peer of the ${role} got`,
    ).toEqual(local);
    if (local.identityAddress) {
      expect(local.identityAddress).toEqual(role === 'initiator' ? INITIATOR_ADDRESS : RESPONDER_IDENTITY);
    }
    for (const key of [local.ltk, local.rand, local.irk, local.csrk]) {
      if (key)
        expect(
          key.some((octet) => octet !== 0),
          `${role} distributed an all-zero key`,
        ).toBe(true);
    }
    if (local.ltk) {
      expect([...local.ltk.subarray(keySize)], `${role} LTK octets from the key size on`).toEqual(
        new Array(16 - keySize).fill(0),
      );
    }
  }

  // The users saw the same six-digit value on both sides.
  const none = { numbers: [], displayed: [], typed: [] };
  if (row.model === 'numeric-comparison') {
    const [value] = logs.initiator.numbers;
    expect(logs.initiator, 'initiator user').toEqual({ ...none, numbers: [value] });
    expect(logs.responder, 'responder user').toEqual({ ...none, numbers: [value] });
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(1_000_000);
  } else if (row.model === 'passkey' && row.passkeyDisplay === 'none') {
    expect(logs.initiator, 'initiator user').toEqual({ ...none, typed: [MADE_UP_PASSKEY] });
    expect(logs.responder, 'responder user').toEqual({ ...none, typed: [MADE_UP_PASSKEY] });
  } else if (row.model === 'passkey') {
    const shows = row.passkeyDisplay as Role;
    const types = row.passkeyInput as Role;
    expect(types).not.toBe(shows);
    const [passkey] = logs[shows].displayed;
    expect(logs[shows], `${shows} user (displays)`).toEqual({ ...none, displayed: [passkey] });
    expect(logs[types], `${types} user (types)`).toEqual({ ...none, typed: [passkey] });
    expect(Number.isInteger(passkey) && passkey! >= 0 && passkey! < 1_000_000, `passkey ${passkey}`).toBe(
      true,
    );
  } else {
    expect(logs.initiator, 'initiator user').toEqual(none);
    expect(logs.responder, 'responder user').toEqual(none);
  }
}

const named = (cases: Case[]) => cases.map((c, i) => [`#${i} ${describeCase(c)}`, c] as const);

describe('pairing matrix: two sessions back to back, checked against the spec tables', () => {
  it('covers 5 x 5 IO x legacy/SC x MITM x MITM, and has a table row for every case', () => {
    expect(ioMatrix).toHaveLength(200);
    expect(ASSOCIATION_ROWS).toHaveLength(800);
  });

  describe('every IO capability pair, legacy and SC, MITM on/off per side', () => {
    it.each(named(ioMatrix))('%s', (_name, c) => pairsAsTheSpecSays(c));
  });

  describe('OOB on one side and on both', () => {
    it.each(named(oobCases))('%s', (_name, c) => pairsAsTheSpecSays(c));
  });

  describe('every key distribution mask, SC DisplayYesNo -> DisplayYesNo (numeric comparison)', () => {
    const cases = maskCases(true, IoCapability.DisplayYesNo, IoCapability.DisplayYesNo);
    it.each(named(cases))('%s', (_name, c) => pairsAsTheSpecSays(c));
  });

  describe('every key distribution mask, legacy KeyboardDisplay -> KeyboardOnly (passkey)', () => {
    const cases = maskCases(false, IoCapability.KeyboardDisplay, IoCapability.KeyboardOnly);
    it.each(named(cases))('%s', (_name, c) => pairsAsTheSpecSays(c));
  });
});
