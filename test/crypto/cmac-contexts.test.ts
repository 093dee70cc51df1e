/**
 * The node backend keeps one AES-CBC context per CMAC key array (see
 * src/crypto/backends/openssl.ts): every MAC must still start from a zero IV,
 * whatever came before on that context, and a key array changed in place must
 * not get the old key's context. RFC 4493's examples (K = 2b7e1516...), given
 * to the backend in SMP order (each value byte-reversed).
 */
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { fromHex, reverse, toHex } from '../../src/crypto/bytes.js';

const le = (hex: string) => reverse(fromHex(hex));
const K = '2b7e151628aed2a6abf7158809cf4f3c';
const EXAMPLES = [
  ['', 'bb1d6929e95937287fa37d129b756746'],
  ['6bc1bee22e409f96e93d7e117393172a', '070a16b46b4d4144f79bdd9dd04a287c'],
  [
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411',
    'dfa66747de9ae63030ca32611497c827',
  ],
] as const;
const mac = (key: Uint8Array, message: string) =>
  toHex(reverse(nodeBackend.cmac(key, message === '' ? [] : [le(message)])));

describe('node backend CMAC with kept contexts', () => {
  it('the same key array, many MACs in any order: each equals RFC 4493', () => {
    const key = le(K);
    for (const order of [
      [0, 1, 2],
      [2, 2, 1, 0, 1],
    ]) {
      for (const i of order) expect(mac(key, EXAMPLES[i]![0])).toBe(EXAMPLES[i]![1]);
    }
  });

  it('two keys interleaved, and a key array overwritten in place with another key', () => {
    const key = le(K);
    const other = le('000102030405060708090a0b0c0d0e0f');
    const expectedOther = toHex(nobleBackend.cmac(other, [le(EXAMPLES[1][0])]));
    expect(toHex(nodeBackend.cmac(other, [le(EXAMPLES[1][0])]))).toBe(expectedOther);
    expect(mac(key, EXAMPLES[1][0])).toBe(EXAMPLES[1][1]);
    expect(toHex(nodeBackend.cmac(other, [le(EXAMPLES[1][0])]))).toBe(expectedOther);
    // The caller reuses its array for the other key: the MAC follows the octets, not the array.
    key.set(other);
    expect(toHex(nodeBackend.cmac(key, [le(EXAMPLES[1][0])]))).toBe(expectedOther);
    key.set(le(K));
    expect(mac(key, EXAMPLES[2][0])).toBe(EXAMPLES[2][1]);
  });
});
