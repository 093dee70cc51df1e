/**
 * The SMP PDU codec against hand-written wire examples (Core Vol 3 Part H
 * 3.5, 3.6; smp-rules.md section 1). The octets below are written from the
 * spec's layouts, not produced by src/.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Opcode, PDU_LENGTH } from '../../src/smp/constants.js';
import { type DecodeResult, decodePdu, describePdu, encodePdu, type SmpPdu } from '../../src/smp/pdu.js';

/** '01 03 0d' -> Uint8Array [1, 3, 13]; written here so that the tests do not lean on src/ helpers. */
function octets(text: string): Uint8Array {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  return Uint8Array.from(parts.map((part) => Number.parseInt(part, 16)));
}
function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
/** n octets counting up from `start` (wrapping at 0x100). */
function run(start: number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

/** smp-rules.md section 1: code and length including the code octet. */
const SPEC_LENGTHS: ReadonlyArray<readonly [code: number, length: number]> = [
  [0x01, 7],
  [0x02, 7],
  [0x03, 17],
  [0x04, 17],
  [0x05, 2],
  [0x06, 17],
  [0x07, 11],
  [0x08, 17],
  [0x09, 8],
  [0x0a, 17],
  [0x0b, 2],
  [0x0c, 65],
  [0x0d, 17],
  [0x0e, 2],
];
const SPEC_LENGTH = new Map(SPEC_LENGTHS);

const CONFIRM = '6d 2f 80 33 74 d7 cb 67 ea f4 2c 98 c8 0d a6 1e';
const RANDOM = 'e0 2e 70 c6 4e 27 88 63 0e 6f ad 56 21 d5 83 57';
const LTK = '00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff';
const IRK = 'ec 02 34 a3 57 c8 ad 05 34 10 10 a6 0a 39 7d 9b';
const CSRK = 'f0 e1 d2 c3 b4 a5 96 87 78 69 5a 4b 3c 2d 1e 0f';
const DHKEY_CHECK = 'a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af b0';
// X (32 octets, wire order) then Y (32 octets, wire order).
const PUBLIC_X =
  '01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20';
const PUBLIC_Y =
  '21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f 40';

interface Example {
  readonly name: string;
  readonly wire: string;
  readonly pdu: SmpPdu;
}
const EXAMPLES: readonly Example[] = [
  {
    // IO NoInputNoOutput, no OOB, AuthReq Bonding|SC, max key 16, initiator Enc|Sign|Link, responder all.
    name: 'Pairing Request',
    wire: '01 03 00 09 10 0d 0f',
    pdu: {
      type: 'pairing-request',
      ioCapability: 3,
      oobDataPresent: false,
      authReq: 0x09,
      maxKeySize: 16,
      initiatorKeys: 0x0d,
      responderKeys: 0x0f,
    },
  },
  {
    // IO DisplayYesNo, OOB present, AuthReq Bonding|MITM|SC|CT2, max key 7, initiator Enc, responder Enc|Id.
    name: 'Pairing Response',
    wire: '02 01 01 2d 07 01 03',
    pdu: {
      type: 'pairing-response',
      ioCapability: 1,
      oobDataPresent: true,
      authReq: 0x2d,
      maxKeySize: 7,
      initiatorKeys: 0x01,
      responderKeys: 0x03,
    },
  },
  {
    name: 'Pairing Confirm',
    wire: `03 ${CONFIRM}`,
    pdu: { type: 'pairing-confirm', value: octets(CONFIRM) },
  },
  {
    name: 'Pairing Random',
    wire: `04 ${RANDOM}`,
    pdu: { type: 'pairing-random', value: octets(RANDOM) },
  },
  {
    name: 'Pairing Failed',
    wire: '05 04',
    pdu: { type: 'pairing-failed', reason: 0x04 },
  },
  {
    name: 'Encryption Information',
    wire: `06 ${LTK}`,
    pdu: { type: 'encryption-information', ltk: octets(LTK) },
  },
  {
    // EDIV 0x1234, little-endian, then the 8-octet Rand.
    name: 'Central Identification',
    wire: '07 34 12 01 02 03 04 05 06 07 08',
    pdu: { type: 'central-identification', ediv: 0x1234, rand: octets('01 02 03 04 05 06 07 08') },
  },
  {
    name: 'Identity Information',
    wire: `08 ${IRK}`,
    pdu: { type: 'identity-information', irk: octets(IRK) },
  },
  {
    // Static random d2:a7:4c:76:f3:e0, wire order least significant octet first.
    name: 'Identity Address Information',
    wire: '09 01 e0 f3 76 4c a7 d2',
    pdu: {
      type: 'identity-address-information',
      addressType: 1,
      address: octets('e0 f3 76 4c a7 d2'),
    },
  },
  {
    name: 'Signing Information',
    wire: `0a ${CSRK}`,
    pdu: { type: 'signing-information', csrk: octets(CSRK) },
  },
  {
    // Bonding | MITM | SC.
    name: 'Security Request',
    wire: '0b 0d',
    pdu: { type: 'security-request', authReq: 0x0d },
  },
  {
    name: 'Pairing Public Key',
    wire: `0c ${PUBLIC_X} ${PUBLIC_Y}`,
    pdu: { type: 'pairing-public-key', publicKey: octets(`${PUBLIC_X} ${PUBLIC_Y}`) },
  },
  {
    name: 'Pairing DHKey Check',
    wire: `0d ${DHKEY_CHECK}`,
    pdu: { type: 'pairing-dhkey-check', value: octets(DHKEY_CHECK) },
  },
  {
    // Passkey entry completed.
    name: 'Pairing Keypress Notification',
    wire: '0e 04',
    pdu: { type: 'keypress-notification', notification: 4 },
  },
];

const INVALID = { ok: false, action: 'fail', reason: 0x0a } as const;

function expectInvalid(result: DecodeResult): void {
  expect(result).toMatchObject(INVALID);
  if (!result.ok) expect(result.message).toEqual(expect.any(String));
}

describe('the PDU table', () => {
  it('constants match smp-rules.md section 1: 14 codes and their lengths', () => {
    expect(Object.keys(PDU_LENGTH)).toHaveLength(14);
    for (const [code, length] of SPEC_LENGTHS) expect(PDU_LENGTH[code as Opcode]).toBe(length);
  });
  it('the hand-written examples cover all 14 codes, each at its spec length', () => {
    const codes = EXAMPLES.map((example) => octets(example.wire)[0]);
    expect(new Set(codes)).toEqual(new Set(SPEC_LENGTHS.map(([code]) => code)));
    for (const example of EXAMPLES) {
      const wire = octets(example.wire);
      expect(wire.length, example.name).toBe(SPEC_LENGTH.get(wire[0]!));
    }
  });
});

describe('decodePdu and encodePdu on hand-written wire examples', () => {
  it.each(EXAMPLES.map((example) => [example.name, example] as const))('%s decodes', (_name, example) => {
    expect(decodePdu(octets(example.wire))).toEqual({ ok: true, pdu: example.pdu });
  });
  it.each(EXAMPLES.map((example) => [example.name, example] as const))(
    '%s encodes to the same octets',
    (_name, example) => {
      const encoded = encodePdu(example.pdu);
      expect(encoded).toBeInstanceOf(Uint8Array);
      expect(hexOf(encoded)).toBe(hexOf(octets(example.wire)));
    },
  );
  it('decodes EDIV little-endian across the whole 16-bit range', () => {
    for (const [lo, hi, ediv] of [
      [0x00, 0x00, 0x0000],
      [0x01, 0x00, 0x0001],
      [0x00, 0x01, 0x0100],
      [0xff, 0xff, 0xffff],
      [0xcd, 0xab, 0xabcd],
    ] as const) {
      const wire = Uint8Array.of(0x07, lo, hi, ...run(0x90, 8));
      expect(decodePdu(wire)).toEqual({
        ok: true,
        pdu: { type: 'central-identification', ediv, rand: run(0x90, 8) },
      });
      expect(hexOf(encodePdu({ type: 'central-identification', ediv, rand: run(0x90, 8) }))).toBe(
        hexOf(wire),
      );
    }
  });
  it('decoded byte fields are copies: changing the input afterwards does not change them', () => {
    const wire = octets(`06 ${LTK}`);
    const result = decodePdu(wire);
    wire.fill(0xee);
    expect(result).toEqual({ ok: true, pdu: { type: 'encryption-information', ltk: octets(LTK) } });
  });
  it('decoded byte fields are copies when the input is a Node Buffer (as HCI sockets deliver)', () => {
    // Buffer#slice returns a view, unlike Uint8Array#slice.
    const wire = Buffer.from(octets(`06 ${LTK}`));
    const result = decodePdu(wire);
    wire.fill(0xee);
    expect(result).toMatchObject({ ok: true, pdu: { type: 'encryption-information' } });
    const ltk = result.ok && result.pdu.type === 'encryption-information' ? result.pdu.ltk : undefined;
    expect(ltk && hexOf(ltk)).toBe(hexOf(octets(LTK)));
  });
});

describe('decodePdu refuses wrong lengths with Invalid Parameters (0x0A)', () => {
  it.each(EXAMPLES.map((example) => [example.name, example] as const))(
    '%s one octet short',
    (_name, example) => {
      const wire = octets(example.wire);
      expectInvalid(decodePdu(wire.subarray(0, wire.length - 1)));
    },
  );
  it.each(EXAMPLES.map((example) => [example.name, example] as const))(
    '%s one octet long',
    (_name, example) => {
      const wire = octets(example.wire);
      expectInvalid(decodePdu(Uint8Array.of(...wire, 0x00)));
    },
  );
  it('every known code at every wrong length from 1 to 80 octets', () => {
    for (const [code, length] of SPEC_LENGTHS) {
      for (let n = 1; n <= 80; n++) {
        if (n === length) continue;
        const wire = new Uint8Array(n);
        wire[0] = code;
        expectInvalid(decodePdu(wire));
      }
    }
  });
  it('an empty payload', () => {
    expectInvalid(decodePdu(new Uint8Array(0)));
  });
  it('something that is not a Uint8Array, without throwing', () => {
    expectInvalid(decodePdu(undefined as unknown as Uint8Array));
    expectInvalid(decodePdu([1, 3, 0, 9, 16, 13, 15] as unknown as Uint8Array));
  });
});

describe('decodePdu ignores reserved codes (3.3)', () => {
  const reserved = [0x00, ...Array.from({ length: 0xff - 0x0f + 1 }, (_, i) => 0x0f + i)];
  it('covers 0x00 and 0x0F..0xFF: 242 codes', () => {
    expect(reserved).toHaveLength(242);
  });
  it.each([1, 2, 7, 17, 65])('every reserved code, %i octets long', (length) => {
    for (const code of reserved) {
      const wire = new Uint8Array(length).fill(0x5a);
      wire[0] = code;
      const result = decodePdu(wire);
      expect(result, `code 0x${code.toString(16)}`).toMatchObject({ ok: false, action: 'ignore' });
      expect(result).not.toHaveProperty('reason');
    }
  });
});

describe('decodePdu refuses out-of-range fields with Invalid Parameters (0x0A)', () => {
  const features = (code: number, io: number, oob: number, maxKeySize: number) =>
    Uint8Array.of(code, io, oob, 0x09, maxKeySize, 0x0f, 0x0f);

  it.each([0x01, 0x02])('Pairing Request/Response (0x%i): IO capability 5 and above', (code) => {
    for (const io of [5, 6, 0x80, 0xff]) expectInvalid(decodePdu(features(code, io, 0, 16)));
    for (let io = 0; io <= 4; io++) expect(decodePdu(features(code, io, 0, 16)).ok).toBe(true);
  });
  it.each([0x01, 0x02])('Pairing Request/Response (0x%i): OOB data flag 2 and above', (code) => {
    for (const oob of [2, 3, 0x80, 0xff]) expectInvalid(decodePdu(features(code, 3, oob, 16)));
    expect(decodePdu(features(code, 3, 0, 16))).toMatchObject({ ok: true, pdu: { oobDataPresent: false } });
    expect(decodePdu(features(code, 3, 1, 16))).toMatchObject({ ok: true, pdu: { oobDataPresent: true } });
  });
  it.each([0x01, 0x02])('Pairing Request/Response (0x%i): maximum key size outside 7..16', (code) => {
    for (const size of [0, 1, 6, 17, 0x80, 0xff]) expectInvalid(decodePdu(features(code, 3, 0, size)));
    for (let size = 7; size <= 16; size++) {
      expect(decodePdu(features(code, 3, 0, size))).toMatchObject({ ok: true, pdu: { maxKeySize: size } });
    }
  });
  it('Keypress Notification type 5 and above', () => {
    for (const type of [5, 6, 0x80, 0xff]) expectInvalid(decodePdu(Uint8Array.of(0x0e, type)));
    for (let type = 0; type <= 4; type++) {
      expect(decodePdu(Uint8Array.of(0x0e, type))).toEqual({
        ok: true,
        pdu: { type: 'keypress-notification', notification: type },
      });
    }
  });
  it('Identity Address Information address type 2 and above', () => {
    const address = octets('e0 f3 76 4c a7 d2');
    for (const type of [2, 3, 0x80, 0xff]) expectInvalid(decodePdu(Uint8Array.of(0x09, type, ...address)));
    for (const type of [0, 1]) {
      expect(decodePdu(Uint8Array.of(0x09, type, ...address))).toMatchObject({
        ok: true,
        pdu: { addressType: type },
      });
    }
  });
  it('Pairing Failed accepts every reason octet as it is (the pairing is over either way)', () => {
    for (let reason = 0; reason <= 0xff; reason++) {
      expect(decodePdu(Uint8Array.of(0x05, reason))).toEqual({
        ok: true,
        pdu: { type: 'pairing-failed', reason },
      });
    }
  });
});

describe('decodePdu ignores reserved bits (3.5.1, 3.6.1)', () => {
  it('AuthReq bits 6-7 and key distribution bits 4-7 of a Pairing Request are cleared', () => {
    expect(decodePdu(octets('01 03 00 c9 10 fd ff'))).toEqual({
      ok: true,
      pdu: {
        type: 'pairing-request',
        ioCapability: 3,
        oobDataPresent: false,
        authReq: 0x09,
        maxKeySize: 16,
        initiatorKeys: 0x0d,
        responderKeys: 0x0f,
      },
    });
  });
  it('likewise in a Pairing Response', () => {
    expect(decodePdu(octets('02 04 00 ed 10 f0 a3'))).toEqual({
      ok: true,
      pdu: {
        type: 'pairing-response',
        ioCapability: 4,
        oobDataPresent: false,
        authReq: 0x2d,
        maxKeySize: 16,
        initiatorKeys: 0x00,
        responderKeys: 0x03,
      },
    });
  });
  it('every AuthReq octet of a Security Request decodes to its low six bits', () => {
    for (let authReq = 0; authReq <= 0xff; authReq++) {
      expect(decodePdu(Uint8Array.of(0x0b, authReq))).toEqual({
        ok: true,
        pdu: { type: 'security-request', authReq: authReq & 0x3f },
      });
    }
  });
  it('every key distribution octet decodes to its low four bits', () => {
    for (let keys = 0; keys <= 0xff; keys++) {
      expect(decodePdu(Uint8Array.of(0x01, 3, 0, 0x09, 16, keys, keys))).toMatchObject({
        ok: true,
        pdu: { initiatorKeys: keys & 0x0f, responderKeys: keys & 0x0f },
      });
    }
  });
});

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const featuresArb = fc.record({
  ioCapability: fc.integer({ min: 0, max: 4 }),
  oobDataPresent: fc.boolean(),
  authReq: fc.integer({ min: 0, max: 0x3f }),
  maxKeySize: fc.integer({ min: 7, max: 16 }),
  initiatorKeys: fc.integer({ min: 0, max: 0x0f }),
  responderKeys: fc.integer({ min: 0, max: 0x0f }),
});
/** Every valid PDU: fields in range, reserved bits clear. */
const pduArb: fc.Arbitrary<SmpPdu> = fc.oneof(
  featuresArb.map((f): SmpPdu => ({ type: 'pairing-request', ...f })),
  featuresArb.map((f): SmpPdu => ({ type: 'pairing-response', ...f })),
  bytes(16).map((value): SmpPdu => ({ type: 'pairing-confirm', value })),
  bytes(16).map((value): SmpPdu => ({ type: 'pairing-random', value })),
  fc.integer({ min: 0, max: 0xff }).map((reason): SmpPdu => ({ type: 'pairing-failed', reason })),
  bytes(16).map((ltk): SmpPdu => ({ type: 'encryption-information', ltk })),
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), bytes(8))
    .map(([ediv, rand]): SmpPdu => ({ type: 'central-identification', ediv, rand })),
  bytes(16).map((irk): SmpPdu => ({ type: 'identity-information', irk })),
  fc
    .tuple(fc.integer({ min: 0, max: 1 }), bytes(6))
    .map(
      ([addressType, address]): SmpPdu => ({ type: 'identity-address-information', addressType, address }),
    ),
  bytes(16).map((csrk): SmpPdu => ({ type: 'signing-information', csrk })),
  fc.integer({ min: 0, max: 0x3f }).map((authReq): SmpPdu => ({ type: 'security-request', authReq })),
  bytes(64).map((publicKey): SmpPdu => ({ type: 'pairing-public-key', publicKey })),
  bytes(16).map((value): SmpPdu => ({ type: 'pairing-dhkey-check', value })),
  fc
    .integer({ min: 0, max: 4 })
    .map((notification): SmpPdu => ({ type: 'keypress-notification', notification })),
);

describe('properties', () => {
  it('decodePdu(encodePdu(pdu)) equals pdu for random valid PDUs, at the spec length', () => {
    fc.assert(
      fc.property(pduArb, (pdu) => {
        const wire = encodePdu(pdu);
        expect(wire.length).toBe(SPEC_LENGTH.get(wire[0]!));
        expect(decodePdu(wire)).toEqual({ ok: true, pdu });
      }),
      { numRuns: 2_000 },
    );
  });
  it('decodePdu never throws on random byte arrays of 0..80 octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (wire) => {
        const result = decodePdu(wire);
        if (result.ok) return;
        expect(result.message).toEqual(expect.any(String));
        if (result.action === 'fail') expect(result.reason).toBe(0x0a);
        else expect(result.action).toBe('ignore');
      }),
      { numRuns: 10_000 },
    );
  });
  it('on random octets at a known code and its length: decodes, or fails 0x0A; what decodes re-encodes', () => {
    const atLength = fc
      .constantFrom(...SPEC_LENGTHS)
      .chain(([code, length]) => bytes(length - 1).map((rest) => Uint8Array.of(code, ...rest)));
    fc.assert(
      fc.property(atLength, (wire) => {
        const result = decodePdu(wire);
        if (!result.ok) {
          expect(result).toMatchObject(INVALID);
          return;
        }
        const again = encodePdu(result.pdu);
        expect(again.length).toBe(wire.length);
        expect(again[0]).toBe(wire[0]);
        expect(decodePdu(again)).toEqual(result);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('describePdu', () => {
  const secrets: ReadonlyArray<readonly [name: string, pdu: SmpPdu, secret: string]> = [
    ['ltk', { type: 'encryption-information', ltk: octets(LTK) }, LTK],
    ['irk', { type: 'identity-information', irk: octets(IRK) }, IRK],
    ['csrk', { type: 'signing-information', csrk: octets(CSRK) }, CSRK],
    [
      'rand',
      { type: 'central-identification', ediv: 0x1234, rand: octets('01 02 03 04 05 06 07 08') },
      '01 02 03 04 05 06 07 08',
    ],
  ];
  it.each(secrets)('hides %s by default', (name, pdu, secret) => {
    const text = describePdu(pdu);
    expect(text.startsWith(pdu.type)).toBe(true);
    expect(text).toContain(`${name}=<hidden>`);
    expect(text).not.toContain(hexOf(octets(secret)));
    expect(text).not.toContain(secret);
  });
  it.each(secrets)('shows %s with showKeys', (name, pdu, secret) => {
    const text = describePdu(pdu, true);
    expect(text).toContain(`${name}=${hexOf(octets(secret))}`);
    expect(text).not.toContain('<hidden>');
  });
  it('shows the EDIV, which is not secret on its own', () => {
    expect(describePdu(EXAMPLES[6]!.pdu)).toContain('ediv=0x1234');
  });
  it('describes non-secret PDUs in full', () => {
    expect(describePdu({ type: 'pairing-failed', reason: 4 })).toBe('pairing-failed reason=0x04');
    const request = describePdu(EXAMPLES[0]!.pdu);
    expect(request).toContain('pairing-request');
    expect(request).toContain('ioCapability=0x03');
    expect(request).toContain('oobDataPresent=false');
    expect(request).toContain('maxKeySize=0x10');
    expect(describePdu(EXAMPLES[2]!.pdu)).toContain(hexOf(octets(CONFIRM)));
  });
});

describe('encodePdu refuses a caller bug with a TypeError', () => {
  const sized: ReadonlyArray<readonly [field: string, size: number, make: (v: Uint8Array) => SmpPdu]> = [
    ['value', 16, (value) => ({ type: 'pairing-confirm', value })],
    ['value', 16, (value) => ({ type: 'pairing-random', value })],
    ['value', 16, (value) => ({ type: 'pairing-dhkey-check', value })],
    ['ltk', 16, (ltk) => ({ type: 'encryption-information', ltk })],
    ['rand', 8, (rand) => ({ type: 'central-identification', ediv: 0, rand })],
    ['irk', 16, (irk) => ({ type: 'identity-information', irk })],
    ['address', 6, (address) => ({ type: 'identity-address-information', addressType: 0, address })],
    ['csrk', 16, (csrk) => ({ type: 'signing-information', csrk })],
    ['publicKey', 64, (publicKey) => ({ type: 'pairing-public-key', publicKey })],
  ];
  it.each(sized.map(([field, size, make]) => [make(new Uint8Array(size)).type, field, size, make] as const))(
    '%s: %s of the wrong size',
    (_type, field, size, make) => {
      for (const wrong of [0, size - 1, size + 1, 2 * size]) {
        expect(() => encodePdu(make(new Uint8Array(wrong)))).toThrow(TypeError);
        expect(() => encodePdu(make(new Uint8Array(wrong)))).toThrow(field);
      }
      expect(() => encodePdu(make(Array(size).fill(0) as unknown as Uint8Array))).toThrow(TypeError);
      const right = encodePdu(make(new Uint8Array(size)));
      expect(right).toHaveLength(SPEC_LENGTH.get(right[0]!)!);
    },
  );
  it('numeric fields out of range', () => {
    const request = EXAMPLES[0]!.pdu as Extract<SmpPdu, { type: 'pairing-request' }>;
    const bad: SmpPdu[] = [
      { ...request, ioCapability: 5 },
      { ...request, ioCapability: -1 },
      { ...request, maxKeySize: 17 },
      { ...request, authReq: 0x100 },
      { ...request, initiatorKeys: 1.5 },
      { type: 'pairing-failed', reason: 0x100 },
      { type: 'central-identification', ediv: 0x10000, rand: new Uint8Array(8) },
      { type: 'central-identification', ediv: -1, rand: new Uint8Array(8) },
      { type: 'identity-address-information', addressType: 2, address: new Uint8Array(6) },
      { type: 'security-request', authReq: 0x100 },
      { type: 'keypress-notification', notification: 5 },
    ];
    for (const pdu of bad) expect(() => encodePdu(pdu), JSON.stringify(pdu)).toThrow(TypeError);
  });
  it('maximum key size below 7 (it would emit a Pairing Request that decodePdu refuses with 0x0A)', () => {
    const request = EXAMPLES[0]!.pdu as Extract<SmpPdu, { type: 'pairing-request' }>;
    for (const maxKeySize of [0, 6]) {
      expect(() => encodePdu({ ...request, maxKeySize }), `maxKeySize ${maxKeySize}`).toThrow(TypeError);
    }
  });
  it('never emits reserved AuthReq bits (6-7) or key distribution bits (4-7): it refuses them or clears them', () => {
    const request = EXAMPLES[0]!.pdu as Extract<SmpPdu, { type: 'pairing-request' }>;
    const cases: ReadonlyArray<readonly [SmpPdu, (wire: Uint8Array) => boolean]> = [
      [{ ...request, authReq: 0xc9 }, (wire) => (wire[3]! & 0xc0) === 0],
      [{ ...request, initiatorKeys: 0xfd }, (wire) => (wire[5]! & 0xf0) === 0],
      [{ ...request, type: 'pairing-response', responderKeys: 0x1f }, (wire) => (wire[6]! & 0xf0) === 0],
      [{ type: 'security-request', authReq: 0xcd }, (wire) => (wire[1]! & 0xc0) === 0],
    ];
    const emitted: string[] = [];
    for (const [pdu, clean] of cases) {
      let wire: Uint8Array;
      try {
        wire = encodePdu(pdu);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        continue;
      }
      if (!clean(wire)) emitted.push(`${JSON.stringify(pdu)} -> ${hexOf(wire)}`);
    }
    expect(emitted).toEqual([]);
  });
});
