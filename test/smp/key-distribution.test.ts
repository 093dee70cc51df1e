/**
 * Key distribution (Core Vol 3 Part H 3.6.1, 2.4.3; smp-rules.md section 6).
 * Expected values are computed here bit by bit from the rules, not with the
 * expressions src/ uses.
 */
import { describe, expect, it } from 'vitest';
import {
  checkKeyPdu,
  checkResponseMasks,
  isIdentityAddress,
  isKeyPdu,
  type KeyMasks,
  type KeyPduType,
  keyPdusFor,
  masksOf,
  negotiateKeyMasks,
} from '../../src/smp/key-distribution.js';
import type { SmpPdu } from '../../src/smp/pdu.js';

const MASKS = Array.from({ length: 16 }, (_, i) => i);
const BITS = [0, 1, 2, 3] as const;
const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const has = (mask: number, bit: number) => Math.floor(mask / 2 ** bit) % 2 === 1;

/** The PDUs each key distribution bit stands for, in spec order (3.6.1; smp-rules.md 6). */
const PDUS_OF_BIT: Readonly<Record<(typeof BITS)[number], readonly KeyPduType[]>> = {
  0: ['encryption-information', 'central-identification'], // EncKey
  1: ['identity-information', 'identity-address-information'], // IdKey
  2: ['signing-information'], // SignKey
  3: [], // LinkKey: nothing on LE
};

const KEY_PDUS: Readonly<Record<KeyPduType, Extract<SmpPdu, { type: KeyPduType }>>> = {
  'encryption-information': {
    type: 'encryption-information',
    ltk: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  },
  'central-identification': {
    type: 'central-identification',
    ediv: 0x5a3c,
    rand: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2),
  },
  'identity-information': {
    type: 'identity-information',
    irk: Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i),
  },
  'identity-address-information': {
    type: 'identity-address-information',
    addressType: 1,
    address: Uint8Array.of(0xe0, 0xf3, 0x76, 0x4c, 0xa7, 0xd2), // static random d2:a7:4c:76:f3:e0
  },
  'signing-information': {
    type: 'signing-information',
    csrk: Uint8Array.from({ length: 16 }, (_, i) => 0x80 + i),
  },
};
const KEY_PDU_TYPES = Object.keys(KEY_PDUS) as KeyPduType[];

describe('negotiateKeyMasks: the response masks are the request AND local masks', () => {
  it('exhaustively over 16 x 16 initiator masks and 16 x 16 responder masks', () => {
    for (const request of MASKS) {
      for (const local of MASKS) {
        const expected = BITS.reduce<number>(
          (mask, bit) => mask + (has(request, bit) && has(local, bit) ? 2 ** bit : 0),
          0,
        );
        expect(
          negotiateKeyMasks(
            { initiatorKeys: request, responderKeys: 0x0f },
            { initiatorKeys: local, responderKeys: 0x0f },
          ),
        ).toEqual({ initiatorKeys: expected, responderKeys: 0x0f });
        expect(
          negotiateKeyMasks(
            { initiatorKeys: 0x0f, responderKeys: request },
            { initiatorKeys: 0x0f, responderKeys: local },
          ),
        ).toEqual({ initiatorKeys: 0x0f, responderKeys: expected });
      }
    }
  });
  it('keeps the two roles apart', () => {
    expect(
      negotiateKeyMasks(
        { initiatorKeys: 0x07, responderKeys: 0x03 },
        { initiatorKeys: 0x04, responderKeys: 0x0f },
      ),
    ).toEqual({ initiatorKeys: 0x04, responderKeys: 0x03 });
  });
  it('what it negotiates always passes the initiator check', () => {
    for (const request of MASKS) {
      for (const local of MASKS) {
        const req = { initiatorKeys: request, responderKeys: 15 - request };
        expect(
          checkResponseMasks(req, negotiateKeyMasks(req, { initiatorKeys: local, responderKeys: local })),
        ).toBeNull();
      }
    }
  });
});

describe('checkResponseMasks: a response may not set a bit the request did not', () => {
  const extraBit = (request: number, response: number) =>
    BITS.some((bit) => has(response, bit) && !has(request, bit));

  /** Checks every request x response mask pair on one side, the other side's masks held equal. */
  function exhaustive(side: 'initiatorKeys' | 'responderKeys', same: number): void {
    const masks = (mask: number): KeyMasks =>
      side === 'initiatorKeys'
        ? { initiatorKeys: mask, responderKeys: same }
        : { initiatorKeys: same, responderKeys: mask };
    for (const request of MASKS) {
      for (const response of MASKS) {
        const result = checkResponseMasks(masks(request), masks(response));
        const label = `${side}: request ${hex(request)} response ${hex(response)}`;
        if (extraBit(request, response)) {
          expect(result, label).toEqual(expect.any(String));
          expect(result!.length, label).toBeGreaterThan(0);
        } else {
          expect(result, label).toBeNull();
        }
      }
    }
  }
  it.each([0x00, 0x0f, 0x05].map((same) => [hex(same), same] as const))(
    'initiator masks, 16 x 16 (responder masks both %s)',
    (_name, same) => exhaustive('initiatorKeys', same),
  );
  it.each([0x00, 0x0f, 0x0a].map((same) => [hex(same), same] as const))(
    'responder masks, 16 x 16 (initiator masks both %s)',
    (_name, same) => exhaustive('responderKeys', same),
  );
  it('an extra bit on one side is not excused by a missing bit on the other', () => {
    expect(
      checkResponseMasks(
        { initiatorKeys: 0x04, responderKeys: 0x03 },
        { initiatorKeys: 0x05, responderKeys: 0x00 },
      ),
    ).toEqual(expect.any(String));
    expect(
      checkResponseMasks(
        { initiatorKeys: 0x04, responderKeys: 0x03 },
        { initiatorKeys: 0x00, responderKeys: 0x0b },
      ),
    ).toEqual(expect.any(String));
  });
});

describe('keyPdusFor: what one side sends, in spec order', () => {
  it.each(MASKS.map((mask) => [hex(mask), mask] as const))('LE legacy, mask %s', (_name, mask) => {
    const expected = BITS.flatMap((bit) => (has(mask, bit) ? PDUS_OF_BIT[bit] : []));
    expect(keyPdusFor(mask, false)).toEqual(expected);
  });
  it.each(MASKS.map((mask) => [hex(mask), mask] as const))(
    'Secure Connections, mask %s: never Encryption Information or Central Identification',
    (_name, mask) => {
      const expected = BITS.filter((bit) => bit !== 0).flatMap((bit) =>
        has(mask, bit) ? PDUS_OF_BIT[bit] : [],
      );
      const got = keyPdusFor(mask, true);
      expect(got).toEqual(expected);
      expect(got).not.toContain('encryption-information');
      expect(got).not.toContain('central-identification');
    },
  );
  it('written out for the masks that matter', () => {
    expect(keyPdusFor(0x0f, false)).toEqual([
      'encryption-information',
      'central-identification',
      'identity-information',
      'identity-address-information',
      'signing-information',
    ]);
    expect(keyPdusFor(0x0f, true)).toEqual([
      'identity-information',
      'identity-address-information',
      'signing-information',
    ]);
    expect(keyPdusFor(0x01, true)).toEqual([]);
    expect(keyPdusFor(0x08, false)).toEqual([]);
    expect(keyPdusFor(0x00, false)).toEqual([]);
    expect(keyPdusFor(0x04, false)).toEqual(['signing-information']);
  });
  it('returns a fresh array each time (callers shift from it)', () => {
    const first = keyPdusFor(0x07, false);
    first.length = 0;
    expect(keyPdusFor(0x07, false)).toHaveLength(5);
  });
});

describe('isIdentityAddress', () => {
  const address = (msb: number) => Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, msb);

  it('a public address always is one', () => {
    for (let msb = 0; msb <= 0xff; msb++) expect(isIdentityAddress(0, address(msb))).toBe(true);
    expect(isIdentityAddress(0, new Uint8Array(6))).toBe(true);
  });
  it('a random address only when the two most significant bits (octet 5 in wire order) are 11', () => {
    for (let msb = 0; msb <= 0xff; msb++) {
      expect(isIdentityAddress(1, address(msb)), `msb 0x${msb.toString(16)}`).toBe(msb >= 0xc0);
    }
  });
  it('looks at octet 5, not octet 0', () => {
    expect(isIdentityAddress(1, Uint8Array.of(0xc0, 0, 0, 0, 0, 0x00))).toBe(false);
    expect(isIdentityAddress(1, Uint8Array.of(0x00, 0, 0, 0, 0, 0xc0))).toBe(true);
  });
  it('non-resolvable private (00), resolvable private (01) and reserved (10) are not', () => {
    expect(isIdentityAddress(1, address(0x3f))).toBe(false);
    expect(isIdentityAddress(1, address(0x4a))).toBe(false);
    expect(isIdentityAddress(1, address(0xbf))).toBe(false);
  });
  it('an address type other than public or random is not', () => {
    expect(isIdentityAddress(2, address(0xc0))).toBe(false);
  });
});

describe('isKeyPdu and masksOf', () => {
  it('the five key PDUs are key PDUs; the other nine are not', () => {
    for (const type of KEY_PDU_TYPES) expect(isKeyPdu(KEY_PDUS[type])).toBe(true);
    const others: SmpPdu[] = [
      {
        type: 'pairing-request',
        ioCapability: 3,
        oobDataPresent: false,
        authReq: 9,
        maxKeySize: 16,
        initiatorKeys: 0,
        responderKeys: 0,
      },
      {
        type: 'pairing-response',
        ioCapability: 3,
        oobDataPresent: false,
        authReq: 9,
        maxKeySize: 16,
        initiatorKeys: 0,
        responderKeys: 0,
      },
      { type: 'pairing-confirm', value: new Uint8Array(16) },
      { type: 'pairing-random', value: new Uint8Array(16) },
      { type: 'pairing-failed', reason: 8 },
      { type: 'security-request', authReq: 9 },
      { type: 'pairing-public-key', publicKey: new Uint8Array(64) },
      { type: 'pairing-dhkey-check', value: new Uint8Array(16) },
      { type: 'keypress-notification', notification: 0 },
    ];
    for (const pdu of others) expect(isKeyPdu(pdu), pdu.type).toBe(false);
  });
  it('masksOf takes the two masks of a Pairing Request or Response', () => {
    expect(
      masksOf({
        ioCapability: 3,
        oobDataPresent: false,
        authReq: 9,
        maxKeySize: 16,
        initiatorKeys: 0x04,
        responderKeys: 0x03,
      }),
    ).toEqual({ initiatorKeys: 0x04, responderKeys: 0x03 });
  });
});

describe('checkKeyPdu: the receive gate', () => {
  it('accepts the expected PDU on an encrypted link', () => {
    for (const type of KEY_PDU_TYPES)
      expect(checkKeyPdu(KEY_PDUS[type], type, true), type).toEqual({ ok: true });
  });
  it('refuses any key PDU before encryption with Unspecified Reason (0x08), even the expected one', () => {
    for (const type of KEY_PDU_TYPES) {
      const verdict = checkKeyPdu(KEY_PDUS[type], type, false);
      expect(verdict, type).toMatchObject({ ok: false, reason: 0x08 });
      expect(verdict.ok === false && verdict.message).toEqual(expect.any(String));
    }
  });
  it('refuses any PDU that is not the expected next one with 0x08', () => {
    for (const type of KEY_PDU_TYPES) {
      for (const expected of [...KEY_PDU_TYPES, undefined]) {
        if (expected === type) continue;
        expect(
          checkKeyPdu(KEY_PDUS[type], expected, true),
          `${type} while expecting ${expected}`,
        ).toMatchObject({
          ok: false,
          reason: 0x08,
        });
      }
    }
  });
  it('refuses an Identity Address Information with a non-static random address with Invalid Parameters (0x0A)', () => {
    for (const msb of [0x00, 0x3f, 0x40, 0x7f, 0x80, 0xbf]) {
      const pdu = {
        type: 'identity-address-information',
        addressType: 1,
        address: Uint8Array.of(1, 2, 3, 4, 5, msb),
      } as const;
      expect(
        checkKeyPdu(pdu, 'identity-address-information', true),
        `msb 0x${msb.toString(16)}`,
      ).toMatchObject({
        ok: false,
        reason: 0x0a,
      });
    }
  });
  it('accepts a public identity address whatever its top bits', () => {
    const pdu = {
      type: 'identity-address-information',
      addressType: 0,
      address: Uint8Array.of(1, 2, 3, 4, 5, 0x00),
    } as const;
    expect(checkKeyPdu(pdu, 'identity-address-information', true)).toEqual({ ok: true });
  });
  it('walks a whole legacy distribution in order; the seed trace (keys outside a SignKey-only mask) fails 0x08', () => {
    const sent = keyPdusFor(0x07, false);
    const expected = [...sent];
    for (const type of sent)
      expect(checkKeyPdu(KEY_PDUS[type], expected.shift(), true), type).toEqual({ ok: true });
    expect(expected).toEqual([]);
    expect(checkKeyPdu(KEY_PDUS['signing-information'], expected[0], true)).toMatchObject({
      ok: false,
      reason: 0x08,
    });

    // Negotiated initiator mask SignKey only; the initiator sent Encryption Information first.
    const signOnly = keyPdusFor(0x04, false);
    expect(checkKeyPdu(KEY_PDUS['encryption-information'], signOnly[0], true)).toMatchObject({
      ok: false,
      reason: 0x08,
    });
  });
  it('under Secure Connections an Encryption Information is never expected', () => {
    for (const mask of MASKS) {
      const expected = keyPdusFor(mask, true);
      expect(checkKeyPdu(KEY_PDUS['encryption-information'], expected[0], true)).toMatchObject({
        ok: false,
        reason: 0x08,
      });
    }
  });
});
