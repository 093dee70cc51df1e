/** searchPasskeyByStk: the s1 search (Core Vol 3 Part H 2.2.4) agrees with the toolbox's s1. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultBackend } from '../../src/crypto/default-backend.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { MAX_PASSKEY, passkeyTk, searchPasskeyByStk } from '../../src/trace/audit/passkey-search.js';

const tb = toolbox(defaultBackend());

/** The STK as HCI carries it: s1 masked to the key size (its most significant 16 - size octets zero). */
function maskedStk(passkey: number, srand: Uint8Array, mrand: Uint8Array, keySize: number): Uint8Array {
  const stk = tb.s1(passkeyTk(passkey), srand, mrand);
  stk.fill(0, keySize);
  return stk;
}

const random16 = fc.uint8Array({ minLength: 16, maxLength: 16 });

describe('searchPasskeyByStk', () => {
  it('fast-check: finds random passkeys at every key size, as the toolbox s1 computes the STK', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_PASSKEY }),
        random16,
        random16,
        fc.integer({ min: 7, max: 16 }),
        (passkey, srand, mrand, keySize) => {
          const stk = maskedStk(passkey, srand, mrand, keySize);
          const from = Math.max(0, passkey - 300);
          const to = Math.min(MAX_PASSKEY, passkey + 300);
          const found = searchPasskeyByStk({ stk, srand, mrand, keySize }, from, to);
          // A 56-bit (or wider) match by another candidate in 600 is out of reach; the first hit is the passkey.
          expect(found).toEqual({ passkey, evaluations: passkey - from + 1 });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('finds the passkey over the default range, including the edges 0 and 999999', () => {
    const srand = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
    const mrand = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 ^ i);
    expect(searchPasskeyByStk({ stk: maskedStk(0, srand, mrand, 16), srand, mrand, keySize: 16 })).toEqual({
      passkey: 0,
      evaluations: 1,
    });
    expect(
      searchPasskeyByStk({ stk: maskedStk(MAX_PASSKEY, srand, mrand, 7), srand, mrand, keySize: 7 }, 999_000),
    ).toEqual({ passkey: MAX_PASSKEY, evaluations: 1000 });
  });

  it('uses only the low 64 bits of each random, Mrand first in wire order', () => {
    const srand = Uint8Array.from({ length: 16 }, (_, i) => i);
    const mrand = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 - i);
    const stk = maskedStk(123_456, srand, mrand, 16);
    const noisy = (r: Uint8Array) => Uint8Array.from(r, (v, i) => (i < 8 ? v : v ^ 0x5a));
    expect(
      searchPasskeyByStk({ stk, srand: noisy(srand), mrand: noisy(mrand), keySize: 16 }, 123_000, 124_000)
        .passkey,
    ).toBe(123_456);
    // Swapped randoms are a different r': no match.
    expect(
      searchPasskeyByStk({ stk, srand: mrand, mrand: srand, keySize: 16 }, 123_000, 124_000).passkey,
    ).toBe(undefined);
  });

  it('not found: undefined, evaluations = range size; masked octets beyond the key size are ignored', () => {
    const srand = new Uint8Array(16).fill(1);
    const mrand = new Uint8Array(16).fill(2);
    const stk = maskedStk(500, srand, mrand, 10);
    expect(searchPasskeyByStk({ stk, srand, mrand, keySize: 10 }, 1000, 1999)).toEqual({
      passkey: undefined,
      evaluations: 1000,
    });
    const dirty = stk.slice();
    dirty.fill(0xee, 10);
    expect(searchPasskeyByStk({ stk: dirty, srand, mrand, keySize: 10 }, 0, 999).passkey).toBe(500);
    // Compared at 16 octets, the dirty high octets do not match.
    expect(searchPasskeyByStk({ stk: dirty, srand, mrand, keySize: 16 }, 0, 999).passkey).toBe(undefined);
  });
});
