import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { concat, reverse, toHex } from '../../src/crypto/bytes.js';
import { isValidPublicKey } from '../../src/crypto/p256.js';
import { toUncompressed } from '../../src/crypto/p256-format.js';
import { toolbox } from '../../src/crypto/toolbox.js';

/** The floor: at least 1,000 random cases per function. */
const RUNS = 1000;
const noble = toolbox(nobleBackend);
const node = toolbox(nodeBackend);

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const bit = fc.integer({ min: 0, max: 1 });
const octet = fc.integer({ min: 0, max: 255 });
const n = p256.Point.CURVE().n;
/** A P-256 scalar 1..n-1, little-endian; the generator favours small and large edge values too. */
const scalar = fc
  .bigInt({ min: 1n, max: n - 1n })
  .map((d) => reverse(Uint8Array.from(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'))));

/** Asserts `f` gives the same answer on both backends for every generated input. */
function same<T extends unknown[]>(
  arbitraries: { [K in keyof T]: fc.Arbitrary<T[K]> },
  f: (tb: typeof noble, ...args: T) => unknown,
) {
  fc.assert(
    fc.property(...(arbitraries as unknown as [fc.Arbitrary<unknown>]), (...args: unknown[]) => {
      const a = f(noble, ...(args as T));
      const b = f(node, ...(args as T));
      expect(normalise(b)).toEqual(normalise(a));
    }),
    { numRuns: RUNS },
  );
}
const normalise = (value: unknown): unknown =>
  value instanceof Uint8Array
    ? toHex(value)
    : typeof value === 'object' && value
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]))
      : value;

describe(`both backends agree on ${RUNS} random inputs`, () => {
  it('e', () => same([bytes(16), bytes(16)], (tb, k, p) => tb.e(k, p)));
  it('aesCmac (messages of 0..100 octets, block boundaries included)', () =>
    same([bytes(16), fc.uint8Array({ maxLength: 100 })], (tb, k, m) => tb.aesCmac(k, m)));
  it('c1', () =>
    same(
      [bytes(16), bytes(16), bytes(7), bytes(7), bit, bytes(6), bit, bytes(6)],
      (tb, k, r, q, s, iat, ia, rat, ra) => tb.c1(k, r, q, s, iat, ia, rat, ra),
    ));
  it('s1', () => same([bytes(16), bytes(16), bytes(16)], (tb, k, r1, r2) => tb.s1(k, r1, r2)));
  it('ah', () => same([bytes(16), bytes(3)], (tb, k, r) => tb.ah(k, r)));
  it('f4', () => same([bytes(32), bytes(32), bytes(16), octet], (tb, u, v, x, z) => tb.f4(u, v, x, z)));
  it('f5', () =>
    same([bytes(32), bytes(16), bytes(16), bytes(7), bytes(7)], (tb, w, n1, n2, a1, a2) =>
      tb.f5(w, n1, n2, a1, a2),
    ));
  it('f6', () =>
    same(
      [bytes(16), bytes(16), bytes(16), bytes(16), bytes(3), bytes(7), bytes(7)],
      (tb, w, n1, n2, r, io, a1, a2) => tb.f6(w, n1, n2, r, io, a1, a2),
    ));
  it('g2 and its display value', () =>
    same([bytes(32), bytes(32), bytes(16), bytes(16)], (tb, u, v, x, y) => [
      tb.g2(u, v, x, y),
      tb.g2Display(u, v, x, y),
    ]));
  it('h6', () => same([bytes(16), bytes(4)], (tb, w, id) => tb.h6(w, id)));
  it('h7', () => same([bytes(16), bytes(16)], (tb, salt, w) => tb.h7(salt, w)));
  it('h8', () => same([bytes(16), bytes(16), bytes(4)], (tb, k, s, id) => tb.h8(k, s, id)));
  it('ltkToLinkKey and linkKeyToLtk', () =>
    same([bytes(16), bit], (tb, key, ct2) => [tb.ltkToLinkKey(key, ct2), tb.linkKeyToLtk(key, ct2)]));
  it('attSignature', () =>
    same(
      [bytes(16), fc.uint8Array({ maxLength: 60 }), fc.integer({ min: 0, max: 0xffffffff })],
      (tb, csrk, m, c) => tb.attSignature(csrk, m, c),
    ));
  it('derivePublicKey', () => same([scalar], (tb, d) => tb.derivePublicKey(d)));
  it('dhKey', () => same([scalar, scalar], (tb, a, b) => tb.dhKey(a, noble.derivePublicKey(b))));
});

describe('P-256 key agreement across backends', () => {
  it('a key pair from either backend agrees on the DHKey with one from the other', () => {
    fc.assert(
      fc.property(fc.constant(null), () => {
        const a = noble.generateKeyPair();
        const b = node.generateKeyPair();
        expect(toHex(node.derivePublicKey(a.privateKey))).toBe(toHex(a.publicKey));
        expect(toHex(noble.derivePublicKey(b.privateKey))).toBe(toHex(b.publicKey));
        expect(toHex(node.dhKey(b.privateKey, a.publicKey))).toBe(
          toHex(noble.dhKey(a.privateKey, b.publicKey)),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('the public-key check agrees with @noble/curves point decoding', () => {
  const nobleAccepts = (key: Uint8Array) => {
    try {
      p256.Point.fromBytes(toUncompressed(key)).assertValidity();
      return true;
    } catch {
      return false;
    }
  };
  it('on random octets, valid points, and valid points with one bit flipped', () => {
    const validPoint = scalar.map((d) => noble.derivePublicKey(d));
    const flipped = fc.tuple(validPoint, fc.integer({ min: 0, max: 511 })).map(([key, i]) => {
      const out = key.slice();
      out[i >> 3]! ^= 1 << (i & 7);
      return out;
    });
    fc.assert(
      fc.property(fc.oneof(bytes(64), validPoint, flipped), (key) => {
        expect(isValidPublicKey(key)).toBe(nobleAccepts(key));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses X = p, which a check that reduced coordinates mod p would read as 0', () => {
    const p = p256.Point.CURVE().p;
    const pLe = reverse(Uint8Array.from(Buffer.from(p.toString(16), 'hex')));
    expect(isValidPublicKey(concat(pLe, noble.generateKeyPair().publicKey.subarray(32)))).toBe(false);
  });
});
