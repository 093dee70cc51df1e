import { describe, expect, it } from 'vitest';
import { runVectors, VECTOR_GROUPS } from '../../src/crypto/selftest/suite.js';
import { loadVectorFile, type VectorFile } from '../../src/crypto/selftest/vector-file.js';
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
