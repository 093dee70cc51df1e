/**
 * The passkey search on every core (passkey-pool.ts) and its cipher (c1-kernel.ts): the same answers
 * as the single-threaded search and the toolbox, whatever the workers do. No timing here: speed lives
 * in `npm run bench`.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/backends/noble.js';
import { c1, s1 } from '../../src/crypto/legacy.js';
import { c1Kernel, compileKernel } from '../../src/trace/audit/c1-kernel.js';
import { PasskeyPool, participate } from '../../src/trace/audit/passkey-pool.js';
import {
  type ConfirmInputs,
  MAX_PASSKEY,
  passkeyTk,
  searchPasskey,
  searchPasskeyByStk,
} from '../../src/trace/audit/passkey-search.js';

const preq = Uint8Array.of(0x01, 0x04, 0x00, 0x05, 0x10, 0x07, 0x07);
const pres = Uint8Array.of(0x02, 0x00, 0x00, 0x05, 0x10, 0x07, 0x07);
const ia = Uint8Array.of(0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1);
const ra = Uint8Array.of(0xb6, 0xb5, 0xb4, 0xb3, 0xb2, 0xc1);

function confirmInputs(passkey: number, random: Uint8Array): ConfirmInputs {
  const confirm = c1(passkeyTk(passkey), random, preq, pres, 0, ia, 1, ra);
  return { confirm, random, preq, pres, iat: 0, ia, rat: 1, ra };
}

/** Spec-order words (as the kernel takes them) of a wire-order block. */
function words(wire: Uint8Array): Int32Array {
  const out = new Int32Array(4);
  for (let w = 0; w < 4; w++) {
    const i = 15 - 4 * w;
    out[w] = (wire[i]! << 24) | (wire[i - 1]! << 16) | (wire[i - 2]! << 8) | wire[i - 3]!;
  }
  return out;
}

/** The c1 job words of `searchPasskey` (x = r XOR p1, p2, target), built independently. */
function c1Words(inputs: ConfirmInputs): Int32Array {
  const p1 = new Uint8Array(16);
  p1[0] = inputs.iat;
  p1[1] = inputs.rat;
  p1.set(inputs.preq, 2);
  p1.set(inputs.pres, 9);
  const x = p1.map((v, i) => v ^ inputs.random[i]!);
  const p2 = new Uint8Array(16);
  p2.set(inputs.ra, 0);
  p2.set(inputs.ia, 6);
  return Int32Array.of(...words(x), ...words(p2), ...words(inputs.confirm));
}

const random16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const pools: PasskeyPool[] = [];
/** A pool that goes parallel from 1 candidate on, so small ranges exercise the chunking too. */
function pool(options: ConstructorParameters<typeof PasskeyPool>[0] = {}): PasskeyPool {
  const made = new PasskeyPool({ workers: 2, parallelMin: 1, ...options });
  pools.push(made);
  return made;
}
afterAll(() => {
  for (const p of pools) p.close();
});

describe('c1Kernel: AES specialised for TK = 0^96 || passkey', () => {
  it('fast-check: encrypt agrees with the toolbox e on keys of the passkey shape', () => {
    // Both ways a kernel is made: the factory itself, and a fresh compilation of its source text.
    const kernels = [c1Kernel(), compileKernel()];
    const out = new Int32Array(4);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: MAX_PASSKEY }), fc.nat()),
        random16,
        (passkey, block) => {
          const tk = new Uint8Array(16);
          new DataView(tk.buffer).setUint32(0, passkey, true);
          for (const kernel of kernels) {
            kernel.encrypt(passkey, words(block), out);
            expect(out).toEqual(words(nobleBackend.e(tk, block)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fast-check: searchConfirm and searchStk find what c1 and s1 of the toolbox give', () => {
    const kernel = c1Kernel();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PASSKEY }), random16, random16, (passkey, r1, r2) => {
        const from = Math.max(0, passkey - 200);
        const w = c1Words(confirmInputs(passkey, r1));
        expect(
          kernel.searchConfirm(w.subarray(0, 4), w.subarray(4, 8), w.subarray(8), from, passkey + 50),
        ).toBe(passkey);
        const stk = s1(passkeyTk(passkey), r1, r2);
        const r = new Uint8Array(16);
        r.set(r2.subarray(0, 8), 0);
        r.set(r1.subarray(0, 8), 8);
        const all = Int32Array.of(-1, -1, -1, -1);
        expect(kernel.searchStk(words(r), words(stk), all, from, passkey + 50)).toBe(passkey);
        expect(kernel.searchStk(words(r), words(stk), all, passkey + 1, passkey + 50)).toBe(-1);
      }),
      { numRuns: 30 },
    );
  });
});

describe('searchPasskey on every core', () => {
  const random = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);

  it('finds 0, 1 and 999999 over the whole range, as the single-threaded search does', () => {
    const single = pool({ workers: 0 });
    for (const passkey of [0, 1, MAX_PASSKEY]) {
      const inputs = confirmInputs(passkey, random);
      const found = searchPasskey(inputs);
      expect(found).toEqual({ passkey, evaluations: passkey + 1 });
      const w = c1Words(inputs);
      expect(pool().search('confirm', w, 0, MAX_PASSKEY)).toBe(passkey);
      expect(single.search('confirm', w, 0, MAX_PASSKEY)).toBe(passkey);
    }
  });

  it('the workers run the kernel from its source text and take a share of the chunks', () => {
    const parallel = pool({ workers: 1 });
    const w = c1Words({ ...confirmInputs(1, random), confirm: new Uint8Array(16) });
    // The first searches may end before the worker has started; it joins within a few.
    let share = { chunks: 0, callingThread: 0 };
    for (let i = 0; i < 50 && share.callingThread === share.chunks; i++) {
      expect(parallel.search('confirm', w, 0, MAX_PASSKEY)).toBe(-1);
      share = parallel.lastSearch;
    }
    expect(share.chunks).toBeGreaterThan(1);
    expect(share.callingThread).toBeLessThan(share.chunks);
  });

  it('fast-check: random passkeys and ranges give the same passkey and evaluations as single-threaded', () => {
    const parallel = pool();
    const single = pool({ workers: 0 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_PASSKEY }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        random16,
        (passkey, below, above, r) => {
          const from = Math.max(0, passkey - below);
          const to = Math.min(MAX_PASSKEY, passkey + above);
          const w = c1Words(confirmInputs(passkey, r));
          expect(parallel.search('confirm', w, from, to)).toBe(passkey);
          expect(single.search('confirm', w, from, to)).toBe(passkey);
          // Through the public function (the default pool): the single-threaded result shape.
          expect(searchPasskey(confirmInputs(passkey, r), 'tables', from, to)).toEqual({
            passkey,
            evaluations: passkey - from + 1,
          });
        },
      ),
      { numRuns: 15 },
    );
  });

  it('not found: undefined, evaluations = range size', () => {
    const inputs = { ...confirmInputs(123, random), confirm: new Uint8Array(16).fill(0x5a) };
    expect(searchPasskey(inputs)).toEqual({ passkey: undefined, evaluations: MAX_PASSKEY + 1 });
    expect(searchPasskey(inputs, 'tables', 10, 70_009)).toEqual({ passkey: undefined, evaluations: 70_000 });
    expect(searchPasskey(inputs, 'tables', 5, 4)).toEqual({ passkey: undefined, evaluations: 0 });
    expect(pool().search('confirm', c1Words(inputs), 0, MAX_PASSKEY)).toBe(-1);
  });

  it('the CryptoBackend engine still gives the same answer', () => {
    const inputs = confirmInputs(4321, random);
    expect(searchPasskey(inputs, nobleBackend, 4000, 4400)).toEqual(
      searchPasskey(inputs, 'tables', 4000, 4400),
    );
  });

  it('searchPasskeyByStk in parallel: 999999 at key size 7, and a miss', () => {
    const srand = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
    const mrand = Uint8Array.from({ length: 16 }, (_, i) => 0x90 - i);
    const stk = s1(passkeyTk(MAX_PASSKEY), srand, mrand).fill(0, 7);
    expect(searchPasskeyByStk({ stk, srand, mrand, keySize: 7 })).toEqual({
      passkey: MAX_PASSKEY,
      evaluations: MAX_PASSKEY + 1,
    });
    expect(searchPasskeyByStk({ stk, srand, mrand, keySize: 7 }, 0, 999_998)).toEqual({
      passkey: undefined,
      evaluations: MAX_PASSKEY,
    });
  });
});

describe('worker failures fall back to the calling thread', () => {
  const random = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
  const cases = [
    ['a worker that throws on start', 'throw new Error("boom")'],
    ['a worker that does not parse', 'this is not javascript ('],
    [
      'a worker that throws on each job',
      'require("node:worker_threads").parentPort.on("message", () => { throw new Error("job"); });',
    ],
    [
      // Claims the lowest chunks and never finishes them: the calling thread takes over after STALL_MS.
      'a worker that claims chunks and stalls',
      'require("node:worker_threads").parentPort.on("message", (b) => { const v = new Int32Array(b); for (let i = 0; i < 3; i++) { const c = Atomics.add(v, 1, 1); Atomics.store(v, 20 + c, 1); } Atomics.wait(v, 3, v[3], 5000); });',
    ],
    ['a worker that exits at once', 'process.exit(3)'],
  ] as const;
  for (const [name, workerSource] of cases) {
    it(`${name}: same answers`, () => {
      const broken = pool({ workerSource, workers: 1 });
      for (const passkey of [0, 20_000, 99_999]) {
        const w = c1Words(confirmInputs(passkey, random));
        expect(broken.search('confirm', w, 0, 99_999)).toBe(passkey);
      }
      const miss = c1Words({ ...confirmInputs(7, random), confirm: new Uint8Array(16) });
      expect(broken.search('confirm', miss, 0, 99_999)).toBe(-1);
    });
  }

  it('participate is self-contained: it runs from its source text', () => {
    const source = `return (${participate.toString()})`;
    expect(typeof new Function(source)()).toBe('function');
    expect(typeof new Function(`return (${c1Kernel.toString()})`)()().searchConfirm).toBe('function');
  });
});
