import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/smp/policy.js';
import { meetsPolicy, weakens } from '../../src/smp/security-level.js';

const level = (secureConnections: boolean, authenticated: boolean, keySize = 16) => ({
  secureConnections,
  authenticated,
  keySize,
});

describe('security levels', () => {
  it('weakens: authenticated > unauthenticated, SC > legacy, longer > shorter; equal or stronger is fine', () => {
    expect(weakens(level(true, true), level(true, false))).toMatch(/authenticated key by an unauthenticated/);
    expect(weakens(level(true, false), level(false, false))).toMatch(/Secure Connections key by a legacy/);
    expect(weakens(level(false, false, 16), level(false, false, 10))).toBe(
      'a 16-octet key by a 10-octet one',
    );
    expect(weakens(level(true, false), level(true, false))).toBeUndefined();
    expect(weakens(level(false, false, 7), level(true, true, 16))).toBeUndefined();
    // An authenticated legacy bond by an unauthenticated SC one: still a loss of MITM protection.
    expect(weakens(level(false, true), level(true, false))).toMatch(/authenticated/);
  });

  it('meetsPolicy: MITM when required, SC unless legacy allowed, the minimum key size', () => {
    expect(meetsPolicy(level(true, false), resolvePolicy())).toBe(true);
    expect(meetsPolicy(level(true, false), resolvePolicy({ requireMitm: true }))).toBe(false);
    expect(meetsPolicy(level(true, true), resolvePolicy({ requireMitm: true }))).toBe(true);
    expect(meetsPolicy(level(false, true), resolvePolicy())).toBe(false);
    expect(meetsPolicy(level(false, true), resolvePolicy({ allowLegacy: true }))).toBe(true);
    expect(meetsPolicy(level(true, true, 12), resolvePolicy())).toBe(false);
    expect(meetsPolicy(level(true, true, 12), resolvePolicy({ minKeySize: 12 }))).toBe(true);
  });
});
