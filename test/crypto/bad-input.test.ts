import { describe, expect, it } from 'vitest';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { concat, fromHex, reverse } from '../../src/crypto/bytes.js';
import { CryptoInputError, InvalidPublicKeyError } from '../../src/crypto/errors.js';
import { keyId } from '../../src/crypto/key-conversion.js';
import { maskKey } from '../../src/crypto/key-size.js';
import { DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY, validatePublicKey } from '../../src/crypto/p256.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { BACKENDS } from './backends.js';

const P_LE = reverse(fromHex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'));
const OFF_CURVE = DEBUG_PUBLIC_KEY.slice();
OFF_CURVE[40]! ^= 1;
/** Invalid peer points of each kind, with the reason dhKey must give. */
const INVALID_POINTS: ReadonlyArray<[Uint8Array, InvalidPublicKeyError['reason']]> = [
  [new Uint8Array(64), 'infinity'],
  [concat(P_LE, DEBUG_PUBLIC_KEY.subarray(32)), 'coordinate-out-of-range'],
  [concat(DEBUG_PUBLIC_KEY.subarray(0, 32), P_LE), 'coordinate-out-of-range'],
  [OFF_CURVE, 'not-on-curve'],
];

/** Each function's octet-string arguments with their lengths, in call order; numbers are fixed values. */
type Arg = { name: string; length: number } | { value: number };
const SIGNATURES: Record<string, Arg[]> = {
  e: [
    { name: 'key', length: 16 },
    { name: 'plaintext', length: 16 },
  ],
  c1: [
    { name: 'k', length: 16 },
    { name: 'r', length: 16 },
    { name: 'preq', length: 7 },
    { name: 'pres', length: 7 },
    { value: 0 },
    { name: 'ia', length: 6 },
    { value: 1 },
    { name: 'ra', length: 6 },
  ],
  s1: [
    { name: 'k', length: 16 },
    { name: 'r1', length: 16 },
    { name: 'r2', length: 16 },
  ],
  ah: [
    { name: 'k', length: 16 },
    { name: 'r', length: 3 },
  ],
  f4: [{ name: 'U', length: 32 }, { name: 'V', length: 32 }, { name: 'X', length: 16 }, { value: 0 }],
  f5: [
    { name: 'W', length: 32 },
    { name: 'N1', length: 16 },
    { name: 'N2', length: 16 },
    { name: 'A1', length: 7 },
    { name: 'A2', length: 7 },
  ],
  dhKeyChecks: [
    { name: 'MacKey', length: 16 },
    { name: 'Na', length: 16 },
    { name: 'Nb', length: 16 },
    { name: 'ra', length: 16 },
    { name: 'rb', length: 16 },
    { name: 'IOcapA', length: 3 },
    { name: 'IOcapB', length: 3 },
    { name: 'A', length: 7 },
    { name: 'B', length: 7 },
  ],
  f6: [
    { name: 'W', length: 16 },
    { name: 'N1', length: 16 },
    { name: 'N2', length: 16 },
    { name: 'R', length: 16 },
    { name: 'IOcap', length: 3 },
    { name: 'A1', length: 7 },
    { name: 'A2', length: 7 },
  ],
  g2: [
    { name: 'U', length: 32 },
    { name: 'V', length: 32 },
    { name: 'X', length: 16 },
    { name: 'Y', length: 16 },
  ],
  g2Display: [
    { name: 'U', length: 32 },
    { name: 'V', length: 32 },
    { name: 'X', length: 16 },
    { name: 'Y', length: 16 },
  ],
  h6: [
    { name: 'W', length: 16 },
    { name: 'keyID', length: 4 },
  ],
  h7: [
    { name: 'SALT', length: 16 },
    { name: 'W', length: 16 },
  ],
  h8: [
    { name: 'K', length: 16 },
    { name: 'S', length: 16 },
    { name: 'keyID', length: 4 },
  ],
  ltkToLinkKey: [{ name: 'ltk', length: 16 }, { value: 1 }],
  linkKeyToLtk: [{ name: 'linkKey', length: 16 }, { value: 0 }],
  attSignature: [{ name: 'csrk', length: 16 }, { name: 'message', length: -1 }, { value: 0 }],
  aesCmac: [
    { name: 'key', length: 16 },
    { name: 'message', length: -1 },
  ],
};
/** g2Display reports errors as g2, whose checks it reuses. */
const REPORTED_AS: Record<string, string> = { g2Display: 'g2' };

function args(signature: Arg[], override?: { index: number; value: unknown }): unknown[] {
  return signature.map((arg, i) => {
    if (override?.index === i) return override.value;
    return 'value' in arg ? arg.value : new Uint8Array(arg.length < 0 ? 5 : arg.length).fill(0x5a);
  });
}

describe.each(BACKENDS)('bad input on the $name backend', ({ tb }) => {
  const call = (fn: string, list: unknown[]) =>
    (tb as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!(...list);

  for (const [fn, signature] of Object.entries(SIGNATURES)) {
    const reported = REPORTED_AS[fn] ?? fn;
    signature.forEach((arg, index) => {
      if ('value' in arg || arg.length < 0) return;
      it(`${fn}: ${arg.name} one octet short, one octet long, or not a Uint8Array`, () => {
        for (const length of [arg.length - 1, arg.length + 1]) {
          const thrown = catchError(() =>
            call(fn, args(signature, { index, value: new Uint8Array(length) })),
          );
          expect(thrown).toBeInstanceOf(CryptoInputError);
          expect(thrown.message).toBe(`${reported}: ${arg.name} must be ${arg.length} octets, got ${length}`);
          expect(thrown).toMatchObject({ fn: reported, argument: arg.name });
        }
        const fromArray = catchError(() =>
          call(fn, args(signature, { index, value: Array(arg.length).fill(0) })),
        );
        expect(fromArray.message).toBe(
          `${reported}: ${arg.name} must be a Uint8Array of ${arg.length} octets, got an array`,
        );
        const fromString = catchError(() =>
          call(fn, args(signature, { index, value: 'ab'.repeat(arg.length) })),
        );
        expect(fromString.message).toMatch(
          new RegExp(`^${reported}: ${arg.name} must be a Uint8Array.*got string$`),
        );
      });
    });
  }

  it('c1 refuses an address type other than 0 or 1', () => {
    const list = args(SIGNATURES.c1!, { index: 4, value: 2 });
    expect(() => call('c1', list)).toThrow('c1: iat must be an integer from 0 to 1, got 2');
    expect(() => call('c1', args(SIGNATURES.c1!, { index: 6, value: 0.5 }))).toThrow(
      'c1: rat must be an integer from 0 to 1, got 0.5',
    );
  });

  it('f4 refuses a Z that is not one octet', () => {
    expect(() => call('f4', args(SIGNATURES.f4!, { index: 3, value: 256 }))).toThrow(
      'f4: Z must be an integer from 0 to 255, got 256',
    );
  });

  it('ltkToLinkKey refuses a CT2 other than 0 or 1', () => {
    expect(() => tb.ltkToLinkKey(new Uint8Array(16), 2)).toThrow(
      'ltkToLinkKey: ct2 must be an integer from 0 to 1, got 2',
    );
  });

  it('dhKey refuses the point at infinity, a coordinate >= p and a point off the curve, naming the reason', () => {
    for (const [key, reason] of INVALID_POINTS) {
      const thrown = catchError(() => tb.dhKey(DEBUG_PRIVATE_KEY, key));
      expect(thrown).toBeInstanceOf(InvalidPublicKeyError);
      expect(thrown).toMatchObject({ fn: 'dhKey', argument: 'peerPublicKey', reason });
    }
    expect(() => tb.dhKey(DEBUG_PRIVATE_KEY, new Uint8Array(65))).toThrow(
      'dhKey: peerPublicKey must be 64 octets, got 65',
    );
  });

  it('refuses a private key of zero or not below the group order', () => {
    const order = reverse(fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'));
    const above = reverse(fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552'));
    const highOctetAbove = reverse(
      fromHex('ffffffff00000001000000000000000000000000000000000000000000000000'),
    );
    // The largest and smallest valid scalars are accepted (the check compares octets, most significant first).
    const belowOrder = reverse(fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550'));
    const one = reverse(fromHex(`${'00'.repeat(31)}01`));
    for (const key of [belowOrder, one]) expect(tb.derivePublicKey(key)).toHaveLength(64);
    for (const key of [new Uint8Array(32), order, above, highOctetAbove, new Uint8Array(32).fill(0xff)]) {
      expect(() => tb.derivePublicKey(key)).toThrow(
        'derivePublicKey: privateKey must be a scalar from 1 to n-1',
      );
      expect(() => tb.dhKey(key, DEBUG_PUBLIC_KEY)).toThrow(
        'dhKey: privateKey must be a scalar from 1 to n-1',
      );
    }
  });

  it('handles a private key whose most significant octet is zero (OpenSSL shortens such scalars)', () => {
    const key = DEBUG_PRIVATE_KEY.slice();
    key[31] = 0;
    const other = BACKENDS.find((b) => b.tb !== tb)!.tb;
    expect(tb.derivePublicKey(key)).toEqual(other.derivePublicKey(key));
    expect(tb.dhKey(key, DEBUG_PUBLIC_KEY)).toEqual(other.dhKey(key, DEBUG_PUBLIC_KEY));
  });
});

describe('dhKey and a backend that refuses invalid points itself', () => {
  /** A backend on `base` that records the peer points its ECDH was given. */
  function recording(base: CryptoBackend, refusesInvalidPoints: boolean) {
    const seen: Uint8Array[] = [];
    const backend: CryptoBackend = {
      ...base,
      refusesInvalidPoints,
      p256Ecdh: (privateKey, peer) => {
        seen.push(peer);
        return base.p256Ecdh(privateKey, peer);
      },
    };
    return { tb: toolbox(backend), seen };
  }

  it('node:crypto itself refuses every kind of invalid point, so the node backend may say so', () => {
    expect(nodeBackend.refusesInvalidPoints).toBe(true);
    for (const [key] of INVALID_POINTS) {
      expect(() => nodeBackend.p256Ecdh(DEBUG_PRIVATE_KEY, key)).toThrow(/public key is not valid/i);
    }
  });

  it('a backend that does not say so is never given an invalid point; one that does is, and dhKey names the reason', () => {
    for (const refuses of [false, true]) {
      const { tb, seen } = recording(nodeBackend, refuses);
      for (const [key, reason] of INVALID_POINTS) {
        expect(catchError(() => tb.dhKey(DEBUG_PRIVATE_KEY, key))).toMatchObject({
          name: 'InvalidPublicKeyError',
          fn: 'dhKey',
          argument: 'peerPublicKey',
          reason,
        });
      }
      expect(seen).toHaveLength(refuses ? INVALID_POINTS.length : 0);
      expect(() => tb.dhKey(DEBUG_PRIVATE_KEY, new Uint8Array(63))).toThrow(
        'dhKey: peerPublicKey must be 64 octets, got 63',
      );
      expect(seen).toHaveLength(refuses ? INVALID_POINTS.length : 0);
    }
  });

  it("a refusing backend's own error on a valid point comes through unchanged", () => {
    const failure = new Error('engine unavailable');
    const tb = toolbox({
      ...nodeBackend,
      refusesInvalidPoints: true,
      p256Ecdh: () => {
        throw failure;
      },
    });
    expect(catchError(() => tb.dhKey(DEBUG_PRIVATE_KEY, DEBUG_PUBLIC_KEY))).toBe(failure);
  });
});

describe('helpers refuse bad input', () => {
  it('validatePublicKey names its own function by default', () => {
    expect(() => validatePublicKey(new Uint8Array(64))).toThrow(
      'validatePublicKey: publicKey is the point at infinity (all zero)',
    );
  });
  it('keyId takes exactly four printable characters', () => {
    expect(keyId('lebr')).toEqual(fromHex('7262656c'));
    expect(() => keyId('leb')).toThrow("keyId: name must be 4 printable ASCII characters, got 'leb'");
  });
  it('maskKey zeroes the most significant octets and refuses sizes outside 7..16', () => {
    const key = new Uint8Array(16).fill(0xff);
    expect(maskKey(key, 7)).toEqual(Uint8Array.from([...Array(7).fill(0xff), ...Array(9).fill(0)]));
    expect(maskKey(key, 16)).toEqual(key);
    expect(() => maskKey(key, 6)).toThrow('maskKey: keySize must be an integer from 7 to 16, got 6');
    expect(() => maskKey(key, 17)).toThrow('maskKey: keySize must be an integer from 7 to 16, got 17');
  });
  it('fromHex refuses odd lengths and non-hex characters', () => {
    expect(() => fromHex('abc')).toThrow(RangeError);
    expect(() => fromHex('zz')).toThrow(RangeError);
    expect(fromHex('de:ad be')).toEqual(Uint8Array.of(0xde, 0xad, 0xbe));
  });
});

function catchError(f: () => unknown): Error & Record<string, unknown> {
  try {
    f();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, got none');
}
