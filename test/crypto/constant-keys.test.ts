/**
 * The spec's constant AES-CMAC keys (f5's SALT, h7's SALTs) run on a cipher the
 * node backend keeps for the life of the process: the MACs must be exactly
 * those of a fresh cipher, whatever came before on the kept one.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { opensslBackend } from '../../src/crypto/backends/openssl.js';
import { fromHex, reverse } from '../../src/crypto/bytes.js';
import { constantKey, isConstantKey } from '../../src/crypto/constant-keys.js';
import { randomBytes } from '../../src/crypto/random.js';
import { loadVectorFile } from '../../src/crypto/selftest/vector-file.js';

describe('constant AES-CMAC keys', () => {
  it('are marked by array, not by value: a copy of one is an ordinary key', () => {
    const key = constantKey(randomBytes(16));
    expect(isConstantKey(key)).toBe(true);
    expect(isConstantKey(key.slice())).toBe(false);
  });

  it("give RFC 4493's four MACs on the kept cipher, twice over", () => {
    const vectors = loadVectorFile().aes_cmac! as unknown as {
      inputs: { K: string; M: string };
      expected: { MAC: string };
    }[];
    const wire = (hex: string) => reverse(fromHex(hex));
    const key = constantKey(wire(vectors[0]!.inputs.K));
    for (let round = 0; round < 2; round++) {
      for (const v of vectors)
        expect(nodeBackend.cmac(key, [wire(v.inputs.M)])).toEqual(wire(v.expected.MAC));
    }
  });

  it('give what a fresh cipher and the noble backend give, for every message length, interleaved with other keys', () => {
    const first = constantKey(randomBytes(16));
    const second = constantKey(randomBytes(16));
    const ordinary = randomBytes(16);
    for (const length of [0, 1, 15, 16, 17, 32, 33, 53, 65, 80, 96, 100]) {
      const message = randomBytes(length);
      for (const key of [first, ordinary, second, first]) {
        const expected = nobleBackend.cmac(key, [message]);
        expect(nodeBackend.cmac(key, [message]), `length ${length}`).toEqual(expected);
        expect(nodeBackend.cmac(key.slice(), [message])).toEqual(expected);
        // In several fields, as f5 passes them (each field in wire order).
        const fields = [message.subarray(0, length >> 1), message.subarray(length >> 1)];
        expect(nodeBackend.cmac(key, fields)).toEqual(nobleBackend.cmac(key, fields));
        expect(nodeBackend.cmacs!(key, [[message], [message]])).toEqual([expected, expected]);
      }
    }
  });
});

describe("a constant key's kept cipher", () => {
  it('belongs to the backend that made it: another node:crypto binding makes its own', () => {
    const key = constantKey(randomBytes(16));
    const message = [randomBytes(32)];
    const made = (calls: string[]) =>
      opensslBackend({
        createECDH: nodeCrypto.createECDH,
        createCipheriv: ((...args: Parameters<typeof nodeCrypto.createCipheriv>) => {
          calls.push(String(args[0]));
          return nodeCrypto.createCipheriv(...args);
        }) as typeof nodeCrypto.createCipheriv,
      });
    const firstCalls: string[] = [];
    const secondCalls: string[] = [];
    const first = made(firstCalls);
    const second = made(secondCalls);
    expect(second).not.toBe(first); // the same createECDH, another createCipheriv: another backend
    const expected = nobleBackend.cmac(key, message);
    for (let i = 0; i < 3; i++) {
      expect(first.cmac(key, message)).toEqual(expected);
      expect(second.cmac(key, message)).toEqual(expected);
    }
    // One ECB cipher each, made on first use and kept.
    expect(firstCalls).toEqual(['aes-128-ecb']);
    expect(secondCalls).toEqual(['aes-128-ecb']);
  });
});
