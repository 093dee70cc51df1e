import { describe, expect, it } from 'vitest';
import { reproduce } from '../examples/reproduce-spec-vectors.js';

describe('examples/reproduce-spec-vectors.ts', () => {
  it('prints the spec values on both backends', () => {
    expect(reproduce()).toEqual([
      'c1   noble 863bf1bec54da7d2ea888987ef3f1e1e',
      'f5   noble 380a7594b522059823cdd76911798669',
      'ecdh noble 98a6bf73f3348d86f166f8b4136b79999b7d390aa610103405adc857a33402ec',
      'c1   node  863bf1bec54da7d2ea888987ef3f1e1e',
      'f5   node  380a7594b522059823cdd76911798669',
      'ecdh node  98a6bf73f3348d86f166f8b4136b79999b7d390aa610103405adc857a33402ec',
    ]);
  });
});
