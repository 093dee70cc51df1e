import { describe, expect, it } from 'vitest';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nodeBackend } from '../../src/crypto/backends/node.js';
import { fromHex, reverse } from '../../src/crypto/bytes.js';
import { runVectors, VECTOR_GROUPS } from '../../src/crypto/selftest/suite.js';
import { loadVectorFile, type VectorFile } from '../../src/crypto/selftest/vector-file.js';
import { toolbox } from '../../src/crypto/toolbox.js';
import { BACKENDS } from './backends.js';

const data = loadVectorFile();
const meta = data.meta as { counts: Record<string, number> };

describe('the shipped vector file', () => {
  it('has every group the suite runs, with the counts its metadata states', () => {
    const groups = Object.keys(data).filter((key) => key !== 'meta');
    expect(new Set(VECTOR_GROUPS.map((g) => g.group))).toEqual(new Set(groups));
    for (const group of groups) expect(data[group]!.length, group).toBe(meta.counts[group]);
  });
});

describe.each(BACKENDS)('spec vectors on the $name backend', ({ tb }) => {
  for (const group of VECTOR_GROUPS) {
    describe(group.group, () => {
      it.each(data[group.group]!.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
        const [actual, expected] = group.check(vector, tb);
        expect(Object.keys(expected).length).toBeGreaterThan(0);
        expect(actual).toEqual(expected);
      });
    });
  }

  it('checks all 20 rounds of every SC passkey transcript', () => {
    const passkeyRuns = data.sc_pairing_transcripts!.filter((v) => v.inputs.passkey !== undefined);
    expect(passkeyRuns.length).toBeGreaterThan(0);
    const group = VECTOR_GROUPS.find((g) => g.group === 'sc_pairing_transcripts')!;
    for (const vector of passkeyRuns) {
      const [actual] = group.check(vector, tb);
      expect(Object.keys(actual).filter((k) => k.endsWith('.Cai_wire'))).toHaveLength(20);
      expect(Object.keys(actual).filter((k) => k.endsWith('.Cbi_wire'))).toHaveLength(20);
    }
  });
});

describe('runVectors', () => {
  const [{ tb }] = BACKENDS as [(typeof BACKENDS)[number]];

  it('passes every vector of the shipped file', () => {
    const results = runVectors(data, tb);
    expect(results).toHaveLength(Object.values(meta.counts).reduce((a, b) => a + b, 0));
    expect(results.filter((r) => !r.passed).map((r) => r.id)).toEqual([]);
  });

  it('fails a vector whose expected value was altered, and only that one', () => {
    const altered = structuredClone(data) as VectorFile &
      Record<string, { expected_le: Record<string, string> }[]>;
    altered.f5![0]!.expected_le.LTK = '00'.repeat(16);
    const failed = runVectors(altered, tb).filter((r) => !r.passed);
    expect(failed.map((r) => r.id)).toEqual(['f5-D.3']);
    expect(failed[0]!.actual.LTK).toBe('380a7594b522059823cdd76911798669');
  });

  it('fails a transcript with one wrong passkey round', () => {
    const altered = structuredClone(data) as unknown as Record<
      string,
      { inputs: { rounds?: { Cbi_wire: string }[] } }[]
    >;
    const transcript = altered.sc_pairing_transcripts!.find((v) => v.inputs.rounds)!;
    transcript.inputs.rounds![7]!.Cbi_wire = 'ff'.repeat(16);
    const failed = runVectors(altered as unknown as VectorFile, tb).filter((r) => !r.passed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.actual['round7.Cbi_wire']).not.toBe(failed[0]!.expected['round7.Cbi_wire']);
  });

  it('reports a malformed vector as a failure instead of throwing', () => {
    const altered = structuredClone(data) as unknown as Record<
      string,
      { inputs_le: Record<string, unknown> }[]
    >;
    altered.c1![0]!.inputs_le.k = 'abc';
    const failed = runVectors(altered as unknown as VectorFile, tb).filter((r) => !r.passed);
    expect(failed.map((r) => r.id)).toEqual(['c1-2.2.3']);
    expect(failed[0]!.actual.error).toMatch(/hex/);
  });
});

/** Key, message and MAC in wire order: each spec-order string reversed. */
const wire = (hex: string) => reverse(fromHex(hex));

describe("the node backend's cmacs: several AES-CMACs under one key on one cipher", () => {
  const vectors = data.aes_cmac! as unknown as {
    id: string;
    inputs: { K: string; M: string };
    expected: { MAC: string };
  }[];

  it("gives RFC 4493's four MACs (0, 16, 40 and 64 octets) from one call, in order, as separate cmac calls do", () => {
    expect(vectors.map((v) => v.inputs.K)).toEqual(Array(4).fill(vectors[0]!.inputs.K));
    const key = wire(vectors[0]!.inputs.K);
    const messages = vectors.map((v) => [wire(v.inputs.M)]);
    const expected = vectors.map((v) => wire(v.expected.MAC));
    expect(nodeBackend.cmacs!(key, messages)).toEqual(expected);
    // Reversed order and each message twice: every MAC is independent of the ones before it on the cipher.
    const twice = [...messages].reverse().flatMap((m) => [m, m]);
    expect(nodeBackend.cmacs!(key, twice)).toEqual([...expected].reverse().flatMap((m) => [m, m]));
    expect(messages.map((m) => nodeBackend.cmac(key, m))).toEqual(expected);
  });

  it('f5 uses it for MacKey and LTK and still meets the spec vector (checked on both backends above)', () => {
    const calls: number[] = [];
    const counting: CryptoBackend = {
      ...nodeBackend,
      cmacs: (key, messages) => {
        calls.push(messages.length);
        return nodeBackend.cmacs!(key, messages);
      },
    };
    const group = VECTOR_GROUPS.find((g) => g.group === 'f5')!;
    const [actual, expectedKeys] = group.check(data.f5![0]!, toolbox(counting));
    expect(actual).toEqual(expectedKeys);
    expect(calls).toEqual([2]);
  });
});

describe.each(BACKENDS)('dhKeyChecks on the $name backend', ({ tb }) => {
  it("gives Ea and Eb as f6 does with the spec's argument order (2.3.5.6.5), from the f6 vector's inputs", () => {
    const vector = data.f6![0]! as unknown as { inputs: Record<string, string>; expected: { f6: string } };
    const v = (name: string) => wire(vector.inputs[name]!);
    const [w, n1, n2, r, ioCap, a1, a2] = ['W', 'N1', 'N2', 'R', 'IOcap', 'A1', 'A2'].map(v) as Uint8Array[];
    const ra = reverse(r!);
    const ioCapB = Uint8Array.of(0x04, 0x00, 0x2d);
    const { ea, eb } = tb.dhKeyChecks(w!, n1!, n2!, ra, r!, ioCap!, ioCapB, a1!, a2!);
    expect(ea).toEqual(wire(vector.expected.f6));
    expect(eb).toEqual(tb.f6(w!, n2!, n1!, ra, ioCapB, a2!, a1!));
    expect(eb).not.toEqual(ea);
  });
});
